"""Office access: the Squid helper's decisions per second and their latency, fed the way Squid feeds
a concurrent helper, beside a do-nothing helper that speaks the same protocol; and access-log import
lines per second beside merely reading and splitting the same file.

Helper: a database with 60 agencies (each with its own signed rule), 3,000 officials, 300 directory
logins and 300 designations; requests mix officials' emails and local parts, directory logins and
unknown logins, 40 % to social media hosts and 60 % to others. The helper runs as Squid runs it
(``civicloop squid-helper --at …`` on a pipe, channel ids first) and is kept fed the way
Squid feeds a ``concurrency=`` helper: a fixed number of requests in flight, each channel getting a
new request as soon as its answer arrives. For 1, 4, 16 and ``--concurrency`` requests in flight:
decisions/s, and the p50/p99 latency from writing a request to reading its answer (so with more
in flight, queueing inside the helper's pipe counts too: at N in flight and R answers/s, the mean
wait is N/R whatever the helper does). Then a steady load of ``--rates`` requests/s for
``--paced-seconds`` each, written every millisecond as they fall due, with p50/p99 latency: the
"≥ 10,000 decisions/s with p99 under 1 ms" target, measured as a Squid under that load sees it.

Import: ``--lines`` lines, half in Squid's native format and half in CivicLoop's, 30 % to categorised
sites (the rest is counted, not kept), then again with every line categorised (everything kept).

    .venv/bin/python bench/access.py [--decisions 60000] [--lines 500000] [--backends sqlite,postgresql]
                                     [--rates 10000,20000] [--paced-seconds 5] [--no-import]
"""

from __future__ import annotations

import argparse
import os
import random
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

POSTGRES = os.environ.get("CIVICLOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AT = "2030-03-05T10:00"  # a Tuesday morning in Thimphu: office hours, every rule in play
SOCIAL = ["www.facebook.com", "static.xx.fbcdn.net", "x.com", "pbs.twimg.com", "www.youtube.com", "mp.weixin.qq.com"]
OTHER = ["www.gov.bt", "www.google.com", "mail.moic.gov.bt", "kuenselonline.com", "cdn.jsdelivr.net", "bbs.bt"]
PACED_CHANNELS = 1000
TICK = 0.001  # the selector's timeout is whole milliseconds anyway
BASELINE_HELPER = r"""
import os
pending = b""
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    pending += chunk
    *lines, pending = pending.split(b"\n")
    os.write(1, b"".join(line.split(b" ", 1)[0] + b" OK\n" for line in lines if line))
"""


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh, migrated database on ``backend`` for the run, removed afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from civicloop import migrations

    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="civicloop-bench-"))
        url = f"sqlite:///{folder / 'civicloop.db'}"
        migrations.upgrade(url)
        try:
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"cl_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    try:
        yield url
    finally:
        from civicloop.db.session import reset_engine

        reset_engine()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def use(url: str) -> None:
    from civicloop.config import reset_settings
    from civicloop.db.session import reset_engine

    os.environ["CIVICLOOP_DATABASE_URL"] = url
    reset_settings()
    reset_engine()


