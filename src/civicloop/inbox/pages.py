"""Inbox pages: the list (live), a conversation (thread, reply, notes, tags), saved replies, notices."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.models import Contact, Conversation
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.channels.outbound.service import SENDING_ROLES, Window, reply_window
from civicloop.consultations import queries as consultation_queries
from civicloop.consultations.models import Consultation
from civicloop.deps import ActorDep, SessionDep
from civicloop.inbox import queries, service, transfers
from civicloop.inbox import tasks as _tasks  # noqa: F401 - registers the ON_MESSAGE hook in web processes too
from civicloop.inbox.models import ConversationEvent, ConversationSla, Note, SavedReply
from civicloop.notifications import queries as notification_queries
from civicloop.notifications import service as notifications
from civicloop.notifications.models import Notification
from civicloop.records import queries as records_queries
from civicloop.records.models import LegalHold
from civicloop.sla import queries as sla_queries
from civicloop.sla.calendar import calendar_for
from civicloop.sla.engine import STATE_LABELS, Targets
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


@dataclass
class InboxPage:
    filters: queries.Filters
    result: queries.InboxList
    agencies: list[Agency]
    accounts: list[OfficialAccount]
    tags: list[str]
    members: list[Official]
    can_triage: bool
    officials: dict[int, str]
    consultations: list[Consultation]
    state_labels: dict[str, str] = field(default_factory=lambda: {s.value: label for s, label in STATE_LABELS.items()})
    channel_labels: dict[str, str] = field(default_factory=registry.labels)
    bulk_actions: tuple[str, ...] = service.BULK_ACTIONS


def _inbox_page(session: Session, actor: Actor, filters: queries.Filters, page: int) -> InboxPage:
    result = queries.list_conversations(session, actor=actor, filters=filters, page=page)
    visible = agencies.list_agencies(session, actor=actor)
    members: dict[int, Official] = {}
    for agency in visible if len(visible) <= 20 else []:
        members.update({o.id: o for o in queries.members(session, agency.id)})
    assignees = {r.conversation.assignee_id for r in result.rows if r.conversation.assignee_id}
    return InboxPage(
        filters=filters,
        result=result,
        agencies=visible,
        accounts=agencies.list_accounts(session, actor=actor, agency_id=filters.agency_id),
        tags=service.agency_tags(session, actor.agency_ids()),
        members=sorted(members.values(), key=lambda o: o.name),
        can_triage=any(actor.has_role(a.id, *service.TRIAGE_ROLES) for a in visible),
        officials=queries.official_names(session, assignees),
        consultations=consultation_queries.list_for(session, actor=actor, agency_id=filters.agency_id),
    )


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request, session: SessionDep, actor: ActorDep, filters: queries.FiltersDep, page: int = 1
) -> Response:
    """The list; an HTMX request (the filter form, the 20 s refresh) gets the list and, out of band,
    the filter fields with fresh counts."""
    partial = bool(request.headers.get("hx-request"))
    template = "inbox/_list.html" if partial else "inbox/list.html"
    return render(request, template, _inbox_page(session, actor, filters, page), refresh_filters=partial)


@router.post("/inbox/bulk", response_class=HTMLResponse)
def bulk(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    action: Annotated[str, Form()],
    conversation_id: Annotated[list[int] | None, Form()] = None,
    value: Annotated[str, Form(max_length=100)] = "",
    back: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    with form_action(session) as attempt:
        count = service.bulk(session, actor=actor, conversation_ids=conversation_id or [], action=action, value=value)
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
    else:
        flash(request, f"{action.capitalize()}: {count} conversation(s).")
    return RedirectResponse(_safe_back(back, "/inbox"), status_code=303)


def _safe_back(back: str, default: str) -> str:
    # Only our own inbox pages: an open redirect would let a link send officials elsewhere.
    return back if back.startswith("/inbox") and not back.startswith("//") else default


# -- one conversation ------------------------------------------------------------------------------


@dataclass
class ConversationPage:
    conversation: Conversation
    agency: Agency
    account: OfficialAccount
    contact: Contact | None
    sla: ConversationSla | None
    targets: Targets
    timezone: str
    items: list[queries.ThreadItem]
    pending: list[OutboundMessage]
    notes: list[Note]
    history: list[ConversationEvent]
    tags: list[str]
    members: list[Official]
    window: Window
    saved_replies: list[SavedReply]
    earlier: list[Conversation]
    officials: dict[int, str]
    can_triage: bool
    can_reply: bool
    state_labels: dict[str, str]
    draft: str = ""
    reply_to: int | None = None
    error: str | None = None
    # Transfers to another agency: where it came from, and where it may go (inbox.transfers).
    transfers: list[transfers.TransferView] = field(default_factory=list)
    transfer_to: list[Agency] = field(default_factory=list)
    holds: list[LegalHold] = field(default_factory=list)  # legal holds keeping this conversation's records
    # One per rendered form: a double submit stores the reply once (see create_outbound).
    idempotency_key: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def polling(self) -> bool:
        """Refresh the thread while a reply is on its way."""
        return any(o.status.value in ("queued", "sending") for o in self.pending)


def _conversation_page(session: Session, actor: Actor, conversation_id: int, **extra: object) -> ConversationPage:
    conversation = service.get_conversation(session, actor=actor, conversation_id=conversation_id)
    detail = queries.detail(session, conversation)
    items, pending, notes = detail.items, detail.pending, detail.notes
    history = queries.history_of(session, conversation.id)
    people = {n.author_id for n in notes if n.author_id} | {e.actor_id for e in history if e.actor_id}
    people |= {o.created_by_id for o in pending if o.created_by_id}
    people |= {i.outbound.created_by_id for i in items if i.outbound and i.outbound.created_by_id}
    people |= {int(e.value) for e in history if e.kind.value == "assigned" and e.value.isdigit()}
    if conversation.assignee_id:
        people.add(conversation.assignee_id)
    return ConversationPage(
        conversation=conversation,
        agency=detail.agency,
        account=detail.row.account,
        contact=detail.row.contact,
        sla=detail.row.sla,
        targets=sla_queries.targets_for(session, conversation.agency_id),
        timezone=calendar_for(session, conversation.agency_id).timezone,
        items=items,
        pending=pending,
        notes=notes,
        history=history,
        tags=detail.row.tags,
        members=queries.members(session, conversation.agency_id),
        window=reply_window(session, conversation),
        saved_replies=queries.saved_replies(session, actor=actor, agency_id=conversation.agency_id),
        earlier=queries.earlier_conversations(session, conversation),
        officials=queries.official_names(session, people),
        can_triage=actor.has_role(conversation.agency_id, *service.TRIAGE_ROLES),
        can_reply=actor.has_role(conversation.agency_id, *SENDING_ROLES),
        state_labels={s.value: label for s, label in STATE_LABELS.items()},
        transfers=transfers.transfers_of(session, conversation.id),
        transfer_to=transfers.agencies_to_transfer_to(session, conversation.agency_id),
        holds=records_queries.holds_covering_conversation(session, conversation.id),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/inbox/saved-replies", include_in_schema=False)
def saved_replies_address() -> Response:
    """The address people guess for the saved replies (beside ``/inbox/{id}``), sent to where they live."""
    return RedirectResponse("/inbox-saved-replies", status_code=308)


@router.get("/inbox/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    conversation_id: int, request: Request, session: SessionDep, actor: ActorDep, reply_to: int | None = None
) -> Response:
    page = _conversation_page(session, actor, conversation_id, reply_to=reply_to)
    return render(request, "inbox/conversation.html", page)


@router.get("/inbox/{conversation_id}/thread", response_class=HTMLResponse)
def thread_fragment(conversation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "inbox/_thread.html", _conversation_page(session, actor, conversation_id))


@router.get("/inbox/{conversation_id}/saved-reply", response_class=HTMLResponse)
def saved_reply_text(
    conversation_id: int, request: Request, session: SessionDep, actor: ActorDep, saved_reply_id: int | None = None
) -> Response:
    """The reply box filled with a saved reply, placeholders replaced (HTMX swaps it in)."""
    conversation = service.get_conversation(session, actor=actor, conversation_id=conversation_id)
    text = ""
    if saved_reply_id is not None:
        saved = queries.saved_reply_of(session, agency_id=conversation.agency_id, saved_reply_id=saved_reply_id)
        if saved is not None:
            text = service.fill(saved.text, service.placeholder_values(session, conversation, actor))
    return render(request, "inbox/_reply_text.html", None, text=text, disabled=False, agency_id=conversation.agency_id)


def _back(conversation_id: int) -> RedirectResponse:
    return RedirectResponse(f"/inbox/{conversation_id}", status_code=303)


@router.post("/inbox/{conversation_id}/reply", response_class=HTMLResponse)
def post_reply(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    text: Annotated[str, Form(max_length=20_000)],
    in_reply_to: Annotated[str, Form()] = "",
    then_wait: Annotated[bool, Form()] = False,
    idempotency_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    with form_action(session) as moved:
        transfers.check_still_ours(session, actor=actor, conversation_id=conversation_id)
    if moved.error is not None:  # transferred to another agency since the page was opened: nothing is sent
        flash(request, moved.error.message, "error")
        return RedirectResponse("/inbox", status_code=303)
    with form_action(session) as attempt:
        outbound = service.reply(
            session,
            actor=actor,
            conversation_id=conversation_id,
            text=text,
            in_reply_to_message_id=int(in_reply_to) if in_reply_to.isdigit() else None,
            then_wait=then_wait,
            idempotency_key=idempotency_key or None,
        )
    if (exc := attempt.error) is not None:
        page = _conversation_page(session, actor, conversation_id, draft=text, error=exc.message)
        return render(request, "inbox/conversation.html", page, status_code=exc.status_code)
    held = outbound.status.value == "held"
    flash(request, "The reply is held for approval under the guidelines." if held else "The reply is on its way.")
    return _back(conversation_id)


def _act(request: Request, session: Session, conversation_id: int, done: str, action: Callable[[], object]) -> Response:
    with form_action(session) as attempt:
        action()
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
    else:
        flash(request, done)
    return _back(conversation_id)


@router.post("/inbox/{conversation_id}/status", response_class=HTMLResponse)
def post_status(
    conversation_id: int, request: Request, session: SessionDep, actor: ActorDep, status: Annotated[str, Form()]
) -> Response:
    labels = {"open": "Reopened.", "waiting": "Waiting on the citizen: the clocks are paused.", "closed": "Closed."}
    return _act(
        request,
        session,
        conversation_id,
        labels.get(status, "Done."),
        lambda: service.set_status(
            session, actor=actor, conversation_id=conversation_id, status=service.parse_status(status)
        ),
    )


@router.post("/inbox/{conversation_id}/assign", response_class=HTMLResponse)
def post_assign(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    assignee_id: Annotated[str, Form()] = "",
) -> Response:
    target = actor.id if assignee_id == "me" else int(assignee_id) if assignee_id.isdigit() else None
    done = "You took it." if target == actor.id else "Assigned." if target else "Unassigned."
    return _act(
        request,
        session,
        conversation_id,
        done,
        lambda: service.assign(session, actor=actor, conversation_id=conversation_id, assignee_id=target),
    )


@router.post("/inbox/{conversation_id}/tags", response_class=HTMLResponse)
def post_tag(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    tag: Annotated[str, Form(max_length=60)],
    remove: Annotated[bool, Form()] = False,
) -> Response:
    change = service.remove_tag if remove else service.add_tag
    return _act(
        request,
        session,
        conversation_id,
        f"Tag {'removed' if remove else 'added'}.",
        lambda: change(session, actor=actor, conversation_id=conversation_id, name=tag),
    )


@router.post("/inbox/{conversation_id}/notes", response_class=HTMLResponse)
def post_note(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    text: Annotated[str, Form(max_length=service.MAX_NOTE + 100)],
) -> Response:
    return _act(
        request,
        session,
        conversation_id,
        "Note added (the citizen does not see it).",
        lambda: service.add_note(session, actor=actor, conversation_id=conversation_id, text=text),
    )


@router.post("/inbox/{conversation_id}/outbound/{outbound_id}/retry", response_class=HTMLResponse)
def post_retry(
    conversation_id: int, outbound_id: int, request: Request, session: SessionDep, actor: ActorDep
) -> Response:
    return _act(
        request,
        session,
        conversation_id,
        "Sending again.",
        lambda: service.retry(session, actor=actor, outbound_id=outbound_id),
    )


# -- saved replies ---------------------------------------------------------------------------------


@dataclass
class SavedRepliesPage:
    agencies: list[Agency]
    agency: Agency | None
    replies: list[SavedReply]
    can_edit: bool
    placeholders: dict[str, str]
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


def _saved_page(session: Session, actor: Actor, agency_id: int | None, **extra: object) -> SavedRepliesPage:
    visible = agencies.list_agencies(session, actor=actor)
    own = [a for a in visible if a.id in actor.roles] or visible
    agency = next((a for a in visible if a.id == agency_id), own[0] if own else None)
    return SavedRepliesPage(
        agencies=visible,
        agency=agency,
        replies=queries.saved_replies(session, actor=actor, agency_id=agency.id) if agency else [],
        can_edit=bool(agency and actor.has_role(agency.id, *service.TRIAGE_ROLES)),
        placeholders=service.PLACEHOLDERS,
        **extra,  # type: ignore[arg-type]
    )


@router.get("/inbox-saved-replies", response_class=HTMLResponse)
def saved_replies(
    request: Request, session: SessionDep, actor: ActorDep, agency_id: int | None = None, title: str = ""
) -> Response:
    """The agency's saved replies; ``title`` fills in a new one (the analysis offers it for a frequent question)."""
    page = _saved_page(session, actor, agency_id, form={"title": title[:100]} if title else {})
    return render(request, "inbox/saved_replies.html", page)


