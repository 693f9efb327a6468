from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin, Translated
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


class ConsultationStatus(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    open = "open"
    closed = "closed"
    published = "published"


class ConsultationKind(enum.StrEnum):
    consultation = "consultation"
    survey = "survey"


class Audience(enum.StrEnum):
    citizens = "citizens"
    civil_servants = "civil_servants"


class QuestionKind(enum.StrEnum):
    free_text = "free_text"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    rating = "rating"
    design_option = "design_option"


class AttachmentKind(enum.StrEnum):
    document = "document"
    image = "image"


class Consultation(IdMixin, TimestampMixin, AgencyOwned, Translated, Base):
    __tablename__ = "consultations"

    # Short public code: the page is /c/<code>, and citizens may quote it in a comment or message.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    # Rendered from body_markdown and sanitized when saved; the only HTML ever served from it.
    body_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ConsultationKind] = mapped_column(
        Enum(ConsultationKind, native_enum=False, length=16), default=ConsultationKind.consultation
    )
    audience: Mapped[Audience] = mapped_column(Enum(Audience, native_enum=False, length=16), default=Audience.citizens)
    audience_agency_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    status: Mapped[ConsultationStatus] = mapped_column(
        Enum(ConsultationStatus, native_enum=False, length=16), default=ConsultationStatus.draft, index=True
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hashtag: Mapped[str | None] = mapped_column(String(64))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the "last office day to answer" reminder went out on the consultation's accounts.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_intro: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    # The latest theme analysis of every free text (analysis.pipeline's JSON shape), refreshed by a job.
    themes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    themes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsultationAccount(Base):
    """An official account the consultation is announced on."""

    __tablename__ = "consultation_accounts"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), primary_key=True)


class LinkSource(enum.StrEnum):
    reply = "reply"
    reference = "reference"
    manual = "manual"


class ConsultationConversation(Base):
    """An inbox conversation whose citizen messages count as answers to the consultation."""

    __tablename__ = "consultation_conversations"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # reply: a comment under an announcement; reference: quoted the code, link or hashtag; manual: an officer.
    source: Mapped[LinkSource] = mapped_column(Enum(LinkSource, native_enum=False, length=16))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(IdMixin, AgencyOwned, Translated, Base):
    __tablename__ = "consultation_attachments"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(Enum(AttachmentKind, native_enum=False, length=16))
    # "A", "B", "C" for design options that a design_option question lets people choose between.
    option_label: Mapped[str | None] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(IdMixin, AgencyOwned, Translated, Base):
    __tablename__ = "consultation_questions"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(Enum(QuestionKind, native_enum=False, length=24))
    prompt: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # A rating question's own words for its ends ("1 = not at all likely"); empty: the numbers alone.
    scale_low: Mapped[str] = mapped_column(String(100), default="")
    scale_high: Mapped[str] = mapped_column(String(100), default="")


class Response(IdMixin, AgencyOwned, Base):
    """One person's contribution: a submitted form, or one social-media message linked to the consultation."""

    __tablename__ = "consultation_responses"
    __table_args__ = (
        UniqueConstraint("consultation_id", "message_id"),
        # A survey of civil servants takes one answer per official (NULLs, i.e. citizens, are not compared).
        UniqueConstraint("consultation_id", "official_id"),
        Index("ix_consultation_responses_consultation_submitted", "consultation_id", "submitted_at"),
    )

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    # "form" for the public page, else the registered platform the message came from (its name).
    channel: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"), index=True)
    # The signed-in official who answered a survey of civil servants; none for citizens.
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Answer(IdMixin, Base):
    """The answer to one question inside a response (reached only through its response)."""

    __tablename__ = "consultation_answers"

    response_id: Mapped[int] = mapped_column(ForeignKey("consultation_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("consultation_questions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[str] | None] = mapped_column(JSONType)
    rating: Mapped[int | None] = mapped_column(Integer)


class ReportSection(IdMixin, AgencyOwned, Translated, Base):
    """One part of "you said, we did": what people said on a theme or question, and what the agency does."""

    __tablename__ = "consultation_report_sections"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # "question:<id>", "theme:<label>" or "general": what the section answers.
    topic: Mapped[str] = mapped_column(String(240))
    heading: Mapped[str] = mapped_column(String(200))
    you_said: Mapped[str] = mapped_column(Text, default="")
    we_did: Mapped[str] = mapped_column(Text, default="")
