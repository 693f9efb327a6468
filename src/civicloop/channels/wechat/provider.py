"""WeChat Official Account pushes: text and image messages, and follow / unfollow / menu-click events.

Each account has its own webhook URL (WeChat configures one server URL per Official Account). Every
push is checked (``signature``; in safe mode ``msg_signature`` over the ciphertext and the AppID inside
it) and answered ``success`` at once: the 5-second limit never comes near. XML is read only through
defusedxml with DTDs forbidden. Dedup (platforms.md §3.3): ``MsgId``, else sender + ``CreateTime``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from starlette.responses import PlainTextResponse, Response

from civicloop.channels import base
from civicloop.channels.base import Action, ChannelApp, ContactRef, EventItem, Inbound, ProviderBase, WebhookRequest
from civicloop.channels.documents import from_unix
from civicloop.channels.models import ConversationKind
from civicloop.channels.wechat import crypto
from civicloop.config import get_settings
from civicloop.errors import BadRequest, InvalidSignature
from civicloop.kit.clock import utcnow
from civicloop.kit.crypto import constant_time_equal

Fields = dict[str, str]


def parse_xml(raw: bytes) -> Fields:
    """A WeChat ``<xml>`` document as {tag: text}; BadRequest for anything malformed or hostile."""
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadRequest("XML with a DTD or entities is refused") from exc
    except (ParseError, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("the body is not well-formed XML") from exc
    if root.tag != "xml":
        raise BadRequest("a WeChat push is an <xml> document")
    return {child.tag: (child.text or "").strip() for child in root if isinstance(child.tag, str)}


def _base(fields: Fields, action: Action) -> Inbound:
    openid = fields.get("FromUserName", "")
    return Inbound(
        action=action,
        account_ref=fields.get("ToUserName", ""),
        conversation_kind=ConversationKind.direct,
        conversation_ref=openid,
        created_at=from_unix(fields.get("CreateTime")),
        external_id=fields.get("MsgId", ""),
        # WeChat pushes carry only the OpenID; a nickname needs the user-info API.
        contact=ContactRef(openid, "") if openid else None,
    )


def parse_text(fields: Fields) -> list[Inbound]:
    inbound = _base(fields, Action.message)
    if not inbound.external_id or inbound.contact is None:
        return []
    return [replace(inbound, text=fields.get("Content", ""))]


def parse_image(fields: Fields) -> list[Inbound]:
    inbound = _base(fields, Action.message)
    if not inbound.external_id or inbound.contact is None:
        return []
    attachment = {"type": "image", "url": fields.get("PicUrl", ""), "media_id": fields.get("MediaId", "")}
    return [replace(inbound, attachments=(attachment,))]


def parse_voice(fields: Fields) -> list[Inbound]:
    """A voice note: its MediaId (AMR or Speex, per ``Format``); ``Recognition`` is WeChat's transcript,
    present when the account turned speech recognition on."""
    inbound = _base(fields, Action.message)
    if not inbound.external_id or inbound.contact is None:
        return []
    attachment = {"type": "voice", "media_id": fields.get("MediaId", ""), "format": fields.get("Format", "")}
    return [replace(inbound, text=fields.get("Recognition", ""), attachments=(attachment,))]


def parse_video(fields: Fields) -> list[Inbound]:
    """A video or short video: its MediaId (``ThumbMediaId`` is the still WeChat shows, not kept)."""
    inbound = _base(fields, Action.message)
    if not inbound.external_id or inbound.contact is None:
        return []
    return [replace(inbound, attachments=({"type": "video", "media_id": fields.get("MediaId", "")},))]


def parse_follow_event(fields: Fields) -> list[Inbound]:
    """Subscribe, unsubscribe, menu click: no words, but the contact is recorded (or kept up to date)."""
    inbound = _base(fields, Action.contact)
    if inbound.contact is None:
        return []
    # No conversation is opened for these: an empty conversation would only clutter the inbox.
    return [replace(inbound, conversation_ref="", external_id="")]


def sign_query(token: str, timestamp: str, nonce: str, encrypted: str | None = None) -> dict[str, str]:
    """The query parameters WeChat adds to a push (for the simulator and tests)."""
    query = {"signature": crypto.signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    if encrypted is not None:
        query.update(encrypt_type="aes", msg_signature=crypto.signature(token, timestamp, nonce, encrypted))
    return query


def _check_fresh(query: Mapping[str, str]) -> None:
    """The signature covers only the query: refuse one signed outside the freshness window (the
    nonce's single use within it is checked where deliveries are stored, ``ingest.claim_nonce``)."""
    window = get_settings().webhook_max_age_seconds
    timestamp = query.get("timestamp", "")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise InvalidSignature("the timestamp is not a number of seconds")
    if abs(utcnow().timestamp() - int(timestamp)) > window:
        raise InvalidSignature(f"the timestamp is more than {window} seconds from now")
    if not query.get("nonce"):
        raise InvalidSignature("the nonce is missing")


class WeChatProvider(ProviderBase):
    """WeChat Official Account message pushes, plaintext or safe mode."""

    name: ClassVar[str] = "wechat"
    HANDLERS: ClassVar[Mapping[str, base.Handler]] = {
        "text": parse_text,
        "image": parse_image,
        "voice": parse_voice,
        "video": parse_video,
        "shortvideo": parse_video,
        "event.subscribe": parse_follow_event,
        "event.unsubscribe": parse_follow_event,
        "event.CLICK": parse_follow_event,
    }
    IGNORED: ClassVar[Mapping[str, str]] = {
        "location": "shared locations are not messages",
        "link": "shared links are not messages",
        "event.VIEW": "a menu link was opened",
        "event.SCAN": "a QR code was scanned by an existing follower",
        "event.LOCATION": "periodic location reports are not messages",
        "event.TEMPLATESENDJOBFINISH": "delivery reports",
    }

    def _account(self, app: ChannelApp) -> tuple[str, Mapping[str, str]]:
        account = app.accounts[0]
        return account.credentials.get("token", ""), account.credentials

    def _check_signature(self, query: Mapping[str, str], token: str) -> None:
        sent = query.get("signature", "")
        expected = crypto.signature(token, query.get("timestamp", ""), query.get("nonce", ""))
        if not sent or not token or not constant_time_equal(sent.lower(), expected):
            raise InvalidSignature("signature does not match the account's token")

    def handshake(self, query: Mapping[str, str], app: ChannelApp) -> Response:
        echostr = query.get("echostr")
        if echostr is None:
            raise BadRequest("expected signature, timestamp, nonce and echostr")
        token, _ = self._account(app)
        self._check_signature(query, token)
        return PlainTextResponse(echostr)

    def verify(self, request: WebhookRequest, app: ChannelApp) -> bytes:
        token, credentials = self._account(app)
        self._check_signature(request.query, token)
        _check_fresh(request.query)
        aes_key = credentials.get("encoding_aes_key", "")
        if request.query.get("encrypt_type", "").lower() != "aes":
            if aes_key:
                # A plaintext signature does not cover the body; an account in safe mode accepts only ciphertext.
                raise InvalidSignature("this account is in safe mode: plaintext pushes are refused")
            return request.body
        if not aes_key:
            raise InvalidSignature("an encrypted push for an account without encoding_aes_key")
        encrypted = parse_xml(request.body).get("Encrypt", "")
        expected = crypto.signature(
            token, request.query.get("timestamp", ""), request.query.get("nonce", ""), encrypted
        )
        sent = request.query.get("msg_signature", "")
        if not encrypted or not sent or not constant_time_equal(sent.lower(), expected):
            raise InvalidSignature("msg_signature does not match the encrypted message")
        return crypto.decrypt(encrypted, encoding_aes_key=aes_key, app_id=credentials.get("app_id", ""))

    def events(self, payload: bytes) -> list[EventItem]:
        fields = parse_xml(payload)
        to, sender = fields.get("ToUserName", ""), fields.get("FromUserName", "")
        msg_type = fields.get("MsgType", "")
        if not to or not msg_type:
            raise BadRequest("a WeChat push names ToUserName and MsgType")
        event = fields.get("Event", "")
        kind = f"event.{event}" if msg_type == "event" else msg_type
        msg_id = fields.get("MsgId", "")
        # Events have no MsgId: the sender and time identify them; the kind keeps a follow and a click apart.
        external_id = f"{to}:{msg_id}" if msg_id else f"{to}:{sender}:{fields.get('CreateTime', '')}:{kind}"
        return [EventItem(kind[:64], external_id, to, payload)]

    def nonce(self, request: WebhookRequest) -> str:
        return request.query.get("nonce", "")

    def decode(self, body: bytes) -> Fields:
        return parse_xml(body)

    def ack(self) -> Response:
        return PlainTextResponse("success")
