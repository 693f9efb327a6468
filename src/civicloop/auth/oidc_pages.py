"""Single sign-on pages: leave for the identity provider, and come back signed in (``auth.oidc``)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicloop.auth import oidc, totp, totp_pages
from civicloop.auth.pages import LoginPage, safe_next
from civicloop.deps import SessionDep, sign_in
from civicloop.errors import BadRequest, NotFound, Unauthenticated
from civicloop.kit.http import http_client
from civicloop.web.forms import form_action
from civicloop.web.templating import render

router = APIRouter(include_in_schema=False)

PENDING_KEY = "oidc"
TIMEOUT_SECONDS = 10.0


def _client() -> httpx.Client:
    return http_client(TIMEOUT_SECONDS)


@router.get("/login/oidc")
def start(request: Request, next: str = "/") -> Response:
    if not oidc.enabled():
        raise NotFound("single sign-on is not configured")
    with _client() as http:
        url, pending = oidc.begin(http, safe_next(next))
    request.session[PENDING_KEY] = pending.as_dict()
    return RedirectResponse(url, status_code=303)


@router.get(oidc.CALLBACK_PATH, response_class=HTMLResponse)
def callback(
    request: Request, session: SessionDep, state: str = "", code: str = "", error: str = "", error_description: str = ""
) -> Response:
    kept: Any = request.session.pop(PENDING_KEY, None)
    if not oidc.enabled():
        raise NotFound("single sign-on is not configured")
    with form_action(session) as attempt:
        if error:
            raise Unauthenticated(f"the identity provider refused: {error_description or error}")
        if not isinstance(kept, dict) or not state or not code:
            raise BadRequest("this sign-in was not started here, or has expired: start again")
        pending = oidc.Request(**{k: str(kept.get(k, "")) for k in ("state", "nonce", "verifier", "next")})
        with _client() as http:
            claims = oidc.claims_for(http, pending, state=state, code=code)
        official = oidc.official_for(session, claims)
    if (exc := attempt.error) is not None:
        return render(request, "auth/login.html", LoginPage(error=exc.message), status_code=exc.status_code)
    next = safe_next(pending.next)
    if totp.needs_second_step(session, official):
        return totp_pages.begin(request, session, official, next)
    sign_in(request, session, official)
    return RedirectResponse(next, status_code=303)
