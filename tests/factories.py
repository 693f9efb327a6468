"""Small builders for test data: ``create_x(session, **overrides)``, committed so requests see them."""

from __future__ import annotations

import itertools
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, AgencyKind, OfficialAccount
from civicloop.auth import service as officials
from civicloop.auth.models import Official

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def create_agency(session: Session, code: str | None = None, **overrides: object) -> Agency:
    n = next(_counter)
    agency = agencies.create_agency(
        session,
        actor=None,
        code=code or f"AG{n}",
        name=str(overrides.pop("name", f"Agency {n}")),
        kind=overrides.pop("kind", AgencyKind.department),  # type: ignore[arg-type]
        **overrides,  # type: ignore[arg-type]
    )
    session.commit()
    return agency


def create_official(
    session: Session, *roles: str, email: str | None = None, name: str = "Test Official", password: str = PASSWORD
) -> Official:
    """``create_official(db, "officer@THROMDE")``."""
    official = officials.create_official_with_roles(
        session,
        actor=None,
        email=email or f"official{next(_counter)}@test.example",
        name=name,
        password=password,
        roles=list(roles),
    )
    session.commit()
    return official


def create_account(
    session: Session,
    agency: Agency,
    platform: str = "facebook",
    external_id: str | None = None,
    credentials: dict[str, str] | None = None,
    name: str | None = None,
) -> OfficialAccount:
    defaults = {
        "facebook": {"app_secret": "fb-secret", "verify_token": "fb-verify"},
        "x": {"consumer_secret": "x-secret"},
        "wechat": {"app_id": "wx123", "token": "wechattoken"},
        "web": {},
    }
    account = agencies.create_account(
        session,
        actor=None,
        agency=agency,
        platform=platform,
        external_id=external_id or f"{platform}-{next(_counter)}",
        name=name or f"{agency.code} {platform}",
        credentials=credentials if credentials is not None else defaults[platform],
    )
    session.commit()
    return account


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, official: Official, password: str = PASSWORD) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": official.email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def form_post(client: TestClient, path: str, data: dict[str, str], page: str = "/") -> object:
    """POST a form the way a browser would: with the CSRF token of the signed-in session."""
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
