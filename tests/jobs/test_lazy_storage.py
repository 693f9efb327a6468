"""The job queue opens its storage on first use: importing every job module creates no files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROGRAM = """
import os, sys
from pathlib import Path
import civicloop.app.jobs  # every module that defines jobs
from civicloop.cli import command
commands = command()
for name in commands.list_commands(None):  # the whole CLI: each command loads its module when asked for
    commands.get_command(None, name)
data = Path(os.environ["CIVICLOOP_DATA_DIR"])
print("after import:", sorted(p.name for p in data.iterdir()) if data.exists() else None)
from civicloop.jobs.tasks import ping
ping("hello")  # the first enqueue opens the SQLite queue
print("after enqueue:", "jobs.db" in {p.name for p in data.iterdir()})
"""


def test_importing_jobs_creates_no_queue_until_a_job_is_enqueued(tmp_path: Path) -> None:
    env = {**os.environ, "CIVICLOOP_DATA_DIR": str(tmp_path / "data"), "CIVICLOOP_JOBS_IMMEDIATE": "false"}
    env.pop("CIVICLOOP_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["after import: None", "after enqueue: True"]
