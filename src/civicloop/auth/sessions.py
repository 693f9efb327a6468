"""Server-side sessions of signed-in officials.

The signed cookie carries only a random token; the ``official_sessions`` row it names is the session.
Deleting the row ends it for every copy of the cookie at once: on sign-out, when the password changes,
when an administrator disables the official or removes one of their roles, or when the official ends it
from their account page. Services flush; the caller commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civicloop.auth.models import Official, OfficialSession
from civicloop.config import get_settings
from civicloop.errors import NotFound
from civicloop.kit import crypto
from civicloop.kit.clock import utcnow

# How stale "last seen" may get: recording every request would make every page view a write.
LAST_SEEN_EVERY = timedelta(minutes=5)


def start(session: Session, *, official: Official, client: str, user_agent: str) -> str:
    """A new session for a signed-in official; returns the token for the cookie (only its digest is kept)."""
    token = crypto.new_token("cs")
    now = utcnow()
    session.add(
        OfficialSession(
            official_id=official.id,
            digest=crypto.token_digest(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=get_settings().session_max_age_hours),
            client=client[:64],
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return token


def resolve(session: Session, token: str) -> OfficialSession | None:
    """The live session a cookie's token names, or None (unknown, ended, expired, or its official disabled)."""
    now = utcnow()
    row = session.scalar(
        select(OfficialSession).where(
            OfficialSession.digest == crypto.token_digest(token), OfficialSession.expires_at > now
        )
    )
    if row is None:
        return None
    official = session.get(Official, row.official_id)
    if official is None or not official.active:
        return None
    if now - row.last_seen_at > LAST_SEEN_EVERY:
        row.last_seen_at = now
    return row


def end(session: Session, token: str) -> None:
    session.execute(delete(OfficialSession).where(OfficialSession.digest == crypto.token_digest(token)))


def end_all(session: Session, *, official_id: int, keep_id: int | None = None) -> None:
    """End every session of an official, except ``keep_id`` (the browser that asked, when it may stay)."""
    query = delete(OfficialSession).where(OfficialSession.official_id == official_id)
    if keep_id is not None:
        query = query.where(OfficialSession.id != keep_id)
    session.execute(query)


def end_own(session: Session, *, official_id: int, session_id: int) -> None:
    """End one of the official's own sessions; another official's is not even confirmed to exist."""
    row = session.get(OfficialSession, session_id)
    if row is None or row.official_id != official_id:
        raise NotFound("session not found")
    session.delete(row)
    session.flush()


def list_live(session: Session, *, official_id: int) -> list[OfficialSession]:
    query = (
        select(OfficialSession)
        .where(OfficialSession.official_id == official_id, OfficialSession.expires_at > utcnow())
        .order_by(OfficialSession.last_seen_at.desc())
    )
    return list(session.scalars(query))


def purge_expired(session: Session) -> int:
    """Drop rows of sessions past their end (they already count for nothing)."""
    result = session.execute(delete(OfficialSession).where(OfficialSession.expires_at <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
