"""Is each official account working? Connected, token valid, webhooks accepted, events arriving."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from civicloop.agencies.models import AccountStatus, Platform
from civicloop.channels import registry
from civicloop.oversight import detectors

# A new account gets this long to receive its first event before it is flagged.
FIRST_EVENT_GRACE = timedelta(days=2)
TOKEN_WARN_DAYS = 14


class Level(enum.IntEnum):
    ok = 0
    warning = 1
    problem = 2

    @property
    def label(self) -> str:
        return {Level.ok: "working", Level.warning: "needs attention", Level.problem: "not working"}[self]


@dataclass(frozen=True)
class AccountFacts:
    """What is known about one account; ``silent`` is the silence detector's explanation, if it fired."""

    account_id: int
    agency_id: int
    platform: Platform
    name: str
    status: AccountStatus
    created_at: datetime
    token_expires_at: datetime | None
    last_event_at: datetime | None
    rejected_requests: int
    rejected_today: int | None = None
    silent: str | None = None
    # What the platform's own health check found (``PlatformSpec.health``), if anything.
    platform_problem: str | None = None
    # The token is refreshed before it expires without a person (channels.connect): its expiry is no finding.
    token_refreshes: bool = False


@dataclass(frozen=True)
class Health:
    facts: AccountFacts
    level: Level
    reasons: list[str] = field(default_factory=list)


def assess(facts: AccountFacts, *, now: datetime) -> Health:
    """Each check adds a reason; the account's level is the worst of them."""
    findings: list[tuple[Level, str]] = []
    if facts.status is AccountStatus.disconnected:
        findings.append((Level.problem, "disconnected: CivicLoop does not receive or send for it"))
    elif facts.status is AccountStatus.paused:
        findings.append((Level.warning, "paused by an administrator"))
    elif facts.status is AccountStatus.needs_attention:
        findings.append((Level.problem, "needs attention: the platform no longer accepts it; reconnect it"))
    expiry = (
        None
        if facts.token_refreshes
        else detectors.token_expiry(facts.token_expires_at, now=now, warn_days=TOKEN_WARN_DAYS)
    )
    if expiry is not None:
        findings.append((Level.problem if expiry.value < 0 else Level.warning, expiry.explanation))
    if facts.rejected_today:
        findings.append((Level.warning, f"{facts.rejected_today} webhook requests rejected today"))
    elif facts.rejected_requests:
        findings.append((Level.warning, f"{facts.rejected_requests} webhook requests rejected so far"))
    if facts.platform_problem:
        findings.append((Level.warning, facts.platform_problem))
    spec = registry.spec(facts.platform)
    if facts.last_event_at is None:
        if spec.provider is not None and now - facts.created_at > FIRST_EVENT_GRACE:
            findings.append((Level.warning, "no event received since it was added: is the webhook set up?"))
        elif spec.poller is not None and now - facts.created_at > FIRST_EVENT_GRACE:
            findings.append((Level.warning, "no event polled since it was added: is the worker running?"))
    elif facts.silent is not None:
        findings.append((Level.problem, f"silent: {facts.silent}"))
    level = max((lvl for lvl, _ in findings), default=Level.ok)
    return Health(facts=facts, level=level, reasons=[reason for _, reason in findings])
