"""The national dashboard: adoption gaps, every agency's figures side by side, trends, districts, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from civicloop.agencies.models import AgencyKind
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.config import get_settings
from civicloop.oversight import activity, adoption, conduct, hooks, participation, queries, responses, scope
from civicloop.oversight.adoption import SOCIAL_PLATFORMS
from civicloop.oversight.models import Alert
from civicloop.oversight.periods import Period
from civicloop.oversight.report import (
    CITIZEN_CONVERSATIONS,
    CITIZEN_MESSAGES,
    MESSAGES,
    PREVIOUS,
    Cell,
    Chart,
    Column,
    Figure,
    Table,
    change,
)
from civicloop.oversight.scorecard import list_href
from civicloop.oversight.sources import Basis, basis
from civicloop.web import charts

DASHBOARD_SOURCES = ("accounts", "messages", "responses", "guidelines", "consultations")


@dataclass
class Dashboard:
    period: Period
    basis: Basis
    national: bool
    figures: list[Figure]
    tables: list[Table]
    charts: list[Chart]
    alerts: list[Alert]
    definitions: list[tuple[str, str]]


def _adoption_table(rows: list[adoption.AgencyAdoption], period: Period) -> Table:
    table = Table(
        "adoption",
        "Adoption: official accounts per agency",
        [Column("agency", "Agency"), Column("code", "Code"), Column("kind", "Kind")]
        + [Column(name, label) for name, label in registry.labels().items()]
        + [Column("adopted", "Has social accounts"), Column("health", "Health")],
        note="The policy asks every agency to run official accounts; 'Has social accounts' means at least one "
        f"{registry.social_names()} account that is not disconnected.",
    )
    for row in rows:
        values: dict[str, Cell] = {
            "agency": row.agency.name,
            "code": row.agency.code,
            "kind": row.agency.kind.value.replace("_", " "),
            "adopted": row.adopted,
            "health": row.level.label if row.accounts else "—",
        }
        for platform in registry.PLATFORMS:
            on = row.on(platform)
            values[platform] = ", ".join(h.level.label for h in on) if on else "none"
        table.add(values, {"agency": list_href(row.agency.id, "accounts", period)})
    return table


def _agencies_table(
    rows: list[adoption.AgencyAdoption],
    now: dict[int, activity.Counts],
    before: dict[int, activity.Counts],
    period: Period,
) -> Table:
    table = Table(
        "agencies",
        "Every agency in the period",
        [
            Column("agency", "Agency"),
            Column("district", "District"),
            CITIZEN_CONVERSATIONS,
            PREVIOUS,
            Column("change", "Change", numeric=True),
            *MESSAGES,
        ],
        note="Conversations count when their first citizen message was written; change is relative to the "
        "period of the same length just before.",
    )
    for row in rows:
        counts, prior = now.get(row.agency.id, activity.Counts()), before.get(row.agency.id, activity.Counts())
        delta = change(counts.conversations_new, prior.conversations_new)
        table.add(
            {
                "agency": row.agency.name,
                "district": row.agency.district,
                "conversations": counts.conversations_new,
                "previous": prior.conversations_new,
                "change": round(delta, 3) if delta is not None else None,
                "messages_in": counts.messages_in,
                "messages_out": counts.messages_out,
            },
            {
                "agency": f"/oversight/agencies/{row.agency.id}?{period.query()}",
                "conversations": list_href(row.agency.id, "conversations", period),
            },
        )
    return table


def _districts_table(rows: list[adoption.AgencyAdoption], now: dict[int, activity.Counts], period: Period) -> Table:
    table = Table(
        "districts",
        "District administrations",
        [
            Column("district", "District"),
            Column("agency", "Administration"),
            Column("social_accounts", "Social accounts", numeric=True),
            CITIZEN_CONVERSATIONS,
            CITIZEN_MESSAGES,
        ],
        empty="No district administration is registered.",
    )
    districts = sorted(
        (r for r in rows if r.agency.kind is AgencyKind.district),
        key=lambda r: (r.agency.district or "", r.agency.name),
    )
    for row in districts:
        counts = now.get(row.agency.id, activity.Counts())
        table.add(
            {
                "district": row.agency.district or "—",
                "agency": row.agency.name,
                "social_accounts": len(row.social_accounts),
                "conversations": counts.conversations_new,
                "messages_in": counts.messages_in,
            },
            {"agency": f"/oversight/agencies/{row.agency.id}?{period.query()}"},
        )
    return table


MIN_TO_RANK = 10
RANKING_DEFINITIONS = [
    (
        "Responsiveness rank",
        "Agencies ordered by the share of their citizen conversations answered within the target (a citizen "
        "left unanswered counts against the agency), then by response rate. "
        f"Agencies with fewer than {MIN_TO_RANK} citizen conversations in the period are listed but not ranked.",
    ),
    (
        "Response rate",
        "Share of the citizen conversations begun in the period that received an agency response, through "
        "CivicLoop or directly on the platform (imported feedback excluded). A conversation is one citizen's "
        "thread: each top-level comment on a post with its replies, a direct-message thread, a web-form message.",
    ),
    (
        "Within target",
        "Share of the citizen conversations begun in the period whose first response met the agency's target "
        "in office hours. Every conversation that needed an answer counts: one still unanswered is not within "
        "target, so this is never more than the response rate.",
    ),
    (
        "Participation rank",
        "Agencies ordered by participants in their consultations during the period (each form answer and "
        "each linked social-media message), then by consultations opened. Agencies with none are not ranked.",
    ),
]


def _ranks(keys: dict[int, tuple[float, ...] | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of the agencies that have a key, highest first."""
    ordered = sorted(((k, a) for a, k in keys.items() if k is not None), reverse=True)
    ranks: dict[int, int] = {}
    for position, (key, agency_id) in enumerate(ordered, start=1):
        previous = ordered[position - 2][0] if position > 1 else None
        ranks[agency_id] = ranks[ordered[position - 2][1]] if key == previous else position
    return ranks


