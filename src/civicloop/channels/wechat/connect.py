"""Connecting a WeChat Official Account (docs/channels/wechat.md, "Connecting"): WeChat has no OAuth for
this, so the administrator copies the AppID, AppSecret, server Token and EncodingAESKey from the Official
Account console; CivicLoop fetches an access token with them, which proves the AppID and secret (and that
this server's address is on the account's IP whitelist), and keeps refreshing it before its two hours end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from civicloop.channels.connect.base import Candidate, Checked, Connector, FormField, PlatformRefused
from civicloop.channels.delivery import SendError
from civicloop.channels.wechat.outbound import fetch_token


class WeChatConnector(Connector):
    # An Official Account on the simulated platform: (AppID, AppSecret, original id).
    SIMULATED_APP = ("wx9a8b7c6d5e4f3a2b", "simulated-demo-app-secret", "gh_9a8b7c6d5e4f")

    kind = "form"
    label = "WeChat Official Account"
    refreshes = True  # the access token is fetched again before its two hours end (channels.connect.tasks)

    def simulate(self, state: Any, *, redirect_uris: Sequence[str], base_url: str) -> str:
        from civicloop.channels.wechat.simulator import WeChatApp, wechat_api

        app_id, secret, original_id = self.SIMULATED_APP
        wechat_api(state).add_app(WeChatApp(app_id, secret, original_id))
        return f"original ID {original_id}, AppID {app_id}, AppSecret {secret}, any server Token"

    fields = (
        FormField("external_id", "Original ID", hint="gh_… (Settings → Account details)"),
        FormField("name", "Display name"),
        FormField("app_id", "AppID", hint="wx… (Development → Basic configuration)"),
        FormField("app_secret", "AppSecret", secret=True),
        FormField("token", "Server Token", secret=True, hint="the Token typed in the server configuration"),
        FormField(
            "encoding_aes_key", "EncodingAESKey", secret=True, hint="43 characters; for safe mode", required=False
        ),
    )

    def _token(self, http: httpx.Client, credentials: Mapping[str, str]) -> Checked:
        try:
            fetch_token(http, credentials)
        except SendError as exc:
            raise PlatformRefused(exc.reason, transient=exc.next_step.value == "retry") from exc
        return Checked(True, scopes=None)

    def from_form(self, http: httpx.Client, values: Mapping[str, str], *, now: datetime) -> Candidate:
        credentials = {
            k: values[k].strip()
            for k in ("app_id", "app_secret", "token", "encoding_aes_key")
            if values.get(k, "").strip()
        }
        self._token(http, credentials)
        return Candidate(values.get("external_id", "").strip(), values.get("name", "").strip(), credentials)

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        if not credentials.get("app_secret"):
            return Checked(True, scopes=None)  # receive-only: no secret, no token to fetch
        try:
            return self._token(http, credentials)
        except PlatformRefused as exc:
            if exc.transient:
                raise
            return Checked(False, exc.message, scopes=None)
