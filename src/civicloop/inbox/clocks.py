"""Keeping each conversation's SLA state true: gather its facts, apply ``sla.engine``, store, notify.

``refresh`` is idempotent and recomputes from the messages and the status history, so it can run
after anything happened (a new citizen message, a reply sent through CivicLoop or made directly on
the platform, a status change) and again from the periodic sweep, without double counting: every
clock has a key, and a clock is counted as breached and announced at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, lazyload

from civicloop.auth.models import Membership, Official, Role
from civicloop.channels.models import Conversation, ConversationKind, ConversationStatus, Direction, Message
from civicloop.inbox.models import ConversationEvent, ConversationSla, EventKind
from civicloop.kit.clock import utcnow
from civicloop.notifications.service import notify
from civicloop.sla import queries as sla_queries
from civicloop.sla.calendar import OfficeCalendar, calendar_for
from civicloop.sla.engine import (
    Clock,
    ClockKind,
    Evaluation,
    Facts,
    Pause,
    SlaState,
    Targets,
    evaluate,
    measure,
)

log = logging.getLogger(__name__)

# Kinds of conversation held to the targets: imported feedback is history, not a queue to answer.
MEASURED_KINDS = frozenset({ConversationKind.comment_thread, ConversationKind.direct, ConversationKind.form})
KEEP_KEYS = 60
CLOCK_LABELS = {
    ClockKind.first_response: "first response",
    ClockKind.next_response: "response",
    ClockKind.resolution: "resolution",
}


def _events(session: Session, conversation_id: int) -> list[ConversationEvent]:
    query = (
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation_id, ConversationEvent.kind == EventKind.status)
        .order_by(ConversationEvent.at, ConversationEvent.id)
    )
    return list(session.scalars(query))


def pauses_and_last_close(events: Iterable[ConversationEvent]) -> tuple[tuple[Pause, ...], datetime | None]:
    """The periods no clock runs (waiting on the citizen, or closed) from the status history, and
    when the conversation was last closed."""
    stopped = {ConversationStatus.waiting.value, ConversationStatus.closed.value}
    pauses: list[Pause] = []
    since: datetime | None = None
    last_close: datetime | None = None
    for event in events:
        if event.value == ConversationStatus.closed.value:
            last_close = event.at
        if event.value in stopped:
            since = since or event.at
        elif since is not None:
            pauses.append(Pause(since, event.at))
            since = None
    if since is not None:
        pauses.append(Pause(since))
    return tuple(pauses), last_close


def gather_facts(session: Session, conversation: Conversation) -> Facts:
    """Read what the rules need from the conversation's messages and status history (a few aggregates,
    so that a busy comment thread costs no more than a short one)."""
    pauses, last_close = pauses_and_last_close(_events(session, conversation.id))
    inbound = Message.direction == Direction.inbound
    outbound = Message.direction == Direction.outbound
    mine = Message.conversation_id == conversation.id
    first_in, last_out = session.execute(
        select(
            func.min(case((inbound, Message.created_at))),
            func.max(case((outbound, Message.created_at))),
        ).where(mine)
    ).one()
    if first_in is None:
        return Facts(None, None, None, False, None, None, pauses)
    since_answer = max((t for t in (last_out, last_close) if t is not None), default=None)
    first_response, awaiting, episode = session.execute(
        select(
            func.min(case((and_(outbound, Message.created_at >= first_in), Message.created_at))),
            _first_inbound_after(since_answer),
            _first_inbound_after(last_close),
        ).where(mine)
    ).one()
    closed = conversation.status is ConversationStatus.closed
    return Facts(
        first_citizen_at=first_in,
        first_response_at=first_response,
        awaiting_since=awaiting if not closed else None,
        answered_before=first_response is not None,
        episode_start=episode if not closed else None,
        closed_at=(last_close or conversation.updated_at) if closed else None,
        pauses=pauses,
    )


def _first_inbound_after(instant: datetime | None) -> Any:
    inbound = Message.direction == Direction.inbound
    if instant is None:
        return func.min(case((inbound, Message.created_at)))
    return func.min(case((and_(inbound, Message.created_at > instant), Message.created_at)))


@dataclass
class Context:
    """What refreshing many conversations shares: calendars and targets per agency."""

    calendars: dict[int, OfficeCalendar]
    targets: dict[int, Targets]

    @classmethod
    def empty(cls) -> Context:
        return cls({}, {})

    def calendar(self, session: Session, agency_id: int) -> OfficeCalendar:
        if agency_id not in self.calendars:
            self.calendars[agency_id] = calendar_for(session, agency_id)
        return self.calendars[agency_id]

    def targets_for(self, session: Session, agency_id: int) -> Targets:
        if agency_id not in self.targets:
            self.targets[agency_id] = sla_queries.targets_for(session, agency_id)
        return self.targets[agency_id]


def refresh(
    session: Session,
    conversation: Conversation,
    *,
    now: datetime | None = None,
    context: Context | None = None,
    announce: bool = True,
) -> ConversationSla:
    """Bring the conversation's SLA row up to date; count and announce what became at risk or breached
    (``announce=False``: count and remember as announced, tell nobody — a migration recounting old clocks)."""
    now = now or utcnow()
    context = context or Context.empty()
    row = ensure_row(session, conversation)
    row.evaluated_at = now
    row.seen_citizen_at = conversation.last_citizen_message_at
    row.seen_agency_at = conversation.last_agency_message_at
    if conversation.kind not in MEASURED_KINDS:
        _clear_running(row)
        return row
    facts = gather_facts(session, conversation)
    calendar = context.calendar(session, conversation.agency_id)
    targets = context.targets_for(session, conversation.agency_id)
    result = evaluate(calendar, targets, facts, now)
    notified = list(row.notified or [])
    _finish_stopped_clocks(session, conversation, row, facts, calendar, targets, notified)
    _store(row, facts, result, targets)
    clocks = {clock.key: clock for clock in [result.first_response, *result.running] if clock is not None}
    for clock in clocks.values():
        _count_and_announce(session, conversation, row, clock, notified, announce=announce)
    row.notified = notified[-KEEP_KEYS:]
    return row


def ensure_row(session: Session, conversation: Conversation) -> ConversationSla:
    """The conversation's SLA row, created if missing, with its copies up to date: the inbox lists
    conversations through these rows, so every conversation needs one even if its clocks cannot be
    evaluated."""
    row = session.get(ConversationSla, conversation.id)
    if row is None:
        row = ConversationSla(
            conversation_id=conversation.id, agency_id=conversation.agency_id, notified=[], breaches=0
        )
        session.add(row)
    sync(row, conversation)
    return row


def sync(row: ConversationSla, conversation: Conversation) -> None:
    """Copy what metrics and the backlog filter on (see ``ConversationSla``)."""
    row.account_id, row.assignee_id = conversation.account_id, conversation.assignee_id
    row.status = conversation.status.value


def _clear_running(row: ConversationSla) -> None:
    row.state = None
    row.paused = False
    row.response_kind = row.response_started_at = row.response_due_at = None
    row.resolution_started_at = row.resolution_due_at = row.next_check_at = None


def _store(row: ConversationSla, facts: Facts, result: Evaluation, targets: Targets) -> None:
    row.first_citizen_at = facts.first_citizen_at
    first = result.first_response
    row.first_response_at = facts.first_response_at
    # first_response_breached: True once the first-response target ran out (answered or not), False
    # when answered within it, None while it is still possible to answer in time.
    if first is not None and facts.first_response_at is not None:
        row.first_response_minutes = first.used_minutes
        row.first_response_target = targets.first_response
        row.first_response_breached = first.state is SlaState.breached
    else:
        row.first_response_minutes = row.first_response_target = None
        breached = first is not None and first.state is SlaState.breached
        row.first_response_breached = True if breached or row.first_response_breached else None
    _clear_running(row)
    row.state = result.state
    row.paused = result.paused
    row.next_check_at = result.next_check
    response = result.clock(ClockKind.first_response, ClockKind.next_response)
    if response is not None:
        row.response_kind, row.response_started_at, row.response_due_at = (
            response.kind,
            response.started_at,
            response.due,
        )
    resolution = result.clock(ClockKind.resolution)
    if resolution is not None:
        row.resolution_started_at, row.resolution_due_at = resolution.started_at, resolution.due


def _finish_stopped_clocks(
    session: Session,
    conversation: Conversation,
    row: ConversationSla,
    facts: Facts,
    calendar: OfficeCalendar,
    targets: Targets,
    notified: list[str],
) -> None:
    """Clocks that were running at the last refresh and have stopped since (the agency answered, or
    the conversation was closed) may have run out in between, e.g. while no worker ran: count those
    breaches too. (The first-response clock needs no help: ``evaluate`` always returns it.)"""
    stopped: list[tuple[ClockKind, datetime, datetime | None]] = []
    previous = row.response_started_at
    if row.response_kind is ClockKind.next_response and previous is not None and previous != facts.awaiting_since:
        answered = session.scalar(
            select(func.min(Message.created_at)).where(
                Message.conversation_id == conversation.id,
                Message.direction == Direction.outbound,
                Message.created_at >= previous,
            )
        )
        ends = [t for t in (answered, facts.closed_at) if t is not None]
        stopped.append((ClockKind.next_response, previous, min(ends) if ends else None))
    if row.resolution_started_at is not None and facts.closed_at is not None:
        stopped.append((ClockKind.resolution, row.resolution_started_at, facts.closed_at))
    for kind, started_at, until in stopped:
        if until is None or until < started_at:
            continue
        clock = measure(
            calendar,
            kind=kind,
            started_at=started_at,
            target_minutes=targets.minutes(kind),
            until=until,
            stopped=True,
            pauses=facts.pauses,
        )
        if clock.state is SlaState.breached and f"{clock.key}:breached" not in notified:
            notified.append(f"{clock.key}:breached")
            row.breaches += 1


def _count_and_announce(
    session: Session,
    conversation: Conversation,
    row: ConversationSla,
    clock: Clock,
    notified: list[str],
    *,
    announce: bool = True,
) -> None:
    running = clock.stopped_at is None and announce
    if clock.state is SlaState.breached and f"{clock.key}:breached" not in notified:
        notified.append(f"{clock.key}:breached")
        row.breaches += 1
        if running:
            _notify_breach(session, conversation, clock)
    elif running and clock.state is SlaState.at_risk and f"{clock.key}:at_risk" not in notified:
        notified.append(f"{clock.key}:at_risk")
        _notify_at_risk(session, conversation, clock)


def _members(session: Session, agency_id: int, role: Role) -> list[Official]:
    """The active officials holding ``role`` in the agency, to notify. Their memberships are not loaded: a notice
    does not need them, and loading them was a second query, 40 % of a breach notice's time in a profile of the
    demo's seed."""
    query = (
        select(Official)
        .join(Membership, Membership.official_id == Official.id)
        .where(Membership.agency_id == agency_id, Membership.role == role, Official.active.is_(True))
        .order_by(Official.id)
        .options(lazyload(Official.memberships))
    )
    return list(session.scalars(query))


