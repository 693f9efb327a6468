"""The public transparency page and the open-data export: no login, no personal data.

Only aggregate counts and the agencies' own published consultations appear here; the schema of the
export is documented in docs/open-data.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.audit import checkpoints
from civicloop.config import get_settings
from civicloop.deps import SessionDep
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_
from civicloop.moderation import queries as moderation_queries
from civicloop.oversight import activity, adoption, hooks, participation, responses
from civicloop.oversight.adoption import social_platforms
from civicloop.oversight.exports import ExportDep, attachment, respond
from civicloop.oversight.periods import Period, local_today, parse_period
from civicloop.oversight.report import CITIZEN_CONVERSATIONS, Column, Table, dumps
from civicloop.web.templating import request_language

router = APIRouter(include_in_schema=False)
PUBLIC_DAYS = 90
OPEN_DATA_VERSION = "1.1"


@dataclass
class PublicAgency:
    agency: Agency
    counts: responses.ResponseCounts
    consultations: list[Any]


@dataclass
class TransparencyPage:
    period: Period
    agencies: list[PublicAgency]
    table: Table
    moderation: moderation_queries.PublicLog


def _pct(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def transparency(session: Session, period: Period, lang: str = i18n.DEFAULT) -> TransparencyPage:
    zone_name = get_settings().timezone
    agencies = list(session.scalars(select(Agency).order_by(Agency.name)))
    answered = responses.by_agency(session, period, None)
    listed = participation.consultations_of(session, period, None, zone_name)
    by_agency: dict[int, list[Any]] = {}
    for consultation in listed:
        by_agency.setdefault(consultation.agency_id, []).append(consultation)
    table = Table(
        "responsiveness",
        N_("How promptly each agency answers citizens"),
        [
            Column("agency", N_("Agency")),
            Column("code", N_("Code")),
            CITIZEN_CONVERSATIONS,
            Column("response_rate", N_("Answered %"), numeric=True),
            Column("within_target", N_("Answered within target %"), numeric=True),
            *(Column(extra.key, extra.label, numeric=True) for extra in hooks.AGENCY_COUNTS),
        ],
        note=N_(
            "Citizen conversations: those begun in the period on the agency's official accounts and web form; "
            "each is one citizen's thread (a comment on a post with the replies to it, a private message thread, a "
            "web-form message). Answered %: the share of them the agency answered. Answered within target %: the "
            "share of them first answered within the agency's target time, in office hours — a citizen not "
            "answered counts as not within target, so it is never more than Answered %. A conversation "
            "transferred to another agency counts for the agency that holds it."
        ),
    )
    bounds = period.bounds(zone_name)
    extras = {extra.key: extra.count(session, *bounds, None) for extra in hooks.AGENCY_COUNTS}
    rows = []
    for agency in agencies:
        counts = answered.get(agency.id, responses.ResponseCounts())
        rows.append(PublicAgency(agency, counts, by_agency.get(agency.id, [])))
        table.add(
            {
                "agency": i18n.localized(agency, "name", lang).text,
                "code": agency.code,
                "conversations": counts.conversations,
                "response_rate": _pct(counts.response_rate),
                "within_target": _pct(counts.within_target_share),
                **{key: found.get(agency.id, 0) for key, found in extras.items()},
            },
            {"agency": f"#agency-{agency.code.lower()}"},
        )
    moderation = moderation_queries.public_log(session, *bounds, zone_name)
    return TransparencyPage(period=period, agencies=rows, table=table, moderation=moderation)


def public_period(start: str | None, end: str | None) -> Period:
    today = local_today(utcnow(), get_settings().timezone)
    return parse_period(start, end, today=today, default_days=PUBLIC_DAYS)


@router.get("/transparency", response_class=HTMLResponse)
def transparency_page(
    request: Request,
    session: SessionDep,
    export: ExportDep,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    lang = request_language(request)
    page = transparency(session, public_period(start, end), lang)
    return respond(
        request,
        "oversight/transparency.html",
        page,
        tables=[page.table],
        basename="public",
        period=page.period,
        export=export,
        lang=lang,
    )


def open_data(session: Session, period: Period) -> dict[str, Any]:
    """The national figures per agency and month: counts only, nothing about any person."""
    zone_name = get_settings().timezone
    adopted = adoption.adoption(session, agency_ids=None, now=utcnow())
    records = []
    for part in period.by_month():
        month = part.start
        traffic = activity.grouped(session, part, None, "agency_id")
        answered = responses.by_agency(session, part, None)
        taking_part = participation.by_agency(session, part, None, zone_name)
        for row in adopted.rows:
            agency_id = row.agency.id
            counts = traffic.get(agency_id, activity.Counts())
            answer = answered.get(agency_id, responses.ResponseCounts())
            consult = taking_part.get(agency_id, participation.Participation())
            records.append(
                {
                    "agency_code": row.agency.code,
                    "month": month.strftime("%Y-%m"),
                    "days": part.days,
                    "citizen_conversations": counts.conversations_new,
                    "citizen_messages": counts.messages_in,
                    "agency_messages": counts.messages_out,
                    "measured_conversations": answer.conversations,
                    "responded": answer.responded,
                    "within_target": answer.within_target,
                    "missed_target": answer.missed_target,
                    "breaches": answer.breaches,
                    "consultations_opened": consult.opened,
                    "consultations_closed": consult.closed,
                    "reports_published": consult.reported,
                    "participants": consult.participants,
                }
            )
    agencies = [
        {
            "code": row.agency.code,
            "name": row.agency.name,
            "kind": row.agency.kind.value,
            "district": row.agency.district,
            "has_social_accounts": row.adopted,
            "accounts": {p.value: len(row.on(p)) for p in social_platforms()},
        }
        for row in adopted.rows
    ]
    return {
        "schema": "civicloop-open-data",
        "version": OPEN_DATA_VERSION,
        "generated_at": utcnow().isoformat(),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "timezone": zone_name},
        "agencies": agencies,
        "monthly": records,
        "audit": checkpoints.published(),
    }


def open_data_csv(data: dict[str, Any]) -> str:
    columns = list(data["monthly"][0]) if data["monthly"] else ["agency_code", "month"]
    table = Table("open_data", "Open data", [Column(c, c) for c in columns])
    for record in data["monthly"]:
        table.add(record)
    return table.to_csv()


@router.get("/transparency/audit-checkpoints.jsonl")
def audit_checkpoints() -> Response:
    """Every signed checkpoint of the audit chain, for anyone to keep a copy and check it later."""
    path = checkpoints.folder() / checkpoints.CHECKPOINTS_FILE
    body = path.read_bytes() if path.exists() else b""
    return Response(body, media_type="application/jsonl", headers=attachment("civicloop-audit-checkpoints.jsonl"))


@router.get("/transparency/open-data.{fmt}")
def open_data_export(
    fmt: str,
    session: SessionDep,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    period = public_period(start, end)
    data = open_data(session, period)
    name = f"civicloop-open-data-{period.start.isoformat()}-{period.end.isoformat()}"
    if fmt == "json":
        return Response(dumps(data), media_type="application/json", headers=attachment(f"{name}.json"))
    if fmt == "csv":
        body = open_data_csv(data)
        return Response(body, media_type="text/csv; charset=utf-8", headers=attachment(f"{name}.csv"))
    return Response("ask for open-data.json or open-data.csv", status_code=404, media_type="text/plain")
