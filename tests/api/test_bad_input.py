"""Input the fuzzer found answered with 500s: out-of-range numbers and references to rows that do not exist."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.auth import service as auth_service
from civicloop.auth.scope import Actor
from tests.factories import create_agency, create_official


@pytest.fixture
def token(db: Session) -> str:
    create_agency(db, "MOIT")
    admin = create_official(db, "national_admin@MOIT")
    value = auth_service.create_api_token(db, actor=Actor.of(admin), name="probe")
    db.commit()
    return value


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conversations?offset=363421107673734840320",
        "/api/v1/agencies/99999999999999999999999",
        "/api/v1/agencies/4294967296",
        "/api/v1/officials/-9223372036854775809",
        "/api/v1/calendar?year=-6455725319",
        "/api/v1/calendar?year=99999",
    ],
)
def test_out_of_range_numbers_are_refused_with_a_reason(client: TestClient, token: str, path: str) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (404, 422), response.text
    assert response.json()["error"]["message"]


def test_an_unknown_agency_id_is_refused_not_a_foreign_key_error(client: TestClient, token: str) -> None:
    response = client.post(
        "/api/v1/consultations",
        headers={"Authorization": f"Bearer {token}"},
        json={"agency_id": 424242, "title": "Bus stops", "summary": "Where should they go?"},
    )
    assert response.status_code in (404, 422), response.text
    assert "does not exist" in response.json()["error"]["message"]
