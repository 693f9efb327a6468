"""The alert engine: rules turn data into signals, ``reconcile`` turns signals into alert rows.

A periodic job runs every rule, then reconciles: a signal whose alert is already open refreshes that
row (no new alert, no new email); a new one opens an alert and mails the people it concerns after the
commit; an open alert whose condition no longer holds is marked inactive, and resolved by the system
once it has stayed clear for ``AUTO_RESOLVE_AFTER``. People acknowledge and resolve alerts by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.audit import service as audit
from civicloop.auth.models import Membership, Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.connect import service as connections
from civicloop.channels.connect.models import AccountConnection
from civicloop.channels.models import Direction, Message
from civicloop.consultations.models import Consultation, ConsultationConversation, ConsultationStatus, Response
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.oversight import detectors, responses, scope
from civicloop.oversight.aggregates import utc_hours
from civicloop.oversight.models import AccountHour, Alert, AlertKind, AlertState, MessageSignal, Severity

# Which states each filter of the alerts list shows (None: all).
FILTERS: dict[str, list[AlertState] | None] = {
    "unresolved": [AlertState.open, AlertState.acknowledged],
    "open": [AlertState.open],
    "acknowledged": [AlertState.acknowledged],
    "resolved": [AlertState.resolved],
    "all": None,
}

AUTO_RESOLVE_AFTER = timedelta(hours=24)
SPIKE_WINDOW = timedelta(hours=1)
SPIKE_HISTORY_HOURS = 7 * 24
SILENCE_HISTORY_HOURS = 28 * 24
NEGATIVE_WINDOW = timedelta(hours=6)
NEGATIVE_HISTORY = 14 * 4  # two weeks of six-hour windows


def watched_for_silence() -> tuple[Platform, ...]:
    """Platforms whose silence means a broken connection; a quiet web form only means nobody wrote."""
    return tuple(Platform(s.name) for s in registry.social())


# Who is told, by the kind of alert (docs/oversight.md): those who can act on it.
RECIPIENT_ROLES: dict[AlertKind, frozenset[Role]] = {
    AlertKind.message_spike: frozenset({Role.agency_head, Role.officer}),
    AlertKind.negative_spike: frozenset({Role.agency_head, Role.officer}),
    AlertKind.account_silent: frozenset({Role.agency_admin}),
    AlertKind.token_expiring: frozenset({Role.agency_admin}),
    AlertKind.backlog_breach: frozenset({Role.agency_head}),
    AlertKind.account_attention: frozenset({Role.agency_admin}),
}
# Account alerts also go to the official responsible for the account.
ACCOUNT_KINDS = frozenset(
    {AlertKind.message_spike, AlertKind.account_silent, AlertKind.token_expiring, AlertKind.account_attention}
)


@dataclass(frozen=True)
class Signal:
    kind: AlertKind
    agency_id: int
    subject_type: str
    subject_id: int
    subject_label: str
    severity: Severity
    title: str
    detection: detectors.Detection
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return alert_key(self.kind, self.subject_type, self.subject_id)

    @classmethod
    def on_account(
        cls,
        kind: AlertKind,
        account: OfficialAccount,
        *,
        severity: Severity,
        title: str,
        detection: detectors.Detection,
        evidence: dict[str, Any],
    ) -> Signal:
        return cls(kind, account.agency_id, "account", account.id, account.name, severity, title, detection, evidence)


def alert_key(kind: AlertKind, subject_type: str, subject_id: int) -> str:
    return f"{kind.value}:{subject_type}:{subject_id}"


@dataclass
class RuleResult:
    """What a rule found, and every key it looked at (an alert is cleared only by a rule that checked it)."""

    signals: list[Signal] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)


Rule = Callable[[Session, datetime], RuleResult]


def _watched_accounts(session: Session, platforms: Sequence[Platform] | None = None) -> list[OfficialAccount]:
    query = select(OfficialAccount).where(OfficialAccount.status == AccountStatus.active)
    if platforms is not None:
        query = query.where(OfficialAccount.platform.in_(platforms))
    return list(session.scalars(query.order_by(OfficialAccount.id)))


def _hourly(session: Session, column: Any, hours: list[datetime]) -> dict[int, dict[datetime, int]]:
    rows = session.execute(
        select(AccountHour.account_id, AccountHour.hour, column).where(
            AccountHour.hour >= hours[0], AccountHour.hour <= hours[-1]
        )
    ).all()
    out: dict[int, dict[datetime, int]] = {}
    for account_id, hour, value in rows:
        out.setdefault(account_id, {})[hour] = int(value)
    return out


def message_spikes(session: Session, now: datetime) -> RuleResult:
    """Citizen messages in the last hour against the account's hourly counts over the week before."""
    result = RuleResult()
    accounts = _watched_accounts(session)
    if not accounts:
        return result
    window_start = now - SPIKE_WINDOW
    current = {
        account_id: count
        for account_id, count in session.execute(
            select(Message.account_id, func.count())
            .where(
                Message.agency_id.in_({a.agency_id for a in accounts}),
                Message.created_at >= window_start,
                Message.created_at < now,
                Message.direction == Direction.inbound,
            )
            .group_by(Message.account_id)
        )
    }
    hours = utc_hours(window_start, SPIKE_HISTORY_HOURS)
    history = _hourly(session, AccountHour.messages_in, hours)
    for account in accounts:
        key = alert_key(AlertKind.message_spike, "account", account.id)
        result.checked.add(key)
        by_hour = history.get(account.id, {})
        series = [by_hour.get(hour, 0) for hour in hours] + [int(current.get(account.id, 0))]
        found = detectors.volume_spike(series, min_history=24)
        if found is None:
            continue
        result.signals.append(
            Signal.on_account(
                AlertKind.message_spike,
                account,
                severity=Severity.critical if found.value >= 2 * found.threshold else Severity.warning,
                title=f"Spike of citizen messages on {account.name}",
                detection=found,
                evidence={"last_hours": series[-25:], "window_start": window_start.isoformat()},
            )
        )
    return result


