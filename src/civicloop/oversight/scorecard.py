"""An agency's scorecard for a period, each figure beside the previous period's and linked to its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.config import get_settings
from civicloop.errors import NotFound
from civicloop.guidelines.findings import Category
from civicloop.inbox import metrics, transfers
from civicloop.oversight import activity, adoption, conduct, health, hooks, office_access, participation, queries, scope
from civicloop.oversight.periods import Period
from civicloop.oversight.report import MESSAGES, Chart, Column, Figure, Table, compared
from civicloop.oversight.sources import Basis, DataSource, basis
from civicloop.web import charts

SCORECARD_SOURCES = ("accounts", "messages", "posts", "responses", "sentiment", "guidelines", "consultations", "access")


@dataclass
class Section:
    key: str
    title: str
    source: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Scorecard:
    agency: Agency
    period: Period
    previous: Period
    basis: Basis
    sections: list[Section]
    missing: list[DataSource]

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]


def list_href(agency_id: int, figure: str, period: Period, **filters: str) -> str:
    extra = "".join(f"&{key}={value}" for key, value in filters.items())
    return f"/oversight/agencies/{agency_id}/list/{figure}?{period.query()}{extra}"


def accounts_section(session: Session, agency: Agency, period: Period, now: datetime) -> Section:
    row = adoption.adoption(session, agency_ids={agency.id}, now=now).rows[0]
    table = Table(
        "accounts",
        "Official accounts and their health",
        [
            Column("account", "Account"),
            Column("platform", "Platform"),
            Column("status", "Status"),
            Column("health", "Health"),
            Column("reasons", "Why"),
            Column("last_event_at", "Last event received"),
            Column("token_expires_at", "Token expires"),
            Column("rejected_today", "Rejected requests today", numeric=True),
        ],
        note="Health is the worst of: connection status, token expiry, rejected webhook requests, silence.",
        empty="This agency has no official account yet: the policy asks every agency to have them.",
    )
    for item in row.accounts:
        facts = item.facts
        table.add(
            {
                "account": facts.name,
                "platform": facts.platform.value,
                "status": facts.status.value,
                "health": item.level.label,
                "reasons": "; ".join(item.reasons) or "—",
                "last_event_at": facts.last_event_at,
                # A token CivicLoop renews itself has no expiry an official must watch.
                "token_expires_at": None if facts.token_refreshes else facts.token_expires_at,
                "rejected_today": facts.rejected_today or 0,
            },
            {"account": f"/accounts/{facts.account_id}"},
        )
    working = sum(1 for item in row.accounts if item.level is health.Level.ok)
    figures = [
        Figure(
            "social_accounts",
            "Social media accounts",
            len(row.social_accounts),
            href=list_href(agency.id, "accounts", period),
            definition=f"Official accounts on {registry.social_names()} (the web form is not counted).",
        ),
        Figure(
            "accounts_working",
            "Accounts working",
            working,
            href=list_href(agency.id, "accounts", period),
            definition="Accounts with no health problem: connected, token valid, no rejections today, not silent.",
            higher_is_better=True,
        ),
        Figure(
            "missing_platforms",
            "Platforms without an account",
            len(row.missing_platforms),
            href=list_href(agency.id, "accounts", period),
            definition=f"Of {registry.social_names()}: "
            + (", ".join(registry.label(p) for p in row.missing_platforms) or "none missing"),
            higher_is_better=False,
        ),
    ]
    return Section("accounts", "Official accounts", "accounts", figures=figures, tables=[table])


def _posts(session: Session, agency_id: int, start: datetime, end: datetime) -> dict[int, int]:
    return queries.posts_sent(session, agency_id, start, end)


def messages_section(session: Session, agency: Agency, period: Period) -> Section:
    previous = period.previous()
    ids = {agency.id}
    now_totals, before_totals = activity.total(session, period, ids), activity.total(session, previous, ids)
    figures = [
        Figure(
            "conversations",
            "Citizen conversations received",
            now_totals.conversations_new,
            before_totals.conversations_new,
            href=list_href(agency.id, "conversations", period),
            definition="Conversations whose first citizen message was written in the period (platform time).",
        ),
        Figure(
            "messages_in",
            "Citizen messages",
            now_totals.messages_in,
            before_totals.messages_in,
            href=list_href(agency.id, "messages", period, direction="in"),
            definition="Comments and messages from citizens on every channel, counted when written.",
        ),
        Figure(
            "messages_out",
            "Agency messages seen on the platforms",
            now_totals.messages_out,
            before_totals.messages_out,
            href=list_href(agency.id, "messages", period, direction="out"),
            definition="The agency's own replies and posts as the platforms report them, "
            "whether sent through CivicLoop or directly.",
        ),
    ]
    start, end = period.bounds(get_settings().timezone)
    before_start, before_end = previous.bounds(get_settings().timezone)
    posts, posts_before = _posts(session, agency.id, start, end), _posts(session, agency.id, before_start, before_end)
    figures.append(
        Figure(
            "posts",
            "Posts published through CivicLoop",
            sum(posts.values()),
            sum(posts_before.values()),
            href="#posts_by_account",
            definition="Posts sent to the platforms by CivicLoop (one per account), by the time they were sent.",
        )
    )
    per_account = compared(
        "posts_by_account",
        "Posts per account",
        Column("account", "Account"),
        Column("posts", "Posts", numeric=True),
        empty="No post was published through CivicLoop in this period.",
    )
    names = queries.account_names(session, agency.id)
    for account_id in sorted(set(posts) | set(posts_before), key=lambda a: names.get(a, "")):
        per_account.add(
            {
                "account": names.get(account_id, str(account_id)),
                "posts": posts.get(account_id, 0),
                "previous": posts_before.get(account_id, 0),
            },
            {"account": f"/accounts/{account_id}"},
        )
    by_channel = activity.grouped(session, period, ids, "platform")
    before_channel = activity.grouped(session, previous, ids, "platform")
    channels = compared(
        "conversations_by_channel",
        "Citizen conversations by channel",
        Column("channel", "Channel"),
        Column("conversations", "Conversations", numeric=True),
        *MESSAGES,
    )
    for platform in registry.PLATFORMS:
        counts, before = by_channel.get(platform), before_channel.get(platform)
        if counts is None and before is None:
            continue
        counts = counts or activity.Counts()
        channels.add(
            {
                "channel": registry.label(platform),
                "conversations": counts.conversations_new,
                "previous": before.conversations_new if before else 0,
                "messages_in": counts.messages_in,
                "messages_out": counts.messages_out,
            },
            {"conversations": list_href(agency.id, "conversations", period, channel=platform)},
        )
    per_day = activity.grouped(session, period, ids, "day")
    days = period.each_day()
    trend = charts.line_chart(
        {
            "Citizen messages": [(d.isoformat(), per_day[d].messages_in if d in per_day else 0) for d in days],
            "Conversations": [(d.isoformat(), per_day[d].conversations_new if d in per_day else 0) for d in days],
        },
        title=f"Citizen messages and conversations per day, {period.label}",
    )
    bars = charts.bar_chart(
        [(label, float(by_channel[p].conversations_new)) for p, label in registry.labels().items() if p in by_channel],
        title="Citizen conversations by channel",
    )
    return Section(
        "messages",
        "Citizens' messages",
        "messages",
        figures=figures,
        tables=[channels, per_account],
        charts=[
            Chart("daily_messages", "Messages per day", trend),
            Chart("channels", "Conversations by channel", bars),
        ],
    )


def _pct(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def responses_section(session: Session, agency: Agency, period: Period, zone_name: str, now: datetime) -> Section:
    """inbox/SLA's own measurement (``response_metrics``), for this period and the one before."""
    scope_ = metrics.Scope(agency_ids={agency.id})
    start, end = period.bounds(zone_name)
    before_start, before_end = period.previous().bounds(zone_name)
    report = metrics.response_metrics(session, scope=scope_, start=start, end=end, group_by="channel", now=now)
    before = metrics.response_metrics(session, scope=scope_, start=before_start, end=before_end, now=now).total
    total = report.total
    href = list_href(agency.id, "conversations", period)
    figures = [
        Figure(
            "response_rate",
            "Response rate",
            _pct(total.response_rate),
            _pct(before.response_rate),
            unit="%",
            href=href,
            definition="Share of the citizen conversations begun in the period that received an agency response "
            "(through CivicLoop or directly on the platform). A conversation is one citizen's thread: a top-level "
            "comment with its replies, a direct-message thread, a web-form message. Imported feedback is not "
            "counted; a conversation transferred to another agency counts for the agency that holds it.",
            higher_is_better=True,
        ),
        Figure(
            "median_first_response",
            "Median first response",
            total.median_first_response_minutes,
            before.median_first_response_minutes,
            unit=" office min",
            href=href,
            definition="Middle value of the first-response times, counted in office minutes (holidays and nights "
            "excluded), of the conversations answered.",
            higher_is_better=False,
        ),
        Figure(
            "p90_first_response",
            "90th percentile first response",
            total.p90_first_response_minutes,
            before.p90_first_response_minutes,
            unit=" office min",
            href=href,
            definition="Nine in ten first responses came within this many office minutes.",
            higher_is_better=False,
        ),
        Figure(
            "within_target",
            "Within target",
            _pct(total.within_target_share),
            _pct(before.within_target_share),
            unit="%",
            href=href,
            definition="Share of the citizen conversations begun in the period whose first response met the "
            "agency's target. Every conversation that needed an answer counts: one still unanswered is not within "
            "target, so this is never more than the response rate.",
            higher_is_better=True,
        ),
        Figure(
            "breaches",
            "Targets missed",
            total.breaches,
            before.breaches,
            href=href,
            definition="Every response or resolution clock that ran out, for conversations begun in the period.",
            higher_is_better=False,
        ),
        Figure(
            "transferred_out",
            "Transferred to another agency",
            transfers.transferred_out(session, agency_ids={agency.id}, start=start, end=end).get(agency.id, 0),
            transfers.transferred_out(session, agency_ids={agency.id}, start=before_start, end=before_end).get(
                agency.id, 0
            ),
            definition="Citizen conversations this agency handed to another agency in the period (the citizen "
            "wrote to the wrong one). They count in the figures of the agency holding them, with the citizen's "
            "wait measured from the first message; here they are neither answered nor unanswered.",
            higher_is_better=None,
        ),
    ]
    channels = Table(
        "responses_by_channel",
        "Responsiveness by channel",
        [
            Column("channel", "Channel"),
            Column("conversations", "Conversations", numeric=True),
            Column("response_rate", "Response rate %", numeric=True),
            Column("median", "Median (office min)", numeric=True),
            Column("p90", "90th percentile (office min)", numeric=True),
            Column("within_target", "Within target %", numeric=True),
        ],
    )
    for group in report.groups:
        m = group.metrics
        channels.add(
            {
                "channel": registry.label(group.key),
                "conversations": m.conversations,
                "response_rate": _pct(m.response_rate),
                "median": m.median_first_response_minutes,
                "p90": m.p90_first_response_minutes,
                "within_target": _pct(m.within_target_share),
            },
            {"conversations": list_href(agency.id, "conversations", period, channel=group.key)},
        )
    backlog = Table(
        "backlog",
        "Open backlog by how long citizens have waited (now)",
        [Column("waiting", "Waiting"), Column("conversations", "Open conversations", numeric=True)],
        note="Open conversations now, whatever the period: wall-clock time since the earliest unanswered message.",
    )
    for label, count in report.backlog.items():
        backlog.add({"waiting": label, "conversations": count})
    chart = charts.bar_chart(
        [(label, float(count)) for label, count in report.backlog.items()], title="Open backlog by age"
    )
    return Section(
        "responses",
        "Responsiveness (office hours)",
        "responses",
        figures=figures,
        tables=[channels, backlog],
        charts=[Chart("backlog", "Open backlog by age", chart)],
    )


