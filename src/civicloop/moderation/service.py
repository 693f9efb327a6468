"""Moderation's rules: who may hide, unhide or delete which comment on which ground, the call to the
platform, the record and audit of every attempt, the citizen's notice, appeals and their decision.

Platform calls are made here, in the request, not in a job: hiding and unhiding are idempotent (a
repeat changes nothing) and the official needs the platform's answer on the spot — applied, or refused
and why. A refusal is recorded like a success, never rolled back: the record keeps every attempt.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.audit import service as audit
from civicloop.auth.models import Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.models import Conversation, ConversationKind, Direction, Message, MessageRevision, MessageState
from civicloop.channels.moderation import ModerationCall, Operation, PlatformAnswer
from civicloop.channels.outbound.service import create_outbound, limit_of
from civicloop.config import get_settings
from civicloop.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.http import http_client
from civicloop.kit.i18n import N_
from civicloop.moderation import hooks as _hooks  # noqa: F401 - registers the platform-side record in web processes
from civicloop.moderation import queries, rules
from civicloop.moderation.models import AgencyModerationPolicy, AppealStatus, ModerationAction, ModerationAppeal
from civicloop.moderation.policy import GROUNDS, Ground, parse_ground, usable
from civicloop.notifications import service as notifications

MODERATING_ROLES = (Role.officer, Role.agency_head)
NOTE_LIMIT = 1000
APPEAL_LIMIT = 2000
# Letters only: a run of digits in a link could read as an account number to the outgoing review.
TOKEN_ALPHABET = string.ascii_letters
TOKEN_LENGTH = 24
STATE_AFTER = {Operation.hide: MessageState.hidden, Operation.delete: MessageState.removed}


# --- what may be done to a comment ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    message: Message
    conversation: Conversation
    account: OfficialAccount


def target_of(session: Session, actor: Actor, message_id: int) -> Target:
    """A citizen's public comment the official may see (another agency's: not found)."""
    message = actor.fetch(session, Message, message_id, what="message")
    conversation = session.get(Conversation, message.conversation_id)
    account = session.get(OfficialAccount, message.account_id)
    if conversation is None or account is None:
        raise NotFound("message not found")
    return Target(message, conversation, account)


def operations_for(target: Target) -> frozenset[Operation]:
    """What the comment's platform lets an agency do to it (nothing for private messages and forms)."""
    message, conversation = target.message, target.conversation
    if message.direction is not Direction.inbound or conversation.kind is not ConversationKind.comment_thread:
        return frozenset()
    if not message.external_id:
        return frozenset()
    moderator = registry.spec(message.platform).moderator
    return moderator.operations if moderator is not None else frozenset()


def grounds_for(session: Session, agency_id: int) -> list[Ground]:
    policy = queries.agency_policy(session, agency_id)
    return usable(policy.withheld_grounds if policy else [])


def suggestions(session: Session, message: Message) -> list[rules.Suggestion]:
    if message.direction is not Direction.inbound or message.state in (MessageState.hidden, MessageState.removed):
        return []
    return rules.suggest(message.text, repeats=queries.repeats(session, message))


def _check_ground(session: Session, agency_id: int, value: str) -> Ground:
    if not value:
        raise Invalid("choose the ground of the moderation policy this comment falls under", field="ground")
    ground = parse_ground(value)
    if ground not in grounds_for(session, agency_id):
        raise Invalid(
            f"this agency has withheld the ground {GROUNDS[ground].label!r} from its officers", field="ground"
        )
    return ground


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise Invalid(f"the note has at most {NOTE_LIMIT} characters", field="note")
    return note


def _require_operation(target: Target, operation: Operation) -> None:
    offered = operations_for(target)
    if operation not in offered:
        label = registry.label(target.message.platform)
        if not offered:
            raise Invalid(f"only citizens' public comments can be moderated; {label} offers nothing for this one")
        raise Invalid(f"{label} offers no way to {operation.value} a comment")


def _is_head(actor: Actor, agency_id: int) -> bool:
    return Role.agency_head in actor.roles.get(agency_id, frozenset())


# --- the call and the record ---------------------------------------------------------------------


