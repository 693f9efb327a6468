"""Reads of notifications: always one official's own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.notifications.models import Notification


def for_official(session: Session, *, official_id: int, limit: int = 100) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.official_id == official_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
