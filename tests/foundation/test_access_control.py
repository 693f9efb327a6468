"""An officer of one agency must never see another agency's data, on any page or API route."""

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import create_account, create_agency, create_official, login

ID_PARAMS = re.compile(r"\{(\w+_id)\}")


@pytest.fixture
def two_agencies(db: Session) -> dict[str, int]:
    mine, theirs = create_agency(db, "MINE"), create_agency(db, "THEIRS")
    create_account(db, mine, "facebook")
    their_account = create_account(db, theirs, "x")
    their_official = create_official(db, "officer@THEIRS")
    return {"agency_id": theirs.id, "account_id": their_account.id, "official_id": their_official.id}


def _all_routes() -> list[tuple[str, APIRoute]]:
    from civicloop.main import API_PREFIX, API_ROUTERS, PAGE_ROUTERS

    routes = [("", route) for router in PAGE_ROUTERS for route in router.routes]
    routes += [(API_PREFIX, route) for router in API_ROUTERS for route in router.routes]
    return [(prefix, route) for prefix, route in routes if isinstance(route, APIRoute)]


def _other_agency_paths(ids: dict[str, int]) -> list[tuple[str, str]]:
    paths = []
    for prefix, route in _all_routes():
        names = ID_PARAMS.findall(route.path)
        if not names or not set(names) <= set(ids):
            continue
        path = prefix + route.path
        for name in names:
            path = path.replace("{" + name + "}", str(ids[name]))
        paths.extend((method, path) for method in route.methods if method in ("GET", "POST"))
    return paths


def test_an_officer_gets_404_or_403_for_every_route_of_another_agency(
    db: Session, client: TestClient, two_agencies: dict[str, int]
) -> None:
    login(client, create_official(db, "officer@MINE"))
    from tests.factories import csrf_from

    headers = {"X-CSRF-Token": csrf_from(client.get("/settings/tokens").text)}
    checked = _other_agency_paths(two_agencies)
    assert len(checked) >= 6, checked
    for method, path in checked:
        response = client.request(method, path, headers=headers, json={}, follow_redirects=False)
        assert response.status_code in (403, 404, 422), f"{method} {path} answered {response.status_code}"
        assert "THEIRS" not in response.text, f"{method} {path} leaked the other agency"


def test_lists_show_only_the_officials_own_agency(
    db: Session, client: TestClient, two_agencies: dict[str, int]
) -> None:
    login(client, create_official(db, "officer@MINE"))
    assert [a["code"] for a in client.get("/api/v1/agencies").json()] == ["MINE"]
    assert {a["platform"] for a in client.get("/api/v1/accounts").json()} == {"facebook"}
    page = client.get("/accounts").text
    assert "THEIRS" not in page
    assert client.get(f"/api/v1/accounts?agency_id={two_agencies['agency_id']}").status_code == 404


def test_national_roles_see_every_agency_but_auditors_change_nothing(
    db: Session, client: TestClient, two_agencies: dict[str, int]
) -> None:
    create_agency(db, "DOIM")
    login(client, create_official(db, "auditor@DOIM"))
    assert {a["code"] for a in client.get("/api/v1/agencies").json()} == {"MINE", "THEIRS", "DOIM"}
    assert client.get(f"/agencies/{two_agencies['agency_id']}").status_code == 200
    from tests.factories import csrf_from

    headers = {"X-CSRF-Token": csrf_from(client.get("/settings/tokens").text)}
    refused = client.post(
        "/api/v1/accounts",
        headers=headers,
        json={"agency_code": "THEIRS", "platform": "web", "external_id": "form", "name": "Form"},
    )
    assert refused.status_code == 403
