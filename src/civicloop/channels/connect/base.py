"""What a platform's connector is (declared in ``channels/<platform>/connect.py``, listed by its
``PlatformSpec.connector``) and the values it hands back. A connector talks to the platform and never
to the database: ``channels.connect.service`` stores what it found.

Two kinds: **oauth** sends the official to the platform's consent page and exchanges the code that comes
back; **form** takes the credentials the platform's own console shows and checks them against the
platform (for platforms with no OAuth for this). Both end in ``Candidate`` rows: what can be
connected, with the credentials to store, or why not.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from civicloop.config import get_settings
from civicloop.errors import Invalid


class PlatformRefused(Invalid):
    """The platform said no (or could not be reached): the message carries its reason, in its words."""

    code = "platform_refused"

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        # The platform failed rather than refused (unreachable, HTTP 5xx): trying later may work.
        self.transient = transient


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    secret: bool = False
    hint: str = ""
    required: bool = True


@dataclass(frozen=True)
class Grant:
    """What the platform gave for one consent: the person's token(s) and the scopes granted."""

    secret: dict[str, str]
    scopes: tuple[str, ...]
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Candidate:
    """An account the person can connect (``problem`` empty) or cannot (``problem`` says why)."""

    external_id: str
    name: str
    credentials: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    scopes: tuple[str, ...] = ()
    token_expires_at: datetime | None = None
    detail: str = ""  # shown beside the name ("Page", "@handle", "linked to the Page ...")


@dataclass(frozen=True)
class Checked:
    """What the platform says of a connected account now (the health page shows it)."""

    valid: bool
    problem: str = ""  # why it needs a person (empty when valid)
    scopes: tuple[str, ...] | None = None  # None: the platform does not tell
    token_expires_at: datetime | None = None
    webhook: str = ""  # "subscribed", "not subscribed", "set to <url>", "" (not applicable)


@dataclass(frozen=True)
class Refreshed:
    credentials: dict[str, str]
    expires_at: datetime | None


def refused(label: str, what: str, reason: str, status: int) -> PlatformRefused:
    return PlatformRefused(f"{label} refused {what}: {reason}", transient=status >= 500 or status == 429)


class RefreshRefused(PlatformRefused):
    """The platform will not refresh the token any more: a person has to connect the account again."""


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def app_settings(key: str, *names: str) -> dict[str, str]:
    """The deployment's app registration on a platform (``CIVICLOOP_PLATFORM_APPS``), every name required."""
    app = get_settings().platform_apps.get(key, {})
    missing = [n for n in names if not app.get(n)]
    if missing:
        raise Invalid(
            f"this deployment has no {key} app configured: set {', '.join(missing)} under {key!r} in "
            "CIVICLOOP_PLATFORM_APPS (docs/configuration.md)"
        )
    return {n: app[n] for n in names} | {k: v for k, v in app.items() if k not in names}


def oauth_url(key: str, default: str) -> str:
    """A platform's sign-in or token base URL (``CIVICLOOP_OAUTH_URLS``), pointed at the simulator in tests."""
    return get_settings().oauth_urls.get(key, default).rstrip("/")


def call(label: str, send: Any, *args: Any, **kwargs: Any) -> Any:
    """Make one platform call; a transport failure becomes ``PlatformRefused`` naming the platform."""
    try:
        response: httpx.Response = send(*args, **kwargs)
    except httpx.TransportError as exc:
        raise PlatformRefused(
            f"{label} could not be reached ({exc.__class__.__name__}); try again later", transient=True
        ) from exc
    return response


def json_of(label: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PlatformRefused(
            f"{label} answered HTTP {response.status_code} without a JSON object", transient=response.status_code >= 500
        )
    return body


def expiry(now: datetime, seconds: object) -> datetime | None:
    """``expires_in`` seconds from now; 0, absent or unreadable: does not expire."""
    try:
        value = int(str(seconds))
    except ValueError:
        return None
    return now + timedelta(seconds=value) if value > 0 else None


def missing_scopes(needed: tuple[str, ...], granted: tuple[str, ...] | None) -> list[str]:
    if granted is None:
        return []
    return [s for s in needed if s not in granted]


class Connector:
    """A platform's connection flow. Subclasses set ``kind`` and override the methods of that kind."""

    kind = "form"  # "oauth" or "form"
    label = ""
    article = "a"  # "Connect a …" or "Connect an …", as the label reads
    app_key = ""  # the ``CIVICLOOP_PLATFORM_APPS`` entry it needs ("" for none)
    needed_scopes: tuple[str, ...] = ()
    fields: tuple[FormField, ...] = ()
    # Its access tokens expire and are refreshed without a person (a fetched token, an OAuth refresh token).
    refreshes = False

    # --- oauth -------------------------------------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str, challenge: str) -> str:
        raise NotImplementedError

    def exchange(self, http: httpx.Client, *, code: str, redirect_uri: str, verifier: str, now: datetime) -> Grant:
        raise NotImplementedError

    def candidates(self, http: httpx.Client, grant: Grant, *, now: datetime) -> list[Candidate]:
        raise NotImplementedError

    # --- form --------------------------------------------------------------------------------------
    def from_form(self, http: httpx.Client, values: Mapping[str, str], *, now: datetime) -> Candidate:
        raise NotImplementedError

    # --- both --------------------------------------------------------------------------------------
    def activate(self, http: httpx.Client, candidate: Candidate, *, webhook_url: str) -> Candidate:
        """Subscribe the platform's webhooks for the account (after it has an id here); returns the
        credentials to keep (a generated secret may have been added)."""
        return candidate

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        """Ask the platform whether the stored credentials work, and what they may do."""
        raise NotImplementedError

    def refresh(self, http: httpx.Client, credentials: Mapping[str, str], *, now: datetime) -> Refreshed | None:
        """New credentials before the token expires; None: nothing to refresh."""
        return None

    # --- the simulated platform (the demo, the tests) ----------------------------------------------
    # This deployment's app as registered on the simulated platform (``CIVICLOOP_PLATFORM_APPS[app_key]``).
    simulated_app: Mapping[str, str] = {}

    def simulate(self, state: Any, *, redirect_uris: Sequence[str], base_url: str) -> str:
        """Arrange the simulated platform (``state``) so that this flow can be completed on it: the app
        registered with ``redirect_uris``, someone there with something to connect. Returns what to connect,
        in words for the demo's console ("" for nothing)."""
        return ""