def conduct_section(session: Session, agency: Agency, period: Period, zone_name: str) -> Section:
    ids = {agency.id}
    now_, before = (
        conduct.conduct(session, period, ids, zone_name),
        conduct.conduct(session, period.previous(), ids, zone_name),
    )
    href = f"/oversight/incidents?agency_id={agency.id}&{period.query()}"
    figures = [
        Figure(
            "findings",
            "Guideline findings",
            sum(now_.findings.values()),
            sum(before.findings.values()),
            href="#guideline_findings",
            definition="Problems the guidelines checker found in the agency's outgoing replies and posts before "
            "they left (each finding counted once).",
            higher_is_better=False,
        ),
        Figure(
            "held",
            "Held for approval",
            now_.outcomes["held"],
            before.outcomes["held"],
            href="#guideline_outcomes",
            definition="Outgoing texts the agency's policy held for the agency head's approval.",
        ),
        Figure(
            "incidents",
            "Incidents that reached the public",
            now_.incidents,
            before.incidents,
            href=href,
            definition="The agency's own messages posted directly on a platform (not through CivicLoop) that its "
            "policy would have held or blocked. The evidence is kept.",
            higher_is_better=False,
        ),
    ]
    by_category = compared(
        "guideline_findings",
        "Guideline findings by category",
        Column("category", "Category"),
        Column("findings", "Findings", numeric=True),
    )
    for category in Category:
        by_category.add(
            {
                "category": conduct.category_label(category.value),
                "findings": now_.findings[category],
                "previous": before.findings[category],
            }
        )
    outcomes = compared(
        "guideline_outcomes",
        "What was done",
        Column("outcome", "Outcome"),
        Column("count", "Texts", numeric=True),
        note="Held texts are counted when they were held; their decision may come later.",
    )
    for key, label in conduct.OUTCOME_LABELS.items():
        outcomes.add({"outcome": label, "count": now_.outcomes[key], "previous": before.outcomes[key]})
    return Section(
        "guidelines", "Guidelines: conduct online", "guidelines", figures=figures, tables=[by_category, outcomes]
    )


