"""The record classes of the retention schedule, and which rows (tables and dates) each one covers.

A class is kept for the days its rule says; each of its *sources* is one table, with the column giving a
row's date and the columns a legal hold may match on. Disposal removes a source's rows older than the
cutoff that no standing hold covers and that no kept record still needs (``guard``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from civicloop.access.models import AccessDenial, AccessLogChunk, AccessSession
from civicloop.audit.models import AuditEntry
from civicloop.channels.models import Conversation, Direction, Message, RawEvent
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.consultations.models import Response
from civicloop.guidelines.models import GuidelineReview
from civicloop.moderation.models import ModerationAction, ModerationAppeal
from civicloop.publishing.models import Post

Column = InstrumentedAttribute[Any]


@dataclass(frozen=True)
class Source:
    """One table of a record class. Columns left None are not there to match a hold's criterion on."""

    name: str
    model: type[Any]
    date: Column
    agency: Column | None = None
    account: Column | None = None
    conversation: Column | None = None
    text: Column | None = None
    # A row passes a hold criterion its table has no column for (the safe side: kept) unless the guard
    # already keeps every row that criterion could concern (raw payloads of kept messages, say).
    unmatchable_criteria_hold: bool = True
    # Extra conditions a row must meet to go: what still needs it is kept whatever its age.
    guard: Callable[[], ColumnElement[bool]] | None = None
    date_only: bool = False  # the date column is a calendar date, compared with the cutoff's date
    primary_key: Column | None = None


@dataclass(frozen=True)
class RecordClass:
    key: str
    label: str
    default_days: int | None
    default_basis: str
    sources: tuple[Source, ...] = field(default_factory=tuple)


def _message_not_answering_consultation() -> ColumnElement[bool]:
    # A message that is a consultation response is kept as long as that response (its own class).
    return ~exists(select(Response.id).where(Response.message_id == Message.id))


def _raw_event_unreferenced() -> ColumnElement[bool]:
    return ~exists(select(Message.id).where(Message.raw_event_id == RawEvent.id))


def _conversation_emptied() -> ColumnElement[bool]:
    return and_(
        ~exists(select(Message.id).where(Message.conversation_id == Conversation.id)),
        ~exists(select(OutboundMessage.id).where(OutboundMessage.conversation_id == Conversation.id)),
        ~exists(select(Response.id).where(Response.conversation_id == Conversation.id)),
    )


def _review_of_no_kept_outbound() -> ColumnElement[bool]:
    return or_(
        GuidelineReview.outbound_id.is_(None),
        ~exists(select(OutboundMessage.id).where(OutboundMessage.id == GuidelineReview.outbound_id)),
    )


def _inbound() -> ColumnElement[bool]:
    return and_(Message.direction == Direction.inbound, _message_not_answering_consultation())


def _outbound_copy() -> ColumnElement[bool]:
    return and_(Message.direction == Direction.outbound, _message_not_answering_consultation())


_MESSAGE_COLUMNS: dict[str, Any] = {
    "model": Message,
    "date": Message.created_at,
    "agency": Message.agency_id,
    "account": Message.account_id,
    "conversation": Message.conversation_id,
    "text": Message.text,
}

CITIZEN_MESSAGES = RecordClass(
    "citizen_messages",
    "Citizens' messages and comments (with their edits and the platforms' raw payloads)",
    5 * 365,
    "CivicLoop default, pending the national records schedule: correspondence with the public, 5 years.",
    (
        Source("messages from citizens", guard=_inbound, **_MESSAGE_COLUMNS),
        Source(
            "raw platform payloads",
            RawEvent,
            RawEvent.received_at,
            agency=RawEvent.agency_id,
            account=RawEvent.account_id,
            unmatchable_criteria_hold=False,
            guard=_raw_event_unreferenced,
        ),
        Source(
            "emptied conversations",
            Conversation,
            Conversation.updated_at,
            agency=Conversation.agency_id,
            account=Conversation.account_id,
            conversation=Conversation.id,
            text=Conversation.subject,
            guard=_conversation_emptied,
        ),
    ),
)

