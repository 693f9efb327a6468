"""Officials' conduct online: guideline findings and what was done about them, and incidents.

Findings come from the guidelines domain's own records of every reviewed outgoing text. Incidents
are what those reviews could not stop: the agency's own messages that reached the public without
going through CivicLoop (posted directly on the platform) and that the agency's policy would have
held or blocked. A job runs the guidelines checker over such messages as they arrive and keeps the
evidence here.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.models import Direction, Message
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.channels.upsert import insert_ignore
from civicloop.errors import NotFound
from civicloop.guidelines import check, explain
from civicloop.guidelines import service as guidelines
from civicloop.guidelines.findings import CATEGORY_LABELS, Category, CheckContext
from civicloop.guidelines.models import ACTION_RANK, Action
from civicloop.oversight import queries, scope
from civicloop.oversight.models import Incident, RefreshMark
from civicloop.oversight.periods import Period

INCIDENTS_MARK = "incidents"
BATCH = 2000
BREACH_ACTIONS = frozenset({Action.hold, Action.block})


@dataclass
class Conduct:
    findings: Counter[Category]
    outcomes: Counter[str]
    incidents: int


OUTCOME_LABELS = {
    "warned": "Sent despite a warning (overridden)",
    "held": "Held for the agency head",
    "approved": "Held, then approved",
    "rejected": "Held, then rejected",
    "pending": "Held, still waiting",
    "blocked": "Blocked",
}


def conduct(session: Session, period: Period, agency_ids: set[int] | None, zone_name: str) -> Conduct:
    start, end = period.bounds(zone_name)
    findings: Counter[Category] = Counter()
    for category, count in queries.findings_per_category(session, start, end, agency_ids):
        findings[Category(category)] = count
    outcomes: Counter[str] = Counter()
    names = {Action.warn: "warned", Action.hold: "held", Action.block: "blocked"}
    for action, count in queries.reviews_per_action(session, start, end, agency_ids):
        if action in names:
            outcomes[names[action]] = count
    for status, count in queries.approvals_per_status(session, start, end, agency_ids):
        outcomes[status.value] = count
    incidents = queries.incident_count(session, start, end, agency_ids)
    return Conduct(findings=findings, outcomes=outcomes, incidents=incidents)


def category_label(category: str) -> str:
    try:
        return CATEGORY_LABELS[Category(category)]
    except ValueError:
        return category


class _Policies:
    """The agency's checker context (per day: election periods change it) and category actions."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.contexts: dict[tuple[int, date], CheckContext] = {}
        self.actions: dict[int, dict[Category, Action]] = {}

    def context(self, agency_id: int, at: datetime) -> CheckContext:
        key = (agency_id, at.date())
        if key not in self.contexts:
            self.contexts[key] = guidelines.context_for(self.session, agency_id, at=at)
        return self.contexts[key]

    def action(self, agency_id: int, category: Category) -> Action:
        if agency_id not in self.actions:
            policy = guidelines.policy_for(self.session, agency_id)
            self.actions[agency_id] = {c: rule.action for c, rule in policy.items()}
        return self.actions[agency_id][category]


def _sent_through_civicloop(session: Session, messages: list[Message]) -> set[tuple[int, str]]:
    keys = {(m.account_id, m.external_id) for m in messages if m.external_id}
    if not keys:
        return set()
    rows = session.execute(
        select(OutboundMessage.account_id, OutboundMessage.external_id).where(
            OutboundMessage.account_id.in_({a for a, _ in keys}),
            OutboundMessage.external_id.in_({e for _, e in keys}),
        )
    )
    return {(a, e) for a, e in rows if e is not None}


def check_messages(session: Session, messages: list[Message], *, now: datetime) -> int:
    """Record an incident for each of the agency's own messages, posted outside CivicLoop, that breaks the rules."""
    policies = _Policies(session)
    ours = _sent_through_civicloop(session, messages)
    rows = []
    for message in messages:
        if message.direction is not Direction.outbound or (message.account_id, message.external_id) in ours:
            continue
        if not message.text.strip():
            continue
        found = check(message.text, context=policies.context(message.agency_id, message.created_at))
        actions = [guidelines.finding_action(f, policies.action(message.agency_id, f.category)) for f in found]
        worst = max(actions, key=ACTION_RANK.__getitem__, default=Action.allow)
        if worst not in BREACH_ACTIONS:
            continue
        rows.append(
            {
                "agency_id": message.agency_id,
                "message_id": message.id,
                "account_id": message.account_id,
                "platform": message.platform,
                "posted_at": message.created_at,
                "found_at": now,
                "text": message.text,
                "text_sha256": hashlib.sha256(message.text.encode()).hexdigest(),
                "permalink": message.permalink,
                "categories": sorted({f.category.value for f in found}),
                "findings": explain(found, message.text),
                "action": worst.value,
            }
        )
    if rows:
        insert_ignore(session, Incident, rows, ["message_id"])
    return len(rows)


def scan(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Check the agency messages stored since the last scan; returns the incidents found."""
    mark = session.get(RefreshMark, INCIDENTS_MARK, with_for_update=True)
    if mark is None:
        mark = RefreshMark(name=INCIDENTS_MARK, last_id=0)
        session.add(mark)
        session.flush()
    found = 0
    while True:
        messages = list(
            session.scalars(
                select(Message)
                .where(Message.id > mark.last_id, Message.direction == Direction.outbound)
                .order_by(Message.id)
                .limit(batch)
            )
        )
        if not messages:
            break
        found += check_messages(session, messages, now=now)
        mark.last_id = messages[-1].id
        mark.refreshed_at = now
    session.flush()
    return found


def get_incident(session: Session, *, actor: Actor, incident_id: int) -> Incident:
    """One incident, for those who may read its agency's scorecard."""
    incident = queries.incident(session, incident_id)
    if incident is None:
        raise NotFound("incident not found")
    scope.require_scorecard(actor, incident.agency_id)
    return incident


def list_incidents(session: Session, period: Period, agency_ids: set[int] | None, zone_name: str) -> list[Incident]:
    start, end = period.bounds(zone_name)
    return queries.incidents(session, start, end, agency_ids, limit=2000)
