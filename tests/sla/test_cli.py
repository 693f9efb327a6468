"""``civicloop sla`` and ``civicloop calendar`` as an administrator runs them."""

import json

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicloop.cli import app
from tests.factories import create_agency
from tests.foundation.test_cli import run


def cli(*args: str) -> str:
    """Run a command in this process (quicker than a new interpreter on a busy machine); it must succeed."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_sla_explain_counts_office_minutes_and_refuses_a_response_before_the_message(db: Session) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde", district="Thimphu")
    closed = cli("calendar", "close", "2026-12-18", "Ad-hoc closure", "--hours", "09:00-12:00", "--json")
    assert json.loads(closed)["hours"] == "09:00-12:00"
    # 16:30 Wednesday → 30 min; Thursday 17 December is National Day; Friday opens at 12:00 → 90 min.
    received, responded = "2026-12-16T16:30", "2026-12-18T13:30"
    result = run("sla", "explain", "--agency", "THROMDE", "--received", received, "--responded", responded, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["office_minutes"] == 120
    assert [(i["start"], i["end"]) for i in data["intervals"]] == [
        ("2026-12-16T16:30:00+06:00", "2026-12-16T17:00:00+06:00"),
        ("2026-12-18T12:00:00+06:00", "2026-12-18T13:30:00+06:00"),
    ]
    assert [c["name"] for c in data["closures"]] == ["National Day", "Ad-hoc closure"]
    assert data["target"]["state"] == "on_track" and data["target"]["minutes"] == 480
    # An instant with an offset is honoured: 07:30 UTC is 13:30 in Thimphu.
    utc = cli("sla", "explain", "--agency", "THROMDE", "--received", received, "--responded", "2026-12-18T07:30Z")
    assert "Office time: 120 minutes" in utc and "National Day (public holiday)" in utc
    refused = run("sla", "explain", "--agency", "THROMDE", "--received", received, "--responded", "2026-12-16T09:00")
    assert refused.returncode == 2
    assert "is before the message" in refused.stderr and "Traceback" not in refused.stderr


def test_calendar_and_targets_commands(db: Session) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    hours = cli("calendar", "hours", "mon=09:00-13:00,14:00-17:00", "tue=09:00-17:00", "--json")
    assert json.loads(hours)["mon"] == "09:00-13:00, 14:00-17:00"
    season = cli(
        "calendar", "season", "Winter", "--starts", "2026-11-16", "--ends", "2027-02-15", "--yearly",
        "--day", "mon=09:00-16:00", "--json",
    )  # fmt: skip
    assert json.loads(season)["yearly"] is True
    festival = cli("calendar", "close", "2026-03-03", "Punakha Drubchen", "--district", "Punakha", "--json")
    assert json.loads(festival)["district"] == "Punakha"
    shown = json.loads(cli("calendar", "show", "--agency", "THROMDE", "--year", "2026", "--json"))
    assert shown["hours"]["wed"] == "closed"
    assert "Punakha Drubchen" not in [c["name"] for c in shown["closures"]]  # another district's festival
    targets = cli("sla", "targets", "--agency", "THROMDE", "--first", "120", "--next", "240", "--resolution", "960")
    assert "agency" in targets
    assert "Winter" in cli("calendar", "show")  # the tables for people render too


def test_a_public_holiday_can_be_worked_and_closed_again_from_the_cli(db: Session) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    db.commit()
    explain = ("sla", "explain", "--agency", "THROMDE", "--received", "2026-12-17T09:00", "--json")
    assert json.loads(cli(*explain, "--responded", "2026-12-17T10:00"))["office_minutes"] == 0  # National Day
    worked = json.loads(cli("calendar", "work-day", "2026-12-17", "Tax week", "--agency", "THROMDE", "--json"))
    assert worked["scope"] == "agency" and worked["date"] == "2026-12-17"
    assert json.loads(cli(*explain, "--responded", "2026-12-17T10:00"))["office_minutes"] == 60
    cli("calendar", "remove-work-day", str(worked["id"]))
    assert json.loads(cli(*explain, "--responded", "2026-12-17T10:00"))["office_minutes"] == 0
    refused = run("calendar", "work-day", "2026-12-16", "Ordinary Wednesday")
    assert refused.returncode == 2 and "not a public holiday" in refused.stderr and "Traceback" not in refused.stderr
