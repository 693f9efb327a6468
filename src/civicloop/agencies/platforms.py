"""The platforms an official account can be on, as ``channels/registry.py`` registers them at import.

Agencies sit below channels (which owns each platform's folder and spec), so they never import it:
the registry hands over each platform's label and credential rules. Asking before anything is
registered fails loudly rather than accepting unchecked credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

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


def unregister(name: str) -> None:
    del REGISTERED[name]


def names() -> list[str]:
    """The registered platforms' names, in the registry's order."""
    return list(REGISTERED)


class Platform(str):
    """A registered platform's name (``Platform("<name>")``): a string, checked against the registry when made from
    outside data (``Platform(value)``, a request's field, a row being stored), so that a platform added
    by its folder and its registry line is accepted everywhere without editing a list here."""

    __slots__ = ()

    def __new__(cls, value: object) -> Platform:
        name = str(value)
        if not REGISTERED:
            raise RuntimeError("no platforms are registered: import civicloop.channels.registry first")
        if name not in REGISTERED:
            raise Invalid(f"unknown platform {name!r}; use one of {', '.join(REGISTERED)}", field="platform")
        return super().__new__(cls, name)

    @property
    def value(self) -> str:
        """The name as a plain string (what an enum's ``value`` was)."""
        return str.__str__(self)

    @classmethod
    def stored(cls, value: str) -> Platform:
        """A name read back from the database, unchecked (a platform since removed is still shown)."""
        return super().__new__(cls, value)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            _checked, core_schema.str_schema(), serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": names(), "title": "Platform"}


def _checked(value: str) -> Platform:
    try:
        return Platform(value)
    except Invalid as exc:
        raise ValueError(exc.message) from exc


class PlatformType(TypeDecorator[Platform]):
    """The column of a platform's name: a string that only takes registered names (no database enum,
    so a new platform needs no migration)."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: object, dialect: Dialect) -> str | None:
        return None if value is None else str(Platform(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Platform | None:
        return None if value is None else Platform.stored(value)


def get(name: str) -> AccountPlatform:
    if not REGISTERED:
        raise RuntimeError("no platforms are registered: import civicloop.channels.registry first")
    found = REGISTERED.get(str(name))
    if found is None:
        raise Invalid(f"unknown platform {name!r}; use one of {', '.join(REGISTERED)}", field="platform")
    return found
