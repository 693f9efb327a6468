"""Connection attempts (one OAuth round trip or form) and what is known of each connected account's link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import EncryptedJSON, JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


class ConnectAttempt(IdMixin, AgencyOwned, Base):
    """One "Connect ..." from the accounts page: the OAuth ``state`` (its digest), bound to the official's
    session, single-use and short-lived; then the accounts the platform offered, until one is chosen."""

    __tablename__ = "connect_attempts"

    platform: Mapped[str] = mapped_column(String(16))
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    # The server-side session that started it: the callback must come back in the same one.
    official_session_id: Mapped[int | None] = mapped_column(Integer)
    state_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The PKCE verifier, then the person's grant and the candidates' credentials (encrypted).
    secret: Mapped[dict[str, str]] = mapped_column(EncryptedJSON, default=dict)
    # The candidates as shown (no secrets): [{external_id, name, detail, problem}].
    offered: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the platform sent the person back
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # an account was connected, or it failed
    account_id: Mapped[int | None] = mapped_column(ForeignKey("official_accounts.id", ondelete="SET NULL"))
    problem: Mapped[str] = mapped_column(Text, default="")


class AccountConnection(AgencyOwned, Base):
    """How an account is connected and how its link to the platform stands (the health page reads it)."""

    __tablename__ = "account_connections"

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), primary_key=True)
    method: Mapped[str] = mapped_column(String(16))  # "oauth", "form" or "pasted"
    connected_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scopes_granted: Mapped[list[str] | None] = mapped_column(JSONType)  # None: the platform does not tell
    scopes_needed: Mapped[list[str]] = mapped_column(JSONType, default=list)
    webhook: Mapped[str] = mapped_column(String(500), default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A transient failure to refresh or check (the platform down): retried, never an alert by itself.
    last_failure: Mapped[str] = mapped_column(Text, default="")
    # What a person must do (reconnect), since when; empty when nothing.
    attention: Mapped[str] = mapped_column(Text, default="")
    attention_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
