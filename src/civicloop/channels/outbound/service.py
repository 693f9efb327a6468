"""Replies and posts going out: validated, reviewed, stored as a row, then sent by a job.

``create_outbound`` decides where a reply goes from the conversation it answers (a comment thread,
a direct-message thread, a web-form citizen's email, through the routes its platform declares), checks the
platform's text limit and reply window, runs the outgoing-review gate, stores the row and enqueues
the send after commit. ``channels.outbound.send`` does the sending (retries, exactly-once).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.delivery import Route
from civicloop.channels.models import Contact, Conversation, ConversationKind, Direction, Message, MessageState
from civicloop.channels.outbound import hooks
from civicloop.channels.outbound.models import SEND_JOB, OutboundKind, OutboundMessage, OutboundStatus
from civicloop.channels.spec import TextLimit
from civicloop.config import get_settings
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.kit.clock import utcnow

# Who may speak for an agency on its accounts (national_admin passes every role check).
SENDING_ROLES = (Role.officer, Role.agency_head)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
UPLOADS = "uploads"
AUDIT_FIELDS = ["account_id", "kind", "route", "status", "conversation_id", "batch_key", "text"]


# Text limits per route, as each platform's folder declares them (``channels/<platform>/__init__.py``).


def limit_of(route: str) -> TextLimit:
    """The text limit the route's platform declares."""
    return registry.ROUTES[route].limit


@dataclass(frozen=True)
class Window:
    """Whether a reply may be sent in a conversation now, until when, and why not."""

    open: bool
    closes_at: datetime | None
    reason: str


@dataclass(frozen=True)
class Draft:
    """A validated outbound message, not stored yet."""

    account: OfficialAccount
    kind: OutboundKind
    route: Route
    text: str
    conversation_id: int | None = None
    in_reply_to_message_id: int | None = None
    target: str | None = None
    recipient: str | None = None
    image_path: str | None = None
    # Who speaks: the account's agency, or for a reply the agency holding the conversation (a conversation
    # transferred to another agency is answered by it, where the citizen wrote).
    agency_id: int | None = None


# --- windows ------------------------------------------------------------------------------------


def reply_window(session: Session, conversation: Conversation, *, now: datetime | None = None) -> Window:
    """Direct replies within the platform's window after the person's last message (its length
    and replies per message, as each platform declares); a web-form citizen at any time
    (their status page, and email when they left an address and email is configured)."""
    now = now or utcnow()
    account = session.get(OfficialAccount, conversation.account_id)
    if account is None:
        raise NotFound("account not found")
    platform = registry.spec(account.platform)
    if conversation.kind is ConversationKind.import_:
        return Window(False, None, "imported feedback has no channel to reply through")
    if conversation.kind is ConversationKind.form or platform.form_reply is not None:
        # Always open: the citizen reads the answer on their status page. ``reason`` says how it reaches them.
        contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
        how = "The citizen reads the reply on their private status page (the link they were given)"
        if contact is not None and contact.email and get_settings().smtp_url:
            return Window(True, None, f"{how}, and it is emailed to {contact.email}")
        if contact is not None and contact.email:
            return Window(True, None, f"{how}; it is not emailed, as email is not configured (CIVICLOOP_SMTP_URL)")
        return Window(True, None, f"{how}; they left no email address")
    window = platform.window
    if conversation.kind is not ConversationKind.direct or window is None:
        return Window(True, None, "")
    last = conversation.last_citizen_message_at
    if last is None:
        return Window(False, None, "the citizen has not written in this conversation yet")
    closes_at = last + window.length
    if now >= closes_at:
        hours = int(window.length.total_seconds() // 3600)
        return Window(
            False, closes_at, f"{window.label} allows replies only within {hours} hours of the citizen's last message"
        )
    if window.replies_per_message is not None and platform.direct_reply is not None:
        used = session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.conversation_id == conversation.id,
                OutboundMessage.route == platform.direct_reply.route,
                OutboundMessage.created_at >= last,
                OutboundMessage.status.in_(
                    [OutboundStatus.queued, OutboundStatus.sending, OutboundStatus.sent, OutboundStatus.unconfirmed]
                ),
            )
        )
        if (used or 0) >= window.replies_per_message:
            return Window(
                False,
                closes_at,
                f"{window.label} allows {window.replies_per_message} replies per message; "
                "wait for the citizen to write again",
            )
    return Window(True, closes_at, "")


# --- validation -----------------------------------------------------------------------------------


