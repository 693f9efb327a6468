"""Meta's Login and the Page set-up calls, as CivicLoop's "Connect …" of Meta's platforms uses them; served
beside the simulated Graph API calls (``channels/meta/graph.py``'s router).

Contract enforced (docs/channels/connecting.md lists the sources):

- ``GET /{version}/dialog/oauth`` (on Meta's www host): a registered ``client_id`` and an exact
  ``redirect_uri``, a consent page where permissions may be declined; back with ``code`` and ``state``,
  or ``error=access_denied``.
- ``GET /{version}/oauth/access_token``: the code once, within 10 minutes, with the same redirect URI and
  the app secret (errors 100/36007 expired, 100/36009 used, 100/36008 other redirect URI, 1 bad secret);
  a short-lived user token (2 hours). ``grant_type=fb_exchange_token`` turns it into a long-lived one
  (60 days).
- ``GET /{version}/me/accounts``: the Pages the person has a task on, each with a Page token that never
  expires when the user token was long-lived (and expires with it when it was not), and the person's
  ``tasks``; ``GET /me/permissions``: granted and declined permissions.
- ``GET /{version}/{page-id}?fields=instagram_business_account{id,username}``: the professional account
  linked to the Page (whose simulator learns the Page token through ``LINKED_TOKEN_HOOKS``).
- ``POST /{version}/{page-id}/subscribed_apps?subscribed_fields=...``: with the Page's token, which needs
  ``pages_manage_metadata`` and a MANAGE, CREATE_CONTENT or MODERATE task; ``GET`` lists the app.
- ``GET /{version}/debug_token?input_token=...&access_token={app-id}|{app-secret}``: validity, expiry and
  the scopes still granted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from civicloop.channels.meta import graph
from civicloop.channels.meta.graph import error, fault_body
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.oauth import AuthorizationServer, Token, server
from civicloop.channels.simulator.state import SimulatorState

router = graph.router
# Told of every Page token issued for a Page with a linked account: (state, linked account id, token).
LINKED_TOKEN_HOOKS: list[Callable[[SimulatorState, str, str], None]] = []

VERSION = re.compile(r"^v\d{1,2}\.0$")
SHORT_LIVED = timedelta(hours=2)
LONG_LIVED = timedelta(days=60)
SUBSCRIBE_TASKS = frozenset({"MANAGE", "CREATE_CONTENT", "MODERATE"})


@dataclass
class Page:
    id: str
    name: str
    # The person's tasks on the Page, by person id (no entry: no role on the Page).
    tasks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    linked_id: str = ""  # the professional account linked to the Page (``instagram_business_account``)
    linked_username: str = ""
    subscribed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # app id → fields


@dataclass
class Meta:
    """Pages and the Login server; kept in the simulator state's slot "meta"."""

    pages: dict[str, Page] = field(default_factory=dict)


def login(state: SimulatorState) -> AuthorizationServer:
    return server(state, "Meta", code_ttl=timedelta(minutes=10), access_ttl=SHORT_LIVED, scope_separator=",")


def meta(state: SimulatorState) -> Meta:
    found = state.platforms.setdefault("meta", Meta())
    assert isinstance(found, Meta)
    return found


def add_page(
    state: SimulatorState,
    page_id: str,
    name: str,
    *,
    person_id: str,
    tasks: tuple[str, ...] = ("MANAGE", "CREATE_CONTENT", "MODERATE", "MESSAGING", "ADVERTISE", "ANALYZE"),
    linked_id: str = "",
    linked_username: str = "",
) -> Page:
    with state.lock:
        page = meta(state).pages.setdefault(page_id, Page(page_id, name))
        page.tasks[person_id] = tasks
        page.linked_id, page.linked_username = linked_id or page.linked_id, linked_username
        return page


def _oauth_error(code: int, subcode: int, message: str) -> Reply:
    return error(400, code, message, subcode=subcode, kind="OAuthException")


def _bad_version(version: str) -> Reply | None:
    return None if VERSION.match(version) else error(400, 2500, f"Unknown path components: /{version}")


def _token_of(call: Call) -> str:
    token = call.param("access_token")
    if token:
        return token
    scheme, _, value = call.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _live(state: SimulatorState, call: Call, kind: str) -> Token | Reply:
    value = _token_of(call)
    if not value:
        return error(400, 104, "An access token is required to request this resource.")
    token = login(state).token(value, state.now(), kind)
    if token is None:
        known = login(state).tokens.get(value)
        if known is not None and known.expires_at is not None and state.now() >= known.expires_at:
            return _oauth_error(190, 463, "Error validating access token: Session has expired.")
        if known is not None:
            return _oauth_error(190, 460, "Error validating access token: The user has not authorized application.")
        return error(400, 190, "Invalid OAuth access token - Cannot parse access token")
    return token


