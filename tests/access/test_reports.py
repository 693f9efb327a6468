"""Usage reports: what each reader may see, the figures, and the pages and API that show them."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access import logimport, reports, service
from civicloop.access.policy import AfterHours, OfficeHours
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.errors import Forbidden, NotFound
from tests.access.test_logimport import native, own
from tests.factories import create_agency, create_official, form_post, login

TUESDAY = date(2030, 3, 5)
NINE = datetime(2030, 3, 5, 3, 0, tzinfo=UTC)  # 09:00 in Thimphu


def _actor(db: Session, email: str) -> Actor:
    return Actor.of(db.scalars(select(Official).where(Official.email == email)).one())


@pytest.fixture
def usage(db: Session, tmp_path: Path) -> dict[str, int]:
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde")
    moit = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    for role_at, email in [
        ("agency_head@THROMDE", "head@thromde.example"),
        ("officer@THROMDE", "pema@thromde.example"),
        ("officer@MOIT", "tashi@moit.example"),
        ("auditor@MOIT", "auditor@doim.example"),
    ]:
        create_official(db, role_at, email=email)
    service.set_policy(
        db,
        actor=None,
        agency_id=thromde.id,
        category="social",
        office_hours=OfficeHours.designated,
        allowance_minutes=30,
        after_hours=AfterHours.open,
    )
    log = tmp_path / "access.log"
    # Pema: 26 minutes in office hours (a request each minute 09:00–09:25) and 9 one evening; one refusal.
    lines = [native(NINE + timedelta(minutes=m), "pema") for m in range(26)]
    lines += [native(NINE + timedelta(hours=10, minutes=m), "pema") for m in range(9)]
    lines += [own(NINE + timedelta(hours=1), "pema", "social%3Aallowance_used_up")]
    lines += [native(NINE - timedelta(days=7), "tashi@moit.example", "http://x.com/home")]
    log.write_text("".join(lines))
    logimport.import_log(db, path=log)
    db.commit()
    return {"thromde": thromde.id, "moit": moit.id}


def test_the_head_sees_people_near_their_allowance_and_staff_see_aggregates(db: Session, usage: dict[str, int]) -> None:
    head = reports.usage_report(db, actor=_actor(db, "head@thromde.example"), agency_id=usage["thromde"], end=TUESDAY)
    social = head.categories[0]
    assert (social.key, social.office_minutes, social.other_minutes, social.people) == ("social", 26.0, 9.0, 1)
    assert [(r.rule, r.count) for r in head.refusals] == [("allowance_used_up", 1)]
    assert head.near_allowance == [
        reports.NearAllowance("pema@thromde.example", "Test Official", "social", 30, 1, 0, 26.0, TUESDAY)
    ]
    assert head.weeks[-1] == reports.WeekUsage("2030-W10", 26.0, 9.0)
    assert len(head.weeks) == 8
    staff = reports.usage_report(db, actor=_actor(db, "pema@thromde.example"), agency_id=usage["thromde"], end=TUESDAY)
    assert staff.near_allowance is None and staff.categories == head.categories
    with pytest.raises(NotFound):
        reports.usage_report(db, actor=_actor(db, "tashi@moit.example"), agency_id=usage["thromde"], end=TUESDAY)
    with pytest.raises(Forbidden):
        reports.usage_report(db, actor=_actor(db, "tashi@moit.example"), agency_id=None, end=TUESDAY)
    national = reports.usage_report(db, actor=_actor(db, "auditor@doim.example"), agency_id=None, end=TUESDAY)
    assert [(a.code, a.office_minutes, a.refused) for a in national.agencies] == [
        ("MOIT", 1.0, 0),
        ("THROMDE", 26.0, 1),
    ]
    assert national.near_allowance is not None


def test_the_head_sets_designated_plus_30_minutes_and_the_tester_explains_it(
    db: Session, client: TestClient, usage: dict[str, int]
) -> None:
    agency_id = usage["thromde"]
    login(client, db.scalars(select(Official).where(Official.email == "pema@thromde.example")).one())
    page = client.get(f"/access/agencies/{agency_id}")
    assert page.status_code == 200 and "Sign this policy" not in page.text and "Would this be allowed?" not in page.text
    refused = form_post(
        client,
        f"/access/agencies/{agency_id}/policy",
        {"category": "social", "office_hours": "all", "after_hours": "open", "allowance": "0"},
        page=f"/access/agencies/{agency_id}",
    )
    assert refused.status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    login(client, db.scalars(select(Official).where(Official.email == "head@thromde.example")).one())
    signed = form_post(
        client,
        f"/access/agencies/{agency_id}/policy",
        {"category": "social", "office_hours": "designated", "after_hours": "closed", "allowance": "30"},
        page=f"/access/agencies/{agency_id}",
    )
    assert signed.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/access/agencies/{agency_id}")
    assert "designated staff in office hours, others 30 minutes a day; closed after hours" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        f"/access/agencies/{agency_id}/test",
        data={"login": "pema", "host": "www.facebook.com", "at": "2030-03-05T10:00", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and 'data-allow="true"' in answer.text
    assert "26 have been used today" in answer.text
    night = client.post(
        f"/access/agencies/{agency_id}/test",
        data={"login": "pema", "host": "m.facebook.com", "at": "2030-03-05T21:00", "csrf_token": token},
    )
    assert 'data-allow="false"' in night.text and "outside office hours" in night.text and "<h1>" in night.text
    home = client.get("/access")
    assert "Thimphu Thromde" in home.text and "Change the national default" not in home.text
    categories = client.get("/access/categories")
    assert "fbcdn.net" in categories.text and "Save Social media" not in categories.text  # oversight edits them
    report = client.get(f"/access/reports?agency_id={agency_id}")
    assert report.status_code == 200 and report.text.count("<svg") == 3
    api = client.post(
        "/api/v1/access/check",
        json={"login": "pema", "host": "x.com", "at": "2030-03-05T09:30:00"},
        headers={"X-CSRF-Token": token},
    )
    assert api.json()["rule"] == "allowance" and set(api.json()) == {"allow", "rule", "reason"}
    assert client.get(f"/api/v1/access/report?agency_id={agency_id}").json()["agency"] == "THROMDE"


def test_the_cli_sets_designates_checks_imports_and_reports(db: Session, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from civicloop.cli import app

    create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    create_official(db, "agency_head@MOIT", email="head@moit.example")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    signed = json.loads(
        run("access", "set", "--agency", "MOIT", "--category", "social", "--office-hours", "designated",
            "--allowance", "0", "--after-hours", "closed", "--signed-by", "head@moit.example", "--json")
    )  # fmt: skip
    assert signed["signed_by"].endswith("<head@moit.example>") and signed["allowance_minutes"] == 0
    (tmp_path / "staff.csv").write_text("login,agency,name\nkarma dorji,MOIT,Karma Dorji\nsonam,MOIT,Sonam\n")
    assert json.loads(run("access", "import-directory", str(tmp_path / "staff.csv"), "--json"))["added"] == 2
    run("access", "designate", "Karma Dorji", "--agency", "MOIT", "--until", "2031-01-01")
    at = "2030-03-05T10:00"
    assert json.loads(run("access", "check", "karma dorji", "www.facebook.com", "--at", at, "--json")) == {
        "allow": True,
        "rule": "designated",
        "reason": "In office hours Ministry of Infrastructure and Transport opens social media to designated staff; "
        "karma dorji is designated by an administrator on the command line until 2031-01-01.",
    }
    refused = json.loads(run("access", "check", "sonam", "https://www.facebook.com", "--at", at, "--json"))
    assert (refused["allow"], refused["rule"]) == (False, "not_designated")
    log = tmp_path / "civicloop.log"
    log.write_text(own(NINE, "sonam", "social%3Anot_designated") + "broken\n")
    imported = json.loads(run("access", "import-log", str(log), "--json"))
    assert imported["files"][0]["kept"] == 1 and imported["files"][0]["malformed"] == 1
    assert run("access", "raw-lines", "--since", "2030-03-05", "--login", "SONAM") == own(
        NINE, "sonam", "social%3Anot_designated"
    )
    assert run("access", "raw-lines", "--since", "2030-03-04", "--login", "sonam") == ""
    assert json.loads(run("access", "report", "--agency", "MOIT", "--json"))["agency"] == "MOIT"
    config = run("squid-config", "--concurrency", "32")
    assert "external_acl_type civicloop" in config and "concurrency=32" in config and "%#LOGIN %#DST" in config
    assert f" {Path(sys.executable).parent / 'civicloop'} squid-helper\n" in config  # the console command
    assert "deny_info ERR_CIVICLOOP_BLOCKED civicloop_block_page" in config
    assert "%o" in run("squid-config", "--block-page")
    run("access", "undesignate", "karma dorji", "--agency", "MOIT")
    result = runner.invoke(app, ["access", "set", "--agency", "MOIT", "--allowance", "lots"])
    assert result.exit_code != 0