def _token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def _call(target: Target, operation: Operation, http: httpx.Client | None) -> PlatformAnswer:
    moderator = registry.spec(target.message.platform).moderator
    assert moderator is not None  # checked by _require_operation
    call = ModerationCall(
        operation, target.account.external_id, dict(target.account.credentials or {}), target.message.external_id or ""
    )
    if http is not None:
        return moderator.apply(call, http)
    with http_client(get_settings().outbound_timeout_seconds) as client:
        return moderator.apply(call, client)


def _record(
    session: Session,
    *,
    official: Official | None,
    target: Target,
    operation: Operation,
    ground: Ground | None,
    note: str,
    suggested_by: str | None,
    answer: PlatformAnswer,
    reverses_id: int | None = None,
) -> ModerationAction:
    message = target.message
    action = ModerationAction.on(
        message,
        operation,
        ground=ground.value if ground else None,
        note=note,
        suggested_by=suggested_by,
        by_id=official.id if official else None,
        by_label=official.email if official else "system",
        applied=answer.applied,
        platform_status=answer.status,
        platform_answer=answer.body,
        platform_summary=answer.summary[:500],
        reverses_id=reverses_id,
    )
    if answer.applied:
        if operation is Operation.unhide:
            edited = session.scalar(select(MessageRevision.id).where(MessageRevision.message_id == message.id))
            message.state = MessageState.edited if edited else MessageState.received
        else:
            message.state = STATE_AFTER[operation]
            action.appeal_token = _token()
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor=official,
        action=f"moderation.{operation.value}",
        target_type="message",
        target_id=message.id,
        agency_id=message.agency_id,
        after={
            "moderation_action_id": action.id,
            "ground": action.ground,
            "applied": action.applied,
            "platform_status": action.platform_status,
            "platform_summary": action.platform_summary,
            "suggested_by": suggested_by,
            "reverses_id": reverses_id,
        },
    )
    return action


def appeal_url(action: ModerationAction) -> str:
    return f"{get_settings().base_url.rstrip('/')}/appeal/{action.appeal_token}"


def _tell(session: Session, actor: Actor, target: Target, text: str) -> tuple[int | None, str | None]:
    """Reply to the comment through the normal outbound path (reviewed, queued, retried): the outbound
    row's id, or why the citizen could not be told."""
    platform = registry.spec(target.message.platform)
    if platform.comment_reply is None:
        return None, f"{platform.label} offers no reply to a comment"
    try:
        with session.begin_nested():
            row = create_outbound(
                session,
                actor=actor,
                account_id=target.account.id,
                kind="reply",
                text=text,
                in_reply_to_message_id=target.message.id,
            )
    except AppError as exc:
        return None, exc.message
    return row.id, None


def _fits(route_text: tuple[str, str], target: Target) -> str:
    """The bilingual text if the platform's reply limit takes it, else the English one."""
    both, english = route_text
    reply = registry.spec(target.message.platform).comment_reply
    if reply is None:
        return english
    limit = limit_of(reply.route)
    return both if limit.measure(both) <= limit.limit else english


# The notice posted under a hidden comment, to the citizen who wrote it: English and Dzongkha (the catalogs).
NOTICE = N_("%(agency)s hid this comment under the national moderation policy (%(ground)s). Appeal: %(url)s")
MODERATION_POLICY = N_("the moderation policy")


def notice_text(agency: Agency, action: ModerationAction, target: Target) -> str:
    ground = GROUNDS[Ground(action.ground)] if action.ground else None
    url = appeal_url(action)
    # English, then the same sentence in Dzongkha (the catalogs), when the platform's reply takes both.
    texts = []
    for lang in ("en", "dz"):
        label = i18n.translate(lang, ground.label if ground else MODERATION_POLICY)
        label = label.lower() if lang == i18n.DEFAULT else label
        name = i18n.localized(agency, "name", lang).text
        texts.append(i18n.translate(lang, NOTICE) % {"agency": name, "ground": label, "url": url})
    return _fits(("\n".join(texts), texts[0]), target)


