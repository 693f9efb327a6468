"""Pre-aggregated counts per account and day, and month (and hour for recent weeks), kept fresh by a job.

Pages read these small tables instead of scanning millions of messages. A refresh reads the messages
stored since its last run (by id, and the ids still missing last time, for transactions that commit
late), finds the agency-days they touch and recounts those days from the source, then their months:
recounting rather than adding makes a refresh safe to repeat, and an import of old messages touches
only its own days. A nightly rebuild of the last days repairs anything a refresh missed.
``tests/oversight/test_aggregates.py`` checks the tables against a direct count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Row, delete, func, insert, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount, Platform
from civicloop.analysis import sentiment
from civicloop.channels.models import Direction, Message
from civicloop.kit.timezones import zone
from civicloop.oversight import rollup
from civicloop.oversight.models import AccountDay, AccountHour, MessageSignal, RefreshMark
from civicloop.oversight.periods import Period

HOURS_KEPT = timedelta(days=35)
# How far below the highest id read a missing id is still waited for (its transaction may commit late).
RESCAN_IDS = 2000
BATCH = 50_000
MESSAGES_MARK = "messages"
# Dirty days closer than this are recounted in one read, with the clean days between them.
MAX_GAP_DAYS = 2
MAX_RUN_DAYS = 62


@dataclass(frozen=True)
class RefreshResult:
    messages_read: int
    days_rebuilt: int


def _floor_hour(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


def _local_day(instant: datetime, zone_name: str) -> date:
    return instant.astimezone(zone(zone_name)).date()


def _earlier_conversations(session: Session, conversation_ids: list[int], start: datetime) -> set[int]:
    """Of these conversations, those with a citizen message before ``start`` (begun earlier)."""
    earlier: set[int] = set()
    for chunk in range(0, len(conversation_ids), 500):
        earlier.update(
            session.scalars(
                select(Message.conversation_id)
                .where(
                    Message.conversation_id.in_(conversation_ids[chunk : chunk + 500]),
                    Message.direction == Direction.inbound,
                    Message.created_at < start,
                )
                .distinct()
            )
        )
    return earlier


def rebuild_range(session: Session, *, agency_id: int, period: Period, zone_name: str, now: datetime) -> None:
    """Recount one agency's days in ``period`` from the messages, and their hours within retention.

    A conversation counts as new on the local day of its first citizen message.
    """
    start, end = period.bounds(zone_name)
    hours_from, hours_to = _floor_hour(start), _floor_hour(end - timedelta(microseconds=1)) + timedelta(hours=1)
    keep_from = max(hours_from, _floor_hour(now - HOURS_KEPT))
    keep_hours = keep_from < hours_to
    rows = session.execute(
        select(Message.account_id, Message.direction, Message.created_at, Message.conversation_id).where(
            Message.agency_id == agency_id,
            Message.created_at >= (hours_from if keep_hours else start),
            Message.created_at < (hours_to if keep_hours else end),
        )
    ).all()
    daily: Counter[tuple[int, date, Direction]] = Counter()
    hourly: Counter[tuple[int, datetime, Direction]] = Counter()
    first: dict[int, tuple[datetime, int]] = {}
    for account_id, direction, created_at, conversation_id in rows:
        if start <= created_at < end:
            daily[(account_id, _local_day(created_at, zone_name), direction)] += 1
            seen = first.get(conversation_id)
            if direction is Direction.inbound and (seen is None or created_at < seen[0]):
                first[conversation_id] = (created_at, account_id)
        if keep_hours and created_at >= keep_from:
            hourly[(account_id, _floor_hour(created_at), direction)] += 1
    earlier = _earlier_conversations(session, list(first), start)
    began: Counter[tuple[int, date]] = Counter(
        (account_id, _local_day(at, zone_name)) for cid, (at, account_id) in first.items() if cid not in earlier
    )
    session.execute(
        delete(AccountDay).where(
            AccountDay.agency_id == agency_id, AccountDay.day >= period.start, AccountDay.day <= period.end
        )
    )
    keys = sorted({(account_id, day) for account_id, day, _ in daily})
    platforms: dict[int, Platform] = {
        account_id: platform
        for account_id, platform in session.execute(
            select(OfficialAccount.id, OfficialAccount.platform).where(
                OfficialAccount.id.in_({account_id for account_id, _ in keys})
            )
        )
    }
    session.add_all(
        AccountDay(
            day=day,
            account_id=account_id,
            agency_id=agency_id,
            platform=platforms[account_id].value,
            messages_in=daily[(account_id, day, Direction.inbound)],
            messages_out=daily[(account_id, day, Direction.outbound)],
            conversations_new=began[(account_id, day)],
        )
        for account_id, day in keys
    )
    if keep_hours:
        session.execute(
            delete(AccountHour).where(
                AccountHour.agency_id == agency_id, AccountHour.hour >= keep_from, AccountHour.hour < hours_to
            )
        )
        session.add_all(
            AccountHour(
                hour=hour,
                account_id=account_id,
                agency_id=agency_id,
                messages_in=hourly[(account_id, hour, Direction.inbound)],
                messages_out=hourly[(account_id, hour, Direction.outbound)],
            )
            for account_id, hour in sorted({(a, h) for a, h, _ in hourly})
        )
    session.flush()


def _runs(days: Iterable[date]) -> list[Period]:
    """Group days into periods of at most ``MAX_RUN_DAYS``, bridging gaps shorter than ``MAX_GAP_DAYS``."""
    runs: list[Period] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1].end).days <= MAX_GAP_DAYS and (day - runs[-1].start).days < MAX_RUN_DAYS:
            runs[-1] = Period(runs[-1].start, day)
        else:
            runs.append(Period(day, day))
    return runs


def rebuild(session: Session, *, agency_days: Iterable[tuple[int, date]], zone_name: str, now: datetime) -> int:
    """Recount the given agency-days (and the days between close ones), then their months; returns the days."""
    by_agency: dict[int, set[date]] = {}
    for agency_id, day in agency_days:
        by_agency.setdefault(agency_id, set()).add(day)
    done = 0
    months: dict[date, set[int]] = {}
    for agency_id in sorted(by_agency):
        for run in _runs(by_agency[agency_id]):
            rebuild_range(session, agency_id=agency_id, period=run, zone_name=zone_name, now=now)
            done += run.days
            for month in run.months():
                months.setdefault(month, set()).add(agency_id)
    for month, agency_ids in sorted(months.items()):
        rollup.roll_up(session, rollup.ACCOUNTS, [month], agency_ids)
    return done


def _record_signals(session: Session, message_ids: list[int]) -> None:
    """Classify new citizen messages once (analysis' sentiment) for the alert rules.

    Refreshes never run at once (the mark row is locked); skipping the ids already classified keeps
    a hand-run rebuild harmless too.
    """
    for chunk in range(0, len(message_ids), 1000):
        ids = message_ids[chunk : chunk + 1000]
        known = set(session.scalars(select(MessageSignal.message_id).where(MessageSignal.message_id.in_(ids))))
        rows = session.execute(
            select(
                Message.id,
                Message.agency_id,
                Message.account_id,
                Message.conversation_id,
                Message.created_at,
                Message.text,
            ).where(Message.id.in_([i for i in ids if i not in known]))
        ).all()
        values = [
            {
                "message_id": message_id,
                "agency_id": agency_id,
                "account_id": account_id,
                "conversation_id": conversation_id,
                "created_at": created_at,
                "negative": sentiment.label(sentiment.score(text or "")) == sentiment.NEGATIVE,
            }
            for message_id, agency_id, account_id, conversation_id, created_at, text in rows
        ]
        if values:
            session.execute(insert(MessageSignal), values)


def _mark(session: Session, name: str) -> RefreshMark:
    mark = session.get(RefreshMark, name, with_for_update=True)
    if mark is None:
        mark = RefreshMark(name=name, last_id=0, pending_ids=[])
        session.add(mark)
        session.flush()
    return mark


_NEW_COLUMNS = (Message.id, Message.agency_id, Message.conversation_id, Message.created_at, Message.direction)
NewRow = Row[int, int, int, datetime, Direction]


def _gaps(after: int, ids: list[int]) -> list[int]:
    """Ids missing between ``after`` and the last of ``ids`` (ascending): at most RESCAN_IDS before each one."""
    missing: list[int] = []
    expected = after + 1
    for message_id in ids:
        missing.extend(range(max(expected, message_id - RESCAN_IDS), message_id))
        expected = message_id + 1
    return missing


@dataclass
class _Uncounted:
    """What a refresh read that the tables have not counted yet."""

    last_id: int
    # Whether the tables already hold counts that a message older than its conversation's first one
    # can change (not before the first refresh, when every day is counted anyway).
    track_firsts: bool
    read: int = 0
    pending: list[int] = field(default_factory=list)
    dirty: set[tuple[int, date]] = field(default_factory=set)
    # Per conversation with new citizen messages: the earliest of them, and the agency.
    first_new: dict[int, tuple[datetime, int]] = field(default_factory=dict)


def _take(found: _Uncounted, rows: Sequence[NewRow], zone_name: str, signals_since: datetime) -> list[int]:
    """Note the agency-days these new messages touch; returns the recent citizen messages among them."""
    recent: list[int] = []
    for message_id, agency_id, conversation_id, created_at, direction in rows:
        found.dirty.add((agency_id, _local_day(created_at, zone_name)))
        if direction is not Direction.inbound:
            continue
        if created_at >= signals_since:
            recent.append(message_id)
        known = found.first_new.get(conversation_id)
        if found.track_firsts and (known is None or created_at < known[0]):
            found.first_new[conversation_id] = (created_at, agency_id)
    found.read += len(rows)
    return recent


def _uncounted(session: Session, mark: RefreshMark, *, zone_name: str, now: datetime, batch: int) -> _Uncounted:
    """Read the messages not counted yet: ids above the mark, and the ids that were missing below it.

    An id is missing while its transaction has not committed (or after it rolled back): it stays
    in ``pending_ids``, read again by every run until it is ``RESCAN_IDS`` below the highest id.
    Nothing counted already is read again, so an import of old messages recounts only its days.
    """
    found = _Uncounted(last_id=mark.last_id, track_firsts=mark.last_id > 0)
    since = now - HOURS_KEPT
    if mark.pending_ids:
        rows = session.execute(select(*_NEW_COLUMNS).where(Message.id.in_(mark.pending_ids))).all()
        _record_signals(session, _take(found, rows, zone_name, since))
        arrived = {row[0] for row in rows}
        found.pending = [i for i in mark.pending_ids if i not in arrived]
    while True:
        rows = session.execute(
            select(*_NEW_COLUMNS).where(Message.id > found.last_id).order_by(Message.id).limit(batch)
        ).all()
        if not rows:
            break
        ids = [row[0] for row in rows]
        found.pending = [i for i in found.pending + _gaps(found.last_id, ids) if i > ids[-1] - RESCAN_IDS]
        _record_signals(session, _take(found, rows, zone_name, since))
        found.last_id = ids[-1]
    return found


def _earlier_first_days(session: Session, found: _Uncounted, counted: RefreshMark, zone_name: str) -> None:
    """Mark the day a conversation used to begin on where a new, older citizen message now begins it."""
    conversation_ids = sorted(found.first_new)
    for chunk in range(0, len(conversation_ids), 500):
        query = (
            select(Message.conversation_id, func.min(Message.created_at))
            .where(
                Message.conversation_id.in_(conversation_ids[chunk : chunk + 500]),
                Message.direction == Direction.inbound,
                Message.id <= counted.last_id,
                Message.id.not_in(counted.pending_ids),
            )
            .group_by(Message.conversation_id)
        )
        for conversation_id, counted_first in session.execute(query).all():
            new_first, agency_id = found.first_new[conversation_id]
            if new_first < counted_first:
                found.dirty.add((agency_id, _local_day(counted_first, zone_name)))


def refresh(session: Session, *, zone_name: str, now: datetime, batch: int = BATCH) -> RefreshResult:
    """Bring the tables up to date with the messages stored since the last refresh.

    Only the agency-days the new messages fall on are recounted (and, when a new message is older
    than its conversation's first one, the day the conversation used to begin on), then their months.
    """
    mark = _mark(session, MESSAGES_MARK)
    found = _uncounted(session, mark, zone_name=zone_name, now=now, batch=batch)
    _earlier_first_days(session, found, mark, zone_name)
    days = rebuild(session, agency_days=found.dirty, zone_name=zone_name, now=now)
    mark.last_id, mark.pending_ids, mark.refreshed_at = found.last_id, found.pending, now
    session.execute(delete(AccountHour).where(AccountHour.hour < _floor_hour(now - HOURS_KEPT)))
    session.execute(delete(MessageSignal).where(MessageSignal.created_at < now - HOURS_KEPT))
    session.flush()
    return RefreshResult(messages_read=found.read, days_rebuilt=days)


def rebuild_recent(session: Session, *, zone_name: str, now: datetime, days: int = 3) -> int:
    """Recount the last ``days`` days of every agency that has accounts (the nightly repair)."""
    agency_ids = set(session.scalars(select(OfficialAccount.agency_id).distinct()))
    today = _local_day(now, zone_name)
    return rebuild(
        session,
        agency_days=((a, today - timedelta(days=n)) for a in agency_ids for n in range(days)),
        zone_name=zone_name,
        now=now,
    )


def utc_hours(end: datetime, count: int) -> list[datetime]:
    """The ``count`` whole UTC hours before the hour that contains ``end``, oldest first."""
    last = _floor_hour(end.astimezone(UTC))
    return [last - timedelta(hours=count - n) for n in range(count)]
