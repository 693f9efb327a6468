"""Helpers for reading untrusted platform documents (JSON bodies): shapes are checked, never assumed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from civicloop.errors import BadRequest


def load_json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise BadRequest("the body is not valid JSON") from exc
    if not isinstance(document, dict):
        raise BadRequest("the body must be a JSON object")
    return document


def dump_json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def digest(document: Any) -> str:
    """A short stable fingerprint of a JSON value, for dedup keys of events without their own id."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text_of(value: Any) -> str:
    """An id or label as text: platforms send ids as numbers or strings."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value)
    return ""


def from_unix(value: Any, *, millis: bool = False) -> datetime | None:
    """Seconds (or milliseconds) since the epoch, sent as a number or a string; None if unusable."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
        if millis:
            number /= 1000
        return datetime.fromtimestamp(number, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
