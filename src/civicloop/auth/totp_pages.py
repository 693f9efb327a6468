"""The second step of signing in (a code, or enrolment when the role requires it) and the
official's own two-factor settings page. The rules are in ``auth.totp``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from civicloop.auth import totp
from civicloop.auth.models import Official
from civicloop.deps import ActorDep, SessionDep, sign_in
from civicloop.errors import AppError
from civicloop.kit.clock import utcnow
from civicloop.web.templating import render

router = APIRouter(include_in_schema=False)

PENDING_KEY = "second_step"
# Time between the right password and the code; after it the password is asked again.
PENDING_SECONDS = 300


@dataclass
class SecondStepPage:
    enrolling: bool
    qr_svg: Markup | None = None
    secret: str | None = None
    error: str | None = None


@dataclass
class RecoveryCodesPage:
    codes: list[str]
    next: str


@dataclass
class TwoFactorPage:
    enrolled: bool
    required: bool
    recovery_codes_left: int = 0
    qr_svg: Markup | None = None
    secret: str | None = None
    error: str | None = None
    codes: list[str] = field(default_factory=list)


def begin(request: Request, session: Session, official: Official, next: str) -> Response:
    """Called by the sign-in page once the password is right: the session holds only "password
    passed" (no official id) until the code or the enrolment is done."""
    request.session.clear()
    request.session[PENDING_KEY] = {"official_id": official.id, "next": next, "at": int(utcnow().timestamp())}
    if not totp.is_enrolled(session, official.id):
        totp.start_enrolment(session, official=official)
    return RedirectResponse("/login/code", status_code=303)


def _pending(request: Request, session: Session) -> tuple[Official, str] | None:
    pending: Any = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or utcnow().timestamp() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    official = session.get(Official, pending.get("official_id"))
    if official is None or not official.active:
        return None
    return official, str(pending.get("next", "/"))


def _second_step_page(session: Session, official: Official, error: str | None = None) -> SecondStepPage:
    if totp.is_enrolled(session, official.id):
        return SecondStepPage(enrolling=False, error=error)
    enrolment = totp.enrolment(session, official=official)
    return SecondStepPage(enrolling=True, qr_svg=enrolment.qr_svg, secret=enrolment.secret, error=error)


@router.get("/login/code", response_class=HTMLResponse)
def second_step_form(request: Request, session: SessionDep) -> Response:
    found = _pending(request, session)
    if found is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/second_step.html", _second_step_page(session, found[0]))


@router.post("/login/code", response_class=HTMLResponse)
def second_step(request: Request, session: SessionDep, code: Annotated[str, Form(max_length=32)]) -> Response:
    found = _pending(request, session)
    if found is None:
        return RedirectResponse("/login", status_code=303)
    official, next = found
    enrolling = not totp.is_enrolled(session, official.id)
    try:
        if enrolling:
            codes = totp.confirm_enrolment(session, official=official, code=code)
        else:
            totp.verify(session, official=official, code=code)
    except AppError as exc:
        session.commit()  # keep the counted failure although the answer is an error
        page = _second_step_page(session, official, error=exc.message)
        return render(request, "auth/second_step.html", page, status_code=exc.status_code)
    sign_in(request, session, official)
    if enrolling:
        return render(request, "auth/recovery_codes.html", RecoveryCodesPage(codes=codes, next=next))
    return RedirectResponse(next, status_code=303)


@router.get("/settings/two-factor", response_class=HTMLResponse)
def two_factor(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "auth/two_factor.html", _two_factor_page(session, actor.official))


def _two_factor_page(session: Session, official: Official, **extra: Any) -> TwoFactorPage:
    enrolled = totp.is_enrolled(session, official.id)
    left = totp.recovery_codes_left(session, official.id) if enrolled else 0
    return TwoFactorPage(enrolled=enrolled, required=totp.is_required(official), recovery_codes_left=left, **extra)


@router.post("/settings/two-factor/start", response_class=HTMLResponse)
def start(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    enrolment = totp.start_enrolment(session, official=actor.official)
    page = _two_factor_page(session, actor.official, qr_svg=enrolment.qr_svg, secret=enrolment.secret)
    return render(request, "auth/two_factor.html", page)


@router.post("/settings/two-factor/confirm", response_class=HTMLResponse)
def confirm(
    request: Request, session: SessionDep, actor: ActorDep, code: Annotated[str, Form(max_length=32)]
) -> Response:
    try:
        codes = totp.confirm_enrolment(session, official=actor.official, code=code)
    except AppError as exc:
        session.commit()
        enrolment = totp.enrolment(session, official=actor.official)
        page = _two_factor_page(
            session, actor.official, qr_svg=enrolment.qr_svg, secret=enrolment.secret, error=exc.message
        )
        return render(request, "auth/two_factor.html", page, status_code=exc.status_code)
    return render(request, "auth/two_factor.html", _two_factor_page(session, actor.official, codes=codes))
