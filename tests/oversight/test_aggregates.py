"""The pre-aggregated tables must say exactly what a direct count of the messages says."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Platform
from civicloop.channels.models import Direction, Message
from civicloop.oversight import activity, aggregates
from civicloop.oversight.models import AccountDay, AccountHour
from civicloop.oversight.periods import Period
from tests.factories import create_account, create_agency
from tests.oversight.builders import bulk_messages, message

ZONE = "Asia/Thimphu"
NOW = datetime(2026, 3, 31, 6, 0, tzinfo=UTC)


def _seed(db: Session, rng: random.Random, count: int) -> None:
    agencies = [create_agency(db, f"AGG{n}") for n in range(3)]
    accounts = [create_account(db, a, p) for a in agencies for p in (Platform.facebook, Platform.x)]
    rows = []
    for _ in range(count):
        account = rng.choice(accounts)
        at = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        direction = Direction.inbound if rng.random() < 0.7 else Direction.outbound
        rows.append((account, at, direction, f"t{rng.randint(0, 40)}"))
    bulk_messages(db, rows)
    db.commit()


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


def _table_counts(db: Session) -> Counter[tuple[int, date, str]]:
    counts: Counter[tuple[int, date, str]] = Counter()
    for row in db.scalars(select(AccountDay)):
        counts[(row.account_id, row.day, "in")] += row.messages_in
        counts[(row.account_id, row.day, "out")] += row.messages_out
        counts[(row.account_id, row.day, "new")] += row.conversations_new
    return +counts


def test_refreshed_days_match_a_direct_recount(db: Session) -> None:
    _seed(db, random.Random(7), 400)
    result = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert result.messages_read == 400
    assert _table_counts(db) == _direct_day_counts(db, ZONE)


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


def test_a_second_refresh_adds_only_new_messages_and_recounts_their_days(db: Session) -> None:
    _seed(db, random.Random(3), 120)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    account = db.scalars(select(AccountDay)).first()
    assert account is not None
    from civicloop.agencies.models import OfficialAccount

    target = db.get(OfficialAccount, account.account_id)
    assert target is not None
    for minutes in (5, 6, 7):
        message(db, target, NOW - timedelta(minutes=minutes), thread="late-thread")
    db.commit()
    again = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert again.messages_read <= 3 + aggregates.RESCAN_IDS
    assert _table_counts(db) == _direct_day_counts(db, ZONE)
    twice = aggregates.refresh(db, zone_name=ZONE, now=NOW)
    db.commit()
    assert twice.days_rebuilt >= 1  # the margin re-reads recent ids: recounting keeps the totals right
    assert _table_counts(db) == _direct_day_counts(db, ZONE)


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
