import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.auth.passwords import hash_password, verify_password
from civicloop.config import Settings, reset_settings
from tests.factories import PASSWORD, create_agency, create_official, csrf_from, login


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long passphrase")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")


def test_production_hashes_at_rfc_9106_cost_and_only_tests_hash_cheaply(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite hashes cheaply (tests/conftest.py turns the setting on); a deployment never does."""
    assert Settings.model_fields["insecure_test_password_hashing"].default is False
    cheap = hash_password("a long passphrase")
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    monkeypatch.delenv("CIVICLOOP_INSECURE_TEST_PASSWORD_HASHING")
    reset_settings()
    try:
        hashed = hash_password("a long passphrase")
        assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), "RFC 9106 low-memory: 64 MiB, 3 passes, 4 lanes"
        assert verify_password(hashed, "a long passphrase") and not verify_password(hashed, "wrong")
        assert verify_password(cheap, "a long passphrase"), "each hash carries its own parameters"
        assert not verify_password(None, "anything")
    finally:
        monkeypatch.undo()
        reset_settings()


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT", name="Kinley Penjor")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Kinley Penjor" in client.get("/").text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    # Signed out, ``/`` is the public home again and a signed-in page asks to sign in.
    assert "Kinley Penjor" not in client.get("/").text
    assert client.get("/inbox", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_and_repeated_failures_are_throttled(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    for _ in range(5):
        token = csrf_from(client.get("/login").text)
        bad = client.post("/login", data={"email": official.email, "password": "nope", "csrf_token": token})
        assert bad.status_code == 401
        assert "wrong email or password" in bad.text
    token = csrf_from(client.get("/login").text)
    locked = client.post("/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429
    assert "too many failed logins" in locked.text


def test_forms_without_a_csrf_token_are_refused(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    response = client.post("/login", data={"email": official.email, "password": PASSWORD})
    assert response.status_code == 403
    login(client, official)
    forged = client.post("/settings/tokens", data={"name": "x", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert "did not come from this site" in forged.text


def test_login_redirect_target_stays_on_this_site(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": official.email, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_tokens_authenticate_and_are_stored_hashed(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "analyst@MOIT")
    login(client, official)
    page = client.post(
        "/settings/tokens", data={"name": "reports", "csrf_token": csrf_from(client.get("/settings/tokens").text)}
    )
    token = page.text.split('id="new-token">')[1].split("<")[0]
    stored = db.connection().exec_driver_sql("SELECT digest FROM api_tokens").scalar()
    assert token not in stored
    anonymous = TestClient(client.app)
    assert anonymous.get("/api/v1/me").status_code == 401
    me = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == official.email
    assert anonymous.get("/api/v1/me", headers={"Authorization": "Bearer cl_forged"}).status_code == 401


def test_pages_send_anonymous_visitors_to_login(db: Session, client: TestClient) -> None:
    response = client.get("/agencies", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/agencies"


@pytest.mark.parametrize("authorization", ["Bearer ", "Bearer    ", "Basic abc", "bearer"])
def test_a_request_is_token_or_cookie_authenticated_never_both(
    db: Session, client: TestClient, authorization: str
) -> None:
    """An Authorization header that carries no valid token must not fall back to the session cookie,
    or a cross-site form could claim the header's CSRF exemption and ride on the cookie."""
    create_agency(db, "MOIT")
    official = create_official(db, "analyst@MOIT")
    login(client, official)
    assert client.get("/api/v1/me").status_code == 200  # the cookie alone still works
    forged = client.post("/settings/tokens", data={"name": "stolen"}, headers={"Authorization": authorization})
    assert forged.status_code in (401, 403)
    assert db.connection().exec_driver_sql("SELECT count(*) FROM api_tokens").scalar() == 0
    assert client.get("/api/v1/me", headers={"Authorization": authorization}).status_code == 401
