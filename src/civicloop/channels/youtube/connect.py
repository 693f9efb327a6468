"""Connecting a YouTube channel with Google's OAuth 2.0 for web server apps (docs/channels/youtube.md,
"Connecting"): consent with ``access_type=offline`` (and ``prompt=consent``, so that a refresh token is
issued even to someone who consented before) → ``POST /token`` → ``channels.list?mine=true``. The access
token lasts an hour; the refresh token gets a new one before it ends."""

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

DIALOG_URL = "https://accounts.google.com"
TOKEN_URL = "https://oauth2.googleapis.com"  # noqa: S105 - an address, not a secret
SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"


def google_json(response: httpx.Response, what: str) -> dict[str, Any]:
    body = json_of("Google", response)
    if response.status_code >= 400 or "error" in body:
        problem = body.get("error")
        if isinstance(problem, dict):  # the Data API's shape
            reason = str(problem.get("message", ""))
        else:
            reason = f"{body.get('error_description') or problem} ({problem})"
        raise refused("Google", what, reason, response.status_code)
    return body


class YouTubeConnector(Connector):
    kind = "oauth"
    label = "YouTube channel"
    app_key = "google"
    needed_scopes = (SCOPE,)
    refreshes = True

    def __init__(self, api_url: Any) -> None:
        self.api_url = api_url

    simulated_app: Mapping[str, str] = {
        "client_id": "google-client.apps.googleusercontent.com",
        "client_secret": "google-secret",
    }
    SIMULATED_CHANNEL = ("UCq3Wd7Bv0sTtkY5oN2hRm8A", "Thimphu Thromde", "@thimphuthromde")

    def app(self) -> dict[str, str]:
        return app_settings("google", "client_id", "client_secret")

    def simulate(self, state: Any, *, redirect_uris: Sequence[str], base_url: str) -> str:
        from civicloop.channels.youtube import google_oauth

        app = self.simulated_app
        server = google_oauth.oauth(state)
        server.add_client(app["client_id"], app["client_secret"], *redirect_uris)
        channel_id, name, handle = self.SIMULATED_CHANNEL
        server.add_person(channel_id, name, handle)
        return f"choose the channel {handle}"

    def authorize_url(self, *, state: str, redirect_uri: str, challenge: str) -> str:
        params = {
            "client_id": self.app()["client_id"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPE,
            "access_type": "offline",
            "prompt": "consent",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{oauth_url('youtube.dialog', DIALOG_URL)}/o/oauth2/v2/auth?{urlencode(params)}"

    def _token(self, http: httpx.Client, form: dict[str, str], what: str) -> dict[str, Any]:
        app = self.app()
        form = form | {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        return google_json(call("Google", http.post, f"{oauth_url('youtube.token', TOKEN_URL)}/token", data=form), what)

    def exchange(self, http: httpx.Client, *, code: str, redirect_uri: str, verifier: str, now: datetime) -> Grant:
        body = self._token(
            http,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier},
            "the authorization code",
        )
        secret = {"access_token": str(body.get("access_token", ""))}
        if body.get("refresh_token"):
            secret["refresh_token"] = str(body["refresh_token"])
        return Grant(secret, tuple(str(body.get("scope", "")).split()), expiry(now, body.get("expires_in")))

    def candidates(self, http: httpx.Client, grant: Grant, *, now: datetime) -> list[Candidate]:
        headers = {"authorization": f"Bearer {grant.secret['access_token']}"}
        body = google_json(
            call(
                "YouTube",
                http.get,
                f"{self.api_url()}/channels",
                params={"part": "snippet", "mine": "true"},
                headers=headers,
            ),
            "reading your channel",
        )
        problem = "" if SCOPE in grant.scopes else "you did not allow managing your YouTube comments: connect again"
        if not problem and "refresh_token" not in grant.secret:
            problem = (
                "Google gave no refresh token: remove CivicLoop's access in your Google account, then connect again"
            )
        return [
            Candidate(
                external_id=str(item.get("id", "")),
                name=str(item.get("snippet", {}).get("title", "")),
                credentials=dict(grant.secret),
                problem=problem,
                scopes=grant.scopes,
                token_expires_at=grant.expires_at,
                detail="YouTube channel",
            )
            for item in body.get("items", [])
            if isinstance(item, dict)
        ] or [Candidate("", "", problem="this Google account has no YouTube channel")]

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        headers = {"authorization": f"Bearer {credentials.get('access_token', '')}"}
        response = call(
            "YouTube",
            http.get,
            f"{self.api_url()}/channels",
            params={"part": "snippet", "mine": "true"},
            headers=headers,
        )
        if response.status_code == 401:
            return Checked(False, "YouTube no longer accepts the channel's token: reconnect it", scopes=())
        items = google_json(response, "reading the channel").get("items", [])
        if not any(isinstance(i, dict) and i.get("id") == external_id for i in items):
            return Checked(False, "the token belongs to another channel", scopes=None)
        return Checked(True, scopes=None)

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
        return Refreshed(
            dict(credentials) | {"access_token": str(body.get("access_token", ""))}, expiry(now, body.get("expires_in"))
        )