def silent_accounts(session: Session, now: datetime) -> RuleResult:
    """Accounts with no messages for much longer than their usual longest pause."""
    result = RuleResult()
    accounts = _watched_accounts(session, watched_for_silence())
    if not accounts:
        return result
    hours = [*utc_hours(now, SILENCE_HISTORY_HOURS), now.replace(minute=0, second=0, microsecond=0)]
    activity = _hourly(session, AccountHour.messages_in + AccountHour.messages_out, hours)
    for account in accounts:
        key = alert_key(AlertKind.account_silent, "account", account.id)
        result.checked.add(key)
        by_hour = activity.get(account.id, {})
        last_event_hour = (
            account.last_event_at.replace(minute=0, second=0, microsecond=0) if account.last_event_at else None
        )
        flags = [by_hour.get(hour, 0) > 0 or hour == last_event_hour for hour in hours]
        found = detectors.silence(flags)
        if found is None:
            continue
        result.signals.append(
            Signal.on_account(
                AlertKind.account_silent,
                account,
                severity=Severity.critical,
                title=f"{account.name} has gone silent: check its webhook and token",
                detection=found,
                evidence={"last_event_at": account.last_event_at.isoformat() if account.last_event_at else None},
            )
        )
    return result


def expiring_tokens(session: Session, now: datetime) -> RuleResult:
    result = RuleResult()
    for account in _watched_accounts(session):
        key = alert_key(AlertKind.token_expiring, "account", account.id)
        result.checked.add(key)
        if connections.refreshes_itself(account):
            # A token refreshed before it expires (a fetched two-hour token, an OAuth refresh token) needs nobody;
            # if refreshing fails for good, ``accounts_needing_attention`` raises the alert instead.
            continue
        found = detectors.token_expiry(account.token_expires_at, now=now)
        if found is None:
            continue
        result.signals.append(
            Signal.on_account(
                AlertKind.token_expiring,
                account,
                severity=Severity.critical if found.value < 0 else Severity.warning,
                title=f"The access token of {account.name} {'has expired' if found.value < 0 else 'expires soon'}",
                detection=found,
                evidence={
                    "token_expires_at": account.token_expires_at.isoformat() if account.token_expires_at else None
                },
            )
        )
    return result


def accounts_needing_attention(session: Session, now: datetime) -> RuleResult:
    """Accounts the platform stopped accepting (a revoked permission, a removed app): one alert each, with
    the reconnect button, until the account is connected again."""
    result = RuleResult()
    rows = session.execute(
        select(OfficialAccount, AccountConnection.attention, AccountConnection.attention_since)
        .outerjoin(AccountConnection, AccountConnection.account_id == OfficialAccount.id)
        .where(OfficialAccount.status.in_([AccountStatus.active, AccountStatus.needs_attention]))
        .order_by(OfficialAccount.id)
    ).all()
    for account, attention, since in rows:
        result.checked.add(alert_key(AlertKind.account_attention, "account", account.id))
        if account.status is not AccountStatus.needs_attention:
            continue
        reason = attention or "the platform no longer accepts the account's credentials"
        hours = (now - since).total_seconds() / 3600 if since else 0.0
        result.signals.append(
            Signal.on_account(
                AlertKind.account_attention,
                account,
                severity=Severity.critical,
                title=f"{account.name} needs to be connected again",
                detection=detectors.Detection(value=hours, baseline=0.0, threshold=0.0, explanation=reason),
                evidence={"reason": reason, "fix_url": f"/accounts/{account.id}/reconnect", "fix_label": "Reconnect"},
            )
        )
    return result


