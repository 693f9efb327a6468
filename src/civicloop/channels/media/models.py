"""A citizen's attachment, as downloaded from the platform (or why it could not be kept)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow


class MediaStatus(enum.StrEnum):
    pending = "pending"  # not downloaded yet (the job is queued, or will retry)
    stored = "stored"
    refused = "refused"  # downloaded and refused: too large, or a type that is not kept
    failed = "failed"  # could not be downloaded (the link expired, the platform refused)


class MediaFile(IdMixin, AgencyOwned, Base):
    __tablename__ = "media_files"
    __table_args__ = (
        UniqueConstraint("message_id", "position"),
        Index("ix_media_files_sha256", "sha256"),
    )

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the attachment's place in the message
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # what the platform called it: image, video, audio, file
    platform_media_id: Mapped[str | None] = mapped_column(String(255))
    platform_message_id: Mapped[str | None] = mapped_column(String(255))
    source_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MediaStatus.pending.value)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    storage_key: Mapped[str | None] = mapped_column(String(200))
    store: Mapped[str | None] = mapped_column(String(16))  # where the file was kept: "local" or "s3"
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
