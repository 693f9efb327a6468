"""Response metrics per agency, official account, channel or official, over any date range.

The population is the citizen conversations (each one citizen's thread: a top-level comment with its
replies, a direct-message thread, a web-form message) whose first citizen message arrived in
``[start, end)`` (imported feedback excluded), read from the inbox's SLA rows. First-response times are office
minutes, measured when the response came (``conversation_sla.first_response_minutes``); median and
90th percentile interpolate linearly between ranks (like PostgreSQL's ``percentile_cont``). The
share within target is the first responses that met the target among *all* those conversations:
one not answered (yet) is not within target, so the share never exceeds the response rate
(``missed_target`` counts those answered late or unanswered past the target). Breaches count every
clock that ran out: first and next responses and resolutions. The backlog is the open
conversations now, by how long the citizen has waited (wall-clock time since the earliest
unanswered message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.platforms import Platform
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels.models import ConversationStatus
from civicloop.errors import Invalid
from civicloop.inbox.models import ConversationSla
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import parse_day, zone

Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
GROUPS = ("agency", "account", "channel", "official")
BACKLOG_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("under 4 hours", timedelta(hours=4)),
    ("4 to 24 hours", timedelta(hours=24)),
    ("1 to 3 days", timedelta(days=3)),
    ("3 to 7 days", timedelta(days=7)),
    ("over 7 days", None),
)
ANSWERED = "answered, not closed"


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 2)


@dataclass(frozen=True)
class Metrics:
    conversations: int
    responded: int
    median_first_response_minutes: float | None
    p90_first_response_minutes: float | None
    within_target: int
    missed_target: int
    breaches: int

    @property
    def response_rate(self) -> float | None:
        return round(self.responded / self.conversations, 4) if self.conversations else None

    @property
    def within_target_share(self) -> float | None:
        # Of every conversation that needed an answer: one not answered (yet) is not within target, so the
        # share can never exceed the response rate.
        return round(self.within_target / self.conversations, 4) if self.conversations else None

    def to_json(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "responded": self.responded,
            "response_rate": self.response_rate,
            "median_first_response_minutes": self.median_first_response_minutes,
            "p90_first_response_minutes": self.p90_first_response_minutes,
            "within_target": self.within_target,
            "missed_target": self.missed_target,
            "within_target_share": self.within_target_share,
            "breaches": self.breaches,
        }


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    metrics: Metrics

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.metrics.to_json()}


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    group_by: str | None
    total: Metrics
    groups: list[Group]
    backlog: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "group_by": self.group_by,
            "total": self.total.to_json(),
            "groups": [g.to_json() for g in self.groups],
            "backlog": self.backlog,
        }


@dataclass(frozen=True)
class Scope:
    """Which conversations: of these agencies (None: all), optionally one account, channel or official."""

    agency_ids: set[int] | None
    account_id: int | None = None
    channel: str | None = None
    official_id: int | None = None

    def __post_init__(self) -> None:
        if self.channel is not None:  # an unknown platform is bad input (422), not a value for the database
            object.__setattr__(self, "channel", Platform(self.channel))

    def apply(self, query: Q) -> Q:
        # Everything is read from the SLA rows alone (they copy account, assignee and status), so the
        # (agency_id, first_citizen_at) and (agency_id, status) indexes serve without a join.
        sla = ConversationSla
        if self.agency_ids is not None:
            query = query.where(sla.agency_id.in_(self.agency_ids))
        if self.account_id is not None:
            query = query.where(sla.account_id == self.account_id)
        if self.channel is not None:
            query = query.where(
                sla.account_id.in_(select(OfficialAccount.id).where(OfficialAccount.platform == self.channel))
            )
        if self.official_id is not None:
            query = query.where(sla.assignee_id == self.official_id)
        return query

    @classmethod
    def visible_to(cls, actor: Actor, agency_id: int | None, **filters: Any) -> Scope:
        """One agency the actor may view (Forbidden otherwise), or, without one, every agency it sees."""
        if agency_id is not None:
            actor.require_view(agency_id)
            return cls({agency_id}, **filters)
        return cls(actor.agency_ids(), **filters)


def date_range(start: str, end: str, zone_name: str) -> tuple[date, date, datetime, datetime]:
    """The days ``start``..``end`` (inclusive, default the last 30) in ``zone_name``, and the instants
    that bound them."""
    tz = zone(zone_name)
    last = parse_day(end, "end") if end else utcnow().astimezone(tz).date()
    first = parse_day(start, "start") if start else last - timedelta(days=29)
    if last < first:
        raise Invalid("the range ends before it starts", field="end")
    return first, last, datetime.combine(first, time.min, tz), datetime.combine(last + timedelta(days=1), time.min, tz)


_KEYS = {"agency": ConversationSla.agency_id, "account": ConversationSla.account_id,
         "official": ConversationSla.assignee_id}  # fmt: skip


def response_metrics(
    session: Session,
    *,
    scope: Scope,
    start: datetime,
    end: datetime,
    group_by: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Metrics over the conversations that began in ``[start, end)``, in total and per group.

    Counted in the database (a national year is hundreds of thousands of conversations): sums per
    group, and the percentiles with ``percentile_cont`` on PostgreSQL (on SQLite, in Python).
    """
    if end <= start:
        raise Invalid("the end of the range must be after its start", field="end")
    if group_by is not None and group_by not in GROUPS:
        raise Invalid(f"group_by must be one of {', '.join(GROUPS)}", field="group_by")
    # Imported feedback runs no clock and gets no first_citizen_at, so the range leaves it out.
    in_range = (ConversationSla.first_citizen_at >= start, ConversationSla.first_citizen_at < end)
    key = _KEYS.get(group_by or "", ConversationSla.account_id)
    sums = select(
        key,
        func.count(),
        func.count(ConversationSla.first_response_at),
        func.sum(case((ConversationSla.first_response_breached.is_(False), 1), else_=0)),
        func.sum(case((ConversationSla.first_response_breached.is_(True), 1), else_=0)),
        func.sum(ConversationSla.breaches),
    ).where(*in_range)
    platforms = _platforms(session) if group_by == "channel" else {}
    counted: dict[Any, list[int]] = {}
    for row_key, *numbers in session.execute(scope.apply(sums).group_by(key)):
        merged = counted.setdefault(platforms.get(row_key, row_key), [0] * 5)
        for index, value in enumerate(numbers):
            merged[index] += int(value or 0)
    spread = _percentiles(session, scope, in_range, key if group_by else None, platforms)
    total = [sum(column) for column in zip(*counted.values(), strict=True)] if counted else [0] * 5
    groups: list[Group] = []
    if group_by is not None:
        labels = _labels(session, group_by, set(counted))
        groups = sorted(
            (Group(str(k), labels.get(k, str(k)), _metrics(v, spread.get(k))) for k, v in counted.items()),
            key=lambda g: (-g.metrics.conversations, g.label),
        )
    overall = spread.get(_ALL) if group_by is None else _percentiles(session, scope, in_range, None, {}).get(_ALL)
    return Report(start, end, group_by, _metrics(total, overall), groups, backlog(session, scope=scope, now=now))