def _series(
    instants: list[tuple[datetime, bool]], now: datetime, width: timedelta, buckets: int
) -> tuple[list[int], list[int]]:
    """(negatives, totals) per window of ``width`` ending at ``now``, oldest first."""
    totals = detectors.bucket_counts([at for at, _ in instants], end=now, width=width, buckets=buckets)
    negatives = detectors.bucket_counts([at for at, neg in instants if neg], end=now, width=width, buckets=buckets)
    return negatives, totals


def _negative_signal(
    subject_type: str, subject_id: int, agency_id: int, label: str, found: detectors.Detection
) -> Signal:
    return Signal(
        kind=AlertKind.negative_spike,
        agency_id=agency_id,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=label,
        severity=Severity.critical if found.value >= 0.75 else Severity.warning,
        title=f"Spike of negative messages on {label}",
        detection=found,
        evidence={"share": round(found.value, 3), "usual": round(found.baseline, 3)},
    )


def negative_spikes(session: Session, now: datetime) -> RuleResult:
    """The share of negative citizen messages in the last 6 hours against the account's two weeks before."""
    result = RuleResult()
    accounts = {a.id: a for a in _watched_accounts(session)}
    since = now - NEGATIVE_WINDOW * (NEGATIVE_HISTORY + 1)
    by_account: dict[int, list[tuple[datetime, bool]]] = {}
    for account_id, created_at, negative in session.execute(
        select(MessageSignal.account_id, MessageSignal.created_at, MessageSignal.negative).where(
            MessageSignal.created_at >= since, MessageSignal.created_at < now
        )
    ):
        by_account.setdefault(account_id, []).append((created_at, negative))
    for account in accounts.values():
        result.checked.add(alert_key(AlertKind.negative_spike, "account", account.id))
        negatives, totals = _series(by_account.get(account.id, []), now, NEGATIVE_WINDOW, NEGATIVE_HISTORY + 1)
        found = detectors.share_spike(negatives, totals)
        if found is not None:
            result.signals.append(_negative_signal("account", account.id, account.agency_id, account.name, found))
    return result


def consultation_spikes(session: Session, now: datetime) -> RuleResult:
    """Open consultations: a spike of messages and answers, or of negative messages, against their own past."""
    result = RuleResult()
    open_ = list(session.scalars(select(Consultation).where(Consultation.status == ConsultationStatus.open)))
    if not open_:
        return result
    ids = [c.id for c in open_]
    volume_since = now - SPIKE_WINDOW * (SPIKE_HISTORY_HOURS + 1)
    negative_since = now - NEGATIVE_WINDOW * (NEGATIVE_HISTORY + 1)
    since = min(volume_since, negative_since)
    signals: dict[int, list[tuple[datetime, bool]]] = {}
    for consultation_id, created_at, negative in session.execute(
        select(ConsultationConversation.consultation_id, MessageSignal.created_at, MessageSignal.negative)
        .join(MessageSignal, MessageSignal.conversation_id == ConsultationConversation.conversation_id)
        .where(
            ConsultationConversation.consultation_id.in_(ids),
            MessageSignal.created_at >= since,
            MessageSignal.created_at < now,
        )
    ):
        signals.setdefault(consultation_id, []).append((created_at, negative))
    forms: dict[int, list[datetime]] = {}
    for consultation_id, submitted_at in session.execute(
        select(Response.consultation_id, Response.submitted_at).where(
            Response.consultation_id.in_(ids),
            Response.message_id.is_(None),
            Response.submitted_at >= volume_since,
            Response.submitted_at < now,
        )
    ):
        forms.setdefault(consultation_id, []).append(submitted_at)
    for consultation in open_:
        seen = signals.get(consultation.id, [])
        volume_key = alert_key(AlertKind.message_spike, "consultation", consultation.id)
        negative_key = alert_key(AlertKind.negative_spike, "consultation", consultation.id)
        result.checked.update({volume_key, negative_key})
        arrivals = [at for at, _ in seen] + forms.get(consultation.id, [])
        counts = detectors.bucket_counts(arrivals, end=now, width=SPIKE_WINDOW, buckets=SPIKE_HISTORY_HOURS + 1)
        found = detectors.volume_spike(counts, unit="messages and answers")
        label = f"the consultation “{consultation.title}”"
        if found is not None:
            result.signals.append(
                Signal(
                    kind=AlertKind.message_spike,
                    agency_id=consultation.agency_id,
                    subject_type="consultation",
                    subject_id=consultation.id,
                    subject_label=label,
                    severity=Severity.warning,
                    title=f"Spike of citizen messages on {label}",
                    detection=found,
                    evidence={"last_hours": counts[-25:]},
                )
            )
        negatives, totals = _series(seen, now, NEGATIVE_WINDOW, NEGATIVE_HISTORY + 1)
        worse = detectors.share_spike(negatives, totals)
        if worse is not None:
            result.signals.append(
                _negative_signal("consultation", consultation.id, consultation.agency_id, label, worse)
            )
    return result


