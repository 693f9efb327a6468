"""What every inbound provider is: the protocol, the values it passes around, and shared helpers.

A provider never touches the database or the network. The webhook route hands it the request and
the platform app's accounts; it answers handshakes, checks signatures, splits a delivery into events
with stable ids (for exactly-once storage) and, later in a job, parses one stored event into
``Inbound`` records that ``channels.service`` turns into contacts, conversations and messages.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime
from typing import Any, ClassVar, Protocol

from starlette.responses import PlainTextResponse, Response

from civicloop.channels.models import ConversationKind, Direction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookRequest:
    """A verified-or-not delivery: raw body bytes, lower-cased headers, query parameters."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str]


@dataclass(frozen=True)
class AppAccount:
    """An official account as a provider sees it: ids and decrypted credentials, no ORM row."""

    id: int
    agency_id: int
    external_id: str
    credentials: Mapping[str, str]


@dataclass(frozen=True)
class ChannelApp:
    """The accounts served by one platform app (one webhook URL); one account where the app is the account."""

    provider: str
    app_key: str
    accounts: tuple[AppAccount, ...]

    def credential(self, name: str) -> str:
        """A credential the app's accounts share (the one that derived ``app_key``), or ''."""
        for account in self.accounts:
            value = account.credentials.get(name)
            if value:
                return value
        return ""

    def account_for(self, external_id: str) -> AppAccount | None:
        """The account an event is for; ``""``: the app's only account, for platforms whose deliveries
        do not name the receiving account (their webhook URL is the account's own)."""
        if not external_id:
            return self.accounts[0] if len(self.accounts) == 1 else None
        for account in self.accounts:
            if account.external_id == external_id:
                return account
        return None


@dataclass(frozen=True)
class EventItem:
    """One event split out of a delivery, ready to store: ``body`` is that event alone, in the
    platform's own envelope, so that ``parse`` reads stored and live events with the same code."""

    kind: str
    external_id: str
    route_key: str
    body: bytes


class StoredEvent(Protocol):
    """What ``parse`` needs of an event: a ``RawEvent`` row or an ``EventItem`` both qualify."""

    @property
    def kind(self) -> str: ...

    @property
    def body(self) -> bytes: ...


class Action(enum.StrEnum):
    message = "message"  # a new message (in or out); a repeat of a known one changes nothing
    edit = "edit"  # the author changed the text: keep the old one as a revision
    remove = "remove"  # deleted on the platform: mark removed, keep the text
    hide = "hide"  # hidden by the agency's own Page
    unhide = "unhide"
    contact = "contact"  # no message: a follow, an unfollow, a menu click — the contact is kept up to date


@dataclass(frozen=True)
class ContactRef:
    platform_user_id: str
    display_name: str
    handle: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One normalized fact parsed from a platform event (pure data, no ids of our own)."""

    action: Action
    account_ref: str  # the platform's id of the official account: page id, X user id, gh_ id
    conversation_kind: ConversationKind
    conversation_ref: str
    created_at: datetime | None  # None when the platform gave no usable time: the receipt time is used
    external_id: str = ""
    direction: Direction = Direction.inbound
    contact: ContactRef | None = None
    text: str = ""
    attachments: tuple[Mapping[str, Any], ...] = ()
    reply_to_external_id: str | None = None
    permalink: str | None = None
    subject: str | None = None
    # A reply: join the conversation of the message replied to when we know it — unless that message is
    # the agency's own post, whose every top-level comment is a conversation of its own.
    thread_parent_external_id: str | None = None
    # The post (video, media, group chat) a comment is under; the post's own id on the post itself.
    post_ref: str | None = None


Handler = Callable[[Any], list[Inbound]]


class Parser(Protocol):
    """What turns a platform's stored events into ``Inbound`` records, whether they came by webhook or
    by polling. ``HANDLERS`` maps event kinds to pure parse functions; ``IGNORED`` lists kinds
    acknowledged and logged but not stored, each with the reason."""

    name: ClassVar[str]
    HANDLERS: ClassVar[Mapping[str, Handler]]
    IGNORED: ClassVar[Mapping[str, str]]

    def events(self, payload: bytes) -> list[EventItem]:
        """Split one delivery (or one polled page) into events of every kind seen; raise BadRequest if
        unparseable."""
        ...

    def parse(self, event: StoredEvent) -> list[Inbound]:
        """Pure: no database, no network."""
        ...

    def removal_keys(self, kind: str, inbound: Inbound) -> list[str]:
        """The event keys under which a removal of the message ``inbound`` creates would have been
        stored had it arrived first (platforms do not order deliveries), so that it is applied now."""
        ...


class Provider(Parser, Protocol):
    """A platform's inbound side by webhook: the parsing, plus the handshake, signatures and answer."""

    def handshake(self, query: Mapping[str, str], app: ChannelApp) -> Response:
        """Answer the platform's GET (verification, CRC); raise an AppError if it is not genuine."""
        ...

    def verify(self, request: WebhookRequest, app: ChannelApp) -> bytes:
        """Raise InvalidSignature unless the delivery is genuine; return the authenticated payload."""
        ...

    def nonce(self, request: WebhookRequest) -> str:
        """The single-use value a verified delivery's signature covers ('' if the platform has none):
        the same nonce may not be used again with another body."""
        ...

    def ack(self) -> Response:
        """The answer the platform expects once the delivery is stored."""
        ...


class ProviderBase:
    """What the providers share: a stored event is decoded and handed to its kind's handler."""

    name: ClassVar[str]
    HANDLERS: ClassVar[Mapping[str, Handler]]
    IGNORED: ClassVar[Mapping[str, str]]

    def decode(self, body: bytes) -> Any:
        return json.loads(body)

    def parse(self, event: StoredEvent) -> list[Inbound]:
        handler = self.HANDLERS.get(event.kind)
        if handler is None:
            raise ValueError(f"{self.name} has no handler for event kind {event.kind!r}")
        return handler(self.decode(event.body))

    def removal_keys(self, kind: str, inbound: Inbound) -> list[str]:
        return []

    def nonce(self, request: WebhookRequest) -> str:
        return ""

    def ack(self) -> Response:
        return PlainTextResponse("ok")


def wanted(provider: Parser, items: list[EventItem], app_key: str) -> list[EventItem]:
    """Keep the kinds the provider handles; log the ones it ignores (debug) or does not know (warning)."""
    kept = []
    for item in items:
        if item.kind in provider.HANDLERS:
            kept.append(item)
        elif item.kind in provider.IGNORED:
            log.debug("%s/%s: ignored %s event (%s)", provider.name, app_key, item.kind, provider.IGNORED[item.kind])
        else:
            log.warning("%s/%s: unknown event kind %r acknowledged, not stored", provider.name, app_key, item.kind)
    return kept


# --- helpers ---------------------------------------------------------------------------------------


def without_nul(value: Any) -> Any:
    """``value`` with NUL characters removed from every string inside it (PostgreSQL refuses them)."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: without_nul(getattr(value, f.name)) for f in fields(value)})
    return value
