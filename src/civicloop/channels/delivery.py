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
from typing import Protocol

import httpx


class Route(enum.StrEnum):
    """Where an outbound message goes, derived once when it is created."""

    facebook_comment = "facebook_comment"  # POST /{comment-id}/comments
    facebook_post = "facebook_post"  # POST /{page-id}/feed (or /photos with an image)
    messenger = "messenger"  # POST /{page-id}/messages, RESPONSE
    x_reply = "x_reply"  # POST /2/tweets with reply.in_reply_to_tweet_id
    x_post = "x_post"  # POST /2/tweets
    x_dm = "x_dm"  # POST /2/dm_conversations/with/{id}/messages
    wechat_cs = "wechat_cs"  # POST /cgi-bin/message/custom/send
    wechat_mass = "wechat_mass"  # POST /cgi-bin/message/mass/sendall
    instagram_comment = "instagram_comment"  # POST /{ig-comment-id}/replies
    instagram_message = "instagram_message"  # POST /{ig-account-id}/messages, within 24 h
    telegram_reply = "telegram_reply"  # POST /bot<token>/sendMessage with reply_parameters (groups)
    telegram_message = "telegram_message"  # POST /bot<token>/sendMessage to a private chat
    telegram_post = "telegram_post"  # POST /bot<token>/sendMessage to the bot's channel
    youtube_reply = "youtube_reply"  # POST /youtube/v3/comments with snippet.parentId
    email = "email"  # a web-form citizen: their status page, and SMTP to the address they left


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
    recipient: str | None = None  # PSID, X user id, WeChat openid, email address
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
