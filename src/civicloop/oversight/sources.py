"""The data each oversight figure is built from, and which of it exists in this version.

Every page says which sources its figures rest on and which are not available yet, so that a missing
capability shows as "not available yet" instead of as a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels import registry
from civicloop.config import get_settings
from civicloop.oversight import queries
from civicloop.oversight.periods import local_today


@dataclass(frozen=True)
class DataSource:
    key: str
    name: str
    recorded_by: str
    feeds: str
    available: bool


_ALL = [
    DataSource(
        "accounts",
        "Agencies and official accounts",
        "the agency registry",
        "adoption; account status, token expiry, rejected webhook requests, last event",
        True,
    ),
    DataSource(
        "messages",
        "Citizen messages and conversations",
        f"channels ({', '.join(registry.labels().values())}, CSV import)",
        "conversations by channel, message volume, spikes, silent accounts, agency messages",
        True,
    ),
    DataSource(
        "posts",
        "Posts published through CivicLoop",
        "channels (outbound) and publishing",
        "posts per account",
        True,
    ),
    DataSource(
        "responses",
        "Response times in office hours",
        "inbox and SLA",
        "response rate, median and 90th-percentile first response, share within target, backlog, ranking",
        True,
    ),
    DataSource(
        "sentiment",
        "Sentiment of citizen messages",
        "feedback analysis (its sentiment classifier)",
        "negative-sentiment spikes",
        True,
    ),
    DataSource(
        "guidelines",
        "Guideline findings and decisions",
        "guidelines",
        "findings by category and outcome, incidents that reached the public",
        True,
    ),
    DataSource(
        "consultations",
        "Consultations and their reports",
        "consultations",
        "consultations opened, closed and reported, participants, time to report, participation ranking",
        True,
    ),
    DataSource(
        "access",
        "Office access to social media",
        "office access (proxy logs)",
        "usage and denials, aggregated",
        True,
    ),
]

SOURCES: dict[str, DataSource] = {source.key: source for source in _ALL}


@dataclass(frozen=True)
class Basis:
    """What a page's figures rest on, as shown at the top of the page and in its exports."""

    based_on: list[DataSource]
    not_available: list[DataSource]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "based_on": [s.key for s in self.based_on],
            "not_available_yet": [s.key for s in self.not_available],
        }


def basis(keys: Sequence[str]) -> Basis:
    chosen = [SOURCES[key] for key in keys]
    return Basis([s for s in chosen if s.available], [s for s in chosen if not s.available])


def rejected_today(session: Session, accounts: Sequence[OfficialAccount], *, now: datetime) -> dict[int, int]:
    """Webhook requests refused today per account (counted per platform app, which accounts may share).

    "Today" is the deployment's local day, as channels counts it.
    """
    keys = {(a.platform.value, a.app_key) for a in accounts}
    if not keys:
        return {}
    counts = queries.webhook_rejections(session, local_today(now, get_settings().timezone), {k for _, k in keys})
    return {a.id: counts[(a.platform.value, a.app_key)] for a in accounts if (a.platform.value, a.app_key) in counts}
