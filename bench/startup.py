"""Web process start-up: seconds from ``civicloop serve`` to its first answered ``/healthz``, side by side
with a baseline revision of the code (default ``main``).

Each tree (this checkout's ``src/`` and the baseline's, extracted with ``git archive``) gets its own
SQLite data folder, initialized once. Then, for ``--rounds`` rounds with the order alternating, each
tree's ``python -m civicloop serve`` is started and ``/healthz`` polled every 20 ms: the wall time to
the first 200, and the CPU time (user + system, from ``/proc/PID/stat``) the process had used by then.
On a loaded machine the wall time stretches with the load; the CPU time is what the start-up costs
and is close to the wall time on an idle core. Medians are reported with the load average.

Compiled bytecode is kept (in a cache folder of the run, ``PYTHONPYCACHEPREFIX``) and one start of
each tree warms it before the rounds, as ``pip install`` leaves a deployment; ``--no-bytecode``
measures starts that compile every module first (an editable install with PYTHONDONTWRITEBYTECODE).

    .venv/bin/python bench/startup.py [--baseline main] [--rounds 5] [--redis-url redis://127.0.0.1:6390/0]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def extract(revision: str, into: Path) -> Path:
    """The ``src/`` of ``revision`` as a plain folder (no checkout, no worktree)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def environment(src: Path, data: Path, redis_url: str, pycache: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICLOOP_", "PYTHONDONTWRITEBYTECODE"))}
    env.update(PYTHONPATH=str(src), CIVICLOOP_DATA_DIR=str(data), CIVICLOOP_SECRET_KEY="bench-startup-key")  # noqa: S106 - a throwaway bench folder
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    if redis_url:
        env["CIVICLOOP_REDIS_URL"] = redis_url
    return env


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def start_once(src: Path, data: Path, redis_url: str, pycache: Path | None) -> tuple[float, float]:
    port = free_port()
    command = [sys.executable, "-m", "civicloop", "serve", "--port", str(port), "--no-access-log"]
    began = time.perf_counter()
    process = subprocess.Popen(
        command, env=environment(src, data, redis_url, pycache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - began, cpu_seconds(process.pid)
            except OSError:
                pass
            if process.poll() is not None:
                raise SystemExit(f"serve exited with {process.returncode} ({src})")
            if time.perf_counter() - began > 120:
                raise SystemExit(f"serve did not answer within 120 s ({src})")
            time.sleep(0.02)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis-url", default="", help="start as a web node of a Redis deployment (no consumer)")
    parser.add_argument("--no-bytecode", action="store_true", help="compile every module at each start")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="civicloop-startup-"))
    pycache = None if args.no_bytecode else work / "pycache"
    try:
        trees = {"this": ROOT / "src", f"baseline ({args.baseline})": extract(args.baseline, work)}
        data = {}
        for name, src in trees.items():
            data[name] = work / f"data-{len(data)}"
            init = [sys.executable, "-m", "civicloop", "db", "upgrade"]
            subprocess.run(init, env=environment(src, data[name], ""), check=True, capture_output=True)
            if pycache is not None:
                start_once(src, data[name], args.redis_url, pycache)
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for round_ in range(args.rounds):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            for name in order:
                wall, cpu = start_once(trees[name], data[name], args.redis_url, pycache)
                results[name].append((wall, cpu))
                print(f"round {round_ + 1} {name}: {wall:.2f} s to /healthz, {cpu:.2f} s CPU", flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
        medians = {
            name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in results.items()
        }
        for name, (wall, cpu) in medians.items():
            print(f"median {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
        (this_wall, this_cpu), (base_wall, base_cpu) = medians.values()
        print(f"this / baseline: wall {this_wall / base_wall:.2f}, CPU {this_cpu / base_cpu:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
