"""The SLA rules, pure: how much of a target a clock has used, when it falls due, and its state.

A clock starts when a citizen's message arrives (office time only counts from the first office
minute at or after that), pauses while the conversation waits on the citizen, and stops at the
agency's response (or when the conversation is closed). At 75 % of the target it is *at risk*; past
the target it is *breached*. ``evaluate`` applies these rules to one conversation's facts.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from civicloop.sla.calendar import OfficeCalendar

AT_RISK_SHARE = 0.75


class SlaState(enum.StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    breached = "breached"


STATE_LABELS = {SlaState.on_track: "on track", SlaState.at_risk: "at risk", SlaState.breached: "breached"}
_SEVERITY = {SlaState.on_track: 0, SlaState.at_risk: 1, SlaState.breached: 2}


class ClockKind(enum.StrEnum):
    first_response = "first_response"
    next_response = "next_response"
    resolution = "resolution"


def state_for(used: timedelta, target_minutes: int) -> SlaState:
    """Breached once more than the target is used; at risk from 75 % of it."""
    target = timedelta(minutes=target_minutes)
    if used > target:
        return SlaState.breached
    if used >= target * AT_RISK_SHARE:
        return SlaState.at_risk
    return SlaState.on_track


def worst(states: Sequence[SlaState]) -> SlaState | None:
    return max(states, key=_SEVERITY.__getitem__) if states else None


@dataclass(frozen=True)
class Pause:
    """The conversation waited on the citizen from ``start`` until ``end`` (None: still waiting)."""

    start: datetime
    end: datetime | None = None


def used_between(calendar: OfficeCalendar, start: datetime, end: datetime, pauses: Sequence[Pause]) -> timedelta:
    """Office time in ``[start, end)`` outside the pauses."""
    used = calendar.office_time_between(start, end)
    for pause in pauses:
        lo = max(start, pause.start)
        hi = min(end, pause.end) if pause.end is not None else end
        if hi > lo:
            used -= calendar.office_time_between(lo, hi)
    return used


def due_at(calendar: OfficeCalendar, start: datetime, minutes: float, pauses: Sequence[Pause]) -> datetime | None:
    """The instant at which ``minutes`` of office time outside the pauses have passed since ``start``;
    None if a pause that has not ended comes first (the clock is stopped until the citizen answers)."""
    cursor, remaining = start, timedelta(minutes=minutes)
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end is not None and pause.end <= cursor:
            continue
        if pause.start > cursor:
            candidate = calendar.add_office_minutes(cursor, remaining / timedelta(minutes=1))
            if candidate <= pause.start:
                return candidate
            remaining -= calendar.office_time_between(cursor, pause.start)
        if pause.end is None:
            return None
        cursor = max(cursor, pause.end)
    return calendar.add_office_minutes(cursor, remaining / timedelta(minutes=1))


@dataclass(frozen=True)
class Clock:
    """One target being measured: a response to a citizen's message, or the conversation's resolution."""

    kind: ClockKind
    started_at: datetime  # the citizen message that started it (office time counts from the next office minute)
    target_minutes: int
    stopped_at: datetime | None  # the response or the closing; None while it runs
    used: timedelta
    due: datetime | None  # None while paused
    at_risk_from: datetime | None
    state: SlaState
    paused: bool

    @property
    def key(self) -> str:
        """Names this clock across evaluations, so that it is counted and announced once."""
        return f"{self.kind.value}@{self.started_at.isoformat()}"

    @property
    def used_minutes(self) -> int:
        return self.used // timedelta(minutes=1)

    @property
    def used_percent(self) -> int:
        return round(100 * self.used / timedelta(minutes=self.target_minutes))

    @property
    def next_change(self) -> datetime | None:
        """When the state of a running clock will move next (to at risk, then to breached)."""
        if self.stopped_at is not None or self.paused:
            return None
        if self.state is SlaState.on_track:
            return self.at_risk_from
        if self.state is SlaState.at_risk and self.due is not None:
            return self.due + timedelta(microseconds=1)
        return None


def measure(
    calendar: OfficeCalendar,
    *,
    kind: ClockKind,
    started_at: datetime,
    target_minutes: int,
    until: datetime,
    stopped: bool,
    pauses: Sequence[Pause] = (),
) -> Clock:
    """The clock from ``started_at`` to ``until`` (its stop, or now if it still runs)."""
    used = used_between(calendar, started_at, until, pauses)
    paused = not stopped and any(p.start <= until and (p.end is None or p.end > until) for p in pauses)
    return Clock(
        kind=kind,
        started_at=started_at,
        target_minutes=target_minutes,
        stopped_at=until if stopped else None,
        used=used,
        due=due_at(calendar, started_at, target_minutes, pauses),
        at_risk_from=due_at(calendar, started_at, target_minutes * AT_RISK_SHARE, pauses),
        state=state_for(used, target_minutes),
        paused=paused,
    )


@dataclass(frozen=True)
class Targets:
    """Response targets in office minutes, and whose they are ("national" default or "agency")."""

    first_response: int
    next_response: int
    resolution: int
    source: str = "national"

    def minutes(self, kind: ClockKind) -> int:
        return {
            ClockKind.first_response: self.first_response,
            ClockKind.next_response: self.next_response,
            ClockKind.resolution: self.resolution,
        }[kind]

    def to_json(self) -> dict[str, int | str]:
        return {
            "first_response_minutes": self.first_response,
            "next_response_minutes": self.next_response,
            "resolution_minutes": self.resolution,
            "source": self.source,
        }


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one conversation (read from its messages and history).

    ``awaiting_since``: the earliest citizen message after the agency's last message and after the
    last closing (None if nothing awaits an answer). ``answered_before``: the agency has answered the
    citizen before (so the awaiting clock is a *next* response). ``episode_start``: the first citizen
    message since the conversation was last closed (the resolution clock). ``closed_at``: set while it
    is closed. ``pauses``: while it waited on the citizen or was closed, no clock runs.
    """

    first_citizen_at: datetime | None
    first_response_at: datetime | None
    awaiting_since: datetime | None
    answered_before: bool
    episode_start: datetime | None
    closed_at: datetime | None
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    first_response: Clock | None
    running: tuple[Clock, ...] = field(default_factory=tuple)

    @property
    def state(self) -> SlaState | None:
        return worst([clock.state for clock in self.running])

    @property
    def paused(self) -> bool:
        return any(clock.paused for clock in self.running)

    @property
    def next_check(self) -> datetime | None:
        changes = [c.next_change for c in self.running if c.next_change is not None]
        return min(changes) if changes else None

    def clock(self, *kinds: ClockKind) -> Clock | None:
        return next((c for c in self.running if c.kind in kinds), None)


