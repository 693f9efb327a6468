"""Message and conversation counts over a period, read from the pre-aggregated account days and months."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from civicloop.oversight import rollup
from civicloop.oversight.periods import Period

Key = Literal["agency_id", "account_id", "platform", "month", "day"]


@dataclass
class Counts:
    messages_in: int = 0
    messages_out: int = 0
    conversations_new: int = 0


def grouped(session: Session, period: Period, agency_ids: set[int] | None, key: Key) -> dict[Any, Counts]:
    """Sums per value of ``key`` over the period: whole months from the roll-up, the edges from the days."""
    found = rollup.sums(session, rollup.ACCOUNTS, period, key=key, agency_ids=agency_ids)
    return {value: Counts(*amounts) for value, amounts in found.items()}


def total(session: Session, period: Period, agency_ids: set[int] | None) -> Counts:
    found = rollup.sums(session, rollup.ACCOUNTS, period, key=None, agency_ids=agency_ids)
    return Counts(*found.get(None, [0, 0, 0]))


def summed(parts: Iterable[Counts]) -> Counts:
    """The total of per-group counts (cheaper than asking the database again)."""
    out = Counts()
    for part in parts:
        out.messages_in += part.messages_in
        out.messages_out += part.messages_out
        out.conversations_new += part.conversations_new
    return out
