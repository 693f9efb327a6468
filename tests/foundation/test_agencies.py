import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies import service
from civicloop.agencies.models import Agency, AgencyKind, OfficialAccount, Platform
from civicloop.errors import Conflict, Invalid, NotFound
from tests.factories import create_account, create_agency, create_official, csrf_from, login


def test_agency_code_is_normalised_and_unique(db: Session) -> None:
    agency = create_agency(db, "thromde", name="Thimphu Thromde", kind=AgencyKind.city)
    assert agency.code == "THROMDE"
    with pytest.raises(Conflict, match="already exists"):
        service.create_agency(db, actor=None, code="THROMDE", name="Again")


@pytest.mark.parametrize("code", ["", "A", "has space", "x" * 40, "bad!"])
def test_bad_agency_codes_are_refused(db: Session, code: str) -> None:
    with pytest.raises(Invalid):
        service.create_agency(db, actor=None, code=code, name="Name")


def test_unknown_parent_and_time_zone_are_refused(db: Session) -> None:
    with pytest.raises(NotFound):
        service.create_agency(db, actor=None, code="CHILD", name="Child", parent_code="NOPE")
    with pytest.raises(Invalid, match="time zone"):
        service.create_agency(db, actor=None, code="TZ", name="Zone", timezone="Mars/Olympus")


def test_credentials_are_encrypted_at_rest(db: Session) -> None:
    agency = create_agency(db)
    create_account(db, agency, "facebook", credentials={"app_secret": "s3cr3t-value", "verify_token": "v"})
    raw = db.connection().exec_driver_sql("SELECT credentials FROM official_accounts").scalar()
    assert "s3cr3t-value" not in raw
    db.expire_all()
    account = db.scalars(select(OfficialAccount)).one()
    assert account.credentials["app_secret"] == "s3cr3t-value"


@pytest.mark.parametrize(
    ("platform", "credentials", "message"),
    [
        ("facebook", {"verify_token": "v"}, "need credential"),
        ("x", {"consumer_secret": "s", "password": "p"}, "unknown credential"),
        ("wechat", {"app_id": "wx", "token": "t", "encoding_aes_key": "short"}, "43 characters"),
    ],
)
def test_bad_credentials_are_refused(
    db: Session, platform: Platform, credentials: dict[str, str], message: str
) -> None:
    agency = create_agency(db)
    with pytest.raises(Invalid, match=message):
        service.create_account(
            db, actor=None, agency=agency, platform=platform, external_id="1", name="n", credentials=credentials
        )


def test_accounts_of_one_meta_app_share_a_webhook_url(db: Session) -> None:
    a, b = create_agency(db), create_agency(db)
    first = create_account(db, a, "facebook", credentials={"app_secret": "same", "verify_token": "v"})
    second = create_account(db, b, "facebook", credentials={"app_secret": "same", "verify_token": "w"})
    other = create_account(db, b, "facebook", credentials={"app_secret": "other", "verify_token": "w"})
    assert first.app_key == second.app_key != other.app_key
    assert service.webhook_path(first) == f"/webhooks/facebook/{first.app_key}"


def test_api_creates_and_lists_accounts_for_an_agency_admin(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "MOIT")
    admin = create_official(db, "agency_admin@MOIT")
    login(client, admin)
    token = client.post("/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": _session_csrf(client)}).json()[
        "token"
    ]
    api = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/accounts",
        headers=api,
        json={
            "agency_code": "MOIT",
            "platform": "x",
            "external_id": "1450099887766554433",
            "name": "MOIT on X",
            "credentials": {"consumer_secret": "abc"},
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["webhook_url"].endswith(f"/webhooks/x/{body['webhook_url'].rsplit('/', 1)[1]}")
    assert "abc" not in created.text and body["credential_names"] == ["consumer_secret"]
    listed = client.get("/api/v1/accounts", headers=api).json()
    assert [a["name"] for a in listed] == ["MOIT on X"]
    assert listed[0]["agency_id"] == agency.id


def test_api_refuses_bad_input_with_a_reason_and_stores_nothing(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    admin = create_official(db, "agency_admin@MOIT")
    login(client, admin)
    headers = {"X-CSRF-Token": _session_csrf(client)}
    response = client.post(
        "/api/v1/accounts",
        headers=headers,
        json={"agency_code": "MOIT", "platform": "myspace", "external_id": "1", "name": "n"},
    )
    assert response.status_code == 422
    assert "platform" in response.json()["error"]["message"]
    response = client.post(
        "/api/v1/accounts",
        headers=headers,
        json={"agency_code": "MOIT", "platform": "facebook", "external_id": "1", "name": "n", "credentials": {}},
    )
    assert response.status_code == 422
    assert "app_secret" in response.json()["error"]["message"]
    assert db.scalar(select(func.count()).select_from(OfficialAccount)) == 0


def test_only_national_admin_creates_agencies(db: Session, client: TestClient) -> None:
    create_agency(db, "DOIM", kind=AgencyKind.national_oversight)
    create_agency(db, "MOIT")
    login(client, create_official(db, "agency_admin@MOIT"))
    headers = {"X-CSRF-Token": _session_csrf(client)}
    refused = client.post("/api/v1/agencies", headers=headers, json={"code": "NEW", "name": "New"})
    assert refused.status_code == 403
    client.post("/logout", headers=headers)
    login(client, create_official(db, "national_admin@DOIM"))
    headers = {"X-CSRF-Token": _session_csrf(client)}
    created = client.post("/api/v1/agencies", headers=headers, json={"code": "NEW", "name": "New"})
    assert created.status_code == 201
    assert db.scalar(select(func.count()).select_from(Agency)) == 3


def _session_csrf(client: TestClient) -> str:
    from tests.factories import csrf_from

    return csrf_from(client.get("/settings/tokens").text)


def test_an_agency_admin_gives_the_agency_its_dzongkha_public_name(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    admin = create_official(db, "agency_admin@MOIT")
    db.commit()
    login(client, admin)
    page = f"/agencies/{agency.id}"
    token = csrf_from(client.get(page).text)
    saved = client.post(
        f"{page}/public-name", data={"name_dz": "གཞི་རྟེན་མཐུན་རྐྱེན་ལྷན་ཁག", "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert 'id="name-dz">གཞི་རྟེན་མཐུན་རྐྱེན་ལྷན་ཁག' in client.get(page).text
    too_long = client.post(f"{page}/public-name", data={"name_dz": "ཀ" * 201, "csrf_token": token})
    assert too_long.status_code == 422 and "longer than 200" in too_long.text
    db.expire_all()
    assert db.get(Agency, agency.id).translations == {"dz": {"name": "གཞི་རྟེན་མཐུན་རྐྱེན་ལྷན་ཁག"}}  # type: ignore[union-attr]
