"""Meta Pages webhooks: comments and posts on Pages (``feed``) and Messenger messages.

One Meta app may serve many agencies' Pages: a delivery is split per change/messaging item and each
is routed by its entry's Page id. Dedup keys (platforms.md §1.5): a comment or post by id and verb
(plus a fingerprint of the change for repeatable verbs such as edits), Messenger by ``mid``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from starlette.responses import PlainTextResponse, Response

from civicloop.channels import base
from civicloop.channels.base import Action, ChannelApp, ContactRef, EventItem, Inbound, ProviderBase, WebhookRequest
from civicloop.channels.documents import digest, dump_json, from_unix, items, load_json, obj, text_of
from civicloop.channels.models import ConversationKind, Direction
from civicloop.errors import BadRequest, Forbidden, InvalidSignature
from civicloop.kit.crypto import constant_time_equal

SIGNATURE_HEADER = "x-hub-signature-256"
MAX_CHALLENGE = 256

FEED_ACTIONS = {
    "add": Action.message,
    "edited": Action.edit,
    "edit": Action.edit,
    "remove": Action.remove,
    "delete": Action.remove,
    "hide": Action.hide,
    "unhide": Action.unhide,
}
# Verbs that happen once per object: the object id and verb identify the event. Others (edits,
# hide/unhide toggles) may repeat, so the change's content is part of their key.
ONCE_VERBS = frozenset({"add", "remove", "delete"})
REMOVE_VERBS = ("remove", "delete")
MESSAGING_KINDS = (
    "message",
    "message_edit",
    "read",
    "delivery",
    "reaction",
    "postback",
    "optin",
    "referral",
    "account_linking",
    "policy_enforcement",
)


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends: hex HMAC-SHA256 of the raw bytes with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _once_key(page_id: str, kind: str, object_id: str, verb: str) -> str:
    return f"{page_id}:{kind}:{object_id}:{verb}"


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, str) and not value.strip().isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return from_unix(value)


def _entry(document: Any) -> tuple[str, dict[str, Any]]:
    entry = items(obj(document).get("entry"))[0]
    return text_of(entry.get("id")), entry


def _attachments_of_change(value: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    found = []
    for key, kind in (("photo", "image"), ("video", "video"), ("link", "link")):
        url = value.get(key)
        if isinstance(url, str) and url:
            found.append({"type": kind, "url": url})
    return tuple(found)


def _feed_change(document: Any, *, comment: bool) -> list[Inbound]:
    """A comment, or a post on the Page: by a citizen, or by the Page itself (then outbound)."""
    page_id, entry = _entry(document)
    value = obj(items(entry.get("changes"))[0].get("value"))
    action = FEED_ACTIONS.get(str(value.get("verb")))
    post_id = text_of(value.get("post_id"))
    object_id = text_of(value.get("comment_id")) if comment else post_id
    if action is None or not object_id or not post_id:
        return []
    author = obj(value.get("from"))
    author_id = text_of(author.get("id"))
    own = author_id == page_id
    message = text_of(value.get("message"))
    parent_id = text_of(value.get("parent_id"))
    permalink = obj(value.get("post")).get("permalink_url") if comment else value.get("permalink_url")
    # A top-level comment's parent is the post itself; only replies point at another comment.
    reply_to = parent_id if comment and parent_id and parent_id != post_id else None
    return [
        Inbound(
            action=action,
            account_ref=page_id,
            # Each top-level comment is a conversation of its own; a reply joins its comment's (Facebook
            # threads comments two levels deep, so the parent is the top-level comment).
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=(reply_to or object_id) if comment else post_id,
            thread_parent_external_id=reply_to,
            post_ref=post_id,
            created_at=_timestamp(value.get("created_time")),
            external_id=object_id,
            direction=Direction.outbound if own else Direction.inbound,
            contact=None if own or not author_id else ContactRef(author_id, text_of(author.get("name"))),
            text=message,
            attachments=_attachments_of_change(value),
            reply_to_external_id=reply_to,
            permalink=text_of(permalink) or None,
            subject=None if comment else message[:120] or None,
        )
    ]


def parse_comment(document: Any) -> list[Inbound]:
    return _feed_change(document, comment=True)


def parse_post(document: Any) -> list[Inbound]:
    return _feed_change(document, comment=False)


def _messaging(document: Any) -> tuple[str, dict[str, Any]]:
    page_id, entry = _entry(document)
    return page_id, items(entry.get("messaging"))[0]


def _messenger_attachments(message: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    found = []
    for attachment in items(message.get("attachments")):
        payload = obj(attachment.get("payload"))
        entry = {"type": text_of(attachment.get("type")) or "file"}
        if isinstance(payload.get("url"), str):
            entry["url"] = payload["url"]
        found.append(entry)
    return tuple(found)


def _in_conversation(page_id: str, event: dict[str, Any], citizen: str, mid: str, action: Action) -> Inbound:
    """A Messenger event of the conversation with ``citizen`` (their Page-scoped id)."""
    return Inbound(
        action=action,
        account_ref=page_id,
        conversation_kind=ConversationKind.direct,
        conversation_ref=citizen,
        created_at=from_unix(event.get("timestamp"), millis=True),
        external_id=mid,
        # Messenger sends no names (that needs a Graph API call): the contact gets a neutral label.
        contact=ContactRef(citizen, ""),
    )


def parse_message(document: Any) -> list[Inbound]:
    """A Messenger message to the Page, or the echo of one the Page sent (``is_echo``)."""
    page_id, event = _messaging(document)
    message = obj(event.get("message"))
    mid = text_of(message.get("mid"))
    sender = text_of(obj(event.get("sender")).get("id"))
    recipient = text_of(obj(event.get("recipient")).get("id"))
    echo = message.get("is_echo") is True or (bool(sender) and sender == page_id)
    citizen = recipient if echo else sender
    if not mid or not citizen:
        return []
    inbound = _in_conversation(page_id, event, citizen, mid, Action.message)
    return [
        replace(
            inbound,
            direction=Direction.outbound if echo else Direction.inbound,
            text=text_of(message.get("text")),
            attachments=_messenger_attachments(message),
            reply_to_external_id=text_of(obj(message.get("reply_to")).get("mid")) or None,
        )
    ]


def parse_message_edit(document: Any) -> list[Inbound]:
    page_id, event = _messaging(document)
    edit = obj(event.get("message_edit"))
    mid = text_of(edit.get("mid"))
    sender = text_of(obj(event.get("sender")).get("id"))
    if not mid or not sender:
        return []
    return [replace(_in_conversation(page_id, event, sender, mid, Action.edit), text=text_of(edit.get("text")))]


class FacebookProvider(ProviderBase):
    """Meta Pages webhooks: comments on page posts and Messenger messages."""

    name: ClassVar[str] = "facebook"
    HANDLERS: ClassVar[Mapping[str, base.Handler]] = {
        "feed.comment": parse_comment,
        "feed.post": parse_post,
        "feed.status": parse_post,
        "messaging.message": parse_message,
        "messaging.message_edit": parse_message_edit,
    }
    IGNORED: ClassVar[Mapping[str, str]] = {
        "feed.reaction": "reactions are not messages",
        "feed.like": "likes are not messages",
        "feed.share": "shares carry no words addressed to the agency",
        "feed.photo": "the Page's own media uploads; visitor posts arrive as feed.post",
        "feed.video": "the Page's own media uploads; visitor posts arrive as feed.post",
        "messaging.read": "read receipts",
        "messaging.delivery": "delivery receipts",
        "messaging.reaction": "reactions are not messages",
        "messaging.postback": "button taps carry no words",
        "messaging.optin": "opt-ins carry no words",
        "messaging.referral": "referrals carry no words",
        "messaging.account_linking": "not used",
        "messaging.policy_enforcement": "policy notices go to the app owner, not the inbox",
    }

    def handshake(self, query: Mapping[str, str], app: ChannelApp) -> Response:
        challenge = query.get("hub.challenge", "")
        if query.get("hub.mode") != "subscribe" or not challenge or len(challenge) > MAX_CHALLENGE:
            raise BadRequest("expected hub.mode=subscribe with a hub.challenge")
        token = query.get("hub.verify_token", "")
        tokens = [account.credentials.get("verify_token", "") for account in app.accounts]
        if not token or not any(expected and constant_time_equal(token, expected) for expected in tokens):
            raise Forbidden("hub.verify_token does not match the account's verify_token")
        return PlainTextResponse(challenge)

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
        kind = document.get("object")
        entries = document.get("entry")
        if not isinstance(entries, list):
            raise BadRequest("a Meta webhook body has an entry list")
        if kind != "page":
            return [EventItem(f"object.{text_of(kind) or 'missing'}", "", "", b"")]
        found: list[EventItem] = []
        for entry in items(entries):
            page_id = text_of(entry.get("id"))
            for change in items(entry.get("changes")):
                found.append(self._change_item(page_id, entry, change))
            for event in items(entry.get("messaging")):
                found.append(self._messaging_item(page_id, entry, event))
        return found

    def _change_item(self, page_id: str, entry: dict[str, Any], change: dict[str, Any]) -> EventItem:
        field = text_of(change.get("field")) or "unknown"
        value = obj(change.get("value"))
        item = text_of(value.get("item"))
        kind = f"{field}.{item}" if item else field
        verb = text_of(value.get("verb"))
        object_id = text_of(value.get("comment_id")) or text_of(value.get("post_id"))
        if object_id and verb in ONCE_VERBS:
            external_id = _once_key(page_id, kind, object_id, verb)
        else:
            external_id = f"{page_id}:{kind}:{object_id}:{verb}:{digest(change)}"
        envelope = {
            "object": "page",
            "entry": [{"id": entry.get("id"), "time": entry.get("time"), "changes": [change]}],
        }
        return EventItem(kind, external_id, page_id, dump_json(envelope))

    def _messaging_item(self, page_id: str, entry: dict[str, Any], event: dict[str, Any]) -> EventItem:
        name = next((key for key in MESSAGING_KINDS if key in event), "unknown")
        kind = f"messaging.{name}"
        inner = obj(event.get(name))
        mid = text_of(inner.get("mid"))
        if name == "message" and mid:
            external_id = f"{page_id}:mid:{mid}"
        elif name == "message_edit" and mid:
            external_id = f"{page_id}:mid:{mid}:edit:{text_of(inner.get('num_edit'))}:{digest(inner)}"
        else:
            external_id = f"{page_id}:{kind}:{digest(event)}"
        envelope = {
            "object": "page",
            "entry": [{"id": entry.get("id"), "time": entry.get("time"), "messaging": [event]}],
        }
        return EventItem(kind, external_id, page_id, dump_json(envelope))

    def removal_keys(self, kind: str, inbound: Inbound) -> list[str]:
        """A comment or post removed before its ``add`` was delivered: the removal's keys."""
        if not kind.startswith("feed.") or inbound.action is not Action.message:
            return []
        return [_once_key(inbound.account_ref, kind, inbound.external_id, verb) for verb in REMOVE_VERBS]
