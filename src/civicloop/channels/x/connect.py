"""Connecting an X account with OAuth 2.0 Authorization Code and PKCE (docs/channels/x.md, "Connecting").

The consent page on x.com → ``POST /2/oauth2/token`` (confidential client: HTTP Basic; the code once,
with the PKCE verifier) → a 2-hour user token and, with ``offline.access``, a refresh token that rotates
at each refresh → ``GET /2/users/me`` → the user subscribed to the app's Account Activity webhook
(``POST /2/account_activity/webhooks/{webhook_id}/subscriptions/all``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from civicloop.channels.connect.base import (
    Candidate,
    Checked,
    Connector,
    Grant,
    PlatformRefused,
    Refreshed,
    RefreshRefused,
    app_settings,
    call,
    expiry,
    json_of,
    oauth_url,
    refused,
)
from civicloop.config import get_settings

DIALOG_URL = "https://x.com"


def api(path: str) -> str:
    return f"{get_settings().x_api_url.rstrip('/')}/{path.lstrip('/')}"


def x_error(body: Mapping[str, Any]) -> str:
    if "error" in body:
        return f"{body.get('error_description') or body['error']} ({body['error']})"
    return str(body.get("detail") or body.get("title") or "an error without explanation")


def x_json(response: httpx.Response, what: str) -> dict[str, Any]:
    body = json_of("X", response)
    if response.status_code >= 400 or "error" in body:
        raise refused("X", what, x_error(body), response.status_code)
    return body


class XConnector(Connector):
    kind = "oauth"
    label = "X account"
    article = "an"
    app_key = "x"
    needed_scopes = ("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write", "offline.access")
    refreshes = True

    simulated_app: Mapping[str, str] = {
        "client_id": "x-client-id",
        "client_secret": "x-client-secret",
        "consumer_secret": "x-consumer-secret",
        "webhook_id": "1512345678901234567",
    }
    SIMULATED_USER = ("1450055566677788899", "Thimphu Thromde", "ThimphuThromde")

    def app(self) -> dict[str, str]:
        return app_settings("x", "client_id", "client_secret", "consumer_secret", "webhook_id")

    def simulate(self, state: Any, *, redirect_uris: Sequence[str], base_url: str) -> str:
        from civicloop.channels.x import oauth_simulator

        app = self.simulated_app
        server = oauth_simulator.oauth(state)
        server.add_client(app["client_id"], app["client_secret"], *redirect_uris)
        user_id, name, username = self.SIMULATED_USER
        server.add_person(user_id, name, username)
        # The app's Account Activity webhook, registered once in X's developer portal.
        oauth_simulator.add_webhook(state, app["webhook_id"], f"{base_url.rstrip('/')}/webhooks/x/any")
        return f"authorize as @{username}"

    def authorize_url(self, *, state: str, redirect_uri: str, challenge: str) -> str:
        params = {
            "response_type": "code",
            "client_id": self.app()["client_id"],
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.needed_scopes),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{oauth_url('x.dialog', DIALOG_URL)}/i/oauth2/authorize?{urlencode(params)}"

    def _token(self, http: httpx.Client, form: dict[str, str], what: str) -> dict[str, Any]:
        app = self.app()
        response = call(
            "X",
            http.post,
            api("2/oauth2/token"),
            data=form | {"client_id": app["client_id"]},
            auth=(app["client_id"], app["client_secret"]),
        )
        return x_json(response, what)

    def exchange(self, http: httpx.Client, *, code: str, redirect_uri: str, verifier: str, now: datetime) -> Grant:
        body = self._token(
            http,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier},
            "the authorization code",
        )
        secret = {"bearer_token": str(body.get("access_token", ""))}
        if body.get("refresh_token"):
            secret["refresh_token"] = str(body["refresh_token"])
        scopes = tuple(str(body.get("scope", "")).split())
        return Grant(secret, scopes, expiry(now, body.get("expires_in")))

    def candidates(self, http: httpx.Client, grant: Grant, *, now: datetime) -> list[Candidate]:
        me = x_json(
            call("X", http.get, api("2/users/me"), headers={"authorization": f"Bearer {grant.secret['bearer_token']}"}),
            "reading the account",
        ).get("data", {})
        missing = [s for s in self.needed_scopes if s not in grant.scopes]
        return [
            Candidate(
                external_id=str(me.get("id", "")),
                name=str(me.get("name") or me.get("username") or me.get("id")),
                credentials={"consumer_secret": self.app()["consumer_secret"], **grant.secret},
                problem=f"you did not allow {', '.join(missing)}: connect again and allow them" if missing else "",
                scopes=grant.scopes,
                token_expires_at=grant.expires_at,
                detail=f"@{me.get('username', '')}",
            )
        ]

    def _webhook(self) -> str:
        return api(f"2/account_activity/webhooks/{self.app()['webhook_id']}/subscriptions/all")

    def activate(self, http: httpx.Client, candidate: Candidate, *, webhook_url: str) -> Candidate:
        headers = {"authorization": f"Bearer {candidate.credentials['bearer_token']}"}
        x_json(call("X", http.post, self._webhook(), headers=headers), "subscribing the account to the webhook")
        return candidate

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        token = credentials.get("bearer_token", "")
        if not token:
            # OAuth 1.0a credentials pasted for a script: checked by the first send, not here.
            return Checked(True, scopes=None)
        headers = {"authorization": f"Bearer {token}"}
        response = call("X", http.get, api("2/users/me"), headers=headers)
        if response.status_code == 401:
            return Checked(False, "X no longer accepts the account's token: reconnect it", scopes=())
        me = x_json(response, "reading the account").get("data", {})
        if str(me.get("id")) != external_id:
            return Checked(False, f"the token belongs to another X user ({me.get('id')})", scopes=None)
        if not get_settings().platform_apps.get("x", {}).get("webhook_id"):
            return Checked(True, scopes=None)
        state = x_json(call("X", http.get, self._webhook(), headers=headers), "reading the webhook subscription")
        subscribed = bool(state.get("data", {}).get("subscribed"))
        problem = "" if subscribed else "the account is not subscribed to the app's webhook: reconnect it"
        return Checked(subscribed, problem, None, None, "subscribed" if subscribed else "not subscribed")

    def refresh(self, http: httpx.Client, credentials: Mapping[str, str], *, now: datetime) -> Refreshed | None:
        refresh_token = credentials.get("refresh_token")
        if not refresh_token:
            return None
        try:
            body = self._token(
                http, {"grant_type": "refresh_token", "refresh_token": refresh_token}, "refreshing the token"
            )
        except PlatformRefused as exc:
            if exc.transient:
                raise
            raise RefreshRefused(exc.message) from exc
        fresh = dict(credentials) | {"bearer_token": str(body.get("access_token", ""))}
        if body.get("refresh_token"):
            fresh["refresh_token"] = str(body["refresh_token"])
        return Refreshed(fresh, expiry(now, body.get("expires_in")))
