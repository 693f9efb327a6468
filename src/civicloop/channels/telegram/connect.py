"""Connecting a Telegram bot (docs/channels/telegram.md, "Connecting"): the administrator pastes the token
@BotFather gave; ``getMe`` proves it and names the bot, and ``setWebhook`` points the bot at this
deployment with a secret token CivicLoop generates (Telegram sends it back in
``X-Telegram-Bot-Api-Secret-Token`` on every delivery)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from civicloop.channels.connect.base import Candidate, Checked, Connector, FormField, PlatformRefused, call, json_of

ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post"]


def bot_json(response: httpx.Response, what: str) -> dict[str, Any]:
    body = json_of("Telegram", response)
    if not body.get("ok"):
        status = response.status_code
        raise PlatformRefused(
            f"Telegram refused {what}: {body.get('description', 'no reason given')} "
            f"(error {body.get('error_code', status)})",
            transient=status >= 500 or status == 429,
        )
    return body


class TelegramConnector(Connector):
    kind = "form"
    label = "Telegram bot"
    fields = (
        FormField("bot_token", "Bot token", secret=True, hint="from @BotFather: 123456789:AA…"),
        FormField("channel_id", "Channel (optional)", hint="@channel or -100… for posts", required=False),
    )

    SIMULATED_BOT = (7098765432, "7098765432:AAH-simulated-demo-bot", "CivicLoopDemoBot")

    def simulate(self, state: Any, *, redirect_uris: Sequence[str], base_url: str) -> str:
        from civicloop.channels.telegram import simulator

        bot_id, token, username = self.SIMULATED_BOT
        if token not in simulator.bots(state):
            simulator.add_bot(state, bot_id, token, username)
        https = base_url.startswith("https://")
        return f"bot token {token}" + (
            ""
            if https
            else " (setWebhook needs an HTTPS address: serve the demo behind HTTPS and set CIVICLOOP_BASE_URL)"
        )

    def __init__(self, api_url: Any) -> None:
        self.api_url = api_url

    def _bot(self, token: str, method: str) -> str:
        return f"{self.api_url()}/bot{token}/{method}"

    def from_form(self, http: httpx.Client, values: Mapping[str, str], *, now: datetime) -> Candidate:
        token = values.get("bot_token", "").strip()
        if not token:
            raise PlatformRefused("paste the bot token @BotFather gave")
        me = bot_json(call("Telegram", http.get, self._bot(token, "getMe")), "the bot token").get("result", {})
        credentials = {"bot_token": token, "secret_token": secrets.token_urlsafe(32)}
        if values.get("channel_id", "").strip():
            credentials["channel_id"] = values["channel_id"].strip()
        name = str(me.get("first_name") or me.get("username") or me.get("id"))
        return Candidate(str(me.get("id", "")), name, credentials, detail=f"@{me.get('username', '')}")

    def activate(self, http: httpx.Client, candidate: Candidate, *, webhook_url: str) -> Candidate:
        body = {
            "url": webhook_url,
            "secret_token": candidate.credentials["secret_token"],
            "allowed_updates": ALLOWED_UPDATES,
        }
        bot_json(
            call("Telegram", http.post, self._bot(candidate.credentials["bot_token"], "setWebhook"), json=body),
            "setting the webhook",
        )
        return candidate

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        token = credentials.get("bot_token", "")
        response = call("Telegram", http.get, self._bot(token, "getMe"))
        if response.status_code == 401:
            reason = json_of("Telegram", response).get("description", "Unauthorized")
            return Checked(
                False,
                f"Telegram does not accept the bot token ({reason}; revoked in @BotFather?): connect it again",
                scopes=None,
            )
        me = bot_json(response, "the bot token").get("result", {})
        if str(me.get("id")) != external_id:
            return Checked(False, f"the token belongs to another bot ({me.get('id')})", scopes=None)
        info = bot_json(call("Telegram", http.get, self._bot(token, "getWebhookInfo")), "reading the webhook").get(
            "result", {}
        )
        url = str(info.get("url", ""))
        webhook = f"set to {url}" if url else "not set"
        return Checked(True, "", None, None, webhook)
