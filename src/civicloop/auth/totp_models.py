"""Officials' second factor: a TOTP secret (RFC 6238) and single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow


class TotpFactor(Base):
    """One per official who started enrolling; ``confirmed_at`` is set once a code proved the app has it."""

    __tablename__ = "totp_factors"

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True)
    # Encrypted with the deployment's secret key, like platform credentials.
    secret: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second step of the last code accepted: a code is never accepted twice.
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    # Wrong codes since the last right one, and when the last was: throttles guessing.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(IdMixin, Base):
    """A code that signs in once without the authenticator app; only its keyed digest is stored."""

    __tablename__ = "recovery_codes"

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
