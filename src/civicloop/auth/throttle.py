"""Sign-in throttling: attempts counted per email and per client address, atomically.

Each attempt bumps its counters with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` before the password
is checked, so parallel requests each see their own count: on PostgreSQL the row lock orders them, on SQLite
write transactions are serial. A counter starts again once its window has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civicloop.auth.models import LoginCounter
from civicloop.config import get_settings
from civicloop.errors import TooManyRequests
from civicloop.kit.clock import utcnow


def _window_start() -> datetime:
    return utcnow() - timedelta(minutes=get_settings().login_lockout_minutes)


def _bump(session: Session, key: str) -> int:
    now = utcnow()
    expired = LoginCounter.window_start < _window_start()
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(LoginCounter)
        .values(key=key, count=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[LoginCounter.key],
            set_={
                "count": case((expired, 1), else_=LoginCounter.count + 1),
                "window_start": case((expired, now), else_=LoginCounter.window_start),
            },
        )
        .returning(LoginCounter.count)
    )
    return int(session.execute(statement).scalar_one())


def _keys(email: str, client: str) -> tuple[str, str]:
    return f"email:{email}"[:300], f"client:{client}"[:300]


def count_attempt(session: Session, *, email: str, client: str) -> None:
    """Count one sign-in attempt; refuse it when the email or the address has used up its window."""
    settings = get_settings()
    email_key, client_key = _keys(email, client)
    retry_after = settings.login_lockout_minutes * 60
    if _bump(session, client_key) > settings.login_max_failures_per_client:
        raise TooManyRequests(
            f"too many failed sign-ins from your address; try again in {settings.login_lockout_minutes} minutes",
            retry_after=retry_after,
        )
    if _bump(session, email_key) > settings.login_max_failures:
        raise TooManyRequests(
            f"too many failed logins; try again in {settings.login_lockout_minutes} minutes",
            retry_after=retry_after,
        )


def succeeded(session: Session, *, email: str, client: str) -> None:
    """A right password: the email starts afresh, and the address is charged only for its failures."""
    email_key, client_key = _keys(email, client)
    session.execute(delete(LoginCounter).where(LoginCounter.key == email_key))
    session.execute(update(LoginCounter).where(LoginCounter.key == client_key).values(count=LoginCounter.count - 1))


def purge_expired(session: Session) -> int:
    result = session.execute(delete(LoginCounter).where(LoginCounter.window_start < _window_start()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