def evaluate(calendar: OfficeCalendar, targets: Targets, facts: Facts, now: datetime) -> Evaluation:
    """The first-response clock (once it can be measured) and every clock still running at ``now``."""
    first = None
    if facts.first_citizen_at is not None and (facts.first_response_at or facts.closed_at):
        # Answered, or closed unanswered: measured to that moment (a breach before closing still counts).
        first = measure(
            calendar,
            kind=ClockKind.first_response,
            started_at=facts.first_citizen_at,
            target_minutes=targets.first_response,
            until=facts.first_response_at or facts.closed_at or now,
            stopped=True,
            pauses=facts.pauses,
        )
    if facts.closed_at is not None:
        return Evaluation(first)
    running: list[Clock] = []
    if facts.awaiting_since is not None:
        kind = ClockKind.next_response if facts.answered_before else ClockKind.first_response
        clock = measure(
            calendar,
            kind=kind,
            started_at=facts.awaiting_since,
            target_minutes=targets.minutes(kind),
            until=now,
            stopped=False,
            pauses=facts.pauses,
        )
        running.append(clock)
        if kind is ClockKind.first_response and facts.awaiting_since == facts.first_citizen_at:
            first = clock
    if facts.episode_start is not None:
        running.append(
            measure(
                calendar,
                kind=ClockKind.resolution,
                started_at=facts.episode_start,
                target_minutes=targets.resolution,
                until=now,
                stopped=False,
                pauses=facts.pauses,
            )
        )
    return Evaluation(first, tuple(running))