def seed(url: str, rnd: random.Random) -> list[str]:
    """Agencies, officials, directory, rules and designations; returns the logins requests use."""
    from sqlalchemy import insert

    from civicloop.access import service
    from civicloop.access.models import AccessDesignation, DirectoryEntry
    from civicloop.access.policy import AfterHours, OfficeHours
    from civicloop.agencies import service as agencies
    from civicloop.auth.models import Membership, Official, Role
    from civicloop.db.session import session_scope
    from civicloop.kit.clock import utcnow

    use(url)
    now = utcnow()
    logins: list[str] = []
    with session_scope() as session:
        ids = [agencies.create_agency(session, actor=None, code=f"AG{i:02d}", name=f"Agency {i}").id for i in range(60)]
        officials = [
            {"email": f"staff{i}@ag{i % 60:02d}.gov.bt", "name": f"Staff {i}", "active": True, "created_at": now,
             "updated_at": now} for i in range(3000)
        ]  # fmt: skip
        session.execute(insert(Official), officials)
        session.flush()
        rows = session.execute(Official.__table__.select()).mappings().all()
        session.execute(
            insert(Membership),
            [{"official_id": r["id"], "agency_id": ids[i % 60], "role": Role.officer} for i, r in enumerate(rows)],
        )
        session.execute(
            insert(DirectoryEntry),
            [{"login": f"dir.user{i}", "agency_id": ids[i % 60], "name": None, "created_at": now, "updated_at": now}
             for i in range(300)],
        )  # fmt: skip
        session.execute(
            insert(AccessDesignation),
            [{"login": f"staff{i}@ag{i % 60:02d}.gov.bt", "agency_id": ids[i % 60], "category": "social",
              "until": None, "designated_by": "bench", "created_at": now, "updated_at": now}
             for i in range(0, 3000, 10)],
        )  # fmt: skip
        for agency_id in ids:
            service.set_policy(
                session,
                actor=None,
                agency_id=agency_id,
                category="social",
                office_hours=rnd.choice(list(OfficeHours)),
                allowance_minutes=rnd.choice([0, 30, 60, None]),
                after_hours=rnd.choice(list(AfterHours)),
            )
    logins += [f"staff{i}@ag{i % 60:02d}.gov.bt" for i in range(3000)]
    logins += [f"staff{i}" for i in range(0, 3000, 3)]  # local parts
    logins += [f"dir.user{i}" for i in range(300)] + [f"visitor{i}" for i in range(100)]
    return logins


