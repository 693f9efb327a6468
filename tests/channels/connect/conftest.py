"""A scene for connecting accounts: the platform simulator over HTTP with this deployment's apps registered
on Meta, X and Google (their sign-in servers, a person who manages a Page with a linked Instagram account,
an X user, a YouTube channel), CivicLoop pointed at it, an agency and its admin.

The arrangement is the demo's own (``channels.connect.simulated``, which ``civicloop demo`` runs on the
simulator it serves), so every connection test, the browser one included, exercises the demo's wiring."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.auth.models import Official
from civicloop.channels.connect import simulated
from civicloop.channels.meta import simulator as meta_login
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.x import oauth_simulator as x_oauth
from civicloop.channels.youtube import google_oauth
from civicloop.config import reset_settings
from civicloop.kit.http import http_client
from tests.channels.outbound.conftest import clock, sim, simulator_server
from tests.conftest import shared_app
from tests.factories import create_agency, create_official, login

__all__ = ["clock", "sim", "simulator_server"]

PAGE = "104577788899900"
IG = "17841400000000001"
PERSON = "10229000000000001"  # the Facebook user who manages the Page
X_PERSON = "1450055566677788899"
CHANNEL = "UCq3Wd7Bv0sTtkY5oN2hRm8A"
APPS = simulated.apps()
META_APP, X_APP, GOOGLE_APP = APPS["meta"], APPS["x"], APPS["google"]


@dataclass
class Connect:
    db: Session
    sim: SimulatorState
    agency: Agency
    admin: Official
    base_url: str
    client: TestClient


def arrange_platforms(sim: SimulatorState, base_url: str) -> list[str]:
    """Register CivicLoop's apps on the simulated platforms, and the people and accounts on them, as the demo
    does; returns the demo's hints (what to connect)."""
    hints = simulated.arrange(sim, base_url)
    # The people the tests name are the ones the connectors put there.
    assert meta_login.meta(sim).pages[PAGE].linked_id == IG and PERSON in meta_login.login(sim).people
    assert X_PERSON in x_oauth.oauth(sim).people and CHANNEL in google_oauth.oauth(sim).people
    return hints


def point_at(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("CIVICLOOP_BASE_URL", base_url)
    monkeypatch.setenv("CIVICLOOP_PLATFORM_APPS", json.dumps(simulated.apps()))  # what the demo sets
    reset_settings()


@pytest.fixture
def connect(db: Session, sim: SimulatorState, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connect]:
    base_url = "https://civicloop.example.bt"
    point_at(monkeypatch, base_url)
    arrange_platforms(sim, base_url)
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    admin = create_official(db, "agency_admin@THROMDE", email="itadmin@thromde.example", name="Dorji Tshering")
    with TestClient(shared_app(), base_url=base_url) as client:
        login(client, admin)
        yield Connect(db, sim, agency, admin, base_url, client)
    reset_settings()


def consent(
    authorize_url: str, *, decision: str = "allow", untick: tuple[str, ...] = (), person: str | None = None
) -> str:
    """Play the person on the platform's consent page (as a browser would): returns where it sends them back."""
    with http_client(10) as http:
        page = http.get(authorize_url)
        assert page.status_code == 200, page.text
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
        hidden = {k: v.replace("&amp;", "&") for k, v in hidden.items()}
        scopes = [s for s in re.findall(r'name="grant" value="([^"]+)"', page.text) if s not in untick]
        people = re.findall(r'name="person" value="([^"]+)"', page.text)
        form: dict[str, str | list[str]] = {
            **hidden,
            "person": person or people[0],
            "grant": scopes,
            "decision": decision,
        }
        action = urlsplit(authorize_url)
        back = http.post(f"{action.scheme}://{action.netloc}{action.path}", data=form)
        assert back.status_code == 303, back.text
        return back.headers["location"]


def local(url: str, base_url: str) -> str:
    """The callback URL as the test client (which serves ``base_url``) asks for it."""
    assert url.startswith(base_url), url
    return url[len(base_url) :]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def start(client: TestClient, agency: Agency, platform: str) -> str:
    response = client.get(f"/agencies/{agency.id}/connect/{platform}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]