def _account(session: Session, actor: Actor | None, account_id: int) -> OfficialAccount:
    account = session.get(OfficialAccount, account_id)
    if account is None:
        raise NotFound("account not found")
    if actor is not None:
        actor.require(account.agency_id, *SENDING_ROLES)
    if account.status is not AccountStatus.active:
        raise Invalid(f"the account {account.name!r} is {account.status.value}; nothing can be sent through it")
    return account


def _parse_kind(kind: OutboundKind | str) -> OutboundKind:
    try:
        return OutboundKind(kind)
    except ValueError as exc:
        raise Invalid(f"kind must be 'reply' or 'post', not {kind!r}", field="kind") from exc


def reply_route(
    session: Session,
    account: OfficialAccount,
    conversation: Conversation,
    answered: Message | None,
    recipient: str | None,
) -> tuple[Route, str | None, str | None]:
    """(route, target, recipient) for a reply in ``conversation``."""
    if answered is None:
        answered = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.direction == Direction.inbound)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
        ).first()
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    platform = registry.spec(account.platform)
    if conversation.kind is ConversationKind.comment_thread and platform.comment_reply is not None:
        if answered is None or not answered.external_id:
            raise Invalid("there is no citizen comment in this thread to reply to")
        target = platform.comment_target(answered.external_id, answered.reply_to_external_id)
        _check_comment_open(session, account, target, platform.label)
        return platform.comment_reply.route, target, None
    if conversation.kind is ConversationKind.direct and platform.direct_reply is not None:
        citizen = recipient or (contact.platform_user_id if contact else None)
        citizen = citizen or platform.direct_recipient(conversation.external_ref, account.external_id)
        return platform.direct_reply.route, None, citizen or conversation.external_ref
    if conversation.kind is ConversationKind.form and platform.form_reply is not None:
        return platform.form_reply.route, conversation.external_ref, contact.email if contact else None
    raise Invalid(f"replies to {conversation.kind.value} conversations on {platform.label} cannot be sent")


def _check_comment_open(session: Session, account: OfficialAccount, target: str, label: str) -> None:
    """A reply to a comment deleted on the platform cannot be delivered: say so before anything is queued."""
    state = session.scalar(select(Message.state).where(Message.account_id == account.id, Message.external_id == target))
    if state is MessageState.removed:
        raise Invalid(f"the comment was deleted on {label}: there is nothing left to reply to")


def _post_route(account: OfficialAccount) -> Route:
    route = registry.spec(account.platform).post
    if route is None:
        names = registry.listed([s.name for s in registry.publishable()])
        raise Invalid(f"the {registry.label(account.platform)} has no feed: posts go to {names} accounts")
    return route.route


def _check_credentials(account: OfficialAccount) -> None:
    problem = registry.spec(account.platform).credentials.for_sending(account.credentials or {})
    if problem:
        raise Invalid(f"{account.name}: {problem} to send through it")


def _check_image(image_path: str | None, route: Route) -> str | None:
    if image_path is None:
        return None
    if not registry.ROUTES[route].images:
        names = ", ".join(s.label for s in registry.publishable() if s.post is not None and s.post.images)
        raise Invalid(f"an image can go with a post on {names} only", field="image_path")
    uploads = (get_settings().data_dir / UPLOADS).resolve()
    path = Path(image_path).resolve()
    if not path.is_relative_to(uploads) or not path.is_file():
        raise Invalid("the image must be a file uploaded to this server", field="image_path")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise Invalid("the image must be PNG, JPEG, WebP or GIF", field="image_path")
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise Invalid("the image is larger than 5 MB", field="image_path")
    return str(path)


