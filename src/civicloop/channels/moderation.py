"""What every platform's moderation call shares: the operation asked for, what the platform answered.

A moderator (``channels/<platform>/moderation.py``, declared as ``PlatformSpec.moderator``) hides,
unhides or deletes one citizen's comment on the platform itself and never touches the database; the
``civicloop.moderation`` domain decides whether it may, and records the answer. A platform's refusal is
an answer, not an exception: it is kept in the record exactly as the platform gave it.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

ANSWER_LIMIT = 2000  # characters of the platform's answer kept in the record


class Operation(enum.StrEnum):
    hide = "hide"
    unhide = "unhide"
    delete = "delete"


@dataclass(frozen=True)
class ModerationCall:
    """One moderation request, as plain data: the moderator sees no ORM rows."""

    operation: Operation
    account_external_id: str
    credentials: Mapping[str, str]
    target: str  # the comment's id on the platform, as stored in the message's external id


@dataclass(frozen=True)
class PlatformAnswer:
    """What the platform said: applied or not, its HTTP status and body (cut to ``ANSWER_LIMIT``)."""

    applied: bool
    status: int | None
    body: str
    summary: str


class Moderator(Protocol):
    """A platform's moderation: which operations it offers and how each is asked for."""

    operations: frozenset[Operation]
    # In words, for officials: what a hide means on this platform (who can still see the comment).
    hide_means: str

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer: ...


def answer_of(response: httpx.Response, applied: bool, summary: str) -> PlatformAnswer:
    return PlatformAnswer(applied, response.status_code, response.text[:ANSWER_LIMIT], summary)


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def success_answer(response: httpx.Response, done: str, label: str) -> PlatformAnswer:
    """A Graph-style answer: ``{"success": true}``, or ``{"error": {"message", "code"}}`` said in words."""
    body = json_of(response)
    if response.status_code == 200 and isinstance(body, dict) and body.get("success") is True:
        return answer_of(response, True, done)
    error = body.get("error") if isinstance(body, dict) else None
    detail = error.get("message") if isinstance(error, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    summary = f"{label} answered {response.status_code}: {detail or 'no detail'}" + (f" (code {code})" if code else "")
    return answer_of(response, False, summary)


def no_answer(exc: httpx.TransportError) -> PlatformAnswer:
    """The platform could not be reached or did not answer in time: nothing is known to be applied
    (hiding and unhiding are idempotent, so the official may simply try again)."""
    return PlatformAnswer(False, None, "", f"no answer from the platform ({exc.__class__.__name__}); try again")


def unsupported(operation: Operation, label: str) -> PlatformAnswer:
    return PlatformAnswer(False, None, "", f"{label} offers no way to {operation.value} a comment")


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))[:ANSWER_LIMIT]