@router.post("/inbox-saved-replies", response_class=HTMLResponse)
def save_reply(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[int, Form()],
    title: Annotated[str, Form(max_length=200)],
    text: Annotated[str, Form(max_length=5000)],
    saved_reply_id: Annotated[str, Form()] = "",
    delete: Annotated[bool, Form()] = False,
) -> Response:
    with form_action(session) as attempt:
        if delete and saved_reply_id.isdigit():
            service.delete_saved_reply(session, actor=actor, saved_reply_id=int(saved_reply_id))
            flash(request, "Saved reply deleted.")
        else:
            service.save_reply(
                session,
                actor=actor,
                agency_id=agency_id,
                title=title,
                text=text,
                saved_reply_id=int(saved_reply_id) if saved_reply_id.isdigit() else None,
            )
            flash(request, f"Saved reply {title.strip()!r} saved.")
    if (exc := attempt.error) is not None:
        page = _saved_page(session, actor, agency_id, error=exc.message, form={"title": title, "text": text})
        return render(request, "inbox/saved_replies.html", page, status_code=exc.status_code)
    return RedirectResponse(f"/inbox-saved-replies?agency_id={agency_id}", status_code=303)


# -- notifications ---------------------------------------------------------------------------------


@dataclass
class NotificationsPage:
    notifications: list[Notification]
    unread: int


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    items = notification_queries.for_official(session, official_id=actor.id)
    unread = sum(1 for n in items if n.read_at is None)
    return render(request, "inbox/notifications.html", NotificationsPage(items, unread))


@router.post("/notifications/read", response_class=HTMLResponse)
def mark_read(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    notification_id: Annotated[str, Form()] = "",
) -> Response:
    notifications.mark_read(
        session, official_id=actor.id, notification_id=int(notification_id) if notification_id else None
    )
    return RedirectResponse("/notifications", status_code=303)
