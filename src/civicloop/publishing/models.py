from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin, Translated
from civicloop.db.types import JSONType, UTCDateTime


class PostStatus(enum.StrEnum):
    pending_approval = "pending_approval"
    scheduled = "scheduled"
    released = "released"
    rejected = "rejected"
    cancelled = "cancelled"


class PostPurpose(enum.StrEnum):
    post = "post"
    announcement = "announcement"
    report = "report"


class Post(IdMixin, TimestampMixin, AgencyOwned, Translated, Base):
    """One message for several accounts; released as one outbound post per account sharing ``batch_key``."""

    __tablename__ = "publishing_posts"

    text: Mapped[str] = mapped_column(Text)
    # Per-platform text where the common one does not fit ({platform name: text}).
    variants: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    image_name: Mapped[str | None] = mapped_column(String(80))
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status: Mapped[PostStatus] = mapped_column(Enum(PostStatus, native_enum=False, length=24), index=True)
    purpose: Mapped[PostPurpose] = mapped_column(
        Enum(PostPurpose, native_enum=False, length=16), default=PostPurpose.post
    )
    batch_key: Mapped[str] = mapped_column(String(64), unique=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostTarget(Base):
    """One account a post goes to, and the outbound message it became once released."""

    __tablename__ = "publishing_post_targets"

    post_id: Mapped[int] = mapped_column(ForeignKey("publishing_posts.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), primary_key=True)
    outbound_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")


class PublishingPolicy(Base):
    """Per agency: must every post be approved by the agency head before it is released?"""

    __tablename__ = "publishing_policies"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    require_approval: Mapped[bool] = mapped_column(Boolean, default=False)
