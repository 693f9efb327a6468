"""The post view: every citizen conversation under one post, and one reply text sent to several of them.

Each top-level comment on a post is a conversation of its own (``channels.service``); an officer working
a busy post sees them together here and may answer several at once. Each reply is a reply *to that
comment*, checked by the guidelines gate and delivered on its own (``inbox.service.reply``), so one
refused or held reply does not stop the others, and a repeated submit sends nothing twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.models import (
    Contact,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Direction,
    Message,
    MessageState,
)
from civicloop.errors import AppError, Invalid, NotFound
from civicloop.inbox import service, transfers
from civicloop.inbox.models import ConversationSla

MAX_AT_ONCE = 100


@dataclass(frozen=True)
class PostThread:
    """One citizen conversation under the post: who began it, what they wrote first, where it stands."""

    conversation: Conversation
    sla: ConversationSla | None
    author: str
    first_text: str
    messages: int
    removed: bool  # the top-level comment was deleted on the platform

    @property
    def waiting(self) -> bool:
        """The citizen's last word is unanswered (read from the messages, so a reply just delivered counts
        before the SLA sweep has run)."""
        c = self.conversation
        if c.status is ConversationStatus.closed or c.last_citizen_message_at is None:
            return False
        return c.last_agency_message_at is None or c.last_agency_message_at < c.last_citizen_message_at


@dataclass(frozen=True)
class Post:
    account_id: int
    post_ref: str
    text: str  # the post's own text when it was stored (the Page's post, an X post), else ""
    threads: list[PostThread]

    @property
    def waiting(self) -> int:
        return sum(1 for t in self.threads if t.waiting)


def post_of(session: Session, *, actor: Actor, conversation_id: int) -> Post:
    """The post ``conversation_id`` is under, with every conversation under it the actor may see."""
    conversation = service.get_conversation(session, actor=actor, conversation_id=conversation_id)
    if conversation.kind is not ConversationKind.comment_thread or not conversation.post_ref:
        raise NotFound("this conversation is not under a post")
    post_ref = conversation.post_ref
    query = select(Conversation).where(
        Conversation.account_id == conversation.account_id,
        Conversation.post_ref == post_ref,
        Conversation.kind == ConversationKind.comment_thread,
    )
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(Conversation.agency_id.in_(visible))
    found = list(session.scalars(query.order_by(Conversation.created_at, Conversation.id)))
    ids = [c.id for c in found]
    slas = {
        row.conversation_id: row
        for row in session.scalars(select(ConversationSla).where(ConversationSla.conversation_id.in_(ids)))
    }
    firsts = _first_citizen_messages(session, ids)
    counts = dict(
        session.execute(
            select(Message.conversation_id, func.count())
            .where(Message.conversation_id.in_(ids))
            .group_by(Message.conversation_id)
        ).all()
    )
    post_text = ""
    threads = []
    for item in found:
        if item.external_ref == post_ref:
            own = session.scalars(
                select(Message.text).where(Message.conversation_id == item.id, Message.external_id == post_ref)
            ).first()
            post_text = own or ""
            if item.last_citizen_message_at is None:
                continue  # the post itself, with nothing a citizen wrote in it
        first = firsts.get(item.id)
        threads.append(
            PostThread(
                conversation=item,
                sla=slas.get(item.id),
                author=first[0] if first else "",
                first_text=first[1] if first else "",
                messages=int(counts.get(item.id, 0)),
                removed=bool(first and first[2]),
            )
        )
    return Post(conversation.account_id, post_ref, post_text, threads)


def _first_citizen_messages(session: Session, ids: list[int]) -> dict[int, tuple[str, str, bool]]:
    if not ids:
        return {}
    earliest = (
        select(func.min(Message.id))
        .where(Message.conversation_id.in_(ids), Message.direction == Direction.inbound)
        .group_by(Message.conversation_id)
    )
    query = (
        select(Message.conversation_id, Contact.display_name, Message.text, Message.state)
        .outerjoin(Contact, Contact.id == Message.contact_id)
        .where(Message.id.in_(earliest))
    )
    return {
        cid: (name or "", text[:300], state is MessageState.removed)
        for cid, name, text, state in session.execute(query)
    }


@dataclass(frozen=True)
class Outcome:
    """What became of the reply to one conversation: ``queued``, ``held`` (for approval) or ``refused``."""

    conversation_id: int
    status: str
    message: str


def reply_to_many(
    session: Session, *, actor: Actor, conversation_ids: list[int], text: str, idempotency_key: str
) -> list[Outcome]:
    """Send ``text`` as a reply to each conversation's comment, each on its own: one refused (a deleted
    comment, a comment closed to replies, a conversation transferred meanwhile, the guidelines) is
    reported and the others go. The same ``idempotency_key`` again sends nothing new."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise Invalid("choose at least one conversation to answer", field="conversation_ids")
    if len(ids) > MAX_AT_ONCE:
        raise Invalid(f"at most {MAX_AT_ONCE} conversations at once", field="conversation_ids")
    if not text.strip():
        raise Invalid("the reply is empty", field="text")
    if not idempotency_key or len(idempotency_key) > 64:
        raise Invalid("the form is out of date; open the post again", field="idempotency_key")
    outcomes = []
    for conversation_id in ids:
        try:
            with session.begin_nested():
                transfers.check_still_ours(session, actor=actor, conversation_id=conversation_id)
                outbound = service.reply(
                    session,
                    actor=actor,
                    conversation_id=conversation_id,
                    text=text,
                    idempotency_key=_key(idempotency_key, conversation_id),
                )
        except AppError as exc:
            outcomes.append(Outcome(conversation_id, "refused", exc.message))
            continue
        held = outbound.status.value == "held"
        outcomes.append(
            Outcome(
                conversation_id,
                "held" if held else "queued",
                "held for approval under the guidelines" if held else "on its way",
            )
        )
    return outcomes


def _key(form_key: str, conversation_id: int) -> str:
    """One idempotency key per conversation from the form's key: a second submit finds each first row."""
    return hashlib.sha256(f"{form_key}:{conversation_id}".encode()).hexdigest()[:64]
