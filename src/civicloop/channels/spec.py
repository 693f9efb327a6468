"""What a platform is, declared once in its own folder: ``channels/<platform>/__init__.py`` builds a
``PlatformSpec`` and ``channels/registry.py`` lists it. Every other part of the product (accounts,
outbound, publishing, access categories, oversight tables, templates, the simulator, the demo) asks
the registry instead of branching on a platform's name.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol

import httpx
from fastapi import APIRouter
from sqlalchemy.orm import Session

from civicloop.agencies.platforms import AccountPlatform, Credentials
from civicloop.channels.base import AppAccount, EventItem, Parser, Provider
from civicloop.channels.connect.base import Connector
from civicloop.channels.delivery import Route, Sender
from civicloop.channels.media.download import Got, Wanted
from civicloop.channels.moderation import Moderator
from civicloop.channels.simulator.state import SimulatorState
from civicloop.config import get_settings


def characters(text: str) -> int:
    return len(text)


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def unchanged(text: str) -> str:
    return text


@dataclass(frozen=True)
class TextLimit:
    limit: int
    unit: str
    measure: Callable[[str], int] = characters


@dataclass(frozen=True)
class RouteSpec:
    """One way out: where it goes (the route's name, ``Route("<platform>_reply")``, declared in the
    platform's folder and nowhere else), how long its text may be, and whether an image may go with it."""

    route: Route
    limit: TextLimit
    images: bool = False


@dataclass(frozen=True)
class ReplyWindow:
    """How long after the citizen's last message a direct reply may be sent, and how many per message."""

    length: timedelta
    label: str  # the platform's name for the window's channel ("Messenger")
    replies_per_message: int | None = None


@dataclass(frozen=True)
class Citizen:
    """A simulated citizen, as a platform's simulator side sees one."""

    number: int  # stable per person: a platform may derive its own user ids from it
    name: str
    handle: str
    # The person's ids on this platform, drawn once as the run's cast is formed (``CitizenSide.identify``).
    ids: Mapping[str, str] = field(default_factory=dict)


def digits(rng: random.Random, count: int) -> str:
    """A random number of ``count`` digits, as platforms' numeric ids are."""
    return str(rng.randint(10 ** (count - 1), 10**count - 1))


@dataclass(frozen=True)
class Addressee:
    """The official account a simulated citizen writes to."""

    external_id: str
    name: str
    credentials: Mapping[str, str]


@dataclass
class Scene:
    """What a platform's citizen side writes and signs one delivery with: the run's random draws (repeatable
    for a seed), the time, the delivery's number in the run, the simulated platforms' state (None when no
    simulator is served: ``civicloop simulate``) and the side's own memory for the run (the posts citizens
    comment on, the earlier comments a reply may answer)."""

    rng: random.Random
    at: datetime
    sequence: int
    state: SimulatorState | None
    memory: dict[Hashable, Any]

    def digits(self, count: int) -> str:
        return digits(self.rng, count)

    def kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """What ``make`` gave the first time ``key`` was asked for in this run (the posts citizens comment on)."""
        if key not in self.memory:
            self.memory[key] = make()
        return self.memory[key]


@dataclass(frozen=True)
class Signed:
    """A delivery as the platform makes it: the body, and the headers and query that prove its origin."""

    body: bytes
    headers: Mapping[str, str]
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Earlier:
    """A citizen's message already stored (the demo's seeded history), which the simulated platform must know
    for a reply to it to be accepted as the real platform would accept it."""

    account: Addressee
    comment: bool  # written in a comment thread (else in a direct conversation)
    external_id: str  # the message's id on the platform
    thread: str  # the post commented on (the conversation's post), or the conversation
    reply_to: str | None  # the comment it answers
    citizen: str  # the citizen's id on the platform
    text: str
    at: datetime


class CitizenSide(ABC):
    """A platform's part of the simulated citizens (``civicloop simulate``, the demo's seeded inbox and its live
    citizens): what they do on the platform and how often, a delivery in the platform's own format, signed as
    the platform signs it, and what the simulated API must know of the account and of what citizens wrote
    earlier. ``channels/simulator`` asks the registry for it and names no platform."""

    needed: str  # the credential without which no delivery can be authenticated
    # What citizens do on the platform (the event kind's second part, "comment" in "<platform>.comment") and
    # each one's share of the mix, weighed against every other platform's.
    kinds: Mapping[str, int] = MappingProxyType({"message": 1})
    messages: tuple[str, ...] = ()  # texts written only here (in the platform's own language), beside the cast's

    def identify(self, rng: random.Random) -> dict[str, str]:
        """A person's ids on the platform, drawn once for each person of the cast as a run starts (the same
        person writes again as the same user): by default none, the platform deriving them from the
        citizen's number."""
        return {}

    @abstractmethod
    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        """Tell the simulated API about the account, so that its replies are accepted."""

    @abstractmethod
    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        """What the platform reports when ``citizen`` does ``kind`` (one of ``kinds``), unsigned; with a
        simulator served, the simulated API learns it too (so that a reply to it is accepted)."""

    @abstractmethod
    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        """The delivery as the platform POSTs it to the account's webhook."""

    def remember(self, state: SimulatorState, earlier: Earlier) -> None:
        """Teach the simulated API a message citizens wrote before it was served (nothing, by default: the
        platform's replies do not depend on it)."""
        return None

    def demo_account(self, agency_code: str) -> tuple[str, dict[str, str]] | None:
        """The demo's account for an agency (external id, credentials), or None for none (by default: the
        spec's ``demo`` declares the platform's demo accounts)."""
        return None


@dataclass(frozen=True)
class DemoSide:
    """What ``civicloop demo`` seeds on the platform for every demo agency, and how its scripted scenes
    play there (the demo asks the registry: no platform is named in ``civicloop.demo``)."""

    account_name: str  # the account is called "<agency> — <account_name>"
    # The agency's account (by agency code): its external id and credentials, known to the simulator.
    account: Callable[[str], tuple[str, dict[str, str]]]
    # An announcement the demo records as sent (account external id, batch, number): its id and permalink.
    sent_post: Callable[[str, int, int], tuple[str, str | None]] | None = None
    # Citizens answer an announcement by a direct message quoting its code, not by a comment under it.
    answers_by_message: bool = False


@dataclass(frozen=True)
class Polled:
    """What one poll of an account brought: new events to store, the API quota spent, and how it went."""

    items: list[EventItem]
    units: int
    problem: str = ""  # why polling stopped early (quota, credentials, the platform failing), or ""


class Poller(Parser, Protocol):
    """A platform whose events are fetched, not pushed (no webhooks): ``channels.polling`` asks it
    periodically for what is new and stores it as webhook events are stored (the same ``raw_events``
    table, de-duplicated by external id, processed by the same job)."""

    def poll(self, account: AppAccount, seen: Callable[[str], bool], budget: int, http: httpx.Client) -> Polled:
        """New events since the last poll, newest first, spending at most ``budget`` quota units;
        ``seen(external_id)`` tells an event already stored, where an incremental poll stops."""
        ...


@dataclass(frozen=True)
class Listed:
    """What one reconciliation read from a platform's API: the events found, in the platform's own webhook
    envelope (so that they get the keys a webhook delivery of the same event gets), and how many objects
    the API returned in all (``fetched``, the new and the already stored alike)."""

    items: list[EventItem]
    fetched: int


class CredentialsRefused(Exception):
    """The platform refused the account's token while reconciling (revoked, expired, permission removed)."""


class PlatformFailed(Exception):
    """The platform could not be read (unreachable, 5xx, rate limited); a later run tries again."""


class Reconciler(Protocol):
    """Reads an account's recent comments and messages back from the platform's API, to store what its
    webhooks missed (``channels.reconcile``). Raises ``CredentialsRefused`` or ``PlatformFailed``."""

    def list_since(self, account: AppAccount, since: datetime, http: httpx.Client) -> Listed: ...


class MediaSource(Protocol):
    """Downloads a citizen's attachment that the platform gives by id (a file id, a media id) or at a link
    only the account's credentials open (direct-message media), for ``channels.media``. ``token(refused)`` is
    the account's cached access token (``fetch_token`` platforms), fetched anew when ``refused`` is the one a
    call was just refused with. Raises ``media.download.Refused`` with the platform's reason, or
    ``PayloadTooLarge``."""

    def download(
        self,
        account: AppAccount,
        wanted: Wanted,
        http: httpx.Client,
        *,
        limit: int,
        token: Callable[[str | None], str],
    ) -> Got: ...


@dataclass(frozen=True)
class PlatformSpec:
    """Everything the product knows of one platform (see the module docstring)."""

    name: str
    label: str
    external_id: str  # what the account's external id is, in the platform's words
    credentials: Credentials
    sender: Sender
    provider: Provider | None = None  # inbound webhooks (None: a form, or polled)
    poller: Poller | None = None  # inbound by polling the platform's API (``channels.polling``)
    # The API quota units an account may spend on polling per day, overridden by ``CIVICLOOP_POLL_BUDGETS``.
    poll_budget_default: int = 0
    signed_with: str = ""  # the credential webhook deliveries are checked with, in words
    comment_reply: RouteSpec | None = None
    direct_reply: RouteSpec | None = None
    post: RouteSpec | None = None
    # Feedback-form conversations answered by email (the web form).
    form_reply: RouteSpec | None = None
    window: ReplyWindow | None = None  # None: direct replies may be sent at any time
    # How the official's text is shaped for a post on this platform (plain text where it shows no Markdown).
    post_text: Callable[[str], str] = unchanged
    # Publishing: a per-platform variant when the common text does not fit, and its hint.
    variant_hint: str | None = None
    # Posts are short (X): announcements get a shortened variant, cut to fit, with their link kept.
    short_posts: bool = False
    # The API's public base URL, overridden by ``CIVICLOOP_<NAME>_API_URL`` (or ``CIVICLOOP_API_URLS``,
    # {name: url}); pointed at the simulator in tests and the demo.
    api_url_default: str = ""
    simulator: APIRouter | None = None
    # The platform's other hosts that the simulator serves below the platform's router: a key of
    # ``CIVICLOOP_API_URLS`` (a media host) or of ``CIVICLOOP_OAUTH_URLS`` (a sign-in page) → its path there.
    simulated_api_hosts: Mapping[str, str] = field(default_factory=dict)
    simulated_oauth_hosts: Mapping[str, str] = field(default_factory=dict)
    # Office access: the category of sites the platform's own domains belong to, whose officials running
    # the platform's official account are always designated for it (None: none).
    access_category: str | None = "social"
    domains: tuple[str, ...] = ()
    # Simulated citizens writing to the platform (None: none do, as on the web form).
    citizens: CitizenSide | None = None
    # The demo's account on every demo agency and the platform's part in its scripted scenes (None: only
    # what ``citizens.demo_account`` declares).
    demo: DemoSide | None = None
    # The colour of the platform's tag in lists (``.badge.tone-<colour>`` in the stylesheet; None: grey).
    badge: str | None = None
    # Words that announce a phone number as "phone" does ("<name>: 17 12 34 56", the number being the
    # citizen's account), for the guidelines' personal details (added to personal.json's phone_words).
    contact_words: tuple[str, ...] = ()
    # A social media account (counted in adoption and watched for silence); the web form is not.
    social: bool = True
    # The sender needs a short-lived access token fetched with the account's credentials (None: it does not).
    fetch_token: Callable[..., tuple[str, int]] | None = None
    # The platform's own health check of its accounts, beyond what every account shares (status, token
    # expiry, refused webhooks, silence): a problem in words by account id, for those that have one.
    health: Callable[[Session, Sequence[int]], dict[int, str]] | None = None
    # How an account is connected from the accounts page (OAuth, or a form checked against the platform),
    # checked for health, and its tokens refreshed (``channels.connect``); None: pasted credentials only.
    connector: Connector | None = None
    # The comment a reply answers, from the message replied to (external id, parent id).
    comment_target: Callable[[str, str | None], str] = lambda external_id, parent_id: external_id
    # The citizen a direct reply goes to when the contact is unknown, from the conversation's ref.
    direct_recipient: Callable[[str, str], str | None] = lambda conversation_ref, account_id: None
    # Reconciliation (``channels.reconcile``): what reads recent events back from the API (None: the API
    # cannot list them), and what the API cannot list, in words shown on the account page.
    reconciler: Reconciler | None = None
    reconcile_gaps: tuple[str, ...] = ()
    # Hiding, unhiding or deleting a citizen's comment on the platform itself (None: not offered).
    moderator: Moderator | None = None
    # Downloading citizens' attachments given by id or behind the account's credentials (None: plain links).
    media: MediaSource | None = None

    def api_url(self) -> str:
        return get_settings().api_url(self.name, self.api_url_default)

    @property
    def api_url_variable(self) -> str:
        """The setting that points the platform's calls elsewhere (the simulator)."""
        return f"CIVICLOOP_{self.name.upper()}_API_URL"

    def poll_budget(self) -> int:
        return get_settings().poll_budgets.get(self.name, self.poll_budget_default)

    def account_platform(self) -> AccountPlatform:
        return AccountPlatform(
            self.name,
            self.label,
            self.external_id,
            self.credentials,
            self.provider is not None,
            self.poller is not None,
        )

    @property
    def routes(self) -> tuple[RouteSpec, ...]:
        return tuple(r for r in (self.comment_reply, self.direct_reply, self.post, self.form_reply) if r is not None)