def dialog(state: SimulatorState, call: Call, version: str) -> Reply:
    return _bad_version(version) or login(state).consent_page(call, call.path)


def decide(state: SimulatorState, call: Call, version: str) -> Reply:
    return _bad_version(version) or login(state).decide(call, state.now())


def access_token(state: SimulatorState, call: Call, version: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    server_ = login(state)
    client = server_.authenticate_client(call.param("client_id") or "", call.param("client_secret") or "")
    if isinstance(client, str):
        return _oauth_error(1, 0, "Error validating client secret.")
    now = state.now()
    if call.param("grant_type") == "fb_exchange_token":
        short = server_.token(call.param("fb_exchange_token") or "", now)
        if short is None:
            return _oauth_error(190, 0, "Invalid OAuth access token - Cannot parse access token")
        long = server_.issue(client.client_id, short.person_id, short.scopes, now, ttl=LONG_LIVED)
        return Reply(
            200, {"access_token": long.value, "token_type": "bearer", "expires_in": int(LONG_LIVED.total_seconds())}
        )
    code = server_.redeem(
        call.param("code") or "",
        client_id=client.client_id,
        redirect_uri=call.param("redirect_uri") or "",
        verifier=call.param("code_verifier") or "",
        now=now,
    )
    if isinstance(code, str):
        return {
            "expired": _oauth_error(100, 36007, "This authorization code has expired."),
            "used": _oauth_error(100, 36009, "This authorization code has been used."),
            "redirect_uri": _oauth_error(
                100,
                36008,
                "Error validating verification code. Please make sure your redirect_uri is identical to the one "
                "you used in the OAuth dialog request",
            ),
        }.get(code, _oauth_error(100, 36007, "Invalid verification code format."))
    token = server_.issue(client.client_id, code.person_id, code.scopes, now)
    return Reply(
        200, {"access_token": token.value, "token_type": "bearer", "expires_in": int(SHORT_LIVED.total_seconds())}
    )


def accounts(state: SimulatorState, call: Call, version: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    user = _live(state, call, "access")
    if isinstance(user, Reply):
        return user
    if "pages_show_list" not in user.scopes:
        return error(403, 200, "(#200) Requires pages_show_list permission to list the Pages of a user")
    data = []
    for page in meta(state).pages.values():
        tasks = page.tasks.get(user.person_id)
        if tasks is None:
            continue
        # A Page token lives as long as the user token it came from: for ever from a long-lived one.
        long_lived = user.expires_at is None or user.expires_at - state.now() > SHORT_LIVED
        token = login(state).issue(
            user.client_id,
            user.person_id,
            user.scopes,
            state.now(),
            ttl=None if long_lived else user.expires_at - state.now() if user.expires_at else None,
            kind="page",
            subject=page.id,
            prefix="EAAP",
        )
        facebook_graph(state).page_tokens[token.value] = page.id
        if page.linked_id:
            for hook in LINKED_TOKEN_HOOKS:
                hook(state, page.linked_id, token.value)
        data.append(
            {
                "id": page.id,
                "name": page.name,
                "access_token": token.value,
                "category": "Government Organization",
                "tasks": list(tasks),
            }
        )
    return Reply(200, {"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}})


def permissions(state: SimulatorState, call: Call, version: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    user = _live(state, call, "access")
    if isinstance(user, Reply):
        return user
    granted = login(state).grants.get((user.client_id, user.person_id), set())
    asked = set(user.scopes) | granted
    data = [{"permission": p, "status": "granted" if p in granted else "declined"} for p in sorted(asked)]
    return Reply(200, {"data": data})


def _page_token(state: SimulatorState, call: Call, page_id: str) -> Token | Reply:
    token = _live(state, call, "page")
    if isinstance(token, Reply):
        return token
    if token.subject != page_id:
        return error(403, 200, "(#200) Permissions error: the access token does not belong to this Page")
    return token


def page_fields(state: SimulatorState, call: Call, version: str, page_id: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    token_value = _token_of(call)
    if facebook_graph(state).page_tokens.get(token_value) == page_id and token_value not in login(state).tokens:
        # A Page set up directly in the Graph simulator (``facebook_graph(state).add_page``), not through Login.
        return Reply(200, {"id": page_id, "name": f"Page {page_id}"})
    token = _page_token(state, call, page_id)
    if isinstance(token, Reply):
        return token
    page = meta(state).pages[page_id]
    body: dict[str, Any] = {"id": page.id, "name": page.name}
    if "instagram_business_account" in (call.param("fields") or "") and page.linked_id:
        body["instagram_business_account"] = {"id": page.linked_id, "username": page.linked_username}
    return Reply(200, body)


def subscribe(state: SimulatorState, call: Call, version: str, page_id: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    token = _page_token(state, call, page_id)
    if isinstance(token, Reply):
        return token
    page = meta(state).pages[page_id]
    if "pages_manage_metadata" not in token.scopes:
        return error(403, 200, "(#200) Permissions error: subscribing needs the pages_manage_metadata permission")
    if not SUBSCRIBE_TASKS & set(page.tasks.get(token.person_id, ())):
        return error(
            403,
            210,
            "(#210) A Page access token from a person with the MANAGE, CREATE_CONTENT or MODERATE task is required",
        )
    fields = tuple(f for f in (call.param("subscribed_fields") or "").split(",") if f)
    if not fields:
        return error(400, 100, "(#100) The parameter subscribed_fields is required.")
    page.subscribed[token.client_id] = fields
    return Reply(200, {"success": True})


def subscriptions(state: SimulatorState, call: Call, version: str, page_id: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    token = _page_token(state, call, page_id)
    if isinstance(token, Reply):
        return token
    page = meta(state).pages[page_id]
    data = [{"id": app, "name": "CivicLoop", "subscribed_fields": list(f)} for app, f in page.subscribed.items()]
    return Reply(200, {"data": data})


def debug_token(state: SimulatorState, call: Call, version: str) -> Reply:
    if (bad := _bad_version(version)) is not None:
        return bad
    app_id, _, secret = (call.param("access_token") or "").partition("|")
    client = login(state).authenticate_client(app_id, secret)
    if isinstance(client, str):
        return _oauth_error(190, 0, "Invalid OAuth access token signature.")
    value = call.param("input_token") or ""
    known = login(state).tokens.get(value)
    live = login(state).token(value, state.now(), known.kind if known else "access")
    if known is None:
        return error(400, 190, "Invalid OAuth access token - Cannot parse access token")
    if live is None:
        data: dict[str, Any] = {
            "app_id": app_id,
            "is_valid": False,
            "scopes": [],
            "error": {"code": 190, "subcode": 460, "message": "The user has not authorized application."},
        }
        return Reply(200, {"data": data})
    data = {
        "app_id": live.client_id,
        "type": "PAGE" if live.kind == "page" else "USER",
        "application": "CivicLoop",
        "is_valid": True,
        "expires_at": int(live.expires_at.timestamp()) if live.expires_at else 0,
        "scopes": list(live.scopes),
        "user_id": live.person_id,
    }
    if live.subject:
        data["profile_id"] = live.subject
    return Reply(200, {"data": data})


def _add(method: str, path: str, endpoint: str, logic: Any) -> None:
    async def handler(request: Request, version: str, page_id: str = "") -> Response:
        state = state_of(request)
        args = (version, page_id) if "{page_id}" in path else (version,)
        return await dispatch(request, endpoint, lambda call: logic(state, call, *args), fault_body)

    router.add_api_route(path, handler, methods=[method], name=endpoint)


for _method, _path, _endpoint, _logic in (
    ("GET", "/{version}/dialog/oauth", "meta.dialog", dialog),
    ("POST", "/{version}/dialog/oauth", "meta.dialog_decision", decide),
    ("GET", "/{version}/oauth/access_token", "meta.access_token", access_token),
    ("GET", "/{version}/debug_token", "meta.debug_token", debug_token),
    ("GET", "/{version}/me/accounts", "meta.me_accounts", accounts),
    ("GET", "/{version}/me/permissions", "meta.me_permissions", permissions),
    ("POST", "/{version}/{page_id}/subscribed_apps", "meta.subscribed_apps", subscribe),
    ("GET", "/{version}/{page_id}/subscribed_apps", "meta.subscribed_apps_list", subscriptions),
    ("GET", "/{version}/{page_id}", "meta.page", page_fields),
):
    _add(_method, _path, _endpoint, _logic)
