"""Deleting a message in a group the bot administers (``deleteMessage``).

Contract (core.telegram.org/bots/api#deletemessage, docs/moderation.md): ``POST /bot<token>/deleteMessage``
with ``chat_id`` and ``message_id``; a bot that administers a group may delete any message there, only
within 48 hours of its sending; the answer is ``{"ok": true, "result": true}`` or ``{"ok": false,
"error_code", "description"}``. Telegram has no hiding: a message is there or it is deleted, so the only
operation offered is the agency head's deletion.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from civicloop.channels.moderation import ModerationCall, Operation, PlatformAnswer, answer_of, json_of, no_answer


class TelegramModerator:
    operations = frozenset({Operation.delete})
    hide_means = "Telegram cannot hide a message; only the agency head can delete it"

    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer:
        chat, _, message_id = call.target.rpartition(":")
        if not chat or not message_id.lstrip("-").isdigit():
            return PlatformAnswer(False, None, "", f"not a Telegram message id: {call.target!r}")
        url = f"{self._api_url()}/bot{call.credentials.get('bot_token', '')}/deleteMessage"
        try:
            response = http.post(url, json={"chat_id": chat, "message_id": int(message_id)})
        except httpx.TransportError as exc:
            return no_answer(exc)
        body = json_of(response)
        if response.status_code == 200 and isinstance(body, dict) and body.get("ok") is True:
            return answer_of(response, True, "deleted in the Telegram group")
        detail = body.get("description") if isinstance(body, dict) else None
        return answer_of(response, False, f"Telegram answered {response.status_code}: {detail or 'no detail'}")