def _moderate(
    session: Session,
    *,
    actor: Actor,
    message_id: int,
    operation: Operation,
    ground: str = "",
    note: str = "",
    suggested_by: str = "",
    http: httpx.Client | None = None,
) -> ModerationAction:
    target = target_of(session, actor, message_id)
    agency_id = target.message.agency_id
    actor.require(agency_id, *MODERATING_ROLES)
    _require_operation(target, operation)
    note = _check_note(note)
    chosen: Ground | None = None
    policy = queries.agency_policy(session, agency_id)
    state = target.message.state
    if operation is Operation.delete:
        if not _is_head(actor, agency_id):
            raise Forbidden("deleting a comment is for the agency head alone; hide it instead")
        if state is MessageState.removed:
            raise Conflict("this comment is already removed from the platform")
        chosen = _check_ground(session, agency_id, ground)
    elif operation is Operation.hide:
        if policy is not None and policy.hide_needs_head and not _is_head(actor, agency_id):
            raise Forbidden("this agency's policy lets only its head hide comments")
        if state in (MessageState.hidden, MessageState.removed):
            raise Conflict(f"this comment is already {state.value}")
        chosen = _check_ground(session, agency_id, ground)
    elif state is not MessageState.hidden:
        raise Conflict("only a hidden comment can be shown again")
    rule_names = {s.rule for s in suggestions(session, target.message)}
    answer = _call(target, operation, http)
    action = _record(
        session,
        official=actor.official,
        target=target,
        operation=operation,
        ground=chosen,
        note=note,
        suggested_by=suggested_by if suggested_by in rule_names else None,
        answer=answer,
    )
    if action.applied and operation is Operation.hide:
        agency = session.get(Agency, agency_id)
        assert agency is not None
        action.notice_outbound_id, action.notice_problem = _tell(
            session, actor, target, notice_text(agency, action, target)
        )
    elif action.applied and operation is Operation.delete:
        action.notice_problem = "the comment is gone from the platform, so there is nothing to reply to"
    return action


def hide(
    session: Session,
    *,
    actor: Actor,
    message_id: int,
    ground: str,
    note: str = "",
    suggested_by: str = "",
    http: httpx.Client | None = None,
) -> ModerationAction:
    """Hide a citizen's comment on the platform on a ground of the policy; the citizen is told and may appeal."""
    return _moderate(
        session,
        actor=actor,
        message_id=message_id,
        operation=Operation.hide,
        ground=ground,
        note=note,
        suggested_by=suggested_by,
        http=http,
    )


def unhide(
    session: Session, *, actor: Actor, message_id: int, note: str = "", http: httpx.Client | None = None
) -> ModerationAction:
    return _moderate(session, actor=actor, message_id=message_id, operation=Operation.unhide, note=note, http=http)


def delete(
    session: Session, *, actor: Actor, message_id: int, ground: str, note: str = "", http: httpx.Client | None = None
) -> ModerationAction:
    """Delete a comment on the platform: the agency head alone, on a ground of the policy."""
    return _moderate(
        session, actor=actor, message_id=message_id, operation=Operation.delete, ground=ground, note=note, http=http
    )


# --- appeals ---------------------------------------------------------------------------------------


def appealable(session: Session, token: str) -> ModerationAction:
    action = queries.action_by_token(session, token)
    if action is None or not action.applied:
        raise NotFound("this appeal link is not known; check that it was copied whole")
    return action


def submit_appeal(session: Session, *, token: str, reason: str) -> ModerationAppeal:
    """A citizen's appeal against a hide or a deletion, through the link they were sent."""
    action = appealable(session, token)
    reason = reason.strip()
    if not reason:
        raise Invalid("say why the comment should not have been hidden", field="reason")
    if len(reason) > APPEAL_LIMIT:
        raise Invalid(f"the appeal has at most {APPEAL_LIMIT} characters", field="reason")
    earlier = queries.appeals_for(session, [action.id])
    if any(a.status is AppealStatus.open for a in earlier):
        raise Conflict("an appeal against this decision is already with the agency head")
    if earlier:
        raise Conflict("an appeal against this decision was already decided")
    appeal = ModerationAppeal(agency_id=action.agency_id, action_id=action.id, reason=reason, received_at=utcnow())
    session.add(appeal)
    session.flush()
    audit.record(
        session,
        actor=None,
        actor_label="citizen (appeal link)",
        action="moderation.appeal",
        target_type="moderation_action",
        target_id=action.id,
        agency_id=action.agency_id,
        after={"appeal_id": appeal.id},
    )
    conversation = session.get(Conversation, action.conversation_id) if action.conversation_id else None
    for head in queries.agency_heads(session, action.agency_id):
        notice = notifications.notify(
            session,
            official=head,
            conversation=conversation,
            kind="moderation_appeal",
            key=str(appeal.id),
            title=f"A citizen appealed a moderation decision ({action.operation.value}, {action.ground})",
            body="Decide it under Moderation → Appeals.",
        )
        if notice is not None:
            notice.url = "/moderation/appeals"
    return appeal


