import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, Platform
from civicloop.demo import DEMO_PASSWORD, DemoWorld
from tests.factories import csrf_from


def test_demo_world_has_four_agencies_every_role_and_every_platform(demo: DemoWorld, db: Session) -> None:
    world = demo
    assert set(world.agencies) == {"DOIM", "MOIT", "THROMDE", "PUNAKHA"}
    assert set(db.scalars(select(Agency.code))) == set(world.agencies), "this test's database holds the demo"
    # The first platforms on every agency; those declared since, on the city (the registry's demo accounts).
    first = {Platform.facebook, Platform.x, Platform.wechat, Platform.web}
    assert {(code, platform) for code, platform in world.accounts} == {
        (code, platform) for code in world.agencies for platform in first
    } | {("THROMDE", platform) for platform in Platform}
    roles = {role for _email, role, _agency in world.logins()}
    assert roles == {"officer", "agency_head", "analyst", "agency_admin", "national_admin", "auditor"}


def _login(client: TestClient, email: str) -> None:
    token = csrf_from(client.get("/login").text)
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})


def test_each_demo_role_sees_only_what_it_may(demo: DemoWorld, client: TestClient) -> None:
    _login(client, "admin@doim.example")
    assert len(client.get("/api/v1/agencies").json()) == 4
    client.cookies.clear()
    _login(client, "officer@thromde.example")
    assert [a["code"] for a in client.get("/api/v1/agencies").json()] == ["THROMDE"]
    assert len(client.get("/api/v1/accounts").json()) == len(Platform)


def test_demo_command_builds_a_fresh_database_and_prints_the_logins(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    env = {**os.environ, "CIVICLOOP_SECRET_KEY": ""}
    for _ in range(2):  # a second run starts from scratch instead of failing on duplicates
        result = subprocess.run(
            [sys.executable, "-m", "civicloop", "demo", "--no-serve", "--folder", str(folder)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert "officer@thromde.example" in result.stdout and DEMO_PASSWORD in result.stdout
    env["CIVICLOOP_DATABASE_URL"] = f"sqlite:///{folder / 'civicloop.db'}"
    listed = subprocess.run(
        [sys.executable, "-m", "civicloop", "agency", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert {a["code"] for a in json.loads(listed.stdout)} == {"DOIM", "MOIT", "THROMDE", "PUNAKHA"}
