"""Single sign-on against a real OpenID Connect provider (panva's oidc-provider, on Node.js, installed
into tests/oidc by ``make oidc``): authorization code + PKCE, discovery, JWKS-verified ID tokens."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.auth import oidc
from civicloop.auth.models import Official
from civicloop.config import get_settings, reset_settings
from tests.conftest import free_port, unavailable
from tests.factories import create_agency, create_official

PROVIDER = Path(__file__).parents[1] / "oidc"
CLIENT_ID, CLIENT_SECRET = "civicloop-test", "a-client-secret-for-tests-only"


def start_provider(port: int, redirect_uri: str) -> subprocess.Popen[str]:
    node = shutil.which("node")
    if node is None or not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        unavailable("Node.js or tests/oidc/node_modules is missing: run `make oidc`")
    assert node is not None
    command = [node, str(PROVIDER / "provider.mjs"), str(port), CLIENT_ID, CLIENT_SECRET, redirect_uri]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("ready"):
            return process
    raise RuntimeError("the OIDC provider did not start")


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from running_provider(monkeypatch)


def running_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A running provider whose one client is this deployment; yields its issuer URL."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("CIVICLOOP_OIDC_ISSUER", issuer)
    monkeypatch.setenv("CIVICLOOP_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CIVICLOOP_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    reset_settings()
    process = start_provider(port, oidc.redirect_uri())
    yield issuer
    process.terminate()
    process.wait(timeout=10)
    for name in ("CIVICLOOP_OIDC_ISSUER", "CIVICLOOP_OIDC_CLIENT_ID", "CIVICLOOP_OIDC_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("CIVICLOOP_OIDC_PROVISION", raising=False)
    reset_settings()


def at_provider(url: str, login: str) -> str:
    """What a person does at the provider's (development) pages: sign in as ``login``, consent.
    Returns the URL the provider sends the browser back to."""
    back = oidc.redirect_uri()
    with httpx.Client(timeout=10) as browser:
        response = browser.get(url)
        for _ in range(12):
            if response.is_redirect:
                url = urljoin(str(response.url), response.headers["location"])
                if url.startswith(back):
                    return url
                response = browser.get(url)
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form is not None, response.text[:500]
            fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text))
            fields.update(login=login, password="any password")
            response = browser.post(urljoin(str(response.url), form[1]), data=fields)
    raise AssertionError("the provider never sent the browser back")


def sign_in_with_sso(client: TestClient, email: str) -> httpx.Response:
    left = client.get("/login/oidc?next=/settings/tokens", follow_redirects=False)
    assert left.status_code == 303
    query = urlsplit(left.headers["location"]).query
    assert "code_challenge_method=S256" in query and "nonce=" in query
    back = urlsplit(at_provider(left.headers["location"], email))
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_a_known_official_signs_in_and_keeps_the_roles_granted_here(
    client: TestClient, db: Session, provider: str
) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT", email="pema@moit.gov.bt")
    assert 'id="sso"' in client.get("/login").text
    response = sign_in_with_sso(client, "Pema@moit.gov.bt")
    assert (response.status_code, response.headers["location"]) == (303, "/settings/tokens")
    page = client.get("/settings/tokens")
    assert page.status_code == 200 and official.name in page.text
    assert client.get("/api/v1/agencies").status_code == 200


def test_an_unknown_email_is_refused_unless_provisioning_is_on(
    client: TestClient, db: Session, provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = sign_in_with_sso(client, "stranger@moit.gov.bt")
    assert refused.status_code == 403 and "is not an official of CivicLoop" in refused.text
    assert client.get("/settings/tokens", follow_redirects=False).status_code != 200
    monkeypatch.setenv("CIVICLOOP_OIDC_PROVISION", "true")
    reset_settings()
    assert get_settings().oidc_provision
    assert sign_in_with_sso(client, "stranger@moit.gov.bt").status_code == 303
    db.rollback()
    official = db.scalars(select(Official).where(Official.email == "stranger@moit.gov.bt")).one()
    assert official.memberships == [] and official.password_hash is None  # roles are granted in CivicLoop
    assert "official.provision" in db.scalars(select(AuditEntry.action)).all()


def test_a_forged_or_replayed_callback_is_refused(client: TestClient, db: Session, provider: str) -> None:
    create_agency(db, "MOIT")
    create_official(db, "officer@MOIT", email="pema@moit.gov.bt")
    left = client.get("/login/oidc", follow_redirects=False)
    back = urlsplit(at_provider(left.headers["location"], "pema@moit.gov.bt"))
    forged = back.query.replace("state=", "state=x")
    assert client.get(f"{back.path}?{forged}").status_code == 401
    # The pending sign-in was used up by that attempt: the genuine answer no longer works either.
    assert client.get(f"{back.path}?{back.query}").status_code == 400
    assert client.get(f"{oidc.CALLBACK_PATH}?error=access_denied").status_code == 401