def check_text(route: Route, text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("the text is empty", field="text")
    limit = limit_of(route)
    used = limit.measure(text)
    if used > limit.limit:
        raise Invalid(
            f"the text is {used - limit.limit} {limit.unit} too long for this channel ({used} of {limit.limit})",
            field="text",
        )
    return text


def prepare(
    session: Session,
    *,
    actor: Actor | None,
    account_id: int,
    kind: OutboundKind | str,
    text: str,
    conversation_id: int | None = None,
    in_reply_to_message_id: int | None = None,
    recipient: str | None = None,
    image_path: str | None = None,
) -> Draft:
    """Every check ``create_outbound`` makes, without writing anything."""
    kind = _parse_kind(kind)
    # A reply is checked against the agency holding the conversation (below), a post against the account's.
    account = _account(session, None if kind is OutboundKind.reply else actor, account_id)
    answered: Message | None = None
    conversation: Conversation | None = None
    target: str | None = None
    if kind is OutboundKind.reply:
        if in_reply_to_message_id is not None:
            answered = session.get(Message, in_reply_to_message_id)
            if answered is None or answered.account_id != account.id:
                raise NotFound("the message replied to is not on this account")
            conversation_id = conversation_id or answered.conversation_id
        if conversation_id is None:
            raise Invalid("a reply needs the conversation (or the message) it answers", field="conversation_id")
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.account_id != account.id:
            raise NotFound("the conversation is not on this account")
        if actor is not None:
            actor.require(conversation.agency_id, *SENDING_ROLES)
        if answered is not None and answered.conversation_id != conversation.id:
            raise Invalid("the message replied to is not in that conversation")
        route, target, recipient = reply_route(session, account, conversation, answered, recipient)
        window = reply_window(session, conversation)
        if not window.open:
            raise Invalid(window.reason)
    else:
        route = _post_route(account)
    _check_credentials(account)
    return Draft(
        account=account,
        kind=kind,
        route=route,
        text=check_text(route, text),
        conversation_id=conversation.id if conversation else None,
        in_reply_to_message_id=answered.id if answered else None,
        target=target,
        recipient=recipient,
        image_path=_check_image(image_path, route),
        agency_id=conversation.agency_id if conversation is not None else account.agency_id,
    )


def _store(
    session: Session, *, actor: Actor | None, draft: Draft, batch_key: str | None, idempotency_key: str | None
) -> OutboundMessage:
    row = OutboundMessage(
        agency_id=draft.agency_id or draft.account.agency_id,
        account_id=draft.account.id,
        conversation_id=draft.conversation_id,
        kind=draft.kind,
        route=draft.route,
        text=draft.text,
        image_path=draft.image_path,
        in_reply_to_message_id=draft.in_reply_to_message_id,
        target=draft.target,
        recipient=draft.recipient,
        status=OutboundStatus.queued,
        attempts=0,
        next_attempt_at=utcnow(),
        idempotency_key=idempotency_key or secrets.token_hex(16),
        created_by_id=actor.id if actor is not None else None,
        batch_key=batch_key,
    )
    session.add(row)
    session.flush()
    # The registered review (the guidelines gate): "block" raises Invalid, "hold" sets the row ``held``.
    if row.status is OutboundStatus.queued:
        hooks.before_send(session, actor, row)
    audit.record(
        session,
        actor=actor.official if actor is not None else None,
        action="outbound.create",
        target_type="outbound_message",
        target_id=row.id,
        agency_id=row.agency_id,
        after=audit.snapshot(row, AUDIT_FIELDS),
    )
    if row.status is OutboundStatus.queued:
        _enqueue(session, row.id)
    return row


def _enqueue(session: Session, outbound_id: int) -> None:
    jobs.after_commit(session, SEND_JOB, outbound_id)


def _existing(session: Session, idempotency_key: str | None) -> OutboundMessage | None:
    if not idempotency_key:
        return None
    if len(idempotency_key) > 64:
        raise Invalid("an idempotency key has at most 64 characters", field="idempotency_key")
    if session.get_bind().dialect.name == "postgresql":
        # Requests with one key queue here until the first commits, then find its row instead of racing it
        # into the unique index (SQLite's writers are serial already).
        session.execute(
            sql_text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"outbound:{idempotency_key}"}
        )
    return session.scalars(select(OutboundMessage).where(OutboundMessage.idempotency_key == idempotency_key)).first()


def create_outbound(
    session: Session,
    *,
    actor: Actor | None,
    account_id: int,
    kind: OutboundKind | str,
    text: str,
    conversation_id: int | None = None,
    in_reply_to_message_id: int | None = None,
    recipient: str | None = None,
    image_path: str | None = None,
    batch_key: str | None = None,
    idempotency_key: str | None = None,
) -> OutboundMessage:
    """Validate, review, store and (unless held) enqueue one reply or post. ``actor=None``: the system
    (a scheduled release). The same ``idempotency_key`` twice returns the first row, sending nothing new."""
    existing = _existing(session, idempotency_key)
    if existing is not None:
        if actor is not None:
            actor.require_view(existing.agency_id)
        if existing.account_id != account_id or existing.text != text.strip():
            raise Conflict("that idempotency key was already used for a different message", field="idempotency_key")
        return existing
    draft = prepare(
        session,
        actor=actor,
        account_id=account_id,
        kind=kind,
        text=text,
        conversation_id=conversation_id,
        in_reply_to_message_id=in_reply_to_message_id,
        recipient=recipient,
        image_path=image_path,
    )
    return _store(session, actor=actor, draft=draft, batch_key=batch_key, idempotency_key=idempotency_key)


