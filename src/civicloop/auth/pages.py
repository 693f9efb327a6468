"""Sign in and out, officials and their roles, API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicloop.agencies import queries as agency_queries
from civicloop.agencies import service as agency_service
from civicloop.agencies.models import Agency
from civicloop.auth import deputies, invitations, oidc, service, sessions, throttle, totp, totp_pages
from civicloop.auth.deputy_models import Deputy
from civicloop.auth.models import Official, OfficialSession, Role
from civicloop.deps import SESSION_TOKEN_KEY, ActorDep, SessionDep, sign_in
from civicloop.errors import Forbidden, Invalid, TooManyRequests, Unauthenticated
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


@dataclass
class LoginPage:
    next: str = "/"
    email: str = ""
    error: str | None = None
    single_sign_on: bool = field(default_factory=oidc.enabled)


@dataclass
class OfficialsPage:
    officials: list[Official]
    agencies: list[Agency]
    agency_names: dict[int, str]
    grantable_roles: list[str]
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    # An invitation no email carries (SMTP not configured): shown once, for the administrator to hand over.
    invitation: invitations.Issued | None = None
    invited: str = ""


@dataclass
class OfficialPage:
    official: Official
    agencies: list[Agency]
    agency_names: dict[int, str]
    grantable_roles: list[str]


@dataclass
class TokenPage:
    new_token: str | None = None


@dataclass
class AccountPage:
    sessions: list[OfficialSession]
    current_session_id: int | None
    error: str | None = None


def safe_next(target: str) -> str:
    parsed = urlparse(target)
    return target if target.startswith("/") and not parsed.netloc and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "auth/login.html", LoginPage(next=safe_next(next)))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        official = service.authenticate(session, email=email, password=password, client=client)
    except (Unauthenticated, TooManyRequests) as exc:
        session.commit()  # keep the recorded failure even though we answer with an error
        status = exc.status_code if isinstance(exc, TooManyRequests) else 401
        response = render(
            request,
            "auth/login.html",
            LoginPage(next=safe_next(next), email=email, error=exc.message),
            status_code=status,
        )
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if totp.needs_second_step(session, official):
        return totp_pages.begin(request, session, official, safe_next(next))
    sign_in(request, session, official)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    token = request.session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        sessions.end(session, token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _account_page(request: Request, session: SessionDep, actor: ActorDep, error: str | None = None) -> AccountPage:
    return AccountPage(
        sessions=sessions.list_live(session, official_id=actor.id),
        current_session_id=request.state.official_session_id,
        error=error,
    )


@router.get("/settings/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "auth/account.html", _account_page(request, session, actor))


@router.post("/settings/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    current: Annotated[str, Form(max_length=500)],
    password: Annotated[str, Form(max_length=500)],
) -> Response:
    try:
        service.change_own_password(
            session,
            actor=actor,
            current=current,
            password=password,
            keep_session_id=request.state.official_session_id,
        )
    except (Unauthenticated, Invalid) as exc:
        page = _account_page(request, session, actor, error=exc.message)
        return render(request, "auth/account.html", page, status_code=exc.status_code)
    flash(request, "Your password was changed; your other sessions were ended.")
    return RedirectResponse("/settings/account", status_code=303)


@router.post("/settings/account/sessions/end-others")
def end_other_sessions(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    sessions.end_all(session, official_id=actor.id, keep_id=request.state.official_session_id)
    flash(request, "Your other sessions were ended.")
    return RedirectResponse("/settings/account", status_code=303)


@router.post("/settings/account/sessions/{session_id}/end")
def end_session(session_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    sessions.end_own(session, official_id=actor.id, session_id=session_id)
    flash(request, "The session was ended.")
    return RedirectResponse("/settings/account", status_code=303)


def _grantable(actor_is_national: bool) -> list[str]:
    roles = [r.value for r in Role if r not in (Role.national_admin, Role.auditor)]
    return roles + ([Role.national_admin.value, Role.auditor.value] if actor_is_national else [])


def _officials_page(session: SessionDep, actor: ActorDep, **extra: object) -> OfficialsPage:
    agencies = agency_service.list_agencies(session, actor=actor)
    return OfficialsPage(
        officials=service.list_officials(session, actor=actor),
        agencies=[a for a in agencies if actor.has_role(a.id, Role.agency_admin)],
        agency_names={a.id: a.name for a in agencies},
        grantable_roles=_grantable(actor.is_national_admin),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/officials", response_class=HTMLResponse)
def officials(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "auth/officials.html", _officials_page(session, actor))


@router.post("/officials", response_class=HTMLResponse)
def create_official(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form()],
    agency_code: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    issued = None
    with form_action(session) as attempt:
        roles = [f"{role}@{agency_code}"]
        if password:
            official = service.create_official_with_roles(
                session, actor=actor, email=email, name=name, password=password, roles=roles
            )
        else:
            official, issued = invitations.invite(session, actor=actor, email=email, name=name, roles=roles)
    if (exc := attempt.error) is not None:
        page = _officials_page(
            session,
            actor,
            error=exc.message,
            form={"email": email, "name": name, "role": role, "agency_code": agency_code},
        )
        return render(request, "auth/officials.html", page, status_code=exc.status_code)
    if issued is not None and not issued.emailed:
        page = _officials_page(session, actor, invitation=issued, invited=official.email)
        return render(request, "auth/officials.html", page)
    sent = f" An invitation to set a password was emailed to {official.email}." if issued is not None else ""
    flash(request, f"{official.name} was added.{sent}")
    return RedirectResponse(f"/officials/{official.id}", status_code=303)


@router.get("/officials/{official_id}", response_class=HTMLResponse)
def official_detail(official_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    official = service.get_official(session, actor=actor, official_id=official_id)
    agencies = agency_service.list_agencies(session, actor=actor)
    page = OfficialPage(
        official=official,
        agencies=[a for a in agencies if actor.has_role(a.id, Role.agency_admin)],
        agency_names={a.id: a.name for a in agency_service.list_agencies(session, actor=None)},
        grantable_roles=_grantable(actor.is_national_admin),
    )
    return render(request, "auth/official.html", page)


@router.post("/officials/{official_id}/memberships")
def add_membership(
    official_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    role: Annotated[str, Form()],
    agency_code: Annotated[str, Form()],
) -> Response:
    official = service.get_official(session, actor=actor, official_id=official_id)
    parsed_role, code = service.parse_role_spec(f"{role}@{agency_code}")
    agency = agency_service.get_agency_by_code(session, code)
    actor.require_view(agency.id)
    service.add_membership(session, actor=actor, official=official, agency=agency, role=parsed_role)
    flash(request, f"{official.name} is now {parsed_role.value} at {agency.code}.")
    return RedirectResponse(f"/officials/{official.id}", status_code=303)


@router.post("/officials/{official_id}/active")
def set_active(
    official_id: int, request: Request, session: SessionDep, actor: ActorDep, active: Annotated[bool, Form()]
) -> Response:
    official = service.get_official(session, actor=actor, official_id=official_id)
    service.set_active(session, actor=actor, official=official, active=active)
    flash(request, f"{official.name} can sign in again." if active else f"{official.name} was disabled and signed out.")
    return RedirectResponse(f"/officials/{official.id}", status_code=303)


@router.post("/memberships/{membership_id}/delete")
def remove_membership(
    membership_id: int, request: Request, session: SessionDep, actor: ActorDep, official_id: Annotated[int, Form()]
) -> Response:
    service.remove_membership(session, actor=actor, membership_id=membership_id)
    flash(request, "The role was removed.")
    return RedirectResponse(f"/officials/{official_id}", status_code=303)


@router.get("/settings/tokens", response_class=HTMLResponse)
def tokens(request: Request, actor: ActorDep) -> Response:
    return render(request, "auth/tokens.html", TokenPage())


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, session: SessionDep, actor: ActorDep, name: Annotated[str, Form(max_length=100)]
) -> Response:
    token = service.create_api_token(session, actor=actor, name=name)
    return render(request, "auth/tokens.html", TokenPage(new_token=token))


# --- deputy approvers ----------------------------------------------------------------------------------


@dataclass
class DeputyRow:
    deputy: Deputy
    name: str


@dataclass
class DeputiesPage:
    """Per agency the official heads: its current and coming deputies, and whom the head may name."""

    agencies: list[Agency]
    deputies: dict[int, list[DeputyRow]]
    candidates: dict[int, list[Official]]
    today: str
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


def _deputies_page(session: SessionDep, actor: ActorDep, **extra: object) -> DeputiesPage:
    headed = [a for a in agency_service.list_agencies(session, actor=actor) if actor.has_role(a.id, Role.agency_head)]
    if not headed:
        raise Forbidden("naming a deputy approver is for agency heads")
    names: dict[int, str] = {}
    candidates: dict[int, list[Official]] = {}
    for agency in headed:
        members = {o.id: o for o, _role in agency_queries.members_of(session, agency.id)}
        names.update({i: o.name for i, o in members.items()})
        candidates[agency.id] = [o for o in members.values() if o.id != actor.id and o.active]
    return DeputiesPage(
        agencies=headed,
        deputies={
            a.id: [
                DeputyRow(d, names.get(d.official_id, "?"))
                for d in deputies.list_for(session, actor=actor, agency_id=a.id)
            ]
            for a in headed
        },
        candidates=candidates,
        today=deputies.today().isoformat(),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/deputies", response_class=HTMLResponse)
def deputies_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "auth/deputies.html", _deputies_page(session, actor))


@router.post("/deputies", response_class=HTMLResponse)
def name_deputy(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[int, Form()],
    official_id: Annotated[int, Form()],
    starts_on: Annotated[str, Form(max_length=10)],
    ends_on: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    with form_action(session) as attempt:
        deputies.name_deputy(
            session,
            actor=actor,
            agency_id=agency_id,
            official_id=official_id,
            starts_on=_day(starts_on, "starts_on"),
            ends_on=_day(ends_on, "ends_on"),
            reason=reason,
        )
    if (exc := attempt.error) is not None:
        form = {"starts_on": starts_on, "ends_on": ends_on, "reason": reason}
        page = _deputies_page(session, actor, error=exc.message, form=form)
        return render(request, "auth/deputies.html", page, status_code=exc.status_code)
    flash(request, "The deputy approves in your place for the period you gave.")
    return RedirectResponse("/deputies", status_code=303)


@router.post("/deputies/{deputy_id}/end")
def end_deputy(deputy_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    deputies.end(session, actor=actor, deputy_id=deputy_id)
    flash(request, "The deputy no longer approves for the agency.")
    return RedirectResponse("/deputies", status_code=303)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise Invalid("write the date as YYYY-MM-DD", field=name) from exc


# --- one-time password links: invitations and resets ---------------------------------------------------


@dataclass
class ForgotPage:
    sent: bool = False
    email: str = ""


@dataclass
class SetPasswordPage:
    token: str
    purpose: str = ""
    error: str | None = None
    # The link itself does not work (used, expired, replaced): the page says so and offers a new one.
    dead: bool = False


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> Response:
    return render(request, "auth/forgot.html", ForgotPage())


@router.post("/password/forgot", response_class=HTMLResponse)
def forgot(request: Request, session: SessionDep, email: Annotated[str, Form(max_length=254)]) -> Response:
    client = request.client.host if request.client else "unknown"
    # Counted like sign-in attempts (on counters of their own, so they never lock anyone out of signing in):
    # asking for links in bulk is refused the same way.
    throttle.count_attempt(session, email=f"reset:{email.strip().lower()}", client=f"reset:{client}")
    invitations.request_reset(session, email=email)
    # The same answer whether or not the address is known, so the page reveals no accounts.
    return render(request, "auth/forgot.html", ForgotPage(sent=True, email=email))


@router.get("/password/set/{token}", response_class=HTMLResponse)
def set_password_form(token: str, request: Request, session: SessionDep) -> Response:
    try:
        link = invitations.usable(session, token)
    except Invalid as exc:
        page = SetPasswordPage(token="", error=exc.message, dead=True)
        return render(request, "auth/set_password.html", page, status_code=410)
    return render(request, "auth/set_password.html", SetPasswordPage(token=token, purpose=link.purpose.value))


@router.post("/password/set/{token}", response_class=HTMLResponse)
def set_password_by_link(
    token: str,
    request: Request,
    session: SessionDep,
    password: Annotated[str, Form(max_length=500)],
    confirm: Annotated[str, Form(max_length=500)],
) -> Response:
    with form_action(session) as attempt:
        invitations.redeem(session, token=token, password=password, confirm=confirm)
    if (exc := attempt.error) is not None:
        dead = exc.message == invitations.UNUSABLE
        page = SetPasswordPage(token="" if dead else token, error=exc.message, dead=dead)
        return render(request, "auth/set_password.html", page, status_code=410 if dead else exc.status_code)
    flash(request, "Your password is set. Sign in with it.")
    return RedirectResponse("/login", status_code=303)
