from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civicloop.channels.models import Message
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.inbox.models import Note, SavedReply
from civicloop.inbox.queries import InboxList, Row
from civicloop.notifications.models import Notification


class ConversationSummary(BaseModel):
    id: int
    agency_id: int
    account_id: int
    platform: str
    kind: str
    status: str
    subject: str | None
    title: str
    contact_name: str | None
    assignee_id: int | None
    waiting_since: datetime | None
    sla_state: str | None
    sla_paused: bool
    response_due_at: datetime | None
    tags: list[str]
    preview: str
    updated_at: datetime

    @classmethod
    def of(cls, row: Row) -> ConversationSummary:
        c, sla = row.conversation, row.sla
        return cls(
            id=c.id,
            agency_id=c.agency_id,
            account_id=c.account_id,
            platform=row.account.platform,
            kind=c.kind.value,
            status=c.status.value,
            subject=c.subject,
            title=row.title,
            contact_name=row.contact.display_name if row.contact else None,
            assignee_id=c.assignee_id,
            waiting_since=row.waiting_since,
            sla_state=sla.state.value if sla and sla.state else None,
            sla_paused=bool(sla and sla.paused),
            response_due_at=sla.response_due_at if sla else None,
            tags=row.tags,
            preview=row.preview,
            updated_at=c.updated_at,
        )


class InboxListOut(BaseModel):
    items: list[ConversationSummary]
    total: int
    page: int
    pages: int
    counts: dict[str, dict[str, int]]

    @classmethod
    def of(cls, result: InboxList) -> InboxListOut:
        return cls(
            items=[ConversationSummary.of(r) for r in result.rows],
            total=result.total,
            page=result.page,
            pages=result.pages,
            counts=result.counts,
        )


class MessageOut(BaseModel):
    id: int
    direction: str
    platform: str
    text: str
    created_at: datetime
    state: str
    permalink: str | None
    contact_id: int | None
    outbound_id: int | None

    @classmethod
    def of(cls, message: Message, outbound: OutboundMessage | None) -> MessageOut:
        return cls(
            id=message.id,
            direction=message.direction.value,
            platform=message.platform,
            text=message.text,
            created_at=message.created_at,
            state=message.state.value,
            permalink=message.permalink,
            contact_id=message.contact_id,
            outbound_id=outbound.id if outbound else None,
        )


class OutboundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    text: str
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    permalink: str | None

    @classmethod
    def of(cls, row: OutboundMessage) -> OutboundOut:
        return cls.model_validate(row)


class NoteOut(BaseModel):
    id: int
    author_id: int | None
    text: str
    created_at: datetime

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(id=note.id, author_id=note.author_id, text=note.text, created_at=note.created_at)


class SlaOut(BaseModel):
    state: str | None
    paused: bool
    response_kind: str | None
    response_started_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_minutes: int | None
    first_response_breached: bool | None
    breaches: int


class WindowOut(BaseModel):
    open: bool
    closes_at: datetime | None
    reason: str


class ConversationDetail(BaseModel):
    conversation: ConversationSummary
    messages: list[MessageOut]
    pending: list[OutboundOut]
    notes: list[NoteOut]
    sla: SlaOut | None
    reply_window: WindowOut


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    in_reply_to_message_id: int | None = None
    then_wait: bool = False
    idempotency_key: str | None = Field(default=None, max_length=64)


class AssignIn(BaseModel):
    assignee_id: int | None


class StatusIn(BaseModel):
    status: str


class TagIn(BaseModel):
    tag: str = Field(min_length=1, max_length=60)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class BulkIn(BaseModel):
    conversation_ids: list[int] = Field(min_length=1, max_length=500)
    action: str
    value: str = ""


class BulkOut(BaseModel):
    changed: int


class SavedReplyIn(BaseModel):
    agency_id: int
    title: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=5000)


class SavedReplyOut(BaseModel):
    id: int
    agency_id: int
    title: str
    text: str

    @classmethod
    def of(cls, row: SavedReply) -> SavedReplyOut:
        return cls(id=row.id, agency_id=row.agency_id, title=row.title, text=row.text)


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    url: str
    conversation_id: int | None
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None

    @classmethod
    def of(cls, row: Notification) -> NotificationOut:
        return cls(
            id=row.id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            url=row.url,
            conversation_id=row.conversation_id,
            created_at=row.created_at,
            read_at=row.read_at,
            emailed_at=row.emailed_at,
        )