def requests_for(logins: list[str], count: int, rnd: random.Random) -> list[bytes]:
    from urllib.parse import quote

    return [
        f"{quote(rnd.choice(logins), safe='')} {rnd.choice(SOCIAL if rnd.random() < 0.4 else OTHER)} -".encode()
        for _ in range(count)
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Feeder:
    """Squid's side of a concurrent helper: channel ids, requests in flight, answers matched by channel."""

    def __init__(self, command: list[str], env: dict[str, str], concurrency: int) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.out, self.inp = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self.inp, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.inp, selectors.EVENT_READ)
        self.free = list(range(concurrency))
        self.sent: dict[int, float] = {}
        self.pending = b""
        self.answers: dict[bytes, int] = {}

    def send(self, items: list[tuple[bytes, float]]) -> None:
        data = []
        for line, since in items:
            channel = self.free.pop()
            self.sent[channel] = since
            data.append(str(channel).encode() + b" " + line + b"\n")
        os.write(self.out, b"".join(data))

    def receive(self, timeout: float) -> list[float]:
        latencies: list[float] = []
        if not self.selector.select(timeout):
            return latencies
        self.pending += os.read(self.inp, 1 << 20)
        *lines, self.pending = self.pending.split(b"\n")
        now = time.perf_counter()
        for line in lines:
            channel, _, answer = line.partition(b" ")
            self.answers[answer[:2]] = self.answers.get(answer[:2], 0) + 1
            latencies.append(now - self.sent.pop(int(channel)))
            self.free.append(int(channel))
        return latencies

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def started_feeder(command: list[str], env: dict[str, str], lines: list[bytes], channels: int) -> Feeder:
    """A helper process that has answered its first request (which waits for the policy to load)."""
    feeder = Feeder(command, env, channels)
    feeder.send([(lines[0], time.perf_counter())])
    while not feeder.receive(60):
        pass
    return feeder


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    return {"per_s": len(latencies) / elapsed, "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


def throughput(command: list[str], env: dict[str, str], lines: list[bytes], concurrency: int) -> dict[str, float]:
    feeder = started_feeder(command, env, lines, concurrency)
    latencies: list[float] = []
    started, index = time.perf_counter(), 0
    while len(latencies) < len(lines):
        if feeder.free and index < len(lines):
            now = time.perf_counter()
            batch = lines[index : index + len(feeder.free)]
            feeder.send([(line, now) for line in batch])
            index += len(batch)
        latencies += feeder.receive(10)
    elapsed = time.perf_counter() - started
    feeder.close()
    return summary(latencies, elapsed)


def paced(command: list[str], env: dict[str, str], lines: list[bytes], rate: int) -> dict[str, float]:
    """A steady offered load, as a busy office's Squid sends it: every millisecond, the requests due in
    it (``rate``/s in all) are written together; latency runs from that write to the answer's arrival.
    Up to ``PACED_CHANNELS`` may be in flight; if the helper falls behind, requests wait for a free
    channel and that wait counts as latency too."""
    feeder = started_feeder(command, env, lines, PACED_CHANNELS)
    latencies: list[float] = []
    started, index = time.perf_counter(), 0
    while len(latencies) < len(lines):
        now = time.perf_counter()
        due = min(len(lines), int((now - started) * rate) + 1)
        if due > index and feeder.free:
            count = min(due - index, len(feeder.free))
            feeder.send([(line, now) for line in lines[index : index + count]])
            index += count
        latencies += feeder.receive(TICK if index < len(lines) else 10)
    elapsed = time.perf_counter() - started
    feeder.close()
    return summary(latencies, elapsed)


def in_process(lines: list[bytes], *, reloading: bool = False) -> dict[str, float]:
    """The decision alone: ``Helper.handle`` on each request line, no pipe, policy loaded from the database.
    With ``reloading``, a refresher thread reloads the policy over and over meanwhile (the helper's
    does so every 30 s), to show what a reload costs the answers that wait for the interpreter."""
    import threading

    from civicloop.access.helper import Helper, Refresher
    from civicloop.db.session import get_sessionmaker
    from civicloop.kit.clock import FixedClock
    from civicloop.kit.timezones import parse_instant

    helper = Helper(FixedClock(parse_instant(AT, "Asia/Thimphu")))
    refresher = Refresher(helper, get_sessionmaker(), interval=3600)
    refresher.refresh()
    numbered = [str(i % 64).encode() + b" " + line for i, line in enumerate(lines)]
    for line in numbered[:5000]:
        helper.handle(line)
    stop = threading.Event()
    reloads: list[float] = []

    def reload_forever() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            refresher.refresh()
            reloads.append(time.perf_counter() - began)

    reloader = threading.Thread(target=reload_forever, daemon=True)
    if reloading:
        reloader.start()
    clock = time.perf_counter
    times = []
    started = clock()
    for line in numbered:
        before = clock()
        helper.handle(line)
        times.append(clock() - before)
    elapsed = clock() - started
    stop.set()
    if reloading:
        reloader.join()
    return {
        "per_s": len(lines) / elapsed,
        "p50": percentile(times, 0.5),
        "p99": percentile(times, 0.99),
        "reload": percentile(reloads, 0.5) if reloads else 0.0,
    }


def write_log(path: Path, logins: list[str], count: int, categorised: float, rnd: random.Random) -> None:
    """Visits as a proxy sees them: a person on a site for 2–40 minutes, a request every few seconds
    (pages, images, feeds), visits spread over five working days; half the lines in each format."""
    from urllib.parse import quote

    start = datetime(2030, 3, 4, 3, 0, tzinfo=UTC).timestamp()
    lines: list[tuple[float, str]] = []
    while len(lines) < count:
        login, social = rnd.choice(logins), rnd.random() < categorised
        host = rnd.choice(SOCIAL if social else OTHER)
        at = start + rnd.randrange(5) * 86400 + rnd.uniform(0, 8 * 3600)
        refused = social and rnd.random() < 0.1
        for _ in range(1 if refused else rnd.randint(24, 480)):
            at += rnd.uniform(1, 9)
            if len(lines) % 2:
                result = "TCP_DENIED/403" if refused else "TCP_TUNNEL/200"
                lines.append((at, f"{at:.3f}    {rnd.randint(5, 900)} 10.0.3.7 {result} {rnd.randint(300, 90000)} "
                             f"CONNECT {host}:443 {login} HIER_DIRECT/157.240.1.35 -\n"))  # fmt: skip
            else:
                result, tag = ("TCP_DENIED/403", "social%3Anot_designated") if refused else ("TCP_MISS/200", "-")
                lines.append((at, f"civicloop/1 {at:.3f} {rnd.randint(5, 900)} 10.0.3.7 {result} "
                             f"{rnd.randint(300, 90000)} GET http://{host}/feed?p={rnd.randint(1, 99)} "
                             f"{quote(login, safe='')} {tag} -\n"))  # fmt: skip
    lines.sort()
    with path.open("w") as handle:
        handle.writelines(line for _, line in lines[:count])


def import_rate(url: str, path: Path) -> tuple[float, int]:
    from civicloop.access import logimport
    from civicloop.db.session import session_scope

    use(url)
    started = time.perf_counter()
    with session_scope() as session:
        result = logimport.import_log(session, path=path, on_batch=lambda _: session.commit())
    elapsed = time.perf_counter() - started
    return result.lines / elapsed, result.kept


def split_rate(path: Path) -> float:
    """The floor any importer pays: read the file and split every line into fields."""
    started = time.perf_counter()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            line.split()
            count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=60_000, help="per level of requests in flight")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rates", default="10000,20000", type=lambda v: [int(r) for r in v.split(",")])
    parser.add_argument("--paced-seconds", type=int, default=5, help="length of each steady-load run")
    parser.add_argument("--no-import", action="store_true", help="measure the helper only")
    args = parser.parse_args()
    rnd = random.Random(6)
    print(f"# office access bench, {date.today()} on {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for backend in args.backends.split(","):
        try:
            context = database(backend)
            url = context.__enter__()
        except Exception as exc:
            print(f"\n## {backend}: skipped ({exc.__class__.__name__})")
            continue
        try:
            logins = seed(url, rnd)
            env = {**os.environ, "CIVICLOOP_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
            lines = requests_for(logins, max(args.decisions, max(args.rates) * args.paced_seconds), rnd)
            helper = [sys.executable, "-m", "civicloop", "squid-helper", "--at", AT]
            baseline = [sys.executable, "-c", BASELINE_HELPER]
            print(f"\n## {backend} (load {os.getloadavg()[0]:.1f})\n")
            print("| helper | in flight | decisions/s | p50 | p99 |\n|---|---|---|---|---|")
            best: dict[str, float] = {}
            for name, command in [("CivicLoop", helper), ("do-nothing (OK to all)", baseline)]:
                for in_flight in (1, 4, 16, args.concurrency):
                    measured = throughput(command, env, lines[: args.decisions], in_flight)
                    best[name] = max(best.get(name, 0.0), measured["per_s"])
                    print(
                        f"| {name} | {in_flight} | {measured['per_s']:,.0f} | {measured['p50'] * 1e3:.3f} ms | "
                        f"{measured['p99'] * 1e3:.3f} ms |"
                    )
            ratio = best["CivicLoop"] / best["do-nothing (OK to all)"]
            print(f"\nBest CivicLoop ÷ best do-nothing throughput: {ratio:.3f}")
            print(f"\nSteady load (load {os.getloadavg()[0]:.1f}):\n")
            print("| helper | offered/s | answered/s | p50 | p99 |\n|---|---|---|---|---|")
            for rate in args.rates:
                for name, command in [("CivicLoop", helper), ("do-nothing (OK to all)", baseline)]:
                    measured = paced(command, env, lines[: rate * args.paced_seconds], rate)
                    print(
                        f"| {name} | {rate:,} | {measured['per_s']:,.0f} | {measured['p50'] * 1e3:.3f} ms | "
                        f"{measured['p99'] * 1e3:.3f} ms |"
                    )
            alone = in_process(lines[: args.decisions])
            busy = in_process(lines[: args.decisions], reloading=True)
            print(
                f"\nDecision alone (Helper.handle in one process, no pipe): {alone['per_s']:,.0f}/s, "
                f"p50 {alone['p50'] * 1e6:.1f} µs, p99 {alone['p99'] * 1e6:.1f} µs; while the policy is reloaded "
                f"nonstop (a reload takes {busy['reload'] * 1e3:.0f} ms): {busy['per_s']:,.0f}/s, "
                f"p50 {busy['p50'] * 1e6:.1f} µs, p99 {busy['p99'] * 1e6:.1f} µs (load {os.getloadavg()[0]:.1f})"
            )
            if args.no_import:
                continue
            folder = Path(tempfile.mkdtemp(prefix="civicloop-bench-log-"))
            print(f"\nLog import (load {os.getloadavg()[0]:.1f}):\n")
            print("| log | lines | lines/s imported | kept | read+split only lines/s | ratio |")
            print("|---|---|---|---|---|---|")
            for label, share in [("30 % categorised", 0.3), ("all categorised", 1.0)]:
                path = folder / f"access-{share}.log"
                write_log(path, logins, args.lines, share, rnd)
                per_s, kept = import_rate(url, path)
                floor = split_rate(path)
                print(f"| {label} | {args.lines:,} | {per_s:,.0f} | {kept:,} | {floor:,.0f} | {per_s / floor:.2f} |")
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            context.__exit__(None, None, None)


if __name__ == "__main__":
    main()
