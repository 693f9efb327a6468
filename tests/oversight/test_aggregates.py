"""The pre-aggregated tables must say exactly what a direct count of the messages says."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels.models import Conversation, Direction, Message
from civicloop.oversight import activity, aggregates, rollup
from civicloop.oversight.models import AccountDay, AccountHour, AccountMonth, RefreshMark
from civicloop.oversight.periods import Period
from tests.factories import create_account, create_agency
from tests.oversight.builders import bulk_messages, message

ZONE = "Asia/Thimphu"
Counted = Counter[tuple[int, date, str]]
NOW = datetime(2026, 3, 31, 6, 0, tzinfo=UTC)


def _seed(db: Session, rng: random.Random, count: int, days: int = 40) -> list[OfficialAccount]:
    agencies = [create_agency(db, f"AGG{n}") for n in range(3)]
    accounts = [create_account(db, a, p) for a in agencies for p in ("facebook", "x")]
    rows = []
    for _ in range(count):
        account = rng.choice(accounts)
        at = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * days))
        direction = Direction.inbound if rng.random() < 0.7 else Direction.outbound
        rows.append((account, at, direction, f"t{rng.randint(0, 40)}"))
    bulk_messages(db, rows)
    db.commit()
    return accounts


def _direct_day_counts(db: Session, zone_name: str) -> Counter[tuple[int, date, str]]:
    """Recount from scratch: per account, local day and direction, plus conversations begun that day."""
    counts: Counter[tuple[int, date, str]] = Counter()
    first_in: dict[int, tuple[datetime, int]] = {}
    for account_id, direction, created_at, conversation_id in db.execute(
        select(Message.account_id, Message.direction, Message.created_at, Message.conversation_id)
    ):
        day = aggregates._local_day(created_at, zone_name)
        counts[(account_id, day, direction.value)] += 1
        if direction is Direction.inbound and (
            conversation_id not in first_in or created_at < first_in[conversation_id][0]
        ):
            first_in[conversation_id] = (created_at, account_id)
    for created_at, account_id in first_in.values():
        counts[(account_id, aggregates._local_day(created_at, zone_name), "new")] += 1
    return counts


def _table_counts(
    db: Session, model: type[AccountDay] | type[AccountMonth] = AccountDay
) -> Counter[tuple[int, date, str]]:
    """What a day (or month) table holds, keyed like the direct recount."""
    counts: Counter[tuple[int, date, str]] = Counter()
    for row in db.scalars(select(model)):
        when = row.day if isinstance(row, AccountDay) else row.month
        counts[(row.account_id, when, "in")] += row.messages_in
        counts[(row.account_id, when, "out")] += row.messages_out
        counts[(row.account_id, when, "new")] += row.conversations_new
    return +counts


def _by_month(days: Counter[tuple[int, date, str]]) -> Counter[tuple[int, date, str]]:
    months: Counter[tuple[int, date, str]] = Counter()
    for (account_id, day, kind), n in days.items():
        months[(account_id, day.replace(day=1), kind)] += n
    return +months


def _assert_tables_match_a_direct_recount(db: Session) -> None:
    direct = _direct_day_counts(db, ZONE)
    assert _table_counts(db) == direct
    assert _table_counts(db, AccountMonth) == _by_month(direct)


def test_refreshed_days_match_a_direct_recount(db: Session) -> None:
    _seed(db, random.Random(7), 400)
    result = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert result.messages_read == 400
    _assert_tables_match_a_direct_recount(db)


def test_period_totals_from_the_tables_match_a_direct_count(db: Session) -> None:
    _seed(db, random.Random(11), 300)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    period = Period(date(2026, 3, 1), date(2026, 3, 20))
    start, end = period.bounds(ZONE)
    direct_in = db.scalar(
        select(func.count()).where(
            Message.direction == Direction.inbound, Message.created_at >= start, Message.created_at < end
        )
    )
    assert activity.total(db, period, None).messages_in == direct_in


def test_a_second_refresh_reads_only_new_messages_and_recounts_their_days(db: Session) -> None:
    _seed(db, random.Random(3), 120)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    account = db.scalars(select(AccountDay)).first()
    assert account is not None
    target = db.get(OfficialAccount, account.account_id)
    assert target is not None
    for minutes in (5, 6, 7):
        message(db, target, NOW - timedelta(minutes=minutes), thread="late-thread")
    db.commit()
    again = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert (again.messages_read, again.days_rebuilt) == (3, 1)
    assert _table_counts(db) == _direct_day_counts(db, ZONE)
    twice = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert (twice.messages_read, twice.days_rebuilt) == (0, 0)
    assert _table_counts(db) == _direct_day_counts(db, ZONE)


# Periods with partial months at both edges, whole months only, edges only, and one of each.
STRADDLING = [
    Period(date(2025, 12, 15), date(2026, 3, 10)),
    Period(date(2026, 1, 1), date(2026, 2, 28)),
    Period(date(2026, 2, 20), date(2026, 3, 5)),
    Period(date(2026, 2, 1), date(2026, 3, 15)),
]


def _direct_over(db: Session, period: Period, key: str) -> dict[object, activity.Counts]:
    """Per agency, platform or month: the direct recount of the messages, summed over the period's days."""
    accounts = {a.id: a for a in db.scalars(select(OfficialAccount))}
    out: dict[object, activity.Counts] = {}
    for (account_id, day, kind), n in _direct_day_counts(db, ZONE).items():
        if not period.start <= day <= period.end:
            continue
        account = accounts[account_id]
        value = {"agency_id": account.agency_id, "platform": account.platform.value, "month": day.replace(day=1)}
        counts = out.setdefault(value[key], activity.Counts())
        field = {"in": "messages_in", "out": "messages_out", "new": "conversations_new"}[kind]
        setattr(counts, field, getattr(counts, field) + n)
    return out