def consultations_section(session: Session, agency: Agency, period: Period, zone_name: str) -> Section:
    ids = {agency.id}
    now_ = participation.by_agency(session, period, ids, zone_name).get(agency.id, participation.Participation())
    before = participation.by_agency(session, period.previous(), ids, zone_name).get(
        agency.id, participation.Participation()
    )
    href = "#consultations"
    figures = [
        Figure(
            "opened",
            "Consultations opened",
            now_.opened,
            before.opened,
            href=href,
            definition="Consultations and surveys that opened in the period.",
        ),
        Figure("closed", "Closed", now_.closed, before.closed, href=href, definition="Closed in the period."),
        Figure(
            "reported",
            "Reports published",
            now_.reported,
            before.reported,
            href=href,
            definition="\u201cYou said, we did\u201d reports published in the period.",
            higher_is_better=True,
        ),
        Figure(
            "participants",
            "Participants",
            now_.participants,
            before.participants,
            href=href,
            definition="Responses received in the period: each submitted form and each social-media message "
            "linked to a consultation.",
            higher_is_better=True,
        ),
        Figure(
            "days_to_report",
            "Median days from closing to report",
            now_.median_days_to_report,
            before.median_days_to_report,
            unit=" days",
            href=href,
            definition="For reports published in the period: days between closing and publishing.",
            higher_is_better=False,
        ),
    ]
    table = Table(
        "consultations",
        "Consultations open during the period",
        [
            Column("title", "Consultation"),
            Column("status", "State"),
            Column("opened_at", "Opened"),
            Column("closed_at", "Closed"),
            Column("published_at", "Report published"),
        ],
        empty="No consultation was open during this period.",
    )
    for item in participation.consultations_of(session, period, ids, zone_name):
        links = {"title": f"/consultations/{item.id}"}
        if item.published_at is not None:
            links["published_at"] = f"/c/{item.code}/report"
        table.add(
            {
                "title": item.title,
                "status": item.status.value,
                "opened_at": item.opened_at,
                "closed_at": item.closed_at,
                "published_at": item.published_at,
            },
            links,
        )
    return Section("consultations", "Consultations", "consultations", figures=figures, tables=[table])