def _ranking(
    rows: list[adoption.AgencyAdoption],
    answered: dict[int, responses.ResponseCounts],
    taking_part: dict[int, participation.Participation],
    period: Period,
) -> Table:
    table = Table(
        "ranking",
        "Ranking of agencies: responsiveness and participation",
        [
            Column("responsiveness_rank", "Responsiveness rank", numeric=True),
            Column("agency", "Agency"),
            CITIZEN_CONVERSATIONS,
            Column("response_rate", "Response rate %", numeric=True),
            Column("within_target", "Within target %", numeric=True),
            Column("participation_rank", "Participation rank", numeric=True),
            Column("participants", "Participants", numeric=True),
            Column("consultations_opened", "Consultations opened", numeric=True),
        ],
        note="Definitions are beside the table. Rank 1 is best.",
    )
    responsive: dict[int, tuple[float, ...] | None] = {}
    for row in rows:
        counts = answered.get(row.agency.id, responses.ResponseCounts())
        share, rate = counts.within_target_share, counts.response_rate
        responsive[row.agency.id] = (
            (share or 0.0, rate or 0.0) if counts.conversations >= MIN_TO_RANK and rate is not None else None
        )
    involved: dict[int, tuple[float, ...] | None] = {
        a: (float(p.participants), float(p.opened)) for a, p in taking_part.items() if p.participants or p.opened
    }
    r_ranks, p_ranks = _ranks(responsive), _ranks(involved)
    ordered = sorted(rows, key=lambda r: (r_ranks.get(r.agency.id, 10**6), r.agency.name))
    for row in ordered:
        counts = answered.get(row.agency.id, responses.ResponseCounts())
        part = taking_part.get(row.agency.id, participation.Participation())
        table.add(
            {
                "responsiveness_rank": r_ranks.get(row.agency.id),
                "agency": row.agency.name,
                "conversations": counts.conversations,
                "response_rate": _pct(counts.response_rate),
                "within_target": _pct(counts.within_target_share),
                "participation_rank": p_ranks.get(row.agency.id),
                "participants": part.participants,
                "consultations_opened": part.opened,
            },
            {"agency": f"/oversight/agencies/{row.agency.id}?{period.query()}"},
        )
    return table


