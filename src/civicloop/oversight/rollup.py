"""Day tables and their monthly roll-ups: sums over any period read whole months from the months.

A period of a year touches at most two partial months (its edges); those are summed from the day
rows, every whole month between them from one row per month. The month rows are recounted from the
day rows by the same jobs that rewrite the days (``roll_up``), so both always say the same thing;
``tests/oversight/test_aggregates.py`` checks periods that straddle month boundaries against a
direct count of the messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from civicloop.oversight.models import AccountDay, AccountMonth, ResponseDay, ResponseMonth
from civicloop.oversight.periods import Period


@dataclass(frozen=True)
class Pair:
    """A day table, its month table, the columns both group by, and the counts they add up."""

    day: Any
    month: Any
    keys: tuple[str, ...]
    values: tuple[str, ...]


ACCOUNTS = Pair(
    AccountDay,
    AccountMonth,
    keys=("account_id", "agency_id", "platform"),
    values=("messages_in", "messages_out", "conversations_new"),
)
RESPONSES = Pair(
    ResponseDay,
    ResponseMonth,
    keys=("agency_id", "channel"),
    values=("conversations", "responded", "within_target", "missed_target", "breaches"),
)


def last_day(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def split(period: Period) -> tuple[list[Period], Period | None]:
    """The partial months at the edges of ``period``, and the whole months between them (first days)."""
    edges: list[Period] = []
    whole: list[date] = []
    for part in period.by_month():
        if part.start.day == 1 and part.end == last_day(part.start):
            whole.append(part.start)
        else:
            edges.append(part)
    return edges, (Period(whole[0], whole[-1]) if whole else None)


def sums(
    session: Session, pair: Pair, period: Period, *, key: str | None, agency_ids: set[int] | None
) -> dict[Any, list[int]]:
    """``pair.values`` summed over ``period`` per value of ``key``.

    ``key`` is a column of both tables, ``"month"`` (first day of the month), ``"day"`` (read from
    the days only), or None for one total (under the key None).
    """
    if key == "day":
        reads = [(pair.day, pair.day.day, [period])]
    else:
        edges, whole = split(period)
        reads = [(pair.day, pair.day.day, edges), (pair.month, pair.month.month, [whole] if whole else [])]
    out: dict[Any, list[int]] = defaultdict(lambda: [0] * len(pair.values))
    for model, when, ranges in reads:
        if not ranges:
            continue
        group = [] if key is None else [when if key in ("month", "day") else getattr(model, key)]
        query = select(*group, *(func.sum(getattr(model, v)) for v in pair.values)).where(
            or_(*(when.between(r.start, r.end) for r in ranges))
        )
        if agency_ids is not None:
            query = query.where(model.agency_id.in_(agency_ids))
        for row in session.execute(query.group_by(*group) if group else query):
            value: Any = row[0] if group else None
            if key == "month":
                value = value.replace(day=1)
            target = out[value]
            for n, amount in enumerate(row[len(group) :]):
                target[n] += int(amount or 0)
    return out


def roll_up(session: Session, pair: Pair, months: Iterable[date], agency_ids: set[int] | None = None) -> None:
    """Recount these months (of these agencies, or of all) from the day rows."""
    for month in sorted(set(months)):
        first = month.replace(day=1)
        mine = [] if agency_ids is None else [pair.month.agency_id.in_(agency_ids)]
        session.execute(delete(pair.month).where(pair.month.month == first, *mine))
        keys = [getattr(pair.day, k) for k in pair.keys]
        rows = (
            select(literal(first, Date()), *keys, *(func.sum(getattr(pair.day, v)) for v in pair.values))
            .where(pair.day.day.between(first, last_day(first)))
            .group_by(*keys)
        )
        if agency_ids is not None:
            rows = rows.where(pair.day.agency_id.in_(agency_ids))
        session.execute(insert(pair.month).from_select(["month", *pair.keys, *pair.values], rows))