def backlog_breaches(session: Session, now: datetime) -> RuleResult:
    """Agencies whose open conversations are past their response targets (inbox/SLA's states)."""
    result = RuleResult()
    agencies = {agency_id: name for agency_id, name in session.execute(select(Agency.id, Agency.name))}
    backlog = responses.breached_backlog(session)
    for agency_id, name in agencies.items():
        key = alert_key(AlertKind.backlog_breach, "agency", agency_id)
        result.checked.add(key)
        open_count, breached = backlog.get(agency_id, (0, 0))
        found = detectors.backlog_breach(open_count=open_count, breached=breached)
        if found is None:
            continue
        result.signals.append(
            Signal(
                kind=AlertKind.backlog_breach,
                agency_id=agency_id,
                subject_type="agency",
                subject_id=agency_id,
                subject_label=name,
                severity=Severity.critical if breached * 2 >= open_count else Severity.warning,
                title=f"{name}: citizens are waiting past the response targets",
                detection=found,
                evidence={"open": open_count, "breached": breached},
            )
        )
    return result


RULES: list[Rule] = [
    message_spikes,
    negative_spikes,
    consultation_spikes,
    silent_accounts,
    expiring_tokens,
    accounts_needing_attention,
    backlog_breaches,
]


def _open_alert(signal: Signal, now: datetime) -> Alert:
    return Alert(
        agency_id=signal.agency_id,
        kind=signal.kind,
        key=signal.key,
        open_key=signal.key,
        subject_type=signal.subject_type,
        subject_id=signal.subject_id,
        subject_label=signal.subject_label[:300],
        severity=signal.severity,
        state=AlertState.open,
        title=signal.title[:300],
        detail=signal.detection.explanation,
        value=signal.detection.value,
        baseline=signal.detection.baseline,
        evidence=signal.evidence,
        active=True,
        first_seen_at=now,
        last_seen_at=now,
        notified_to=[],
    )


def reconcile(session: Session, *, results: Sequence[RuleResult], now: datetime) -> list[Alert]:
    """Apply one evaluation's signals to the alert rows; returns the alerts that are new."""
    unresolved = {a.key: a for a in session.scalars(select(Alert).where(Alert.open_key.is_not(None)))}
    checked = set().union(*(r.checked for r in results)) if results else set()
    signalled: set[str] = set()
    new: list[Alert] = []
    for signal in (s for r in results for s in r.signals):
        signalled.add(signal.key)
        alert = unresolved.get(signal.key)
        if alert is None:
            alert = _open_alert(signal, now)
            session.add(alert)
            unresolved[signal.key] = alert
            new.append(alert)
            continue
        alert.active, alert.cleared_at, alert.last_seen_at = True, None, now
        alert.detail, alert.value, alert.baseline = (
            signal.detection.explanation,
            signal.detection.value,
            signal.detection.baseline,
        )
        alert.evidence = signal.evidence
        if signal.severity is Severity.critical:
            alert.severity = Severity.critical
    for key, alert in unresolved.items():
        if key in signalled or key not in checked:
            continue
        if alert.active:
            alert.active, alert.cleared_at = False, now
        elif alert.cleared_at is not None and now - alert.cleared_at >= AUTO_RESOLVE_AFTER:
            alert.state, alert.resolved_at, alert.open_key = AlertState.resolved, now, None
            alert.resolution = "resolved by the system: the condition cleared and stayed clear for 24 hours"
    session.flush()
    return new


