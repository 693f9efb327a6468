"""Messages another domain gathers, for analysis runs over them (a consultation's answers).

Analysis sits beside consultations and imports nothing of it: when imported, the consultations
domain registers how to find a consultation's agency and its messages, and a run of that scope
asks here. A scope whose domain registered nothing is refused with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from civicloop.errors import Invalid


@dataclass(frozen=True)
class MessageSource:
    agency_of: Callable[[Session, int], int | None]  # None: no such scope
    message_ids: Callable[[Session, int], list[int]]


SOURCES: dict[str, MessageSource] = {}


def source(kind: str) -> MessageSource:
    if kind not in SOURCES:
        raise Invalid(f"analysing a {kind}'s messages needs the {kind}s domain, which is not loaded")
    return SOURCES[kind]
