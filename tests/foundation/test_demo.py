import json
import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.channels import registry
from civicloop.demo import DEMO_PASSWORD, DemoWorld
from civicloop.publishing.models import Post, PostPurpose
from tests.conftest import DemoTemplate, run_civicloop
from tests.factories import csrf_from


def test_demo_world_has_four_agencies_every_role_and_every_platform(demo: DemoWorld, db: Session) -> None:
    world = demo
    assert set(world.agencies) == {"DOIM", "MOIT", "THROMDE", "PUNAKHA"}
    assert set(db.scalars(select(Agency.code))) == set(world.agencies), "this test's database holds the demo"
    # The first platforms on every agency; those declared since, on the city (the registry's demo accounts).
    first = {"facebook", "x", "wechat", "web"}
    assert {(code, platform) for code, platform in world.accounts} == {
        (code, platform) for code in world.agencies for platform in first
    } | {("THROMDE", platform) for platform in registry.PLATFORMS}
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
    assert len(client.get("/api/v1/accounts").json()) == len(registry.PLATFORMS)


def test_demo_command_builds_a_fresh_database_and_prints_the_logins(tmp_path: Path, sqlite_demo: DemoTemplate) -> None:
    # The folder holds an earlier run's demo (the run's shared seed) and a stray file: the command starts from
    # scratch instead of failing on duplicates.
    folder = tmp_path / "demo"
    folder.mkdir()
    shutil.copy(sqlite_demo.source, folder / "civicloop.db")
    (folder / "left-over.txt").write_text("from an earlier run")
    env: dict[str, str | None] = {"CIVICLOOP_SECRET_KEY": "", "CIVICLOOP_BASE_URL": None}
    result = run_civicloop("demo", "--no-serve", "--port", "9000", "--folder", str(folder), env=env)
    assert result.returncode == 0, result.stderr
    assert not (folder / "left-over.txt").exists()
    assert "officer@thromde.example" in result.stdout and DEMO_PASSWORD in result.stdout
    # The public address follows the port served on (webhook addresses are made from the same setting), and the
    # consultation links announced on the platforms while seeding name it.
    assert "Open http://127.0.0.1:9000/" in result.stdout
    assert f"export CIVICLOOP_DATABASE_URL=sqlite:///{folder.resolve() / 'civicloop.db'}" in result.stdout
    engine = create_engine(f"sqlite:///{folder / 'civicloop.db'}")
    with engine.connect() as connection:
        announced = connection.scalars(select(Post.text).where(Post.purpose == PostPurpose.announcement)).all()
    engine.dispose()
    assert announced and all("http://127.0.0.1:9000/c/" in text and ":8000" not in text for text in announced)
    env["CIVICLOOP_DATABASE_URL"] = f"sqlite:///{folder / 'civicloop.db'}"
    listed = run_civicloop("agency", "list", "--json", env=env)
    assert {a["code"] for a in json.loads(listed.stdout)} == {"DOIM", "MOIT", "THROMDE", "PUNAKHA"}