def evaluate(session: Session, *, now: datetime, rules: Sequence[Rule] | None = None) -> list[Alert]:
    """Run every rule and reconcile; the caller commits and then notifies the new alerts."""
    return reconcile(session, results=[rule(session, now) for rule in (rules or RULES)], now=now)


def recipients(session: Session, alert: Alert) -> list[str]:
    """Email addresses of the active officials an alert concerns (see ``RECIPIENT_ROLES``)."""
    roles = RECIPIENT_ROLES[alert.kind]
    emails = set(
        session.scalars(
            select(Official.email)
            .join(Membership, Membership.official_id == Official.id)
            .where(Membership.agency_id == alert.agency_id, Membership.role.in_(roles), Official.active.is_(True))
        )
    )
    if alert.kind in ACCOUNT_KINDS and alert.subject_type == "account":
        responsible = session.scalar(
            select(Official.email)
            .join(OfficialAccount, OfficialAccount.responsible_official_id == Official.id)
            .where(OfficialAccount.id == alert.subject_id, Official.active.is_(True))
        )
        if responsible:
            emails.add(responsible)
    return sorted(emails)


def email_for(alert: Alert, agency: Agency, base_url: str) -> tuple[str, str]:
    subject = f"[CivicLoop] {alert.title}"
    body = "\n".join(
        [
            f"{alert.title}",
            "",
            f"Agency: {agency.name} ({agency.code})",
            f"What was seen: {alert.detail}",
            f"Severity: {alert.severity.value}",
            "",
            *(
                [f"{alert.evidence.get('fix_label', 'Fix it')}: {base_url.rstrip('/')}{alert.evidence['fix_url']}", ""]
                if isinstance(alert.evidence, dict) and alert.evidence.get("fix_url")
                else []
            ),
            f"See and acknowledge it: {base_url.rstrip('/')}/oversight/alerts/{alert.id}",
            "",
            "You receive this because of your role in the agency. The same alert is not sent again while it is open.",
        ]
    )
    return subject, body


# -- people acting on alerts -----------------------------------------------------------------------


def list_alerts(
    session: Session, *, actor: Actor, states: Sequence[AlertState] | None = None, agency_id: int | None = None
) -> list[Alert]:
    query = select(Alert).order_by(Alert.last_seen_at.desc(), Alert.id.desc())
    visible = scope.alert_agency_ids(actor)
    if visible is not None:
        query = query.where(Alert.agency_id.in_(visible))
    if agency_id is not None:
        scope.require_alert_view(actor, agency_id)
        query = query.where(Alert.agency_id == agency_id)
    if states:
        query = query.where(Alert.state.in_(states))
    return list(session.scalars(query.limit(500)))


def get_alert(session: Session, *, actor: Actor, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("alert not found")
    scope.require_alert_view(actor, alert.agency_id)
    return alert


def _snapshot(alert: Alert) -> dict[str, Any]:
    return {"state": alert.state.value, "resolution": alert.resolution}


def _audit(session: Session, actor: Actor, alert: Alert, action: str, before: dict[str, Any]) -> None:
    audit.record(
        session,
        actor=actor.official,
        action=action,
        target_type="alert",
        target_id=alert.id,
        agency_id=alert.agency_id,
        before=before,
        after=_snapshot(alert),
    )


def acknowledge(session: Session, *, actor: Actor, alert_id: int, now: datetime) -> Alert:
    alert = get_alert(session, actor=actor, alert_id=alert_id)
    scope.require_alert_manage(actor, alert.agency_id)
    if alert.state is not AlertState.open:
        raise Conflict(f"the alert is {alert.state.value}; only an open alert can be acknowledged")
    before = _snapshot(alert)
    alert.state, alert.acknowledged_by_id, alert.acknowledged_at = AlertState.acknowledged, actor.id, now
    _audit(session, actor, alert, "alert.acknowledge", before)
    return alert


def resolve(session: Session, *, actor: Actor, alert_id: int, note: str, now: datetime) -> Alert:
    alert = get_alert(session, actor=actor, alert_id=alert_id)
    scope.require_alert_manage(actor, alert.agency_id)
    if alert.state is AlertState.resolved:
        raise Conflict("the alert is already resolved")
    note = note.strip()
    if len(note) > 2000:
        raise Invalid("the note may have at most 2000 characters", field="note")
    before = _snapshot(alert)
    alert.state, alert.resolved_by_id, alert.resolved_at, alert.open_key = AlertState.resolved, actor.id, now, None
    alert.resolution = note or "resolved"
    _audit(session, actor, alert, "alert.resolve", before)
    return alert
