"""Meta's Login (authorization-code flow) and Page set-up, shared by the connectors of the platforms Meta
runs on its Graph API (docs/channels/connecting.md).

The Login dialog → ``/oauth/access_token`` (the code, once) → a long-lived user token
(``fb_exchange_token``) → ``/me/accounts``: the Pages the person has a task on, each with a Page token
that does not expire → ``POST /{page-id}/subscribed_apps`` so that the Page's events reach the app's
webhook. Each platform's own connector (in its folder) says what it connects from there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from civicloop.channels.connect.base import (
    Checked,
    Connector,
    Grant,
    app_settings,
    call,
    expiry,
    json_of,
    missing_scopes,
    oauth_url,
    refused,
)
from civicloop.channels.meta import graph_api, graph_version
from civicloop.config import get_settings

DIALOG_URL = "https://www.facebook.com"  # Meta's Login dialog host
# Tasks that let a person's Page token subscribe the app and answer comments (and, with MESSAGING, messages).
MODERATING_TASKS = frozenset({"MANAGE", "CREATE_CONTENT", "MODERATE"})


def graph(path: str) -> str:
    return f"{graph_api()}/{graph_version()}/{path.lstrip('/')}"


def meta_error(body: Mapping[str, Any]) -> str:
    problem = body.get("error")
    if isinstance(problem, dict):
        code = problem.get("code")
        sub = problem.get("error_subcode")
        return f"{problem.get('message', 'an error')} (code {code}{f', subcode {sub}' if sub else ''})"
    return "an error without explanation"


def meta_json(response: httpx.Response, what: str, who: str = "Meta") -> dict[str, Any]:
    body = json_of(who, response)
    if response.status_code >= 400 or "error" in body:
        raise refused(who, what, meta_error(body), response.status_code)
    return body


class MetaLogin(Connector):
    """Meta's Login; subclasses (in each platform's folder) list and activate what it finds."""

    kind = "oauth"
    who = "Meta"  # named in the messages: the platform whose Login it is to the person
    app_key = "meta"
    subscribed_fields = "feed,messages"

    simulated_app: Mapping[str, str] = {
        "app_id": "1234567890123",
        "app_secret": "meta-app-secret",
        "verify_token": "meta-verify",
    }
    # On the simulated Login: a person who manages a Page, with a professional account linked to it.
    SIMULATED_PAGE = ("104577788899900", "Thimphu Thromde")
    SIMULATED_PERSON = ("10229000000000001", "Karma Wangmo")
    SIMULATED_LINKED = ("17841400000000001", "thimphuthromde")

    def app(self) -> dict[str, str]:
        return app_settings("meta", "app_id", "app_secret", "verify_token")

    def simulate(self, state: Any, *, redirect_uris: Sequence[str], base_url: str) -> str:
        from civicloop.channels.meta import simulator

        app = self.simulated_app
        login = simulator.login(state)
        login.add_client(app["app_id"], app["app_secret"], *redirect_uris)
        person, name = self.SIMULATED_PERSON
        login.add_person(person, name)
        page_id, page_name = self.SIMULATED_PAGE
        linked_id, linked_username = self.SIMULATED_LINKED
        simulator.add_page(
            state, page_id, page_name, person_id=person, linked_id=linked_id, linked_username=linked_username
        )
        return (
            f"on Meta's consent page continue as {name}, who manages the Page {page_name} (linked @{linked_username})"
        )

    def authorize_url(self, *, state: str, redirect_uri: str, challenge: str) -> str:
        # The Login's manual flow has no PKCE; the state bound to the official's session guards it.
        version = graph_version()
        params = {
            "client_id": self.app()["app_id"],
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(self.needed_scopes),
        }
        return f"{oauth_url('meta.dialog', DIALOG_URL)}/{version}/dialog/oauth?{urlencode(params)}"

    def exchange(self, http: httpx.Client, *, code: str, redirect_uri: str, verifier: str, now: datetime) -> Grant:
        app = self.app()
        short = meta_json(
            call(
                self.who,
                http.get,
                graph("oauth/access_token"),
                params={
                    "client_id": app["app_id"],
                    "client_secret": app["app_secret"],
                    "redirect_uri": redirect_uri,
                    "code": code,
                },
            ),
            "the authorization code",
            self.who,
        )
        long = meta_json(
            call(
                self.who,
                http.get,
                graph("oauth/access_token"),
                params={
                    "grant_type": "fb_exchange_token",
                    "client_id": app["app_id"],
                    "client_secret": app["app_secret"],
                    "fb_exchange_token": str(short.get("access_token", "")),
                },
            ),
            "a long-lived token",
            self.who,
        )
        token = str(long.get("access_token", ""))
        permissions = meta_json(
            call(self.who, http.get, graph("me/permissions"), params={"access_token": token}),
            "the permissions",
            self.who,
        )
        granted = tuple(
            str(p.get("permission"))
            for p in permissions.get("data", [])
            if isinstance(p, dict) and p.get("status") == "granted"
        )
        return Grant({"user_access_token": token}, granted, expiry(now, long.get("expires_in")))

    def pages(self, http: httpx.Client, grant: Grant) -> list[dict[str, Any]]:
        body = meta_json(
            call(
                self.who,
                http.get,
                graph("me/accounts"),
                params={"access_token": grant.secret["user_access_token"], "fields": "id,name,access_token,tasks"},
            ),
            "the list of your Pages",
            self.who,
        )
        return [p for p in body.get("data", []) if isinstance(p, dict)]

    def role_problem(self, page: Mapping[str, Any]) -> str:
        tasks = {str(t) for t in page.get("tasks") or []}
        if not MODERATING_TASKS & tasks:
            return (
                "your role on this Page does not allow it: a Page admin must give you full control, or the "
                "content or moderation task"
            )
        if "MESSAGING" not in tasks:
            return "your role on this Page does not include messaging: a Page admin must give you that task"
        return ""

    def scope_problem(self, grant: Grant) -> str:
        missing = missing_scopes(self.needed_scopes, grant.scopes)
        if missing:
            return f"you did not allow {', '.join(missing)}: connect again and allow every permission asked"
        return ""

    def credentials(self, page_token: str) -> dict[str, str]:
        app = self.app()
        return {"app_secret": app["app_secret"], "verify_token": app["verify_token"], "page_access_token": page_token}

    def subscribe(self, http: httpx.Client, page_id: str, page_token: str) -> None:
        meta_json(
            call(
                self.who,
                http.post,
                graph(f"{page_id}/subscribed_apps"),
                params={"subscribed_fields": self.subscribed_fields, "access_token": page_token},
            ),
            "subscribing the app to the Page's webhooks",
            self.who,
        )

    def check_page(self, http: httpx.Client, page_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        token = credentials.get("page_access_token", "")
        if not token:
            return Checked(False, "no Page token is stored: connect the account (or add page_access_token)", scopes=())
        configured = get_settings().platform_apps.get("meta", {})
        if not configured.get("app_id") or configured.get("app_secret") != credentials.get("app_secret"):
            # Credentials pasted for another Meta app than this deployment's (``debug_token`` needs the app
            # the token belongs to): the Page token must still work for its Page.
            page = meta_json(
                call(self.who, http.get, graph(page_id), params={"fields": "id,name", "access_token": token}),
                "the Page token",
                self.who,
            )
            if str(page.get("id")) != page_id:
                return Checked(False, f"the Page token belongs to another Page ({page.get('id')})", scopes=None)
            return Checked(True, scopes=None)
        app = self.app()
        debug = meta_json(
            call(
                self.who,
                http.get,
                graph("debug_token"),
                params={"input_token": token, "access_token": f"{app['app_id']}|{app['app_secret']}"},
            ),
            "checking the token",
            self.who,
        ).get("data", {})
        if not isinstance(debug, dict) or not debug.get("is_valid"):
            reason = debug.get("error", {}).get("message", "") if isinstance(debug, dict) else ""
            return Checked(False, f"{self.who} no longer accepts the Page token ({reason or 'invalid'})", scopes=())
        scopes = tuple(str(s) for s in debug.get("scopes") or [])
        expires = int(debug.get("expires_at") or 0)
        valid_until = datetime.fromtimestamp(expires, UTC) if expires else None
        missing = missing_scopes(self.needed_scopes, scopes)
        apps = meta_json(
            call(self.who, http.get, graph(f"{page_id}/subscribed_apps"), params={"access_token": token}),
            "reading the Page's subscriptions",
            self.who,
        )
        ours = any(str(a.get("id")) == app["app_id"] for a in apps.get("data", []) if isinstance(a, dict))
        webhook = "subscribed" if ours else "not subscribed"
        problem = ""
        if missing:
            problem = (
                f"the permission(s) {', '.join(missing)} were removed on {self.who}: reconnect to grant them again"
            )
        elif not ours:
            problem = "the app is no longer subscribed to the Page's webhooks: reconnect"
        return Checked(not problem, problem, scopes, valid_until, webhook)
