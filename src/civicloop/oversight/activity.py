"""Message and conversation counts over a period, read from the pre-aggregated account days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from civicloop.oversight.models import AccountDay
from civicloop.oversight.periods import Period


@dataclass
class Counts:
    messages_in: int = 0
    messages_out: int = 0
    conversations_new: int = 0


def _sums(period: Period, agency_ids: set[int] | None, *keys: Any) -> Select[Any]:
    query = select(
        *keys,
        func.sum(AccountDay.messages_in),
        func.sum(AccountDay.messages_out),
        func.sum(AccountDay.conversations_new),
    ).where(AccountDay.day >= period.start, AccountDay.day <= period.end)
    if agency_ids is not None:
        query = query.where(AccountDay.agency_id.in_(agency_ids))
    return query.group_by(*keys) if keys else query


def grouped(
    session: Session, period: Period, agency_ids: set[int] | None, key: ColumnElement[Any] | Any
) -> dict[Any, Counts]:
    """Sums per value of ``key`` (an ``AccountDay`` column) over the period's days."""
    out: dict[Any, Counts] = defaultdict(Counts)
    for value, m_in, m_out, conv in session.execute(_sums(period, agency_ids, key)).tuples():
        out[value] = Counts(int(m_in or 0), int(m_out or 0), int(conv or 0))
    return out


def total(session: Session, period: Period, agency_ids: set[int] | None) -> Counts:
    m_in, m_out, conv = session.execute(_sums(period, agency_ids)).one()
    return Counts(int(m_in or 0), int(m_out or 0), int(conv or 0))


def summed(parts: Iterable[Counts]) -> Counts:
    """The total of per-group counts (cheaper than asking the database again)."""
    out = Counts()
    for part in parts:
        out.messages_in += part.messages_in
        out.messages_out += part.messages_out
        out.conversations_new += part.conversations_new
    return out
