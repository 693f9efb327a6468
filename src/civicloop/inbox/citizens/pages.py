"""The citizen's page ``/inbox/contacts/{contact_id}``: their linked contacts, suggestions, one history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.models import Contact
from civicloop.deps import ActorDep, SessionDep
from civicloop.inbox.citizens import queries, service
from civicloop.sla.calendar import calendar_for
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


@dataclass
class CitizenPage:
    contact: Contact
    agency: Agency
    contacts: list[Contact]
    suggestions: list[Contact]
    candidates: list[Contact]
    history: list[queries.HistoryItem]
    q: str
    can_link: bool
    timezone: str
    channel_labels: dict[str, str]


def _page(session: Session, actor: Actor, contact_id: int, q: str) -> CitizenPage:
    contact = service.get_contact(session, actor=actor, contact_id=contact_id)
    agency = session.get(Agency, contact.agency_id)
    assert agency is not None
    contacts = queries.linked_contacts(session, contact)
    return CitizenPage(
        contact=contact,
        agency=agency,
        contacts=contacts,
        suggestions=queries.suggestions(session, contacts),
        candidates=queries.candidates(session, contacts, q),
        history=queries.history(session, contacts),
        q=q,
        can_link=actor.has_role(contact.agency_id, *service.LINK_ROLES),
        timezone=calendar_for(session, contact.agency_id).timezone,
        channel_labels=registry.labels(),
    )


@router.get("/inbox/contacts/{contact_id}", response_class=HTMLResponse)
def citizen_page(
    contact_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    return render(request, "inbox/citizen.html", _page(session, actor, contact_id, q))


@router.post("/inbox/contacts/{contact_id}/link", response_class=HTMLResponse)
def post_link(
    contact_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    other_contact_id: Annotated[int, Form()],
) -> Response:
    with form_action(session) as attempt:
        service.link(session, actor=actor, contact_id=contact_id, other_contact_id=other_contact_id)
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
    else:
        flash(request, "Linked: their conversations are one history now.")
    return RedirectResponse(f"/inbox/contacts/{contact_id}", status_code=303)


@router.post("/inbox/contacts/{contact_id}/unlink", response_class=HTMLResponse)
def post_unlink(
    contact_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    unlink_contact_id: Annotated[int, Form()],
) -> Response:
    with form_action(session) as attempt:
        service.unlink(session, actor=actor, contact_id=unlink_contact_id)
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
    else:
        flash(request, "Unlinked.")
    back = contact_id if unlink_contact_id != contact_id else unlink_contact_id
    return RedirectResponse(f"/inbox/contacts/{back}", status_code=303)
