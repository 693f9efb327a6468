"""Bot API calls for replies in private chats and groups, and posts to the bot's channel.

Contract (core.telegram.org/bots/api#sendmessage, docs/channels/telegram.md): ``POST
/bot<token>/sendMessage`` with ``chat_id``, ``text`` (1–4096 characters after entity parsing) and,
for a reply, ``reply_parameters: {"message_id"}``; the answer is ``{"ok": true, "result": Message}``
or ``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``. 429 waits
``retry_after`` seconds; 403 (the person blocked the bot, or it left the group) and 400 are final.
The Bot API offers no way to list what a bot sent, so an interrupted attempt cannot be checked: it
becomes ``unconfirmed`` for a person to decide (docs/adr/0004).
"""

from __future__ import annotations

from typing import Any

import httpx

from civicloop.channels.delivery import (
    Delivery,
    Next,
    SendError,
    Sent,
    Unverifiable,
    classify_http,
    classify_transport,
)
from civicloop.kit.clock import utcnow

TEXT_LIMIT = 4096


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def classify(response: httpx.Response, answer: dict[str, Any]) -> SendError:
    reason = f"Telegram answered {response.status_code}: {answer.get('description') or 'no detail'}"
    retry_after = (
        answer.get("parameters", {}).get("retry_after") if isinstance(answer.get("parameters"), dict) else None
    )
    if response.status_code == 429 and isinstance(retry_after, int):
        return SendError(reason, Next.retry, wait=float(retry_after))
    if response.status_code == 403:
        return SendError(reason + " — the person blocked the bot, or the bot is no longer in the chat", Next.give_up)
    if response.status_code == 401:
        return SendError(reason + " — check the account's bot_token", Next.give_up)
    return classify_http(response, utcnow(), reason)


class TelegramSender:
    platform = "telegram"

    def __init__(self, api_url: Any) -> None:
        # A callable, so that the URL is read from the settings at send time (tests point it elsewhere).
        self._api_url = api_url

    def _chat_and_reply(self, delivery: Delivery) -> tuple[str, dict[str, Any] | None]:
        if delivery.route == "telegram_post":
            channel = delivery.credentials.get("channel_id", "")
            if not channel:
                raise SendError("add the channel_id credential to post to the bot's channel", Next.give_up)
            return channel, None
        if delivery.route == "telegram_reply" and delivery.target:
            chat, _, message_id = delivery.target.rpartition(":")
            return chat, {"message_id": int(message_id), "allow_sending_without_reply": True}
        if not delivery.recipient:
            raise SendError("no chat to send to", Next.give_up)
        return delivery.recipient, None

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        chat, reply = self._chat_and_reply(delivery)
        body: dict[str, Any] = {"chat_id": chat, "text": delivery.text}
        if reply is not None:
            body["reply_parameters"] = reply
        url = f"{self._api_url()}/bot{delivery.credentials.get('bot_token', '')}/sendMessage"
        try:
            response = http.post(url, json=body)
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc
        answer = _answer(response)
        if response.status_code != 200 or answer.get("ok") is not True:
            raise classify(response, answer)
        result = answer.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if not isinstance(result, dict) or not isinstance(message_id, int):
            raise SendError("Telegram answered ok without a message_id", Next.check)
        sent_in = result.get("chat")
        return Sent(f"{sent_in.get('id', chat) if isinstance(sent_in, dict) else chat}:{message_id}")

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        raise Unverifiable("the Bot API cannot list the messages a bot sent")