def _assignee_or_officers(session: Session, conversation: Conversation) -> list[Official]:
    if conversation.assignee_id is not None:
        assignee = session.get(Official, conversation.assignee_id)
        if assignee is not None and assignee.active:
            return [assignee]
    return _members(session, conversation.agency_id, Role.officer)


def _subject(conversation: Conversation) -> str:
    return conversation.subject or f"conversation #{conversation.id}"


def _notify_at_risk(session: Session, conversation: Conversation, clock: Clock) -> None:
    due = _local(session, conversation.agency_id, clock.due)
    title = f"At risk: {CLOCK_LABELS[clock.kind]} due {due} — {_subject(conversation)}"
    body = (
        f"{clock.used_percent}% of the {clock.target_minutes}-minute {CLOCK_LABELS[clock.kind]} target is used "
        f"(office time). Answer before {due} to stay within the target."
    )
    _notify_all(session, _assignee_or_officers(session, conversation), conversation, clock, "sla_at_risk", title, body)


def _notify_breach(session: Session, conversation: Conversation, clock: Clock) -> None:
    due = _local(session, conversation.agency_id, clock.due)
    title = f"Breached: {CLOCK_LABELS[clock.kind]} target missed — {_subject(conversation)}"
    body = (
        f"The {clock.target_minutes}-minute {CLOCK_LABELS[clock.kind]} target ran out at {due} (office time) "
        "and the citizen is still waiting."
    )
    heads = _members(session, conversation.agency_id, Role.agency_head) or _assignee_or_officers(session, conversation)
    _notify_all(session, heads, conversation, clock, "sla_breached", title, body)


