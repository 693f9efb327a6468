"""Instagram webhooks (Meta Graph API, professional accounts): comments on the account's media and
direct messages.

Contract (developers.facebook.com/docs/instagram-platform/webhooks, docs/channels/instagram.md): the
same GET handshake (``hub.challenge``) and ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with
the app secret) as Meta's Page webhooks; ``{"object": "instagram", "entry": [{"id": <IG account id>,
"time", "changes": [{"field": "comments", "value": {"id", "from": {"id", "username"}, "text",
"media": {"id", "media_product_type"}, "parent_id"?}}] | "messaging": [{"sender", "recipient",
"timestamp", "message": {"mid", "text", "is_echo"?}}]}]}``. Meta retries failed deliveries: the comment
id and the message ``mid`` are the dedup keys. One Meta app may serve several agencies' accounts:
events are routed by ``entry.id``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.responses import PlainTextResponse, Response

from civicloop.channels import base
from civicloop.channels.base import Action, ChannelApp, ContactRef, EventItem, Inbound, ProviderBase, WebhookRequest
from civicloop.channels.documents import digest, dump_json, from_unix, items, load_json, obj, text_of
from civicloop.channels.models import ConversationKind, Direction
from civicloop.errors import BadRequest, Forbidden, InvalidSignature
from civicloop.kit.crypto import constant_time_equal

SIGNATURE_HEADER = "x-hub-signature-256"
MESSAGING_KINDS = ("message", "reaction", "read", "postback", "referral")


def sign(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def parse_comment(document: Any) -> list[Inbound]:
    entry = items(obj(document).get("entry"))[0]
    account = text_of(entry.get("id"))
    value = obj(items(entry.get("changes"))[0].get("value"))
    comment_id, author = text_of(value.get("id")), obj(value.get("from"))
    author_id, media_id = text_of(author.get("id")), text_of(obj(value.get("media")).get("id"))
    if not comment_id or not author_id or not media_id:
        return []
    own = author_id == account
    username = text_of(author.get("username"))
    parent = text_of(value.get("parent_id")) or None
    return [
        Inbound(
            action=Action.message,
            account_ref=account,
            # Each top-level comment on a post (media) is a conversation of its own; a reply joins its
            # comment's (Instagram threads comments two levels deep).
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=parent or comment_id,
            thread_parent_external_id=parent,
            post_ref=media_id,
            created_at=from_unix(entry.get("time")),
            external_id=comment_id,
            direction=Direction.outbound if own else Direction.inbound,
            contact=None if own else ContactRef(author_id, username, handle=username or None),
            text=text_of(value.get("text")),
            reply_to_external_id=parent,
        )
    ]


def parse_message(document: Any) -> list[Inbound]:
    entry = items(obj(document).get("entry"))[0]
    account = text_of(entry.get("id"))
    event = items(entry.get("messaging"))[0]
    message = obj(event.get("message"))
    sender, recipient = text_of(obj(event.get("sender")).get("id")), text_of(obj(event.get("recipient")).get("id"))
    mid = text_of(message.get("mid"))
    if not mid or not sender:
        return []
    own = bool(message.get("is_echo")) or sender == account
    citizen = recipient if own else sender
    attachments = tuple(
        {"type": text_of(a.get("type")) or "file", "url": text_of(obj(a.get("payload")).get("url"))}
        for a in items(message.get("attachments"))
    )
    return [
        Inbound(
            action=Action.message,
            account_ref=account,
            conversation_kind=ConversationKind.direct,
            conversation_ref=citizen,
            created_at=from_unix(event.get("timestamp"), millis=True),
            external_id=mid,
            direction=Direction.outbound if own else Direction.inbound,
            contact=ContactRef(citizen, ""),
            text=text_of(message.get("text")),
            attachments=attachments,
            reply_to_external_id=text_of(obj(message.get("reply_to")).get("mid")) or None,
        )
    ]


class InstagramProvider(ProviderBase):
    """Instagram professional accounts through Meta's Graph API webhooks."""

    name: ClassVar[str] = "instagram"
    HANDLERS: ClassVar[Mapping[str, base.Handler]] = {
        "comments": parse_comment,
        "messaging.message": parse_message,
    }
    IGNORED: ClassVar[Mapping[str, str]] = {
        "live_comments": "comments on a live broadcast end with it; the agency answers on its posts",
        "mentions": "an @mention elsewhere is not a message to the agency",
        "story_insights": "statistics, not messages",
        "messaging.reaction": "reactions are not messages",
        "messaging.read": "read receipts",
        "messaging.postback": "the account shows no buttons",
        "messaging.referral": "referrals carry no words",
    }

    def handshake(self, query: Mapping[str, str], app: ChannelApp) -> Response:
        if query.get("hub.mode") != "subscribe" or not query.get("hub.challenge"):
            raise BadRequest("hub.mode=subscribe and hub.challenge are required")
        token = query.get("hub.verify_token", "")
        tokens = [account.credentials.get("verify_token", "") for account in app.accounts]
        if not token or not any(expected and constant_time_equal(token, expected) for expected in tokens):
            raise Forbidden("hub.verify_token does not match the account's verify_token")
        return PlainTextResponse(query["hub.challenge"])

    def verify(self, request: WebhookRequest, app: ChannelApp) -> bytes:
        header = request.headers.get(SIGNATURE_HEADER, "").strip()
        secret = app.credential("app_secret")
        if not header.startswith("sha256=") or not secret:
            raise InvalidSignature("missing X-Hub-Signature-256 header")
        if not constant_time_equal(sign(request.body, secret), "sha256=" + header[7:].lower()):
            raise InvalidSignature("X-Hub-Signature-256 does not match the body")
        return request.body

    def events(self, payload: bytes) -> list[EventItem]:
        document = load_json(payload)
        entries = document.get("entry")
        if not isinstance(entries, list):
            raise BadRequest("a Meta webhook body has an entry list")
        if document.get("object") != "instagram":
            return [EventItem(f"object.{text_of(document.get('object')) or 'missing'}", "", "", b"")]
        found: list[EventItem] = []
        for entry in items(entries):
            account = text_of(entry.get("id"))
            head = {"id": entry.get("id"), "time": entry.get("time")}
            for change in items(entry.get("changes")):
                field = text_of(change.get("field")) or "unknown"
                object_id = text_of(obj(change.get("value")).get("id")) or digest(change)
                envelope = {"object": "instagram", "entry": [{**head, "changes": [change]}]}
                found.append(EventItem(field, f"{account}:{field}:{object_id}", account, dump_json(envelope)))
            for event in items(entry.get("messaging")):
                name = next((key for key in MESSAGING_KINDS if key in event), "unknown")
                mid = text_of(obj(event.get(name)).get("mid")) if name == "message" else ""
                key = f"{account}:mid:{mid}" if mid else f"{account}:messaging.{name}:{digest(event)}"
                envelope = {"object": "instagram", "entry": [{**head, "messaging": [event]}]}
                found.append(EventItem(f"messaging.{name}", key, account, dump_json(envelope)))
        return found
