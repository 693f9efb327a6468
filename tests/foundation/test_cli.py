"""The CLI as an administrator uses it: exit codes, one-line errors, JSON for scripts.

Commands run in the test's process through the console entry point (``run_civicloop``); ``serve`` and a command
in a folder without a database run as real processes (``python -m civicloop``), which proves the entry point's
exit codes and one-line errors survive the process boundary.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import run_civicloop
from tests.factories import create_agency

CIVICLOOP = [sys.executable, "-m", "civicloop"]


def run(*args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
    return run_civicloop(*args, env=env)


def run_process(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CIVICLOOP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_agency_official_account_round_trip_with_json(db: Session) -> None:
    assert run("agency", "add", "THROMDE", "Thimphu Thromde", "--kind", "city").returncode == 0
    added = run(
        "official",
        "add",
        "pema@thromde.example",
        "Pema Wangchuk",
        "--password",
        "long-enough-1",
        "--role",
        "officer@THROMDE",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["memberships"][0]["role"] == "officer"
    account = run(
        "account",
        "add",
        "--agency",
        "THROMDE",
        "--platform",
        "web",
        "--external-id",
        "thromde-feedback",
        "--name",
        "Thromde feedback form",
        "--json",
    )
    # (Pasted social media credentials are checked with the platform first: tests/channels/connect.)
    assert account.returncode == 0, account.stderr
    body = json.loads(account.stdout)
    assert body["webhook_url"] == "http://127.0.0.1:8000/feedback/THROMDE"
    listed = json.loads(run("account", "list", "--agency", "THROMDE", "--json").stdout)
    assert [a["external_id"] for a in listed] == ["thromde-feedback"]
    agencies = json.loads(run("agency", "list", "--json").stdout)
    assert [a["code"] for a in agencies] == ["THROMDE"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("agency", "add", "THROMDE", "Again"), "already exists"),
        (("agency", "add", "NEW", "New", "--parent", "NOPE"), "no agency with code"),
        (("official", "add", "not-an-email", "Name"), "not a valid email"),
        (("official", "add", "a@b.example", "Name", "--role", "king@THROMDE"), "unknown role"),
        (
            ("account", "add", "--agency", "THROMDE", "--platform", "myspace", "--external-id", "1", "--name", "n"),
            "unknown platform",
        ),
        (
            ("account", "add", "--agency", "NOPE", "--platform", "web", "--external-id", "1", "--name", "n"),
            "no agency with code",
        ),
        (
            (
                "account",
                "add",
                "--agency",
                "THROMDE",
                "--platform",
                "x",
                "--external-id",
                "1",
                "--name",
                "n",
                "--credential",
                "nonsense",
            ),
            "KEY=VALUE",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_stores_nothing(
    db: Session, args: tuple[str, ...], message: str
) -> None:
    create_agency(db, "THROMDE")
    before = _stored(db)
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert _stored(db) == before


def test_a_mistyped_command_is_refused_with_the_one_meant() -> None:
    """Each command loads when asked for; a mistyped one is still matched against all of them (and a subcommand
    against its group's)."""
    for args, meant in ((("agensy", "list"), "Did you mean 'agency'?"), (("records", "hodl"), "Did you mean 'hold'?")):
        result = run(*args)
        assert result.returncode == 2 and meant in result.stderr, result.stderr


def _stored(db: Session) -> tuple[int, ...]:
    db.rollback()
    tables = ("agencies", "officials", "memberships", "official_accounts", "audit_entries")
    return tuple(db.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables)  # noqa: S608


def test_audit_verify_exits_1_on_a_tampered_log(db: Session) -> None:
    create_agency(db, "THROMDE")
    assert run("audit", "verify").returncode == 0
    db.execute(text("UPDATE audit_entries SET action = 'nothing.happened'"))
    db.commit()
    result = run("audit", "verify")
    assert result.returncode == 1
    assert "broken at entry 1" in result.stdout


def test_serve_refuses_an_out_of_date_schema(tmp_path: Path) -> None:
    env = {"CIVICLOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "CIVICLOOP_DATA_DIR": str(tmp_path)}
    result = run_process("serve", "--port", "1", env=env)
    assert result.returncode == 2
    assert "run `civicloop db upgrade`" in result.stderr


def test_init_migrates_and_creates_the_first_national_admin(db_url: str, tmp_path: Path) -> None:
    env = {"CIVICLOOP_DATA_DIR": str(tmp_path), "CIVICLOOP_SECRET_KEY": ""}
    result = run("init", "--admin-email", "admin@doim.example", "--admin-password", "a-long-password", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()
    officials = json.loads(run("official", "list", "--json", env=env).stdout)
    assert officials[0]["memberships"][0]["role"] == "national_admin"
    assert run("db", "status", env=env).returncode == 0


def test_a_command_on_a_folder_without_a_database_says_what_to_do_and_creates_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CIVICLOOP_DATABASE_URL"}
    env["CIVICLOOP_DATA_DIR"] = str(tmp_path / "var")
    (tmp_path / "var/demo").mkdir(parents=True)
    (tmp_path / "var/demo/civicloop.db").touch()  # where `make demo` leaves its database
    listed = subprocess.run(
        [*CIVICLOOP, "agency", "list"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert listed.returncode == 2
    assert "there is no database at" in listed.stderr and "civicloop db upgrade" in listed.stderr
    assert f"export CIVICLOOP_DATABASE_URL=sqlite:///{tmp_path / 'var/demo/civicloop.db'}" in listed.stderr
    assert not (tmp_path / "var/civicloop.db").exists(), "no empty database was left behind"
    # An empty database (a file, or a server database without our tables) is refused the same way.
    (tmp_path / "var/civicloop.db").touch()
    empty = run_civicloop("agency", "list", cwd=tmp_path, env={"CIVICLOOP_DATABASE_URL": None, **env})
    assert empty.returncode == 2 and "has no CivicLoop tables" in empty.stderr


def test_the_app_and_its_workers_import_pypdf_only_to_read_a_pdf() -> None:
    program = "import sys, civicloop.main, civicloop.app.jobs; print('pypdf' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
