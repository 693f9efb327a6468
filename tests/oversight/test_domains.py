"""Figures from the other domains: responsiveness (inbox/SLA), incidents (guidelines), consultations, and the
public page and open data built on them."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.channels.models import Direction
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage, OutboundStatus
from civicloop.config import get_settings
from civicloop.inbox import clocks, metrics
from civicloop.oversight import aggregates, conduct, responses, rollup
from civicloop.oversight.models import Incident
from civicloop.oversight.periods import Period, local_today
from tests.factories import create_account, create_agency, create_official, login
from tests.oversight.builders import bus_stop_consultation, message

NOW = datetime.now(UTC).replace(microsecond=0)
CID_POST = "Dear Sonam, your permit for CID 11512003456 is ready at the counter."


def _zone() -> str:
    return get_settings().timezone


def _period() -> Period:
    today = local_today(NOW, _zone())
    return Period(today - timedelta(days=29), today)


def _conversation(db: Session, account: OfficialAccount, hours_ago: float, reply_after: float | None, n: int) -> None:
    asked = NOW - timedelta(hours=hours_ago)
    message(db, account, asked, thread=f"q-{account.id}-{n}", citizen=f"citizen-{n}")
    if reply_after is not None:
        message(
            db,
            account,
            asked + timedelta(hours=reply_after),
            direction=Direction.outbound,
            thread=f"q-{account.id}-{n}",
            text="Thank you, our team is on it.",
        )


@pytest.fixture
def agencies(db: Session) -> dict[str, object]:
    fast, slow = create_agency(db, "FAST", name="Fast Agency"), create_agency(db, "SLOW", name="Slow Agency")
    create_agency(db, "DOIM", name="Department of Information and Media")
    fast_page, slow_page = create_account(db, fast, "facebook"), create_account(db, slow, "x")
    for n in range(12):  # answered within minutes, days ago
        _conversation(db, fast_page, 24 * (n + 2), 0.2, n)
    for n in range(10):  # half answered a week later, half never
        _conversation(db, slow_page, 24 * (n + 10), 24 * 7 if n % 2 else None, n)
    db.commit()
    clocks.sweep(db, now=NOW, limit=1000)
    db.commit()
    responses.rebuild(db, period=_period(), zone_name=_zone())
    aggregates.refresh(db, zone_name=_zone(), now=NOW)
    db.commit()
    return {"fast": fast, "slow": slow, "fast_page": fast_page, "slow_page": slow_page}


def test_response_days_add_up_to_inbox_slas_own_metrics(db: Session, agencies: dict) -> None:
    start, end = _period().bounds(_zone())
    report = metrics.response_metrics(db, scope=metrics.Scope(agency_ids=None), start=start, end=end, group_by="agency")
    theirs = {int(g.key): g.metrics for g in report.groups}
    ours = responses.by_agency(db, _period(), None)
    assert set(ours) == set(theirs) == {agencies["fast"].id, agencies["slow"].id}
    for agency_id, m in theirs.items():
        mine = ours[agency_id]
        assert (mine.conversations, mine.responded, mine.within_target, mine.missed_target, mine.breaches) == (
            m.conversations,
            m.responded,
            m.within_target,
            m.missed_target,
            m.breaches,
        )
    assert ours[agencies["fast"].id].response_rate == 1.0
    assert ours[agencies["slow"].id].response_rate == 0.5


def test_response_months_and_edge_days_add_up_to_inbox_slas_own_metrics_over_months(db: Session) -> None:
    agency = create_agency(db, "LONG", name="Long Agency")
    page = create_account(db, agency, "facebook")
    for n in range(40):  # one conversation every two and a half days, some answered late, some never
        _conversation(db, page, 24 * 2.5 * n + 5, None if n % 4 == 3 else 0.5 + 30 * (n % 3), n)
    db.commit()
    clocks.sweep(db, now=NOW, limit=1000)
    db.commit()
    responses.rebuild_recent(db, zone_name=_zone(), now=NOW, days=110)
    db.commit()
    today = local_today(NOW, _zone())
    for period in (
        Period(today - timedelta(days=95), today - timedelta(days=5)),
        Period(today - timedelta(days=70), today),
    ):
        assert rollup.split(period)[1] is not None, "the period must hold whole months"
        start, end = period.bounds(_zone())
        theirs = metrics.response_metrics(db, scope=metrics.Scope(agency_ids={agency.id}), start=start, end=end).total
        mine = responses.by_agency(db, period, None)[agency.id]
        assert theirs.conversations > 20
        assert (mine.conversations, mine.responded, mine.within_target, mine.missed_target, mine.breaches) == (
            theirs.conversations,
            theirs.responded,
            theirs.within_target,
            theirs.missed_target,
            theirs.breaches,
        )


def test_the_ranking_puts_the_prompt_agency_first_and_shows_its_definitions(
    db: Session, client: TestClient, agencies: dict
) -> None:
    login(client, create_official(db, "auditor@DOIM"))
    rows = client.get("/oversight?table=ranking&format=json").json()["rows"]
    ranked = [(r["agency"], r["responsiveness_rank"]) for r in rows if r["responsiveness_rank"] is not None]
    assert ranked == [("Fast Agency", 1), ("Slow Agency", 2)]
    html = client.get("/oversight").text
    assert "Responsiveness rank" in html and "then by response rate" in html


def test_the_scorecard_shows_inbox_slas_exact_median_and_the_api_agrees(
    db: Session, client: TestClient, agencies: dict
) -> None:
    slow = agencies["slow"]
    login(client, create_official(db, "agency_head@SLOW"))
    body = client.get(f"/api/v1/oversight/agencies/{slow.id}/scorecard").json()
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["response_rate"]["value"] == 50.0
    start, end = _period().bounds(_zone())
    expected = metrics.response_metrics(db, scope=metrics.Scope(agency_ids={slow.id}), start=start, end=end).total
    assert figures["median_first_response"]["value"] == expected.median_first_response_minutes
    assert body["tables"]["backlog"]["rows"]


def test_a_breach_posted_directly_on_the_platform_becomes_an_incident_with_its_evidence(
    db: Session, client: TestClient, agencies: dict
) -> None:
    page = agencies["fast_page"]
    posted = message(db, page, NOW - timedelta(hours=3), direction=Direction.outbound, text=CID_POST)
    through_us = message(db, page, NOW - timedelta(hours=2), direction=Direction.outbound, text=CID_POST + " (2)")
    db.add(
        OutboundMessage(
            agency_id=page.agency_id,
            account_id=page.id,
            kind=OutboundKind.reply,
            route="facebook_comment",
            text=through_us.text,
            status=OutboundStatus.sent,
            idempotency_key="approved-after-review",
            external_id=through_us.external_id,
        )
    )
    db.commit()
    assert conduct.scan(db, now=NOW) == 1
    db.commit()
    incident = db.scalars(select(Incident)).one()
    assert incident.message_id == posted.id and incident.action in ("hold", "block")
    assert incident.categories == ["personal_data"] and incident.text == CID_POST
    assert conduct.scan(db, now=NOW) == 0  # already checked: nothing new
    login(client, create_official(db, "agency_head@FAST"))
    shown = client.get(f"/oversight/incidents/{incident.id}")
    assert shown.status_code == 200 and "11512003456" in shown.text and incident.text_sha256 in shown.text
    client.cookies.clear()
    login(client, create_official(db, "agency_head@SLOW"))
    assert client.get(f"/oversight/incidents/{incident.id}").status_code == 404


def test_the_public_page_needs_no_login_and_links_the_published_report(
    db: Session, client: TestClient, agencies: dict
) -> None:
    fast: Agency = agencies["fast"]
    bus_stop_consultation(db, fast, NOW)
    db.commit()
    page = client.get("/transparency")
    assert page.status_code == 200
    assert "Design of the model bus stop" in page.text and "/c/BUSSTOP/report" in page.text
    rows = {r["code"]: r for r in client.get("/transparency?table=responsiveness&format=json").json()["rows"]}
    assert rows["FAST"]["response_rate"] == 100.0 and rows["SLOW"]["response_rate"] == 50.0
    data = client.get("/transparency/open-data.json").json()
    assert data["schema"] == "civicloop-open-data"
    fast_rows = [r for r in data["monthly"] if r["agency_code"] == "FAST"]
    assert sum(r["responded"] for r in fast_rows) == 12 and sum(r["reports_published"] for r in fast_rows) == 1
    text = client.get("/transparency/open-data.csv").text
    assert text.startswith("agency_code,month,days,") and "citizen-" not in text and "Sonam" not in text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_cli_prints_the_open_data_and_refuses_an_unknown_format(db: Session, agencies: dict) -> None:
    from typer.testing import CliRunner

    from civicloop.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["oversight", "open-data", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("agency_code,month,days,") and "FAST," in result.output
    refreshed = runner.invoke(app, ["oversight", "refresh", "--json"])
    assert refreshed.exit_code == 0 and '"messages_read"' in refreshed.output
    assert runner.invoke(app, ["oversight", "open-data", "--format", "xml"]).exit_code != 0