@pytest.mark.parametrize("period", STRADDLING, ids=lambda p: p.label)
def test_periods_across_month_boundaries_sum_days_and_months_to_a_direct_count(db: Session, period: Period) -> None:
    _seed(db, random.Random(13), 600, days=130)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    edges, whole = rollup.split(period)
    whole_days = 0 if whole is None else Period(whole.start, rollup.last_day(whole.end)).days
    assert sum(p.days for p in edges) + whole_days == period.days
    for key in ("agency_id", "platform", "month"):
        expected = _direct_over(db, period, key)
        got = activity.grouped(db, period, None, key)  # type: ignore[arg-type]
        assert {k: v for k, v in got.items() if v != activity.Counts()} == expected, key
    assert activity.total(db, period, None) == activity.summed(_direct_over(db, period, "agency_id").values())


def _import(db: Session, rows: list[tuple[OfficialAccount, datetime, str]]) -> None:
    """Old citizen messages, as a CSV import stores them: new ids, written long ago."""
    bulk_messages(db, [(account, at, Direction.inbound, thread) for account, at, thread in rows])
    db.commit()


def test_an_out_of_order_import_recounts_only_its_days_and_months(db: Session) -> None:
    accounts = _seed(db, random.Random(17), 400)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    old_days = [NOW - timedelta(days=d) for d in (61, 75, 90)]
    _import(db, [(accounts[n % 2], day + timedelta(minutes=n), f"import-{n}") for day in old_days for n in range(10)])
    # A citizen message older than its conversation's first one: the conversation now began that day.
    earliest = db.execute(
        select(Message.account_id, Message.conversation_id, func.min(Message.created_at))
        .where(Message.direction == Direction.inbound, Message.external_id.like("bulk-%"))
        .group_by(Message.account_id, Message.conversation_id)
        .order_by(Message.conversation_id)
        .limit(1)
    ).one()
    account = db.get(OfficialAccount, earliest[0])
    assert account is not None
    thread = db.scalar(select(Conversation.external_ref).where(Conversation.id == earliest[1]))
    message(db, account, NOW - timedelta(days=100), thread=thread)
    db.commit()
    result = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert result.messages_read == 31
    # Three old days for up to two agencies, the day 100 days ago, and the day the conversation used to begin on.
    assert result.days_rebuilt <= 3 * 2 + 2
    _assert_tables_match_a_direct_recount(db)
    months = {m for (_, m, _) in _table_counts(db, AccountMonth)}
    assert {date(2025, 12, 1), date(2026, 1, 1)} <= months


def _insert_with_id(db: Session, message_id: int, like: Message, at: datetime) -> None:
    """A citizen message on ``like``'s conversation with the id a late transaction was given."""
    values = {column.key: getattr(like, column.key) for column in Message.__table__.columns}
    values.update(id=message_id, external_id=f"late-{message_id}", direction=Direction.inbound)
    values.update(created_at=at, received_at=at)
    db.execute(insert(Message).values(**values))


def test_a_message_whose_transaction_commits_late_is_counted_by_a_later_refresh(db: Session) -> None:
    _seed(db, random.Random(19), 100)
    like = db.scalars(select(Message).order_by(Message.id.desc()).limit(1)).one()
    _insert_with_id(db, like.id + 2, like, NOW - timedelta(hours=1))
    db.commit()
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    mark = db.get(RefreshMark, aggregates.MESSAGES_MARK)
    assert mark is not None and mark.pending_ids == [like.id + 1]
    _insert_with_id(db, like.id + 1, like, NOW - timedelta(days=20))  # the id it was given, committed only now
    db.commit()
    late = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert late.messages_read == 1
    db.refresh(mark)
    assert mark.pending_ids == []
    _assert_tables_match_a_direct_recount(db)


def test_hours_are_kept_for_recent_weeks_only_and_match_the_messages(db: Session) -> None:
    _seed(db, random.Random(5), 200)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    oldest = db.scalar(select(func.min(AccountHour.hour)))
    assert oldest is not None and oldest >= NOW - aggregates.HOURS_KEPT - timedelta(days=1)
    cutoff = NOW - timedelta(days=20)
    hourly = db.scalar(select(func.sum(AccountHour.messages_in)).where(AccountHour.hour >= cutoff))
    direct = db.scalar(select(func.count()).where(Message.direction == Direction.inbound, Message.created_at >= cutoff))
    assert hourly == direct
