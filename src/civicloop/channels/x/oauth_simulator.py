"""X's OAuth 2.0 (Authorization Code with PKCE) and the Account Activity subscription, as CivicLoop's
"Connect an X account" uses them.

Contract enforced (docs/channels/x.md, "Connecting"): ``GET /i/oauth2/authorize`` (on x.com) needs a
registered client, an exact redirect URI, ``state`` and a PKCE ``code_challenge``; ``POST
/2/oauth2/token`` (form body, the confidential client's ``Authorization: Basic``) takes the code once,
within 30 seconds, with the matching ``code_verifier``, and answers ``{"token_type": "bearer",
"expires_in": 7200, "access_token", "scope", "refresh_token"}`` — a refresh token only with
``offline.access``; ``grant_type=refresh_token`` rotates it (the old refresh token stops working);
errors ``{"error": "invalid_request" | "invalid_client" | "invalid_grant", "error_description"}``.
``GET /2/users/me`` names the account; ``POST`` / ``GET
/2/account_activity/webhooks/{webhook_id}/subscriptions/all`` subscribe the user (needs ``dm.read``) and
tell whether it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.oauth import AuthorizationServer, Token, basic_credentials, server
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.x import simulator
from civicloop.channels.x.simulator import XUser, fault_body, problem, unauthorized, x_api

router = simulator.router

ACCESS_TTL = timedelta(hours=2)
CODE_TTL = timedelta(seconds=30)


@dataclass
class Webhooks:
    """Registered webhooks (id → URL) and who is subscribed to each."""

    urls: dict[str, str] = field(default_factory=dict)
    subscribed: dict[str, set[str]] = field(default_factory=dict)


def oauth(state: SimulatorState) -> AuthorizationServer:
    return server(state, "X", code_ttl=CODE_TTL, access_ttl=ACCESS_TTL, pkce_required=True, rotate_refresh=True)


def webhooks(state: SimulatorState) -> Webhooks:
    found = state.platforms.setdefault("x_webhooks", Webhooks())
    assert isinstance(found, Webhooks)
    return found


def add_webhook(state: SimulatorState, webhook_id: str, url: str) -> None:
    with state.lock:
        webhooks(state).urls[webhook_id] = url
        webhooks(state).subscribed.setdefault(webhook_id, set())


def oauth_error(kind: str, description: str, status: int = 400) -> Reply:
    return Reply(status, {"error": kind, "error_description": description})


def authorize(state: SimulatorState, call: Call) -> Reply:
    if not call.query.get("state"):
        return oauth(state)._problem_page("state is required.")
    return oauth(state).consent_page(call, call.path)


def decide(state: SimulatorState, call: Call) -> Reply:
    return oauth(state).decide(call, state.now())


def _issue(state: SimulatorState, client_id: str, person_id: str, scopes: tuple[str, ...]) -> dict[str, Any]:
    server_ = oauth(state)
    now = state.now()
    access = server_.issue(client_id, person_id, scopes, now)
    body: dict[str, Any] = {
        "token_type": "bearer",
        "expires_in": int(ACCESS_TTL.total_seconds()),
        "access_token": access.value,
        "scope": " ".join(scopes),
    }
    if "offline.access" in scopes:
        body["refresh_token"] = server_.issue(client_id, person_id, scopes, now, ttl=None, kind="refresh").value
    # The X API itself (simulator.py) accepts the new token for the user, and only it: the old one is retired.
    user = x_api(state).users.get(person_id) or XUser(person_id)
    user.bearer_token = access.value
    x_api(state).users[person_id] = user
    return body


def token(state: SimulatorState, call: Call) -> Reply:
    form = call.body if isinstance(call.body, dict) else {}
    server_ = oauth(state)
    basic = basic_credentials(call)
    client_id = basic[0] if basic else str(form.get("client_id", ""))
    client = server_.authenticate_client(client_id, basic[1] if basic else None)
    if isinstance(client, str) or (client.client_secret and basic is None):
        return oauth_error("invalid_client", "Missing valid authorization header", 401)
    grant_type = form.get("grant_type")
    if grant_type == "refresh_token":
        old = server_.token(str(form.get("refresh_token", "")), state.now(), "refresh")
        if old is None or old.client_id != client.client_id:
            return oauth_error("invalid_request", "Value passed for the token was invalid.")
        old.revoked = True  # rotation: a refresh token works once
        return Reply(200, _issue(state, client.client_id, old.person_id, old.scopes))
    if grant_type != "authorization_code":
        return oauth_error("invalid_request", "Missing required parameter [grant_type].")
    code = server_.redeem_form(form, client.client_id, state.now())
    if isinstance(code, str):
        return oauth_error("invalid_request", "Value passed for the authorization code was invalid.")
    return Reply(200, _issue(state, client.client_id, code.person_id, code.scopes))


def _user(state: SimulatorState, call: Call) -> Token | Reply:
    scheme, _, value = call.headers.get("authorization", "").partition(" ")
    live = oauth(state).token(value.strip(), state.now()) if scheme.lower() == "bearer" else None
    return live if live is not None else unauthorized()


def users_me(state: SimulatorState, call: Call) -> Reply:
    user = _user(state, call)
    if isinstance(user, Reply):
        return user
    if "users.read" not in user.scopes:
        return problem(403, "Forbidden", "Missing scope users.read")
    person = oauth(state).people[user.person_id]
    return Reply(200, {"data": {"id": person.id, "name": person.name, "username": person.username}})


def subscribe(state: SimulatorState, call: Call, webhook_id: str) -> Reply:
    user = _user(state, call)
    if isinstance(user, Reply):
        return user
    if webhook_id not in webhooks(state).urls:
        return problem(404, "Not Found Error", f"Could not find webhook with id: [{webhook_id}]")
    if "dm.read" not in user.scopes:
        return problem(403, "Forbidden", "Subscribing to account activity needs the dm.read scope")
    webhooks(state).subscribed[webhook_id].add(user.person_id)
    return Reply(200, {"data": {"subscribed": True}})


def subscription(state: SimulatorState, call: Call, webhook_id: str) -> Reply:
    user = _user(state, call)
    if isinstance(user, Reply):
        return user
    if webhook_id not in webhooks(state).urls:
        return problem(404, "Not Found Error", f"Could not find webhook with id: [{webhook_id}]")
    return Reply(200, {"data": {"subscribed": user.person_id in webhooks(state).subscribed[webhook_id]}})


@router.get("/i/oauth2/authorize")
async def get_authorize(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "x.authorize", lambda c: authorize(state, c), fault_body)


@router.post("/i/oauth2/authorize")
async def post_authorize(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "x.authorize_decision", lambda c: decide(state, c), fault_body)


@router.post("/2/oauth2/token")
async def post_token(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "x.oauth_token", lambda c: token(state, c), fault_body)


@router.get("/2/users/me")
async def get_me(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "x.users_me", lambda c: users_me(state, c), fault_body)


@router.post("/2/account_activity/webhooks/{webhook_id}/subscriptions/all")
async def post_subscription(request: Request, webhook_id: str) -> Response:
    state = state_of(request)
    return await dispatch(request, "x.subscribe", lambda c: subscribe(state, c, webhook_id), fault_body)


@router.get("/2/account_activity/webhooks/{webhook_id}/subscriptions/all")
async def get_subscription(request: Request, webhook_id: str) -> Response:
    state = state_of(request)
    return await dispatch(request, "x.subscription", lambda c: subscription(state, c, webhook_id), fault_body)
