"""Neutrality as the database configures it: parties, imported candidates, declared reference
formats, and the issue's examples under the national policy, in and out of an election period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.errors import Conflict, Forbidden, Invalid
from civicloop.guidelines import politics, service
from civicloop.guidelines.models import ElectionCandidate, ElectionPeriod
from civicloop.kit.clock import utcnow
from tests.factories import create_agency, create_official, csrf_from, login

TAKING_SIDES = (
    "We thank DPT for the new farm road; PDP never cared about Thimphu. Vote wisely!",
    "Our ruling party has delivered; the opposition only complains. Support the government at the polls.",
    "འབྲུག་ཉམས་རུབ་ཚོགས་པ་ལུ་ཚོགས་རྒྱན་བཀལ་གནང་།",
    "DPT lu vote bay la, they built this road for us!",
)
NEUTRAL = (
    "The ECB has announced the results: PDP won 30 seats and DNT 17.",
    "Polling is on 9 January. DPT, DNT and PDP have filed their candidates with the ECB.",
    "The DPT vaccine booster is due at 18 months.",
)


def _admin(db: Session) -> Actor:
    create_agency(db, "DOIM", name="Department of Information and Media")
    return Actor.of(create_official(db, "national_admin@DOIM", email="admin@doim.example"))


def _period(db: Session, actor: Actor, *, days_to_polls: int = 10) -> ElectionPeriod:
    now = utcnow()
    return service.add_election_period(
        db,
        actor=actor,
        name="National Assembly 2029",
        starts_at=now - timedelta(days=20),
        polls_at=now + timedelta(days=days_to_polls),
        ends_at=now + timedelta(days=days_to_polls + 5),
    )


def test_taking_sides_is_held_outside_an_election_period_and_neutral_mentions_pass(db: Session) -> None:
    for text in TAKING_SIDES:
        assert service.evaluate(db, agency_id=None, text=text).action == "hold", text
    for text in NEUTRAL:
        assert service.evaluate(db, agency_id=None, text=text).action in ("allow", "warn"), text


def test_an_election_period_is_stricter_and_the_embargo_holds_any_mention(db: Session) -> None:
    admin = _admin(db)
    promotion = "DNT's manifesto launch is on Saturday at the Clock Tower."
    assert service.evaluate(db, agency_id=None, text=promotion).action == "warn"
    period = _period(db, admin)
    assert service.evaluate(db, agency_id=None, text=promotion).action == "hold"
    for text in NEUTRAL:
        assert service.evaluate(db, agency_id=None, text=text).action in ("allow", "warn"), text
    period.polls_at = utcnow() + timedelta(hours=20)
    db.flush()
    assert service.evaluate(db, agency_id=None, text="DNT members visited the bus terminal.").action == "hold"


def test_parties_are_seeded_and_national_oversight_keeps_them(db: Session) -> None:
    admin = _admin(db)
    assert [p.abbreviation for p in politics.list_parties(db)] == ["BTP", "DNT", "DPT", "DTT", "PDP"]
    assert service.evaluate(db, agency_id=None, text="Clean streets #GreenDruk").action == "allow"
    politics.save_party(
        db,
        actor=admin,
        name="Druk Green Party",
        abbreviation="DGP",
        name_dz="འབྲུག་ལྗང་ཁུ་ཚོགས་པ",
        other_names=["Green Party"],
        slogans=["#GreenDruk"],
    )
    for text in ("Vote for DGP!", "Support the Green Party.", "Clean streets #GreenDruk"):
        assert service.evaluate(db, agency_id=None, text=text).action == "hold", text
    assert service.evaluate(db, agency_id=None, text="Clean streets #GoDNT").action == "hold"
    politics.remove_party(db, actor=admin, name="DNT")
    assert service.evaluate(db, agency_id=None, text="Clean streets #GoDNT").action == "allow"
    with pytest.raises(Conflict, match="already the abbreviation of Druk Green Party"):
        politics.save_party(db, actor=admin, name="Another Party", abbreviation="DGP")
    head = Actor.of(create_official(db, "agency_head@DOIM", email="head@doim.example"))
    with pytest.raises(Forbidden):
        politics.save_party(db, actor=head, name="Mine")


CSV = "name,party,constituency,name_dz\nKelzang Tobgyel,DNT,Thimphu North,\nDechen Yangki Dorji,PDP,Thimphu South,\n"


def test_candidates_are_imported_for_an_election_and_recognised(db: Session) -> None:
    admin = _admin(db)
    period = _period(db, admin)
    assert politics.import_candidates(db, actor=admin, election_id=period.id, data=CSV.encode()) == 2
    assert service.evaluate(db, agency_id=None, text="Vote for Kelzang Tobgyel on polling day.").action == "hold"
    named = service.evaluate(db, agency_id=None, text="Dechen Yangki Dorji booked the Babesa hall.")
    assert [f.rule_id for f in named.findings] == ["political.candidate"] and named.action == "warn"
    # A second import replaces the list.
    politics.import_candidates(db, actor=admin, election_id=period.id, data=b"name\nSonam Choden Wangmo\n")
    assert [c.name for c in politics.list_candidates(db, election_id=period.id)] == ["Sonam Choden Wangmo"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"party,constituency\nDNT,Thimphu\n", "must name the columns, including 'name'"),
        (b"name,age\nKarma,40\n", "unknown column 'age'"),
        (b"name,party\nKarma,XYZ\n", "line 2: unknown party 'XYZ'"),
        (b"name,constituency\nKarma,Paro\nKarma,Paro\n", "line 3: Karma is already on line 2"),
        (b"name,party\nKarma,DNT,extra\n", "line 2: 3 fields where the header has 2"),
        (b"name,party\n,DNT\n", "line 2: the name is empty"),
        ("name\nKarma\n".encode("utf-16"), "not UTF-8"),
        (b"name\n", "lists no candidates"),
    ],
)
def test_a_bad_candidates_file_is_refused_with_its_lines_and_nothing_changes(
    db: Session, data: bytes, message: str
) -> None:
    admin = _admin(db)
    period = _period(db, admin)
    politics.import_candidates(db, actor=admin, election_id=period.id, data=CSV.encode())
    with pytest.raises(Invalid, match=message):
        politics.import_candidates(db, actor=admin, election_id=period.id, data=data)
    assert len(db.scalars(select(ElectionCandidate)).all()) == 2


def test_an_agency_declares_its_reference_formats(db: Session) -> None:
    admin = _admin(db)
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde")
    other = create_agency(db, "PARO", name="Paro Dzongkhag")
    text = "Your permit APP-11512003456 is ready; Ref 11512003456 is on the letter."
    assert service.evaluate(db, agency_id=thromde.id, text=text).action == "hold"
    with pytest.raises(Invalid, match="needs at least one #"):
        service.add_term(db, actor=admin, lexicon=service.REFERENCE_FORMATS, term="APP-", agency_id=thromde.id)
    for mask in ("APP-###########", "1##########"):
        service.add_term(db, actor=admin, lexicon=service.REFERENCE_FORMATS, term=mask, agency_id=thromde.id)
    assert service.evaluate(db, agency_id=thromde.id, text=text).action == "allow"
    assert service.evaluate(db, agency_id=other.id, text=text).action == "hold"
    assert service.evaluate(db, agency_id=thromde.id, text="CID 11512003456 is on file.").action == "hold"


def _as(client: TestClient, db: Session, email: str, page: str) -> str:
    official = db.scalars(select(Official).where(Official.email == email)).one()
    client.cookies.clear()
    login(client, official)
    return csrf_from(client.get(page).text)


def test_national_settings_page_keeps_parties_and_imports_candidates(db: Session, client: TestClient) -> None:
    admin = _admin(db)
    period = _period(db, admin)
    db.commit()
    token = _as(client, db, "admin@doim.example", "/guidelines/settings")
    page = client.get("/guidelines/settings").text
    assert "Druk Nyamrup Tshogpa" in page and "འབྲུག་ཉམས་རུབ་ཚོགས་པ" in page
    response = client.post(
        "/guidelines/settings/parties",
        data={"name": "Druk Green Party", "abbreviation": "DGP", "other_names": "Green Party\n", "csrf_token": token},
    )
    assert response.status_code == 200 and "Druk Green Party" in response.text
    bad = client.post(
        f"/guidelines/settings/elections/{period.id}/candidates",
        data={"csrf_token": token},
        files={"file": ("c.csv", b"name,party\nKarma,XYZ\n", "text/csv")},
    )
    assert bad.status_code == 422 and "line 2: unknown party" in bad.text
    good = client.post(
        f"/guidelines/settings/elections/{period.id}/candidates",
        data={"csrf_token": token},
        files={"file": ("c.csv", CSV.encode(), "text/csv")},
    )
    assert good.status_code == 200 and "2 candidates were imported" in good.text
    removed = client.post("/guidelines/settings/parties/remove", data={"name": "DGP", "csrf_token": token})
    assert removed.status_code == 200 and "Druk Green Party" not in removed.text.split('id="parties"')[1][:3000]


def test_an_agency_declares_a_reference_format_on_its_page(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    db.commit()
    token = _as(client, db, "head@thromde.example", f"/guidelines/agencies/{agency.id}")
    bad = client.post(
        f"/guidelines/agencies/{agency.id}/terms",
        data={"lexicon": "reference_formats", "term": "APP", "op": "add", "csrf_token": token},
    )
    assert bad.status_code == 422 and "needs at least one #" in bad.text
    good = client.post(
        f"/guidelines/agencies/{agency.id}/terms",
        data={"lexicon": "reference_formats", "term": "APP-###########", "op": "add", "csrf_token": token},
    )
    assert good.status_code == 200 and "APP-###########" in good.text
