"""``civicloop check`` as a script uses it: exit codes 0, 1 and 2, JSON, standard input."""

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

from civicloop.cli import main
from civicloop.db.session import get_engine
from tests.conftest import use_database
from tests.factories import create_agency


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
