"""Moderation pages for officials: one comment's moderation (hide, unhide, delete, its record), the
appeals the agency head decides, and the agency's tightening of the national policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.models import Message, MessageState
from civicloop.channels.moderation import Operation
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import NotFound
from civicloop.moderation import queries, service
from civicloop.moderation.models import AppealStatus, ModerationAction, ModerationAppeal
from civicloop.moderation.policy import GROUNDS, Ground
from civicloop.moderation.rules import Suggestion, suggest
from civicloop.web import nav
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render, templates

router = APIRouter(include_in_schema=False)


def _heads_or_national(actor: Actor) -> bool:
    return actor.sees_all or any(Role.agency_head in roles for roles in actor.roles.values())


nav.restrict("/moderation/appeals", _heads_or_national)


def moderation_hint(message: Message) -> str:
    """What the rules see in a comment, for a badge beside it in the conversation ('' for nothing). Only the
    text's own rules (others' personal data, scam links): repetition needs the database, on the comment's page."""
    if message.state in (MessageState.hidden, MessageState.removed):
        return ""
    found = suggest(message.text)
    return ", ".join(dict.fromkeys(GROUNDS[s.ground].label.lower() for s in found))


# The inbox's conversation page shows the hint beside each comment's "moderate" link, without importing us.
templates.env.globals["moderation_hint"] = moderation_hint


@dataclass
class MessagePage:
    target: service.Target
    agency: Agency
    platform_label: str
    hide_means: str
    operations: frozenset[Operation]
    grounds: list[Ground]
    suggestions: list[Suggestion]
    actions: list[ModerationAction]
    appeals: dict[int, ModerationAppeal]
    can_moderate: bool
    can_delete: bool
    hide_needs_head: bool
    error: str | None = None
    texts: dict[Ground, object] = field(default_factory=lambda: dict(GROUNDS))


def _message_page(session: Session, actor: Actor, message_id: int, error: str | None = None) -> MessagePage:
    target = service.target_of(session, actor, message_id)
    agency_id = target.message.agency_id
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("agency not found")
    actions = queries.actions_for(session, message_id)
    policy = queries.agency_policy(session, agency_id)
    moderator = registry.spec(target.message.platform).moderator
    is_head = Role.agency_head in actor.roles.get(agency_id, frozenset())
    return MessagePage(
        target=target,
        agency=agency,
        platform_label=registry.label(target.message.platform),
        hide_means=moderator.hide_means if moderator else "",
        operations=service.operations_for(target),
        grounds=service.grounds_for(session, agency_id),
        suggestions=service.suggestions(session, target.message),
        actions=actions,
        appeals={a.action_id: a for a in queries.appeals_for(session, [a.id for a in actions])},
        can_moderate=actor.has_role(agency_id, *service.MODERATING_ROLES),
        can_delete=is_head,
        hide_needs_head=bool(policy and policy.hide_needs_head),
        error=error,
    )


@router.get("/moderation/messages/{message_id}", response_class=HTMLResponse)
def message_page(message_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "moderation/message.html", _message_page(session, actor, message_id))


def _moderate(
    request: Request, session: Session, actor: Actor, message_id: int, act: Callable[[], ModerationAction]
) -> Response:
    """Run one moderation form action: the platform's answer as a flash and back to the comment, or the
    refusal beside the forms (nothing called, nothing stored)."""
    with form_action(session) as attempt:
        action = act()
    if (exc := attempt.error) is not None:
        page = _message_page(session, actor, message_id, error=exc.message)
        return render(request, "moderation/message.html", page, status_code=exc.status_code)
    if action.applied:
        told = " The citizen is being told, with a link to appeal." if action.notice_outbound_id else ""
        flash(request, f"Done: {action.platform_summary}.{told}")
    else:
        label = registry.label(action.platform)
        flash(request, f"{label} did not do it: {action.platform_summary}. The attempt is recorded.", "error")
    return RedirectResponse(f"/moderation/messages/{message_id}", status_code=303)


GroundField = Annotated[str, Form(max_length=32)]
NoteField = Annotated[str, Form(max_length=2000)]