def access_section(session: Session, agency: Agency, period: Period) -> Section:
    now_, before = (
        office_access.usage(session, period, {agency.id}),
        office_access.usage(session, period.previous(), {agency.id}),
    )
    mine, prior = now_.get(agency.id, office_access.Usage()), before.get(agency.id, office_access.Usage())
    href = f"/access/reports?agency_id={agency.id}"
    figures = [
        Figure(
            "office_minutes",
            "Minutes on social media in office hours",
            round(mine.office_minutes),
            round(prior.office_minutes),
            href=href,
            definition="All staff together, from the office proxy's logs grouped into sessions.",
        ),
        Figure(
            "people",
            "Staff using it",
            mine.people,
            prior.people,
            href=href,
            definition="Distinct people with at least one session (counted, never named here).",
        ),
        Figure(
            "denials",
            "Requests refused",
            mine.denials,
            prior.denials,
            href=href,
            definition="Requests the agency's office-access rule refused.",
            higher_is_better=False,
        ),
    ]
    return Section("access", "Office access to social media", "access", figures=figures)


def hooked_section(session: Session, agency: Agency, period: Period, zone_name: str) -> Section:
    """The counts other domains register (``oversight.hooks``), this period beside the previous one."""
    now, before = period.bounds(zone_name), period.previous().bounds(zone_name)
    figures = [
        Figure(
            extra.key,
            extra.label,
            extra.count(session, *now, {agency.id}).get(agency.id, 0),
            extra.count(session, *before, {agency.id}).get(agency.id, 0),
            definition=extra.definition,
            higher_is_better=False,
        )
        for extra in hooks.AGENCY_COUNTS
    ]
    return Section("accountability", "Promises to citizens", "responses", figures=figures)


def build(session: Session, *, actor: Actor, agency_id: int, period: Period, now: datetime) -> Scorecard:
    agency = queries.agency(session, agency_id)
    if agency is None:
        raise NotFound("agency not found")
    scope.require_scorecard(actor, agency.id)
    zone_name = get_settings().timezone
    sections = [
        accounts_section(session, agency, period, now),
        messages_section(session, agency, period),
        responses_section(session, agency, period, zone_name, now),
        conduct_section(session, agency, period, zone_name),
        consultations_section(session, agency, period, zone_name),
        access_section(session, agency, period),
    ]
    if hooks.AGENCY_COUNTS:
        sections.append(hooked_section(session, agency, period, zone_name))
    page_basis = basis(SCORECARD_SOURCES)
    return Scorecard(
        agency=agency,
        period=period,
        previous=period.previous(),
        basis=page_basis,
        sections=sections,
        missing=page_basis.not_available,
    )
