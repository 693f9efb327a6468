from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civicloop.config import get_settings
from civicloop.consultations.models import (
    Attachment,
    AttachmentKind,
    Audience,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    QuestionKind,
    ReportSection,
)


class QuestionIn(BaseModel):
    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=500)
    options: list[str] = Field(default_factory=list, max_length=20)
    required: bool = False
    help_text: str = Field(default="", max_length=2000)
    # A rating question's words for 1 and for 5 ("not at all likely", "very likely"); empty: numbers alone.
    scale_low: str = Field(default="", max_length=100)
    scale_high: str = Field(default="", max_length=100)


class ConsultationFields(BaseModel):
    """Everything an official can set on a consultation; used for create (all given) and update (some given)."""

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=5000)
    body_markdown: str = Field(default="", max_length=100_000)
    kind: ConsultationKind = ConsultationKind.consultation
    audience: Audience = Audience.citizens
    audience_agency_ids: list[int] = Field(default_factory=list)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    hashtag: str | None = Field(default=None, max_length=64)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    account_ids: list[int] = Field(default_factory=list)


class ConsultationCreate(ConsultationFields):
    agency_id: int
    questions: list[QuestionIn] = Field(default_factory=list, max_length=50)


class ConsultationUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: str | None = Field(default=None, min_length=1, max_length=5000)
    body_markdown: str | None = Field(default=None, max_length=100_000)
    kind: ConsultationKind | None = None
    audience: Audience | None = None
    audience_agency_ids: list[int] | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    hashtag: str | None = Field(default=None, max_length=64)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    account_ids: list[int] | None = None


class QuestionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    kind: QuestionKind
    prompt: str
    help_text: str
    required: bool
    options: list[str]
    scale_low: str = ""
    scale_high: str = ""


class AttachmentPublic(BaseModel):
    id: int
    kind: AttachmentKind
    option_label: str | None
    filename: str
    content_type: str
    size: int
    alt_text: str
    url: str

    @classmethod
    def of(cls, consultation: Consultation, attachment: Attachment) -> AttachmentPublic:
        return cls(
            id=attachment.id,
            kind=attachment.kind,
            option_label=attachment.option_label,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            alt_text=attachment.alt_text,
            url=file_url(consultation, attachment),
        )


class ConsultationPublic(BaseModel):
    id: int
    agency_id: int
    code: str
    title: str
    summary: str
    body_html: str
    kind: ConsultationKind
    audience: Audience
    audience_agency_ids: list[int]
    status: ConsultationStatus
    opens_at: datetime | None
    closes_at: datetime | None
    hashtag: str | None
    contact_name: str
    contact_email: str
    contact_phone: str
    public_url: str
    account_ids: list[int]
    questions: list[QuestionPublic]
    attachments: list[AttachmentPublic]
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None


class AnswerPublic(BaseModel):
    question_id: int
    text: str | None
    choices: list[str] | None
    rating: int | None


class ResponsePublic(BaseModel):
    id: int
    channel: str
    submitted_at: datetime
    comment: str
    conversation_id: int | None
    message_id: int | None
    answers: list[AnswerPublic]


class ReportSectionIn(BaseModel):
    topic: str = Field(default="general", max_length=240)
    heading: str = Field(min_length=1, max_length=200)
    you_said: str = Field(default="", max_length=10_000)
    we_did: str = Field(default="", max_length=10_000)


class ReportSectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    topic: str
    heading: str
    you_said: str
    we_did: str

    @classmethod
    def of(cls, section: ReportSection) -> ReportSectionPublic:
        return cls.model_validate(section)


class ReportIn(BaseModel):
    report_intro: str = Field(default="", max_length=10_000)
    decision: str = Field(default="", max_length=10_000)


class PublishIn(BaseModel):
    announce: bool = False
    reply_to_participants: bool = False


class LinkIn(BaseModel):
    conversation_id: int


def public_path(consultation: Consultation) -> str:
    return f"/c/{consultation.code}"


def public_url(consultation: Consultation) -> str:
    return get_settings().base_url.rstrip("/") + public_path(consultation)


def file_url(consultation: Consultation, attachment: Attachment) -> str:
    return f"{public_path(consultation)}/files/{attachment.id}/{attachment.filename}"
