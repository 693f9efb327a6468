"""X Account Activity webhooks: posts that mention or reply to the agency, and direct messages.

One X app may serve several agencies' accounts: events are routed by ``for_user_id``. The
subscribed account's own posts and the DMs it sent arrive too; they are kept as outbound messages.
Dedup keys (platforms.md §2.4): the post's ``id_str`` or the DM event's ``id``, per subscribed user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from starlette.responses import JSONResponse, Response

from civicloop.channels import base
from civicloop.channels.base import Action, ChannelApp, ContactRef, EventItem, Inbound, ProviderBase, WebhookRequest
from civicloop.channels.documents import digest, dump_json, from_unix, items, load_json, obj, text_of
from civicloop.channels.models import ConversationKind, Direction
from civicloop.errors import BadRequest, InvalidSignature
from civicloop.kit.crypto import constant_time_equal

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
TWEET_TIME = "%a %b %d %H:%M:%S %z %Y"
HANDLED_KEYS = ("tweet_create_events", "direct_message_events", "tweet_delete_events")


def sign(message: bytes, consumer_secret: str) -> str:
    """``sha256=`` + base64 HMAC-SHA256 with the consumer secret: the CRC answer and the POST signature."""
    mac = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def _delete_key(for_user: str, tweet_id: str) -> str:
    return f"{for_user}:delete:{tweet_id}"


def _tweet_time(tweet: dict[str, Any]) -> datetime | None:
    created = tweet.get("created_at")
    if isinstance(created, str):
        try:
            return datetime.strptime(created, TWEET_TIME)
        except ValueError:
            pass
    return from_unix(tweet.get("timestamp_ms"), millis=True)


def _tweet_text(tweet: dict[str, Any]) -> str:
    extended = obj(tweet.get("extended_tweet"))
    return text_of(extended.get("full_text")) or text_of(tweet.get("full_text")) or text_of(tweet.get("text"))


def _tweet_media(tweet: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    entities = obj(obj(tweet.get("extended_tweet")).get("extended_entities")) or obj(tweet.get("extended_entities"))
    media = items(entities.get("media")) or items(obj(tweet.get("entities")).get("media"))
    return tuple(
        {"type": text_of(m.get("type")) or "photo", "url": text_of(m.get("media_url_https") or m.get("media_url"))}
        for m in media
    )


def parse_tweet(document: Any) -> list[Inbound]:
    for_user = text_of(obj(document).get("for_user_id"))
    tweet = items(document.get("tweet_create_events"))[0]
    tweet_id = text_of(tweet.get("id_str")) or text_of(tweet.get("id"))
    author = obj(tweet.get("user"))
    author_id = text_of(author.get("id_str")) or text_of(author.get("id"))
    if not tweet_id or not author_id:
        return []
    own = author_id == for_user
    screen_name = text_of(author.get("screen_name"))
    parent = text_of(tweet.get("in_reply_to_status_id_str")) or None
    # A reply to one of the account's own posts is a top-level comment on it: a conversation of its own.
    # A reply to anyone else's post joins the conversation of the post it answers; a fresh mention
    # starts its own. (A reply to the agency's reply joins the citizen's conversation it was in: the
    # service follows the parent when it knows it.)
    on_own_post = parent is not None and text_of(tweet.get("in_reply_to_user_id_str")) == for_user
    return [
        Inbound(
            action=Action.message,
            account_ref=for_user,
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=tweet_id if on_own_post or parent is None else parent,
            thread_parent_external_id=parent,
            post_ref=parent if on_own_post else (tweet_id if own and parent is None else None),
            created_at=_tweet_time(tweet),
            external_id=tweet_id,
            direction=Direction.outbound if own else Direction.inbound,
            contact=None if own else ContactRef(author_id, text_of(author.get("name")), handle=screen_name or None),
            text=_tweet_text(tweet),
            attachments=_tweet_media(tweet),
            reply_to_external_id=parent,
            permalink=f"https://x.com/{screen_name}/status/{tweet_id}" if screen_name else None,
        )
    ]


def parse_tweet_delete(document: Any) -> list[Inbound]:
    event = items(document.get("tweet_delete_events"))[0]
    tweet_id = text_of(obj(event.get("status")).get("id"))
    if not tweet_id:
        return []
    return [
        Inbound(
            action=Action.remove,
            account_ref=text_of(document.get("for_user_id")),
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=tweet_id,
            created_at=from_unix(event.get("timestamp_ms"), millis=True),
            external_id=tweet_id,
        )
    ]


def users_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``users`` lookup map, wherever it is: X's own documented example nests it inside ``apps``
    and puts user objects beside the apps, so every place is searched (platforms.md §2.4)."""
    found: dict[str, dict[str, Any]] = {}
    apps = obj(document.get("apps"))
    for key, value in {**apps, **obj(apps.get("users"))}.items():
        if isinstance(value, dict) and "screen_name" in value:
            found[str(key)] = value
    for key, value in obj(document.get("users")).items():
        if isinstance(value, dict):
            found[str(key)] = value
    return found


