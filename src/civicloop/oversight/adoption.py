"""Adoption (which agencies have which official accounts) and each account's health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.channels import registry
from civicloop.channels.connect.service import refreshes_itself
from civicloop.oversight import health, queries
from civicloop.oversight.models import Alert
from civicloop.oversight.sources import rejected_today

# The policy asks every agency for official accounts on social media; the web form does not count.
SOCIAL_PLATFORMS = tuple(Platform(s.name) for s in registry.social())


@dataclass(frozen=True)
class AgencyAdoption:
    agency: Agency
    accounts: list[health.Health] = field(default_factory=list)

    def on(self, platform: str) -> list[health.Health]:
        return [h for h in self.accounts if h.facts.platform == platform]

    @property
    def social_accounts(self) -> list[health.Health]:
        return [h for h in self.accounts if h.facts.platform in SOCIAL_PLATFORMS]

    @property
    def adopted(self) -> bool:
        """At least one social account that is not disconnected."""
        return any(h.facts.status is not AccountStatus.disconnected for h in self.social_accounts)

    @property
    def missing_platforms(self) -> list[Platform]:
        return [p for p in SOCIAL_PLATFORMS if not self.on(p)]

    @property
    def level(self) -> health.Level:
        return max((h.level for h in self.accounts), default=health.Level.ok)


@dataclass(frozen=True)
class Adoption:
    rows: list[AgencyAdoption]

    @property
    def without_accounts(self) -> list[AgencyAdoption]:
        return [row for row in self.rows if not row.adopted]

    @property
    def accounts(self) -> list[health.Health]:
        return [h for row in self.rows for h in row.accounts]

    def count_on(self, platform: Platform) -> int:
        """Agencies with at least one account on ``platform``."""
        return sum(1 for row in self.rows if row.on(platform))

    @property
    def share_adopted(self) -> float | None:
        return sum(1 for row in self.rows if row.adopted) / len(self.rows) if self.rows else None


def _silences(session: Session, account_ids: Sequence[int]) -> dict[int, Alert]:
    """Accounts whose silence alert is still active: the detector's explanation is the health reason."""
    return queries.silent_alerts(session, account_ids)


def _platform_problems(session: Session, accounts: Sequence[OfficialAccount]) -> dict[int, str]:
    """What each platform's own health check (``PlatformSpec.health``) finds among its accounts."""
    found: dict[int, str] = {}
    for name in {a.platform.value for a in accounts}:
        check = registry.spec(name).health
        if check is not None:
            found |= check(session, [a.id for a in accounts if a.platform.value == name])
    return found


def account_health(session: Session, accounts: Sequence[OfficialAccount], *, now: datetime) -> list[health.Health]:
    silent = _silences(session, [a.id for a in accounts])
    rejected = rejected_today(session, accounts, now=now)
    platform_problems = _platform_problems(session, accounts)
    out = []
    for account in accounts:
        alert = silent.get(account.id)
        facts = health.AccountFacts(
            account_id=account.id,
            agency_id=account.agency_id,
            platform=account.platform,
            name=account.name,
            status=account.status,
            created_at=account.created_at,
            token_expires_at=account.token_expires_at,
            last_event_at=account.last_event_at,
            rejected_requests=account.rejected_requests,
            rejected_today=rejected.get(account.id),
            silent=alert.detail if alert else None,
            platform_problem=platform_problems.get(account.id),
            token_refreshes=refreshes_itself(account),
        )
        out.append(health.assess(facts, now=now))
    return out


def adoption(session: Session, *, agency_ids: set[int] | None, now: datetime) -> Adoption:
    """Every visible agency with its accounts; ``agency_ids`` None means all agencies."""
    agencies = queries.agencies(session, agency_ids)
    by_agency: dict[int, list[health.Health]] = {a.id: [] for a in agencies}
    for item in account_health(session, queries.accounts(session, agency_ids), now=now):
        by_agency.setdefault(item.facts.agency_id, []).append(item)
    return Adoption(rows=[AgencyAdoption(agency=a, accounts=by_agency[a.id]) for a in agencies])