def _pct(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def incidents_table(session: Session, period: Period, agency_ids: set[int] | None, zone_name: str) -> Table:
    table = Table(
        "incidents",
        "Incidents: guideline breaches that reached the public",
        [
            Column("posted_at", "Posted"),
            Column("agency", "Agency"),
            Column("platform", "Platform"),
            Column("categories", "Categories"),
            Column("action", "Policy would have"),
            Column("excerpt", "Evidence (opening words)"),
        ],
        note="Messages the agency posted directly on a platform, seen by CivicLoop as the agency's own, that "
        "its guidelines policy would have held or blocked. The full text, link and findings are kept as evidence.",
        empty="No incident in this period.",
    )
    names = queries.agency_names(session)
    for incident in conduct.list_incidents(session, period, agency_ids, zone_name):
        table.add(
            {
                "posted_at": incident.posted_at,
                "agency": names.get(incident.agency_id, ""),
                "platform": incident.platform,
                "categories": ", ".join(conduct.category_label(c) for c in incident.categories),
                "action": incident.action,
                "excerpt": incident.text[:80],
            },
            {"posted_at": f"/oversight/incidents/{incident.id}"},
        )
    return table


def _monthly(session: Session, period: Period, agency_ids: set[int] | None) -> tuple[Table, Chart]:
    per_month = activity.grouped(session, period, agency_ids, "month")
    months: dict[date, activity.Counts] = {m: per_month.get(m, activity.Counts()) for m in period.months()}
    table = Table(
        "monthly",
        "Trend by month",
        [
            Column("month", "Month"),
            CITIZEN_CONVERSATIONS,
            *MESSAGES,
        ],
        note="Months at the edges of the period count only the days inside it.",
    )
    for month, counts in months.items():
        table.add(
            {
                "month": month.strftime("%Y-%m"),
                "conversations": counts.conversations_new,
                "messages_in": counts.messages_in,
                "messages_out": counts.messages_out,
            }
        )
    chart = charts.line_chart(
        {
            "Citizen messages": [(m.strftime("%Y-%m"), c.messages_in) for m, c in months.items()],
            "Conversations": [(m.strftime("%Y-%m"), c.conversations_new) for m, c in months.items()],
            "Agency messages": [(m.strftime("%Y-%m"), c.messages_out) for m, c in months.items()],
        },
        title=f"Monthly trend, {period.label}",
    )
    return table, Chart("monthly", "Monthly trend", chart)


def build(session: Session, *, actor: Actor, period: Period, now: datetime) -> Dashboard:
    visible = scope.scorecard_agency_ids(actor)
    if visible is not None and not visible:
        scope.require_national(actor)
    adopted = adoption.adoption(session, agency_ids=visible, now=now)
    counts_now = activity.grouped(session, period, visible, "agency_id")
    counts_before = activity.grouped(session, period.previous(), visible, "agency_id")
    total_now, total_before = activity.summed(counts_now.values()), activity.summed(counts_before.values())
    monthly_table, monthly_chart = _monthly(session, period, visible)
    zone_name = get_settings().timezone
    ranking = _ranking(
        adopted.rows,
        responses.by_agency(session, period, visible),
        participation.by_agency(session, period, visible, zone_name),
        period,
    )
    incidents = incidents_table(session, period, visible, zone_name)
    share = adopted.share_adopted
    figures = [
        Figure(
            "agencies_adopted",
            "Agencies with social accounts",
            round(share * 100, 1) if share is not None else None,
            unit="%",
            href="#adoption",
            definition=f"Share of agencies with at least one {registry.social_names()} account not disconnected.",
            higher_is_better=True,
        ),
        Figure(
            "agencies_without",
            "Agencies with none",
            len(adopted.without_accounts),
            href="#adoption",
            definition="Agencies with no working official social media account.",
            higher_is_better=False,
        ),
        Figure(
            "conversations",
            "Citizen conversations",
            total_now.conversations_new,
            total_before.conversations_new,
            href="#agencies",
            definition="Conversations whose first citizen message was written in the period, all agencies.",
        ),
        Figure(
            "messages_in",
            "Citizen messages",
            total_now.messages_in,
            total_before.messages_in,
            href="#agencies",
            definition="Comments and messages from citizens on every channel.",
        ),
    ]
    for extra in hooks.AGENCY_COUNTS:  # counts other domains register, summed over the visible agencies
        now_counts = extra.count(session, *period.bounds(zone_name), visible)
        before_counts = extra.count(session, *period.previous().bounds(zone_name), visible)
        figures.append(
            Figure(
                extra.key,
                extra.label,
                sum(now_counts.values()),
                sum(before_counts.values()),
                definition=extra.definition,
                higher_is_better=False,
            )
        )
    by_platform = [(registry.label(p), float(adopted.count_on(p))) for p in SOCIAL_PLATFORMS]
    open_alerts = queries.open_alerts(session, scope.alert_agency_ids(actor))
    return Dashboard(
        period=period,
        basis=basis(DASHBOARD_SOURCES),
        national=visible is None,
        figures=figures,
        tables=[
            _adoption_table(adopted.rows, period),
            ranking,
            incidents,
            _agencies_table(adopted.rows, counts_now, counts_before, period),
            _districts_table(adopted.rows, counts_now, period),
            monthly_table,
        ],
        charts=[
            Chart("adoption", "Agencies per platform", charts.bar_chart(by_platform, title="Agencies per platform")),
            monthly_chart,
        ],
        alerts=open_alerts,
        definitions=RANKING_DEFINITIONS,
    )
