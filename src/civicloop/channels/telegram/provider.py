"""Telegram Bot API webhooks: messages in private chats with the bot, in groups it administers, and
the posts of channels it administers.

Contract (core.telegram.org/bots/api, docs/channels/telegram.md): ``setWebhook`` with a
``secret_token`` makes Telegram send it back in the ``X-Telegram-Bot-Api-Secret-Token`` header of
every delivery; that header is the only proof of origin (Telegram does not sign bodies). Each POST is
one JSON ``Update`` with an ``update_id`` and at most one of ``message``, ``edited_message``,
``channel_post``, ``edited_channel_post``, ``my_chat_member``, ...; a failed delivery is repeated, so
the ``update_id`` is the dedup key. A bot's webhook URL is its own (one account per URL): updates do
not name the bot, so they are routed to the URL's only account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.responses import Response

from civicloop.channels import base
from civicloop.channels.base import Action, ChannelApp, ContactRef, EventItem, Inbound, ProviderBase, WebhookRequest
from civicloop.channels.documents import from_unix, load_json, obj, text_of
from civicloop.channels.models import ConversationKind, Direction
from civicloop.errors import BadRequest, InvalidSignature, NotFound
from civicloop.kit.crypto import constant_time_equal

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
PRIVATE = "private"
CHANNEL = "channel"


def message_key(chat_id: str, message_id: str) -> str:
    """A message id is unique only within its chat: the key names both."""
    return f"{chat_id}:{message_id}"


def _name(person: dict[str, Any]) -> str:
    return " ".join(p for p in (text_of(person.get("first_name")), text_of(person.get("last_name"))) if p)


def _attachments(message: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        # Telegram sends every size of a photo; the last is the largest.
        found.append({"type": "photo", "file_id": text_of(obj(photos[-1]).get("file_id"))})
    for kind in ("document", "video", "voice", "audio"):
        media = obj(message.get(kind))
        if media:
            found.append({"type": kind, "file_id": text_of(media.get("file_id"))})
    return tuple(found)


def _parse(update: Any, kind: str, action: Action) -> list[Inbound]:
    message = obj(obj(update).get(kind))
    chat = obj(message.get("chat"))
    chat_id, message_id = text_of(chat.get("id")), text_of(message.get("message_id"))
    if not chat_id or not message_id:
        return []
    chat_type = text_of(chat.get("type"))
    sender = obj(message.get("from"))
    # A channel's posts are the agency's own (made by its admins, signed by the channel).
    own = chat_type == CHANNEL
    contact = None
    if not own and sender:
        contact = ContactRef(text_of(sender.get("id")), _name(sender), handle=text_of(sender.get("username")) or None)
    replied = obj(message.get("reply_to_message"))
    reply_to = message_key(chat_id, text_of(replied.get("message_id"))) if replied.get("message_id") else None
    username = text_of(chat.get("username"))
    private = chat_type == PRIVATE
    # A private chat is a direct conversation. In a group each citizen has a conversation of their own
    # (a group has no posts to comment on: what a citizen writes there is their thread), and a reply
    # joins the conversation of the message it answers; a channel's own posts are the chat's post.
    ref = chat_id if private or own or contact is None else f"{chat_id}/{contact.platform_user_id}"
    return [
        Inbound(
            action=action,
            account_ref="",
            conversation_kind=ConversationKind.direct if private else ConversationKind.comment_thread,
            conversation_ref=ref,
            thread_parent_external_id=None if private else reply_to,
            post_ref=None if private else chat_id,
            created_at=from_unix(message.get("edit_date") if action is Action.edit else message.get("date")),
            external_id=message_key(chat_id, message_id),
            direction=Direction.outbound if own else Direction.inbound,
            contact=contact,
            text=text_of(message.get("text")) or text_of(message.get("caption")),
            attachments=_attachments(message),
            reply_to_external_id=reply_to,
            permalink=f"https://t.me/{username}/{message_id}" if username and chat_type != PRIVATE else None,
            subject=text_of(chat.get("title")) or None,
        )
    ]


def parse_message(update: Any) -> list[Inbound]:
    return _parse(update, "message", Action.message)


def parse_edited_message(update: Any) -> list[Inbound]:
    return _parse(update, "edited_message", Action.edit)


def parse_channel_post(update: Any) -> list[Inbound]:
    return _parse(update, "channel_post", Action.message)


def parse_edited_channel_post(update: Any) -> list[Inbound]:
    return _parse(update, "edited_channel_post", Action.edit)


class TelegramProvider(ProviderBase):
    """Telegram Bot API: one bot per account, updates pushed to its own webhook URL."""

    name: ClassVar[str] = "telegram"
    HANDLERS: ClassVar[Mapping[str, base.Handler]] = {
        "message": parse_message,
        "edited_message": parse_edited_message,
        "channel_post": parse_channel_post,
        "edited_channel_post": parse_edited_channel_post,
    }
    IGNORED: ClassVar[Mapping[str, str]] = {
        "my_chat_member": "the bot was added to or removed from a chat: no words",
        "chat_member": "membership changes are not messages",
        "chat_join_request": "join requests are not messages",
        "callback_query": "the bot shows no buttons",
        "inline_query": "the bot offers no inline mode",
        "chosen_inline_result": "the bot offers no inline mode",
        "message_reaction": "reactions are not messages",
        "message_reaction_count": "reactions are not messages",
        "poll": "polls are not messages",
        "poll_answer": "polls are not messages",
    }

    def handshake(self, query: Mapping[str, str], app: ChannelApp) -> Response:
        # Telegram makes no GET: the webhook is registered by calling setWebhook.
        raise NotFound("Telegram webhooks have no verification request; register them with setWebhook")

    def verify(self, request: WebhookRequest, app: ChannelApp) -> bytes:
        header = request.headers.get(SECRET_HEADER, "")
        secret = app.credential("secret_token")
        if not header or not secret:
            raise InvalidSignature("missing X-Telegram-Bot-Api-Secret-Token header")
        if not constant_time_equal(header, secret):
            raise InvalidSignature("X-Telegram-Bot-Api-Secret-Token does not match the bot's secret_token")
        return request.body

    def events(self, payload: bytes) -> list[EventItem]:
        update = load_json(payload)
        update_id = update.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise BadRequest("not a Telegram Update: no integer update_id")
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            raise BadRequest("a Telegram Update carries one kind of update besides update_id")
        # At most one kind per update (Bot API): its update_id is the delivery's dedup key.
        return [EventItem(kinds[0], f"update:{update_id}", "", payload)]