def create_posts(
    session: Session, *, actor: Actor | None, account_ids: list[int], text: str, image_path: str | None = None
) -> list[OutboundMessage]:
    """One post to several accounts under one ``batch_key``; every account is checked before any is stored,
    and each then has its own result (status, platform id or reason)."""
    unique = list(dict.fromkeys(account_ids))
    if not unique:
        raise Invalid("choose at least one account", field="account_ids")
    drafts, problems = [], []
    for account_id in unique:
        try:
            drafts.append(
                prepare(
                    session,
                    actor=actor,
                    account_id=account_id,
                    kind=OutboundKind.post,
                    text=text,
                    image_path=image_path,
                )
            )
        except (Invalid, NotFound) as exc:
            problems.append(f"account {account_id}: {exc.message}")
    if problems:
        raise Invalid("; ".join(problems), field="account_ids")
    batch_key = secrets.token_hex(12)
    return [_store(session, actor=actor, draft=d, batch_key=batch_key, idempotency_key=None) for d in drafts]


# --- after creation ---------------------------------------------------------------------------------


def get_outbound(session: Session, *, actor: Actor, outbound_id: int) -> OutboundMessage:
    return actor.fetch(session, OutboundMessage, outbound_id, what="outbound message")


def list_outbound(
    session: Session,
    *,
    actor: Actor,
    agency_id: int | None = None,
    batch_key: str | None = None,
    conversation_id: int | None = None,
    status: OutboundStatus | None = None,
    limit: int = 100,
) -> list[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(min(max(limit, 1), 500))
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(OutboundMessage.agency_id.in_(visible))
    if agency_id is not None:
        actor.require_view(agency_id)
        query = query.where(OutboundMessage.agency_id == agency_id)
    if batch_key is not None:
        query = query.where(OutboundMessage.batch_key == batch_key)
    if conversation_id is not None:
        query = query.where(OutboundMessage.conversation_id == conversation_id)
    if status is not None:
        query = query.where(OutboundMessage.status == status)
    return list(session.scalars(query))


def _change_status(
    session: Session, *, actor: Actor | None, row: OutboundMessage, status: OutboundStatus, action: str
) -> OutboundMessage:
    before = row.status.value
    row.status = status
    audit.record(
        session,
        actor=actor.official if actor is not None else None,
        action=action,
        target_type="outbound_message",
        target_id=row.id,
        agency_id=row.agency_id,
        before={"status": before},
        after={"status": status.value},
    )
    return row


def enqueue_send(session: Session, outbound_id: int) -> OutboundMessage:
    """Release a held message (approved by the guidelines workflow): queue it and send after commit."""
    row = session.get(OutboundMessage, outbound_id)
    if row is None:
        raise NotFound("outbound message not found")
    if row.status is not OutboundStatus.held:
        raise Conflict(f"only a held message can be released; this one is {row.status.value}")
    row.status, row.next_attempt_at = OutboundStatus.queued, utcnow()
    _enqueue(session, row.id)
    return row


def _windowed_routes() -> set[Route]:
    return {s.direct_reply.route for s in registry.PLATFORMS.values() if s.window and s.direct_reply}


def retry_outbound(session: Session, *, actor: Actor, outbound_id: int) -> OutboundMessage:
    """Send a failed message again, or resend one whose delivery could not be confirmed (the official
    has checked the platform and found it missing). The reply window must still be open."""
    row = get_outbound(session, actor=actor, outbound_id=outbound_id)
    actor.require(row.agency_id, *SENDING_ROLES)
    if row.status not in (OutboundStatus.failed, OutboundStatus.unconfirmed):
        raise Conflict(f"only a failed or unconfirmed message can be retried; this one is {row.status.value}")
    if row.conversation_id is not None and row.route in _windowed_routes():
        conversation = session.get(Conversation, row.conversation_id)
        if conversation is not None:
            window = reply_window(session, conversation)
            if not window.open:
                raise Invalid(window.reason)
    # The official's decision resolves the interrupted attempt: send afresh, without a platform check.
    row.attempt_started_at, row.attempts, row.next_attempt_at = None, 0, utcnow()
    _change_status(session, actor=actor, row=row, status=OutboundStatus.queued, action="outbound.retry")
    _enqueue(session, row.id)
    return row


def confirm_outbound(session: Session, *, actor: Actor, outbound_id: int) -> OutboundMessage:
    """Mark an unconfirmed message as delivered: the official saw it on the platform."""
    row = get_outbound(session, actor=actor, outbound_id=outbound_id)
    actor.require(row.agency_id, *SENDING_ROLES)
    if row.status is not OutboundStatus.unconfirmed:
        raise Conflict(f"only an unconfirmed message can be confirmed; this one is {row.status.value}")
    row.sent_at, row.attempt_started_at, row.last_error = utcnow(), None, None
    return _change_status(session, actor=actor, row=row, status=OutboundStatus.sent, action="outbound.confirm")
