"""Inbox pages for a post (every citizen's conversation under it, answered several at once) and for
transferring a conversation to another agency."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.outbound.service import SENDING_ROLES
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import Invalid
from civicloop.inbox import posts, service, transfers
from civicloop.sla.engine import STATE_LABELS
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


@dataclass
class PostPage:
    conversation_id: int
    post: posts.Post
    can_reply: bool
    outcomes: list[posts.Outcome] = field(default_factory=list)
    draft: str = ""
    error: str | None = None
    state_labels: dict[str, str] = field(default_factory=lambda: {s.value: label for s, label in STATE_LABELS.items()})
    idempotency_key: str = field(default_factory=lambda: secrets.token_hex(16))


def _post_page(session: Session, actor: Actor, conversation_id: int, **extra: object) -> PostPage:
    post = posts.post_of(session, actor=actor, conversation_id=conversation_id)
    conversation = service.get_conversation(session, actor=actor, conversation_id=conversation_id)
    return PostPage(
        conversation_id=conversation_id,
        post=post,
        can_reply=actor.has_role(conversation.agency_id, *SENDING_ROLES),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/inbox/{conversation_id}/post", response_class=HTMLResponse)
def post_page(conversation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "inbox/post.html", _post_page(session, actor, conversation_id))


@router.post("/inbox/{conversation_id}/post/reply", response_class=HTMLResponse)
def post_reply_many(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    text: Annotated[str, Form(max_length=20_000)] = "",
    conversation_ids: Annotated[list[str] | None, Form()] = None,
    idempotency_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    with form_action(session) as attempt:
        ids = [int(value) for value in conversation_ids or [] if value.isdigit()]
        if len(ids) != len(conversation_ids or []):
            raise Invalid("the conversations chosen are not valid", field="conversation_ids")
        outcomes = posts.reply_to_many(
            session, actor=actor, conversation_ids=ids, text=text, idempotency_key=idempotency_key
        )
    if (exc := attempt.error) is not None:
        page = _post_page(session, actor, conversation_id, draft=text, error=exc.message)
        return render(request, "inbox/post.html", page, status_code=exc.status_code)
    return render(request, "inbox/post.html", _post_page(session, actor, conversation_id, outcomes=outcomes))


@router.post("/inbox/{conversation_id}/transfer", response_class=HTMLResponse)
def post_transfer(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    to_agency_id: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    with form_action(session) as attempt:
        if not to_agency_id.isdigit():
            raise Invalid("choose the agency to transfer it to", field="to_agency_id")
        row = transfers.transfer(
            session, actor=actor, conversation_id=conversation_id, to_agency_id=int(to_agency_id), note=note
        )
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/inbox/{conversation_id}", status_code=303)
    flash(request, f"Transferred: conversation #{row.conversation_id} is now the other agency's to answer.")
    # Still visible to a national role; an agency's own officer no longer sees it.
    return RedirectResponse("/inbox", status_code=303)
