"""What every outbound sender shares: the delivery it is handed, what it returns, how a failure is classed.

A sender (``channels/<platform>/outbound.py``) makes the platform call for one outbound message and
never touches the database; ``channels.outbound.send`` decides from the classification below whether
to retry, wait, refresh a token, check the platform before sending again, or give up.
"""

from __future__ import annotations

import email.utils
import enum
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# The routes the registered platforms declare (``RouteSpec``), filled by ``channels/registry.py``.
ROUTES: set[str] = set()


class Route(str):
    """Where an outbound message goes, derived once when it is created: a name a platform's spec
    declares in its folder (``Route("<platform>_reply")``), checked against the registered routes when stored."""

    __slots__ = ()

    @classmethod
    def checked(cls, value: object) -> Route:
        """A route from outside data (a row being stored): it must be one a registered platform declares."""
        name = str(value)
        if not ROUTES:
            raise RuntimeError("no routes are registered: import civicloop.channels.registry first")
        if name not in ROUTES:
            raise ValueError(f"unknown route {name!r}; use one of {', '.join(sorted(ROUTES))}")
        return cls(name)

    @property
    def value(self) -> str:
        """The name as a plain string (what an enum's ``value`` was)."""
        return str.__str__(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls.checked, core_schema.str_schema(), serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": sorted(ROUTES), "title": "Route"}


class RouteType(TypeDecorator[Route]):
    """The column of an outbound message's route: a string that only takes registered routes (no
    database enum, so a new platform's routes need no migration)."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value: object, dialect: Dialect) -> str | None:
        return None if value is None else str(Route.checked(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Route | None:
        return None if value is None else Route(value)


@dataclass(frozen=True)
class Delivery:
    """One send attempt, as plain data: the sender sees no ORM rows."""

    outbound_id: int
    idempotency_key: str
    route: Route
    text: str
    account_external_id: str
    credentials: Mapping[str, str]
    target: str | None = None  # the platform object replied to (comment id, tweet id)
    recipient: str | None = None  # the person on the platform (their id there), or an email address
    image_path: Path | None = None
    subject: str | None = None  # email replies
    attempt_started_at: datetime | None = None  # when the attempt being checked began


@dataclass(frozen=True)
class Sent:
    external_id: str
    permalink: str | None = None


class Next(enum.StrEnum):
    """What to do after a failed call."""

    give_up = "give_up"  # 4xx: the platform said no (expired token, closed window, bad input)
    retry = "retry"  # surely not applied (429, refused connection, "system busy"): send again later
    check = "check"  # maybe applied (timeout, 5xx after the request was sent): look before resending
    # The cached access token is no longer valid: fetch a new one and send again.
    refresh_token = "refresh_token"  # noqa: S105 - the name of a step, not a secret


class SendError(Exception):
    def __init__(self, reason: str, next_step: Next, *, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.next_step = next_step
        self.wait = wait


class Unverifiable(Exception):
    """The platform offers no way to tell whether an earlier attempt was delivered."""


class Sender(Protocol):
    platform: str

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        """Make the call; raise ``SendError`` classified for the retry policy."""
        ...

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        """Look on the platform for what an interrupted attempt may have created (``None``: not there).

        Raises ``Unverifiable`` when the platform cannot be asked, ``SendError`` when asking failed.
        """
        ...


def wait_from_headers(headers: httpx.Headers, now: datetime) -> float | None:
    """Seconds to wait before the next call, from ``Retry-After`` or ``x-rate-limit-reset``."""
    retry_after = headers.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        try:
            when = email.utils.parsedate_to_datetime(retry_after)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max((when.astimezone(UTC) - now).total_seconds(), 0.0)
    reset = headers.get("x-rate-limit-reset")
    if reset and reset.strip().isdigit():
        return max(int(reset) - now.timestamp(), 0.0) + 1
    return None


def backoff(attempt: int, *, base: float = 2.0, cap: float = 900.0) -> float:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, never more than ``cap``."""
    raw: float = min(cap, base * 2 ** max(attempt - 1, 0))
    return raw * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def classify_http(response: httpx.Response, now: datetime, reason: str) -> SendError:
    """The default classing of an HTTP failure: 429 waits, 5xx is checked, other 4xx are final."""
    status = response.status_code
    if status == 429:
        return SendError(f"rate limited ({reason})", Next.retry, wait=wait_from_headers(response.headers, now))
    if status >= 500:
        return SendError(
            f"platform error {status} ({reason})", Next.check, wait=wait_from_headers(response.headers, now)
        )
    return SendError(reason, Next.give_up)


def classify_transport(exc: httpx.TransportError) -> SendError:
    """A refused or failed connection sent nothing; a timeout after sending may have been applied."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return SendError(f"could not connect: {exc.__class__.__name__}", Next.retry)
    return SendError(f"no answer: {exc.__class__.__name__}", Next.check)
