"""Storing notices (once per kind and key), marking them read, and the links their emails carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.auth.models import Official
from civicloop.channels.models import Conversation
from civicloop.config import get_settings
from civicloop.kit.clock import utcnow
from civicloop.notifications.models import Notification


def notify(
    session: Session,
    *,
    official: Official,
    conversation: Conversation | None,
    kind: str,
    key: str,
    title: str,
    body: str = "",
) -> Notification | None:
    """Store one notice for ``official`` unless the same ``kind``/``key`` was sent before; email it
    (from a job, after commit) when SMTP is configured."""
    full_key = f"{kind}:{conversation.id if conversation else '-'}:{key}"[:200]
    existing = session.scalar(
        select(Notification.id).where(Notification.official_id == official.id, Notification.key == full_key)
    )
    if existing is not None:
        return None
    notification = Notification(
        official_id=official.id,
        agency_id=conversation.agency_id if conversation else None,
        conversation_id=conversation.id if conversation else None,
        kind=kind,
        key=full_key,
        title=title[:300],
        body=body,
        url=f"/inbox/{conversation.id}" if conversation else "",
    )
    session.add(notification)
    session.flush()
    if get_settings().smtp_url:
        jobs.after_commit(session, "civicloop.notifications.tasks.email_notification", notification.id)
    return notification


def mark_read(
    session: Session, *, official_id: int, notification_id: int | None = None, now: datetime | None = None
) -> int:
    """Mark one (or, without an id, every) unread notification of the official as read."""
    query = update(Notification).where(Notification.official_id == official_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = session.execute(query.values(read_at=now or utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def absolute_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path
