"""Downloading one citizen's file from a platform, streamed and cut off past the size limit.

A leaf module: the platforms' ``MediaSource`` (a file fetched by its id, a link opened with the account's
credentials; ``channels/<platform>/media.py``) use it as the plain link download does, so every file meets
the same limit and answers its refusals the same way. No database, no registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from civicloop.errors import PayloadTooLarge


@dataclass(frozen=True)
class Wanted:
    """One attachment to fetch, as the platform gave it: its kind, the platform's id of it, its link."""

    kind: str
    media_id: str
    url: str


@dataclass(frozen=True)
class Got:
    data: bytes
    content_type: str  # what the platform said it is (never trusted: the bytes are sniffed afterwards)


class Refused(Exception):
    """The platform would not give the file; ``reason`` in its words, ``retry`` when a later try may work."""

    def __init__(self, reason: str, *, retry: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.retry = reason, retry


def size(limit: int) -> str:
    return f"{limit / 1_048_576:.1f} MB" if limit >= 1_048_576 else f"{limit:,} bytes"


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the file is larger than the limit of {size(limit)}")


def stream(
    http: httpx.Client,
    url: str,
    *,
    limit: int,
    label: str,
    headers: Mapping[str, str] | None = None,
) -> Got:
    """GET ``url``: the body, or ``Refused`` (HTTP error) or ``PayloadTooLarge`` one byte past ``limit``.
    Transport errors (``httpx.HTTPError``) pass through: the caller tries again later."""
    with http.stream("GET", url, headers=dict(headers or {})) as response:
        if response.status_code != 200:
            detail = response.read()[:200].decode("utf-8", "replace").strip()
            status = response.status_code
            reason = f"{label} answered HTTP {status}" + (f" ({detail[:120]})" if detail else "")
            if status in (403, 404, 410):
                reason += ": the platform's link expired or was withdrawn before it could be downloaded"
            raise Refused(reason, retry=status >= 500 or status == 429)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        chunks, total = [], 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                raise too_large(limit)
            chunks.append(chunk)
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return Got(b"".join(chunks), content_type)
