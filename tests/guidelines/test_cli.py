"""The guidelines commands as scripts use them: exit codes 0, 1 and 2, JSON, standard input."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.cli import main
from civicloop.db.session import get_engine
from tests.conftest import use_database
from tests.factories import create_agency, create_official


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    """The entry point in this process (fast); exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["civicloop", "check", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exited:
        main()
        sys.exit(0)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_check_exit_codes_json_and_stdin(
    sqlite_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite only: the command's database access is the service's, tested on both backends."""
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    use_database(url)
    with Session(get_engine()) as session:
        create_agency(session, "THROMDE", name="Thimphu Thromde")
    code, out, _ = run(
        capsys, monkeypatch, "--agency", "thromde", "Bus 7 runs every 20 minutes from 7 am; fare Nu. 17."
    )
    assert code == 0 and "No problems found" in out
    code, out, _ = run(capsys, monkeypatch, "DNT members visited the bus terminal.")
    assert code == 0 and "WARN Political party named" in out
    code, out, _ = run(capsys, monkeypatch, "--json", "-", stdin="[CONFIDENTIAL] Dear Sir, CID ༡༡༥༡༢༠༠༣༤༥༦ is listed.")
    assert code == 1
    body = json.loads(out)
    assert body["action"] == "block"
    assert [(f["rule"], f["text"]) for f in body["findings"]] == [
        ("confidential.marking", "CONFIDENTIAL"),
        ("personal.cid", "༡༡༥༡༢༠༠༣༤༥༦"),
    ]
    code, _, err = run(capsys, monkeypatch, "")
    assert code == 2 and "no text to check" in err
    # Once as a real process: the installed command, its exit code and its one-line error.
    result = subprocess.run(
        [sys.executable, "-m", "civicloop", "check", "--agency", "NOPE", "hello"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CIVICLOOP_DATABASE_URL": url},
        check=False,
    )
    assert result.returncode == 2 and "no agency with code" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def _cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["civicloop", *args])
    with pytest.raises(SystemExit) as exited:
        main()
        sys.exit(0)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_parties_candidates_and_reference_formats_from_the_command_line(
    sqlite_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    use_database(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(get_engine()) as session:
        create_agency(session, "THROMDE", name="Thimphu Thromde")
        session.commit()
    code, out, _ = _cli(capsys, monkeypatch, "guidelines", "party", "list", "--json")
    assert code == 0 and [p["abbreviation"] for p in json.loads(out)] == ["BTP", "DNT", "DPT", "DTT", "PDP"]
    code, out, _ = _cli(
        capsys, monkeypatch, "guidelines", "party", "add", "Druk Green Party", "--abbreviation", "DGP",
        "--other-name", "Green Party", "--slogan", "#GreenDruk", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["other_names"] == ["Green Party"]
    code, out, _ = _cli(capsys, monkeypatch, "check", "Support the Green Party!")
    assert code == 1 and "Taking sides: supporting or praising a side" in out
    code, _, err = _cli(capsys, monkeypatch, "guidelines", "party", "remove", "XYZ")
    assert code == 2 and "no party is called 'XYZ'" in err
    code, _, _ = _cli(capsys, monkeypatch, "guidelines", "party", "remove", "DGP")
    assert code == 0

    # Candidates need an election period: a bad file names its lines and changes nothing.
    from datetime import timedelta

    from civicloop.guidelines import service
    from civicloop.kit.clock import utcnow

    with Session(get_engine()) as session:
        admin = create_official(session, "national_admin@THROMDE", email="admin@x.example")
        now = utcnow()
        period = service.add_election_period(
            session,
            actor=Actor.of(admin),
            name="NA 2029",
            starts_at=now - timedelta(days=1),
            polls_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=10),
        )
        session.commit()
        election = str(period.id)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,party\nKarma,XYZ\n,DNT\n", encoding="utf-8")
    code, _, err = _cli(capsys, monkeypatch, "guidelines", "candidates", "import", str(bad), "--election", election)
    assert code == 2 and "line 2: unknown party 'XYZ'" in err and "line 3: the name is empty" in err
    assert "Traceback" not in err
    code, _, err = _cli(
        capsys, monkeypatch, "guidelines", "candidates", "import", str(tmp_path / "none.csv"), "--election", election
    )
    assert code == 2 and "cannot read" in err
    good = tmp_path / "good.csv"
    good.write_text("name,party,constituency\nKelzang Tobgyel,DNT,Thimphu North\n", encoding="utf-8")
    code, out, _ = _cli(
        capsys, monkeypatch, "guidelines", "candidates", "import", str(good), "--election", election, "--json"
    )
    assert code == 0 and json.loads(out) == {"election": int(election), "candidates": 1}
    code, out, _ = _cli(capsys, monkeypatch, "check", "Vote for Kelzang Tobgyel!")
    assert code == 1

    code, _, err = _cli(capsys, monkeypatch, "guidelines", "reference-format", "add", "THROMDE", "APP")
    assert code == 2 and "needs at least one #" in err
    code, _, _ = _cli(capsys, monkeypatch, "guidelines", "reference-format", "add", "THROMDE", "APP-###########")
    assert code == 0
    code, out, _ = _cli(capsys, monkeypatch, "guidelines", "reference-format", "list", "THROMDE", "--json")
    assert json.loads(out) == [{"format": "APP-###########"}]
    code, _, _ = _cli(capsys, monkeypatch, "check", "--agency", "THROMDE", "Your permit APP-11512003456 is ready.")
    assert code == 0
