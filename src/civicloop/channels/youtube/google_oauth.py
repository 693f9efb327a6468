"""Google's OAuth 2.0 for web server apps and ``channels.list?mine=true``, as "Connect a YouTube channel"
uses them (simulated).

Contract enforced (docs/channels/youtube.md, "Connecting"): ``GET /o/oauth2/v2/auth`` (on
accounts.google.com) needs a registered client and exact redirect URI; ``access_type=offline`` is what
makes the token endpoint return a ``refresh_token``; ``POST /token`` (oauth2.googleapis.com, form body
with ``client_id`` and ``client_secret``) takes a code once and within 10 minutes (else
``invalid_grant``), answers ``access_token``, ``expires_in`` 3599, ``scope``, ``token_type`` Bearer;
``grant_type=refresh_token`` gives a new access token and keeps the refresh token; a revoked grant
answers ``invalid_grant`` "Token has been expired or revoked.". ``GET /channels?part=snippet&mine=true``
names the person's channel.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.oauth import AuthorizationServer, server
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.youtube import simulator as youtube

router = youtube.router

ACCESS_TTL = timedelta(seconds=3599)


def oauth(state: SimulatorState) -> AuthorizationServer:
    return server(state, "Google", code_ttl=timedelta(minutes=10), access_ttl=ACCESS_TTL)


def grant_error(description: str, kind: str = "invalid_grant", status: int = 400) -> Reply:
    return Reply(status, {"error": kind, "error_description": description})


def _issue(state: SimulatorState, client_id: str, person_id: str, scopes: tuple[str, ...]) -> dict[str, Any]:
    access = oauth(state).issue(client_id, person_id, scopes, state.now())
    # The Data API (simulator.py) accepts the channel's newest access token.
    channel = youtube.channels(state).get(person_id)
    if channel is None:
        youtube.add_channel(state, person_id, access.value)
    else:
        channel.token = access.value
    return {
        "access_token": access.value,
        "expires_in": int(ACCESS_TTL.total_seconds()),
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }


def token(state: SimulatorState, call: Call) -> Reply:
    form = call.body if isinstance(call.body, dict) else {}
    server_ = oauth(state)
    client = server_.authenticate_client(str(form.get("client_id", "")), str(form.get("client_secret", "")))
    if isinstance(client, str):
        return grant_error("The OAuth client was not found.", "invalid_client", 401)
    if form.get("grant_type") == "refresh_token":
        refresh = server_.token(str(form.get("refresh_token", "")), state.now(), "refresh")
        if refresh is None or refresh.client_id != client.client_id:
            return grant_error("Token has been expired or revoked.")
        return Reply(200, _issue(state, client.client_id, refresh.person_id, refresh.scopes))
    if form.get("grant_type") != "authorization_code":
        return grant_error("Invalid grant_type.", "unsupported_grant_type")
    code = server_.redeem_form(form, client.client_id, state.now())
    if isinstance(code, str):
        return grant_error("Bad Request" if code != "redirect_uri" else "redirect_uri_mismatch")
    body = _issue(state, client.client_id, code.person_id, code.scopes)
    if code_offline(code.value, state):
        body["refresh_token"] = server_.issue(
            client.client_id, code.person_id, code.scopes, state.now(), ttl=None, kind="refresh"
        ).value
    return Reply(200, body)


def code_offline(code_value: str, state: SimulatorState) -> bool:
    return code_value in offline_codes(state)


def offline_codes(state: SimulatorState) -> set[str]:
    found: set[str] = state.platforms.setdefault("google_offline_codes", set())
    return found


def authorize(state: SimulatorState, call: Call) -> Reply:
    return oauth(state).consent_page(call, call.path)


def decide(state: SimulatorState, call: Call) -> Reply:
    reply = oauth(state).decide(call, state.now())
    form = call.body if isinstance(call.body, dict) else {}
    location = reply.headers.get("location", "")
    if form.get("access_type") == "offline" and "code=" in location:
        # Only a consent given with access_type=offline yields a refresh token at the token endpoint.
        code = next(c for c in oauth(state).codes.values() if f"code={c.value}" in location)
        offline_codes(state).add(code.value)
    return reply


def mine(state: SimulatorState, call: Call) -> Reply:
    value = call.headers.get("authorization", "").removeprefix("Bearer ").strip()
    live = oauth(state).token(value, state.now())
    if live is None:
        return youtube.error(401, "authError", "Request had invalid authentication credentials.")
    if call.query.get("mine") != "true":
        return youtube.error(400, "missingRequiredParameter", "No filter selected.")
    person = oauth(state).people[live.person_id]
    item = {"kind": "youtube#channel", "id": person.id, "snippet": {"title": person.name, "customUrl": person.username}}
    return Reply(200, {"kind": "youtube#channelListResponse", "items": [item], "pageInfo": {"totalResults": 1}})


@router.get("/o/oauth2/v2/auth")
async def get_auth(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "google.authorize", lambda c: authorize(state, c), youtube.fault_body)


@router.post("/o/oauth2/v2/auth")
async def post_auth(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "google.authorize_decision", lambda c: decide(state, c), youtube.fault_body)


@router.post("/token")
async def post_token(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "google.token", lambda c: token(state, c), youtube.fault_body)


@router.get("/channels")
async def get_channels(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "youtube.channels", lambda c: mine(state, c), youtube.fault_body)