@dataclass(frozen=True)
class Decision:
    appeal: ModerationAppeal
    reversal: ModerationAction | None  # the unhide a reversal made on the platform, if any


def decide_appeal(
    session: Session,
    *,
    actor: Actor,
    appeal_id: int,
    decision: str,
    note: str = "",
    http: httpx.Client | None = None,
) -> Decision:
    """The agency head upholds or reverses; a reversed hide is undone on the platform. If the platform
    refuses the unhide, the appeal stays open (the attempt is recorded) for the head to try again."""
    appeal = actor.fetch(session, ModerationAppeal, appeal_id, what="appeal")
    if not _is_head(actor, appeal.agency_id):
        raise Forbidden("appeals are decided by the agency head")
    if appeal.status is not AppealStatus.open:
        raise Conflict(f"this appeal was already {appeal.status.value}")
    if decision not in ("uphold", "reverse"):
        raise Invalid("decide 'uphold' or 'reverse'", field="decision")
    note = _check_note(note)
    action = session.get(ModerationAction, appeal.action_id)
    assert action is not None
    reversal: ModerationAction | None = None
    if decision == "reverse" and action.operation is Operation.hide and action.message_id is not None:
        target = target_of(session, actor, action.message_id)
        if target.message.state is MessageState.hidden:
            answer = _call(target, Operation.unhide, http)
            reversal = _record(
                session,
                official=actor.official,
                target=target,
                operation=Operation.unhide,
                ground=None,
                note=note or "appeal reversed",
                suggested_by=None,
                answer=answer,
                reverses_id=action.id,
            )
            if not reversal.applied:
                return Decision(appeal, reversal)
    appeal.status = AppealStatus.reversed if decision == "reverse" else AppealStatus.upheld
    appeal.decided_by_id, appeal.decided_by_label = actor.id, actor.email
    appeal.decided_at, appeal.decision_note = utcnow(), note
    appeal.reversal_action_id = reversal.id if reversal else None
    audit.record(
        session,
        actor=actor.official,
        action=f"moderation.appeal_{appeal.status.value}",
        target_type="moderation_appeal",
        target_id=appeal.id,
        agency_id=appeal.agency_id,
        after={"status": appeal.status.value, "reversal_action_id": appeal.reversal_action_id},
    )
    if action.operation is Operation.hide and action.message_id is not None:
        target = target_of(session, actor, action.message_id)
        outcome = "the comment is shown again" if decision == "reverse" else "the comment stays hidden"
        agency = session.get(Agency, appeal.agency_id)
        assert agency is not None
        _tell(session, actor, target, f"{agency.name} decided your appeal: {outcome}.")
    return Decision(appeal, reversal)


# --- the agency's tightening -----------------------------------------------------------------------


def set_agency_policy(
    session: Session, *, actor: Actor, agency_id: int, withheld: list[str], hide_needs_head: bool
) -> AgencyModerationPolicy:
    """Withhold national grounds from the agency's officers, or require the head for hides. Only grounds of
    the national policy can be named: an agency can tighten the policy, never add to it."""
    if not _is_head(actor, agency_id) and not actor.is_national_admin:
        actor.require_view(agency_id)
        raise Forbidden("the agency head sets how the agency tightens the moderation policy")
    grounds = sorted({parse_ground(value).value for value in withheld})
    policy = session.get(AgencyModerationPolicy, agency_id)
    before = {"withheld": policy.withheld_grounds, "hide_needs_head": policy.hide_needs_head} if policy else None
    if policy is None:
        policy = AgencyModerationPolicy(agency_id=agency_id)
        session.add(policy)
    policy.withheld_grounds, policy.hide_needs_head = grounds, hide_needs_head
    policy.updated_at, policy.updated_by_id = utcnow(), actor.id
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="moderation.policy",
        target_type="agency",
        target_id=agency_id,
        agency_id=agency_id,
        before=before,
        after={"withheld": grounds, "hide_needs_head": hide_needs_head},
    )
    return policy