_ALL = "*"


def _metrics(numbers: Sequence[int], spread: tuple[float | None, float | None] | None) -> Metrics:
    conversations, responded, within, missed, breaches = numbers
    median, p90 = spread or (None, None)
    return Metrics(conversations, responded, median, p90, within, missed, breaches)


def _percentiles(
    session: Session, scope: Scope, in_range: tuple[Any, ...], key: Any, platforms: dict[int, str]
) -> dict[Any, tuple[float | None, float | None]]:
    """Median and 90th percentile of first-response minutes, per key (or for all, under ``_ALL``)."""
    minutes = ConversationSla.first_response_minutes
    where = (*in_range, minutes.is_not(None))
    if session.get_bind().dialect.name == "postgresql" and not platforms:
        columns = [func.percentile_cont(share).within_group(minutes) for share in (0.5, 0.9)]
        if key is None:
            median, p90 = session.execute(scope.apply(select(*columns).where(*where))).one()
            return {_ALL: (_rounded(median), _rounded(p90))}
        query = scope.apply(select(key, *columns).where(*where)).group_by(key)
        return {k: (_rounded(m), _rounded(p)) for k, m, p in session.execute(query)}
    values: dict[Any, list[int]] = {}
    query = scope.apply(select(key if key is not None else literal(_ALL), minutes).where(*where))
    for row_key, value in session.execute(query):
        values.setdefault(platforms.get(row_key, row_key), []).append(value)
    return {k: (percentile(v, 0.5), percentile(v, 0.9)) for k, v in values.items()}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _platforms(session: Session) -> dict[int, str]:
    return {a: p.value for a, p in session.execute(select(OfficialAccount.id, OfficialAccount.platform))}


def _labels(session: Session, group_by: str, keys: set[Any]) -> dict[Any, str]:
    ids = {k for k in keys if isinstance(k, int)}
    columns = {
        "agency": (Agency.id, Agency.name),
        "account": (OfficialAccount.id, OfficialAccount.name),
        "official": (Official.id, Official.name),
    }.get(group_by)
    if columns is None:
        return {k: str(k) for k in keys}
    names: dict[Any, str] = dict(session.execute(select(*columns).where(columns[0].in_(ids))).all())
    if group_by == "official":
        names[None] = "unassigned"
    return names


def backlog(session: Session, *, scope: Scope, now: datetime | None = None) -> dict[str, int]:
    """Open conversations by how long the citizen has waited for an answer (counted in the database)."""
    now = now or utcnow()
    since = ConversationSla.response_started_at
    whens: list[tuple[Any, str]] = [(since.is_(None), ANSWERED)]
    whens += [(since > now - limit, label) for label, limit in BACKLOG_BUCKETS if limit is not None]
    bucket = case(*whens, else_=BACKLOG_BUCKETS[-1][0])
    query = (
        select(bucket, func.count())
        .where(
            ConversationSla.status.in_([ConversationStatus.open.value, ConversationStatus.waiting.value]),
            ConversationSla.first_citizen_at.is_not(None),
        )
        .group_by(bucket)
    )
    counts = {label: 0 for label, _ in BACKLOG_BUCKETS} | {ANSWERED: 0}
    for label, count in session.execute(scope.apply(query)):
        counts[label] = count
    return counts