def parse_direct_message(document: Any) -> list[Inbound]:
    for_user = text_of(obj(document).get("for_user_id"))
    event = items(document.get("direct_message_events"))[0]
    created = obj(event.get("message_create"))
    event_id = text_of(event.get("id"))
    sender = text_of(created.get("sender_id"))
    recipient = text_of(obj(created.get("target")).get("recipient_id"))
    if not event_id or not sender or not recipient:
        return []
    own = sender == for_user
    citizen = recipient if own else sender
    user = users_of(document).get(citizen, {})
    data = obj(created.get("message_data"))
    media = obj(obj(data.get("attachment")).get("media"))
    attachments = (
        ({"type": text_of(media.get("type")) or "photo", "url": text_of(media.get("media_url_https"))},)
        if media
        else ()
    )
    return [
        Inbound(
            action=Action.message,
            account_ref=for_user,
            conversation_kind=ConversationKind.direct,
            conversation_ref="-".join(sorted((sender, recipient))),
            created_at=from_unix(event.get("created_timestamp"), millis=True),
            external_id=event_id,
            direction=Direction.outbound if own else Direction.inbound,
            contact=ContactRef(citizen, text_of(user.get("name")), handle=text_of(user.get("screen_name")) or None),
            text=text_of(data.get("text")),
            attachments=attachments,
        )
    ]


class XProvider(ProviderBase):
    """X Account Activity API: mentions, replies and direct messages of subscribed accounts."""

    name: ClassVar[str] = "x"
    HANDLERS: ClassVar[Mapping[str, base.Handler]] = {
        "tweet_create_events": parse_tweet,
        "tweet_delete_events": parse_tweet_delete,
        "direct_message_events.message_create": parse_direct_message,
    }
    IGNORED: ClassVar[Mapping[str, str]] = {
        "tweet_create_events.retweet": "a repost carries no new words",
        "favorite_events": "likes are not messages",
        "follow_events": "follows are not messages",
        "unfollow_events": "unfollows are not messages",
        "block_events": "blocks are not messages",
        "mute_events": "mutes are not messages",
        "user_event": "token revocations are handled by the account's owner",
        "direct_message_indicate_typing_events": "typing indicators",
        "direct_message_mark_read_events": "read receipts",
    }

    def handshake(self, query: Mapping[str, str], app: ChannelApp) -> Response:
        token = query.get("crc_token", "")
        if not token:
            raise BadRequest("crc_token is missing")
        secret = app.credential("consumer_secret")
        return JSONResponse({"response_token": sign(token.encode(), secret)})

    def verify(self, request: WebhookRequest, app: ChannelApp) -> bytes:
        header = request.headers.get(SIGNATURE_HEADER, "").strip()
        secret = app.credential("consumer_secret")
        if not header.startswith("sha256=") or not secret:
            raise InvalidSignature("missing x-twitter-webhooks-signature header")
        if not constant_time_equal(sign(request.body, secret), header):
            raise InvalidSignature("x-twitter-webhooks-signature does not match the body")
        return request.body

    def events(self, payload: bytes) -> list[EventItem]:
        document = load_json(payload)
        for_user = text_of(document.get("for_user_id"))
        found: list[EventItem] = []
        body: dict[str, Any]
        for tweet in items(document.get("tweet_create_events")):
            tweet_id = text_of(tweet.get("id_str")) or text_of(tweet.get("id")) or digest(tweet)
            kind = "tweet_create_events.retweet" if "retweeted_status" in tweet else "tweet_create_events"
            body = {"for_user_id": for_user, "tweet_create_events": [tweet]}
            found.append(EventItem(kind, f"{for_user}:tweet:{tweet_id}", for_user, dump_json(body)))
        for deleted in items(document.get("tweet_delete_events")):
            tweet_id = text_of(obj(deleted.get("status")).get("id")) or digest(deleted)
            body = {"for_user_id": for_user, "tweet_delete_events": [deleted]}
            key = _delete_key(for_user, tweet_id)
            found.append(EventItem("tweet_delete_events", key, for_user, dump_json(body)))
        users = users_of(document)
        for message in items(document.get("direct_message_events")):
            created = obj(message.get("message_create"))
            parties = {text_of(created.get("sender_id")), text_of(obj(created.get("target")).get("recipient_id"))}
            body = {
                "for_user_id": for_user,
                "direct_message_events": [message],
                "users": {key: value for key, value in users.items() if key in parties},
            }
            kind = f"direct_message_events.{text_of(message.get('type')) or 'unknown'}"
            event_id = text_of(message.get("id")) or digest(message)
            found.append(EventItem(kind, f"{for_user}:dm:{event_id}", for_user, dump_json(body)))
        for key, value in document.items():
            if key not in HANDLED_KEYS and (key.endswith("_events") or key == "user_event") and value:
                found.append(EventItem(key, "", for_user, b""))
        if not found and "for_user_id" not in document:
            raise BadRequest("not an Account Activity event: no for_user_id")
        return found

    def removal_keys(self, kind: str, inbound: Inbound) -> list[str]:
        """A post deleted before it was delivered: the deletion's key."""
        if kind != "tweet_create_events":
            return []
        return [_delete_key(inbound.account_ref, inbound.external_id)]
