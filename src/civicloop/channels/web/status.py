"""The web-form citizen's private status page: the agency's answers, readable without email, and a reply box.

The link is the reference number plus a token: an HMAC of the reference under the deployment's secret
key, so nothing secret is stored, every part of CivicLoop that knows the reference (the thank-you page,
the acknowledgement and the reply emails) can print the link, and a guessed reference alone opens
nothing. Tokens are compared in constant time; a wrong one answers 404, like an unknown reference.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import Contact, Conversation, ConversationKind, Direction, Message, MessageState
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.service import record_inbound
from civicloop.channels.web.antispam import MISSING, too_long
from civicloop.config import get_settings
from civicloop.errors import Invalid, NotFound
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
TOKEN_LENGTH = 32  # 192 bits of the HMAC, URL-safe
MAX_REPLY = 5000
NOT_STORED = N_("Your message could not be stored; please send it again.")
# Replies an official released (not held for approval, not refused): the citizen may read them even
# while the email copy is still on its way, or if it failed.
RELEASED = (
    OutboundStatus.queued,
    OutboundStatus.sending,
    OutboundStatus.sent,
    OutboundStatus.unconfirmed,
    OutboundStatus.failed,
)
ACK_JOB = "civicloop.channels.web.tasks.acknowledge"


def status_token(reference: str) -> str:
    secret = get_settings().resolved_secret_key().encode()
    digest = hmac.new(secret, f"feedback-status:{reference}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def token_matches(reference: str, token: str) -> bool:
    return bool(TOKEN_RE.match(token)) and hmac.compare_digest(status_token(reference), token)


def agency_code_of(reference: str) -> str:
    return reference.rpartition("-")[0]


def status_path(reference: str) -> str:
    return f"/feedback/{agency_code_of(reference)}/status/{reference}/{status_token(reference)}"


def status_url(reference: str) -> str:
    return get_settings().base_url.rstrip("/") + status_path(reference)


def find(session: Session, *, agency_code: str, reference: str, token: str) -> Conversation:
    """The form conversation with this reference, if ``token`` is its token and ``agency_code`` the agency
    that gave the reference; 404 otherwise (the same answer for a wrong token, an unknown reference and
    another agency's address, so none of them can be probed). The conversation is found by its
    reference alone, so the link keeps working if the conversation later moves to another agency."""
    if agency_code.upper() != agency_code_of(reference) or not token_matches(reference, token):
        raise NotFound("no feedback with this link")
    conversation = session.scalars(
        select(Conversation)
        .where(Conversation.kind == ConversationKind.form, Conversation.external_ref == reference)
        .order_by(Conversation.id)
    ).first()
    if conversation is None:
        raise NotFound("no feedback with this link")
    return conversation


@dataclass(frozen=True)
class Entry:
    """One message on the status page: the citizen's or the agency's, with when it was written."""

    from_agency: bool
    text: str
    at: datetime


def entries(session: Session, conversation: Conversation) -> list[Entry]:
    """The citizen's messages and every released agency answer, oldest first. Officials' names, notes
    and anything held for approval stay inside the agency."""
    messages = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.state != MessageState.removed)
        .order_by(Message.created_at, Message.id)
    ).all()
    out = [Entry(False, m.text, m.created_at) for m in messages if m.direction is Direction.inbound]
    answers = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.conversation_id == conversation.id, OutboundMessage.status.in_(RELEASED))
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
    ).all()
    out += [Entry(True, o.text, o.sent_at or o.created_at) for o in answers]
    # Agency messages stored without a CivicLoop row (an import of earlier answers) are answers too.
    recorded = {o.external_id for o in answers if o.external_id}
    out += [
        Entry(True, m.text, m.created_at)
        for m in messages
        if m.direction is Direction.outbound and m.external_id not in recorded
    ]
    return sorted(out, key=lambda e: e.at)


def citizen_reply(session: Session, *, conversation: Conversation, text: str, lang: str = i18n.DEFAULT) -> Message:
    """The citizen's answer from the status page: a new message in the same conversation, which reopens
    it in the inbox and restarts the response clock like any citizen message. Refusals are said in ``lang``."""
    text = text.strip()
    if not text:
        missing = i18n.translate(lang, MISSING) % {"field": i18n.translate(lang, N_("Message")).lower()}
        raise Invalid(missing, field="message")
    if len(text) > MAX_REPLY:
        raise Invalid(too_long(N_("Message"), len(text), MAX_REPLY, lang), field="message")
    account = session.get(OfficialAccount, conversation.account_id)
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    if account is None:
        raise NotFound("no feedback with this link")
    ref = ContactRef(
        contact.platform_user_id if contact else conversation.external_ref,
        contact.display_name if contact else "Anonymous",
        email=contact.email if contact else None,
        phone=contact.phone if contact else None,
    )
    recorded = record_inbound(
        session,
        account=account,
        inbound=Inbound(
            action=Action.message,
            account_ref=account.external_id,
            conversation_kind=ConversationKind.form,
            conversation_ref=conversation.external_ref,
            created_at=utcnow(),
            # Unique within the account, and tells which feedback it continues.
            external_id=f"{conversation.external_ref}/{secrets.token_hex(6)}",
            contact=ref,
            text=text,
        ),
    )
    if recorded.message is None or not recorded.created:
        raise Invalid(i18n.translate(lang, NOT_STORED), field="message")
    return recorded.message
