"""The platforms an official account can be on, as ``channels/registry.py`` registers them at import.

Agencies sit below channels (which owns each platform's folder and spec), so they never import it:
the registry hands over each platform's label and credential rules. Asking before anything is
registered fails loudly rather than accepting unchecked credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from civicloop.errors import Invalid


@dataclass(frozen=True)
class Credentials:
    """The credential names a platform's accounts take, and which one identifies the platform app."""

    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    # Accounts sharing this credential's value are served by one app and share a webhook URL.
    identity: str | None = None
    # What must be present to send through the account (returns the problem, or "").
    for_sending: Callable[[Mapping[str, str]], str] = lambda credentials: ""
    # Further checks when an account is registered (each returns the problem, or "").
    checks: tuple[Callable[[Mapping[str, str]], str], ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return self.required | self.optional


@dataclass(frozen=True)
class AccountPlatform:
    name: str
    label: str
    external_id: str  # what the account's external id is, in the platform's words
    credentials: Credentials
    webhooks: bool  # served by a webhook URL (else the public feedback form, or polled)
    polled: bool = False  # its events are fetched by polling the platform's API: no URL at all


REGISTERED: dict[str, AccountPlatform] = {}


def register(platform: AccountPlatform) -> None:
    REGISTERED[platform.name] = platform


def get(name: str) -> AccountPlatform:
    if not REGISTERED:
        raise RuntimeError("no platforms are registered: import civicloop.channels.registry first")
    found = REGISTERED.get(str(name))
    if found is None:
        raise Invalid(f"unknown platform {name!r}; use one of {', '.join(REGISTERED)}", field="platform")
    return found