def _notify_all(
    session: Session,
    officials: Iterable[Official],
    conversation: Conversation,
    clock: Clock,
    kind: str,
    title: str,
    body: str,
) -> None:
    for official in officials:
        notify(session, official=official, conversation=conversation, kind=kind, key=clock.key, title=title, body=body)


def _local(session: Session, agency_id: int, instant: datetime | None) -> str:
    if instant is None:
        return "—"
    return instant.astimezone(calendar_for(session, agency_id).zone).strftime("%a %d %b %H:%M")


# -- the periodic sweep ----------------------------------------------------------------------------


def due_for_refresh(session: Session, *, now: datetime, limit: int = 500) -> list[int]:
    """Conversations whose state may have moved: a clock reaching 75 % or its target, a message or a
    status change not yet seen (e.g. a reply made directly on the platform), or no SLA row yet."""
    sla = ConversationSla
    changed = or_(
        sla.conversation_id.is_(None),
        Conversation.last_agency_message_at.is_distinct_from(sla.seen_agency_at),
        Conversation.last_citizen_message_at.is_distinct_from(sla.seen_citizen_at),
        sla.status.is_distinct_from(Conversation.status),
        sla.assignee_id.is_distinct_from(Conversation.assignee_id),
    )
    active = (
        select(Conversation.id)
        .outerjoin(sla, sla.conversation_id == Conversation.id)
        .where(
            Conversation.status.in_([ConversationStatus.open, ConversationStatus.waiting]),
            Conversation.kind.in_(MEASURED_KINDS),
            changed,
        )
    )
    timed = select(sla.conversation_id).where(sla.next_check_at <= now)
    ids = set(session.scalars(timed.limit(limit))) | set(session.scalars(active.limit(limit)))
    return sorted(ids)[:limit]


def sweep(session: Session, *, now: datetime | None = None, limit: int = 500) -> int:
    """Refresh every conversation due (at most ``limit`` per call); returns how many."""
    now = now or utcnow()
    context = Context.empty()
    ids = due_for_refresh(session, now=now, limit=limit)
    for conversation in session.scalars(select(Conversation).where(Conversation.id.in_(ids))):
        try:
            with session.begin_nested():
                refresh(session, conversation, now=now, context=context)
        except Exception:
            # One conversation that cannot be evaluated (e.g. a calendar closed for years) must not
            # stop the others; it is logged, listed without clocks, and tried again next time.
            log.exception("SLA refresh of conversation %s failed", conversation.id)
            ensure_row(session, conversation)
    session.flush()
    return len(ids)
