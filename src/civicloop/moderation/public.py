"""Public moderation pages, no sign-in: the national policy and the monthly log (in the visitor's language),
and the appeal form a citizen reaches from the notice under their hidden comment.

Nothing here shows a comment's text or anyone's name: an appeal link is public once posted as a reply,
so its page names only the agency, the decision, its date and its ground.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.config import get_settings
from civicloop.deps import SessionDep
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.moderation import queries, service
from civicloop.moderation.models import ModerationAction, ModerationAppeal
from civicloop.moderation.policy import GROUNDS, Ground, GroundText
from civicloop.moderation.queries import public_log
from civicloop.oversight.periods import Period, local_today, parse_period
from civicloop.web.forms import form_action
from civicloop.web.templating import public_render, request_language

router = APIRouter(include_in_schema=False)


PUBLIC_DAYS = 365  # a year of the log by default: moderation is rare and judged over months


def public_period(start: str | None, end: str | None) -> Period:
    today = local_today(utcnow(), get_settings().timezone)
    return parse_period(start, end, today=today, default_days=PUBLIC_DAYS)


def _public(
    request: Request, template: str, page: object, lang: str | None, status_code: int = 200, **extra: object
) -> Response:
    # The language as on every public page: ?lang, the remembered choice, the browser's preference.
    language = i18n.supported(lang) or request_language(request)
    return public_render(request, template, page, status_code=status_code, lang=language, **extra)


@router.get("/transparency/moderation", response_class=HTMLResponse)
def transparency_moderation(
    request: Request,
    session: SessionDep,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    period = public_period(start, end)
    zone_name = get_settings().timezone
    log = public_log(session, *period.bounds(zone_name), zone_name)
    return _public(request, "moderation/transparency.html", log, lang, period=period)


@dataclass
class AppealPage:
    token: str
    agency: Agency
    action: ModerationAction
    ground: GroundText | None
    earlier: ModerationAppeal | None
    submitted: bool = False
    reason: str = ""
    error: str | None = None


def _appeal_page(session: Session, token: str, **extra: object) -> AppealPage:
    action = service.appealable(session, token)
    agency = session.get(Agency, action.agency_id)
    assert agency is not None
    earlier = queries.appeals_for(session, [action.id])
    ground = GROUNDS[Ground(action.ground)] if action.ground else None
    return AppealPage(token, agency, action, ground, earlier[-1] if earlier else None, **extra)  # type: ignore[arg-type]


@router.get("/appeal/{token}", response_class=HTMLResponse)
def appeal_form(
    token: str, request: Request, session: SessionDep, lang: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    return _public(request, "moderation/appeal.html", _appeal_page(session, token), lang)


@router.post("/appeal/{token}", response_class=HTMLResponse)
def appeal_submit(
    token: str,
    request: Request,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=4000)] = "",
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    with form_action(session) as attempt:
        service.submit_appeal(session, token=token, reason=reason)
    if attempt.error is not None:
        page = _appeal_page(session, token, reason=reason, error=attempt.error.message)
        return _public(request, "moderation/appeal.html", page, lang, status_code=attempt.error.status_code)
    return _public(request, "moderation/appeal.html", _appeal_page(session, token, submitted=True), lang)