@router.post("/moderation/messages/{message_id}/hide", response_class=HTMLResponse)
def post_hide(
    message_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    ground: GroundField = "",
    note: NoteField = "",
    suggested_by: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    return _moderate(
        request,
        session,
        actor,
        message_id,
        lambda: service.hide(
            session, actor=actor, message_id=message_id, ground=ground, note=note, suggested_by=suggested_by
        ),
    )


@router.post("/moderation/messages/{message_id}/unhide", response_class=HTMLResponse)
def post_unhide(
    message_id: int, request: Request, session: SessionDep, actor: ActorDep, note: NoteField = ""
) -> Response:
    return _moderate(
        request,
        session,
        actor,
        message_id,
        lambda: service.unhide(session, actor=actor, message_id=message_id, note=note),
    )


@router.post("/moderation/messages/{message_id}/delete", response_class=HTMLResponse)
def post_delete(
    message_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    ground: GroundField = "",
    note: NoteField = "",
) -> Response:
    return _moderate(
        request,
        session,
        actor,
        message_id,
        lambda: service.delete(session, actor=actor, message_id=message_id, ground=ground, note=note),
    )


# --- appeals ------------------------------------------------------------------------------------------


@dataclass
class AppealsPage:
    open: list[tuple[ModerationAppeal, ModerationAction, Message | None]]
    decided: list[tuple[ModerationAppeal, ModerationAction, Message | None]]
    heads_of: set[int]
    agencies: dict[int, str]
    officials: dict[int, str]
    texts: dict[Ground, object] = field(default_factory=lambda: dict(GROUNDS))


@router.get("/moderation/appeals", response_class=HTMLResponse)
def appeals_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    visible = actor.agency_ids()
    listed = queries.appeals(session, visible, None)
    agencies_ = {a.id: a.name for a in agencies.list_agencies(session, actor=actor)}
    page = AppealsPage(
        open=[row for row in listed if row[0].status is AppealStatus.open],
        decided=[row for row in listed if row[0].status is not AppealStatus.open][-50:],
        heads_of={a for a, roles in actor.roles.items() if Role.agency_head in roles},
        agencies=agencies_,
        officials=queries.official_names(session, {row[1].by_id for row in listed if row[1].by_id}),
    )
    return render(request, "moderation/appeals.html", page)


@router.post("/moderation/appeals/{appeal_id}/decide", response_class=HTMLResponse)
def post_decide(
    appeal_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    decision: Annotated[str, Form(max_length=16)] = "",
    note: NoteField = "",
) -> Response:
    with form_action(session) as attempt:
        result = service.decide_appeal(session, actor=actor, appeal_id=appeal_id, decision=decision, note=note)
    if attempt.error is not None:
        flash(request, attempt.error.message, "error")
    elif result.appeal.status is AppealStatus.open and result.reversal is not None:
        flash(request, f"The platform did not show the comment again: {result.reversal.platform_summary}", "error")
    elif result.appeal.status is AppealStatus.reversed:
        flash(request, "Reversed: the comment is shown again and the citizen is told.")
    else:
        flash(request, "Upheld: the comment stays hidden and the citizen is told.")
    return RedirectResponse("/moderation/appeals", status_code=303)


# --- the agency's tightening -----------------------------------------------------------------------


@dataclass
class PolicyPage:
    agency: Agency
    withheld: set[str]
    hide_needs_head: bool
    can_edit: bool
    texts: dict[Ground, object] = field(default_factory=lambda: dict(GROUNDS))


@router.get("/moderation/policy/{agency_id}", response_class=HTMLResponse)
def policy_page(agency_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    agency = actor.fetch(session, Agency, agency_id, what="agency", agency_attr="id")
    policy = queries.agency_policy(session, agency_id)
    page = PolicyPage(
        agency=agency,
        withheld=set(policy.withheld_grounds) if policy else set(),
        hide_needs_head=bool(policy and policy.hide_needs_head),
        can_edit=actor.is_national_admin or Role.agency_head in actor.roles.get(agency_id, frozenset()),
    )
    return render(request, "moderation/policy.html", page)


@router.post("/moderation/policy/{agency_id}", response_class=HTMLResponse)
def post_policy(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    withheld: Annotated[list[str] | None, Form()] = None,
    hide_needs_head: Annotated[bool, Form()] = False,
) -> Response:
    with form_action(session) as attempt:
        service.set_agency_policy(
            session, actor=actor, agency_id=agency_id, withheld=withheld or [], hide_needs_head=hide_needs_head
        )
    if attempt.error is not None:
        raise attempt.error  # rolled back; the error page says why, with its status (404 for another agency)
    flash(request, "The agency's moderation policy is saved.")
    return RedirectResponse(f"/moderation/policy/{agency_id}", status_code=303)