AGENCY_REPLIES_AND_POSTS = RecordClass(
    "agency_replies_and_posts",
    "The agency's replies and posts (with the guidelines checks made before they left)",
    7 * 365,
    "CivicLoop default, pending the national records schedule: official publications and replies, 7 years.",
    (
        Source(
            "replies and posts sent",
            OutboundMessage,
            OutboundMessage.created_at,
            agency=OutboundMessage.agency_id,
            account=OutboundMessage.account_id,
            conversation=OutboundMessage.conversation_id,
            text=OutboundMessage.text,
        ),
        Source("agency messages in conversations", guard=_outbound_copy, **_MESSAGE_COLUMNS),
        Source("posts", Post, Post.created_at, agency=Post.agency_id, text=Post.text),
        Source(
            "guidelines checks",
            GuidelineReview,
            GuidelineReview.created_at,
            agency=GuidelineReview.agency_id,
            unmatchable_criteria_hold=False,
            guard=_review_of_no_kept_outbound,
        ),
    ),
)

CONSULTATION_ANSWERS = RecordClass(
    "consultation_answers",
    "Answers to consultations (forms and the social-media comments counted as answers)",
    7 * 365,
    "CivicLoop default, pending the national records schedule: policy consultation input, 7 years.",
    (
        Source(
            "consultation answers",
            Response,
            Response.submitted_at,
            agency=Response.agency_id,
            conversation=Response.conversation_id,
            text=Response.comment,
        ),
    ),
)


def _action_without_kept_appeal() -> ColumnElement[bool]:
    return ~exists(select(ModerationAppeal.id).where(ModerationAppeal.action_id == ModerationAction.id))


MODERATION_ACTIONS = RecordClass(
    "moderation_actions",
    "Moderation actions (hiding, deleting, their grounds and the platforms' answers) and appeals",
    7 * 365,
    "CivicLoop default, pending the national records schedule: decisions affecting a citizen's speech, 7 years.",
    (
        Source(
            "appeals",
            ModerationAppeal,
            ModerationAppeal.received_at,
            agency=ModerationAppeal.agency_id,
            text=ModerationAppeal.reason,
        ),
        Source(
            "moderation actions",
            ModerationAction,
            ModerationAction.at,
            agency=ModerationAction.agency_id,
            account=ModerationAction.account_id,
            conversation=ModerationAction.conversation_id,
            guard=_action_without_kept_appeal,
        ),
    ),
)

OFFICE_ACCESS_LOGS = RecordClass(
    "office_access_logs",
    "Office access logs (raw proxy lines, sessions and refusals per person)",
    365,
    "CivicLoop default, pending the national records schedule: ICT usage logs, 1 year.",
    (
        Source("raw proxy log lines", AccessLogChunk, AccessLogChunk.last_at),
        Source("access sessions", AccessSession, AccessSession.end, agency=AccessSession.agency_id),
        Source("refusals", AccessDenial, AccessDenial.day, agency=AccessDenial.agency_id, date_only=True),
    ),
)

AUDIT = RecordClass(
    "audit",
    "The audit log of officials' actions (its oldest entries go as a block; the chain then starts after them)",
    None,
    "CivicLoop default: kept permanently (the audit chain proves every other disposal).",
)
AUDIT_SOURCE = Source(
    "audit entries", AuditEntry, AuditEntry.at, agency=AuditEntry.agency_id, primary_key=AuditEntry.seq
)

CLASSES: tuple[RecordClass, ...] = (
    CITIZEN_MESSAGES,
    AGENCY_REPLIES_AND_POSTS,
    CONSULTATION_ANSWERS,
    MODERATION_ACTIONS,
    OFFICE_ACCESS_LOGS,
    AUDIT,
)
# Disposal runs classes in this order so that what one class still needed is gone before the next looks:
# consultation answers free the messages they were made from, replies free their conversations.
DISPOSAL_ORDER: tuple[RecordClass, ...] = (
    CONSULTATION_ANSWERS,
    AGENCY_REPLIES_AND_POSTS,
    CITIZEN_MESSAGES,
    MODERATION_ACTIONS,
    OFFICE_ACCESS_LOGS,
    AUDIT,
)
BY_KEY = {record_class.key: record_class for record_class in CLASSES}
