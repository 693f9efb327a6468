"""Webhook ingest: authenticated platform deliveries per second and latency (Facebook and Instagram
comments signed with X-Hub-Signature-256, Telegram updates carrying the bot's secret token), on SQLite
and PostgreSQL,
side by side with a baseline endpoint that does only the one insert.

Both endpoints are served by the same uvicorn process running the real app (``create_app()``, with its
middleware), both in the app mounted at ``/webhooks``; the baseline is added here, not in the product.
The webhook path does everything a delivery needs: read the body with a size limit, find the app's
accounts, check the signature, split and store the events (insert … on conflict do nothing, group
committed with concurrent requests), hand the new ids to the queue after commit, answer. The baseline
reads the body and does the one insert and its commit, in a thread, one transaction per request. No
worker runs, so processing does not compete for the cores: this measures intake.

Per database, platform and events-per-POST (Telegram sends one update per POST), webhook and baseline
take turns for ``--rounds`` rounds (order alternating, medians reported), each round with two phases:
- throughput: a closed loop of concurrent keep-alive connections for ``--duration`` seconds
  (``wrk`` with a Lua script cycling pre-signed bodies, if installed — ``apt-get install wrk`` —
  otherwise httpx threads, which cost the shared cores far more): events/s, p50, p99;
- fixed rate (single events only): ``--rate`` events/s, open loop (each request is sent at its
  scheduled time and its latency counts from then, so a stall is not hidden): p50, p99.

    .venv/bin/python bench/ingest.py [--backends sqlite,postgresql] [--platforms facebook,instagram,telegram]
        [--duration 5] [--rounds 3] [--rate 300]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PAGE = "104958162837"
APP_SECRET = "bench-app-secret-3f9c2b7e8d1a4c6f"  # noqa: S105 - a throwaway bench database
IG_ACCOUNT = "17841405822304914"
BOT_ID = "7012345678"
BOT_TOKEN = f"{BOT_ID}:bench-bot-token"
BOT_SECRET = "bench-telegram-secret"  # noqa: S105 - a throwaway bench database
POSTGRES = os.environ.get("CIVICLOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Under /webhooks/ (no CSRF, like the real route) but with three segments, so no provider route matches.
BASELINE_PATH = "/webhooks/_bench/baseline/insert"
WRK_SCRIPT = """
local requests = {}
local counter = 0
local n = 0
function setup(thread)
  n = n + 1
  thread:set("offset", n - 1)
  thread:set("stride", THREADS)
end
function init(args)
  for line in io.lines(args[1]) do
    local path, header, value, key, body = line:match("([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)")
    requests[#requests + 1] = wrk.format("POST", path,
      {["Content-Type"] = "application/json", [header] = value, ["X-Bench-Key"] = key, ["X-Bench-Events"] = "BATCH"},
      body)
  end
end
function request()
  local index = (offset + counter * stride) % #requests + 1
  counter = counter + 1
  return requests[index]
end
"""


def comment(n: int, run: str, batch: int = 1) -> bytes:
    """A Facebook feed delivery in Meta's documented shape with ``batch`` comments, each a new one."""
    changes = []
    for k in range(batch):
        number = n * batch + k
        value = {
            "from": {"id": "7395028461937265", "name": "Karma Wangchuk"},
            "post": {"id": f"{PAGE}_918273645512", "status_type": "added_photos", "is_published": True},
            "message": f"Report {number}: the streetlight at the Norzin Lam traffic circle is out again.",
            "post_id": f"{PAGE}_918273645512",
            "comment_id": f"918273645512_{run}{number:09d}",
            "created_time": 1767585598 + number,
            "item": "comment",
            "parent_id": f"{PAGE}_918273645512",
            "verb": "add",
        }
        changes.append({"field": "feed", "value": value})
    document = {"object": "page", "entry": [{"id": PAGE, "time": 1767585604, "changes": changes}]}
    return json.dumps(document, separators=(",", ":")).encode()


def update(n: int, run: str, batch: int = 1) -> bytes:
    """A Telegram delivery in the Bot API's documented shape: one Update, a citizen's private message."""
    if batch != 1:
        raise ValueError("Telegram sends one update per POST")
    number = zlib.crc32(run.encode()) * 10_000_000 + n  # a new update_id per run and delivery
    message = {
        "message_id": 1000 + n,
        "from": {"id": 5123456789, "is_bot": False, "first_name": "Pema", "last_name": "Wangmo"},
        "chat": {"id": 5123456789, "first_name": "Pema", "last_name": "Wangmo", "type": "private"},
        "date": 1767585598 + n,
        "text": f"Report {n}: the streetlight at the Norzin Lam traffic circle is out again.",
    }
    return json.dumps({"update_id": number, "message": message}, separators=(",", ":")).encode()


def instagram_comment(n: int, run: str, batch: int = 1) -> bytes:
    """An Instagram comments delivery in Meta's documented shape with ``batch`` new comments."""
    changes = []
    for k in range(batch):
        number = n * batch + k
        value = {
            "id": f"{zlib.crc32(run.encode())}{number:09d}",
            "from": {"id": "17841402251789123", "username": "dechen.choden"},
            "text": f"Report {number}: the footpath on Changlam is broken again.",
            "media": {"id": "17953281016612345", "media_product_type": "FEED"},
        }
        changes.append({"field": "comments", "value": value})
    document = {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": 1767585604, "changes": changes}]}
    return json.dumps(document, separators=(",", ":")).encode()


def authenticate(platform: str, body: bytes) -> tuple[str, str]:
    """The header that proves the delivery's origin: Meta's signature, or the bot's secret token."""
    if platform == "telegram":
        return "X-Telegram-Bot-Api-Secret-Token", BOT_SECRET
    from civicloop.channels.facebook.provider import sign as facebook_sign

    return "X-Hub-Signature-256", facebook_sign(body, APP_SECRET)


# Meta batches changes in one delivery; Telegram sends one update per POST.
BATCHED = {"facebook", "instagram"}
DELIVERIES = {"facebook": comment, "instagram": instagram_comment, "telegram": update}


# --- the server under test -------------------------------------------------------------------------


def bench_app() -> FastAPI:
    """The real app plus the baseline endpoint (a uvicorn factory, run in the server processes)."""
    from fastapi.concurrency import run_in_threadpool
    from starlette.routing import Mount
    from starlette.types import Receive, Scope, Send

    from civicloop.channels.models import RawEvent
    from civicloop.channels.upsert import insert_ignore
    from civicloop.db.session import session_scope
    from civicloop.main import create_app

    def insert(body: bytes, key: str, count: int) -> None:
        rows = [
            {
                "provider": "baseline",
                "app_key": "b",
                "external_id": f"{key}:{k}",
                "kind": "b",
                "headers": {},
                "body": body,
            }
            for k in range(count)
        ]
        with session_scope() as session:
            insert_ignore(session, RawEvent, rows, ["provider", "app_key", "external_id"])

    async def baseline(request: Request) -> PlainTextResponse:
        body = await request.body()
        key = request.headers.get("x-bench-key", "")
        await run_in_threadpool(insert, body, key, int(request.headers.get("x-bench-events", "1")))
        return PlainTextResponse("ok")

    app = create_app()
    # The baseline is served where the webhooks are (the app mounted at /webhooks), so that both pay
    # the same for reaching their handler: a path comparison is all the webhooks pay extra.
    mount = next(r for r in app.router.routes if isinstance(r, Mount) and r.path == "/webhooks")
    webhooks = mount.app

    async def webhooks_and_baseline(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == BASELINE_PATH:
            await (await baseline(Request(scope, receive)))(scope, receive, send)
        else:
            await webhooks(scope, receive, send)

    mount.app = webhooks_and_baseline
    return app


def serve(port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "ingest:bench_app",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"cl_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Migrate, add an agency, its Facebook Page, Instagram account and Telegram bot; return the server environment and
    the webhook path of each platform."""
    env = {
        **os.environ,
        "CIVICLOOP_DATABASE_URL": url,
        "CIVICLOOP_DATA_DIR": str(folder),
        "CIVICLOOP_SECRET_KEY": "bench-secret-key",
        "CIVICLOOP_JOBS_IMMEDIATE": "false",
        "CIVICLOOP_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:6]}",
    }
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / "src")!r})
from civicloop import migrations
from civicloop.agencies import service
from civicloop.agencies.models import Platform
from civicloop.agencies.service import webhook_path
from civicloop.channels import registry
from civicloop.db.session import session_scope
migrations.upgrade({url!r})
with session_scope() as session:
    agency = service.create_agency(session, actor=None, code="THROMDE", name="Thimphu Thromde")
    page = service.create_account(session, actor=None, agency=agency, platform=Platform("facebook"),
        external_id={PAGE!r}, name="Thimphu Thromde",
        credentials={{"app_secret": {APP_SECRET!r}, "verify_token": "v"}})
    insta = service.create_account(session, actor=None, agency=agency, platform=Platform("instagram"),
        external_id={IG_ACCOUNT!r}, name="@thimphuthromde",
        credentials={{"app_secret": {APP_SECRET!r}, "verify_token": "v"}})
    bot = service.create_account(session, actor=None, agency=agency, platform=Platform("telegram"),
        external_id={BOT_ID!r}, name="Thromde Helpdesk",
        credentials={{"bot_token": {BOT_TOKEN!r}, "secret_token": {BOT_SECRET!r}}})
    print(webhook_path(page), webhook_path(insta), webhook_path(bot))
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    facebook, instagram, telegram = done.stdout.strip().splitlines()[-1].split()
    return env, {"facebook": facebook, "instagram": instagram, "telegram": telegram}


@contextmanager
def server(env: dict[str, str], workers: int) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--server-workers", str(workers)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- load generators ---------------------------------------------------------------------------------


@dataclass
class Result:
    events: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    p50_ms: float | None = None
    p99_ms: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def p(self, q: float) -> float:
        if q == 0.5 and self.p50_ms is not None:
            return self.p50_ms
        if q == 0.99 and self.p99_ms is not None:
            return self.p99_ms
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass(frozen=True)
class Prepared:
    body: bytes
    headers: dict[str, str]


def prepared(platform: str, n: int, run: str, batch: int = 1) -> Prepared:
    body = DELIVERIES[platform](n, run, batch)
    header, value = authenticate(platform, body)
    key = f"{platform}-{run}-{n}"
    return Prepared(body, {header: value, "X-Bench-Key": key, "X-Bench-Events": str(batch)})


def bodies(platform: str, count: int, run: str, batch: int = 1) -> list[Prepared]:
    return [prepared(platform, n, run, batch) for n in range(count)]


def wrk_throughput(
    base: str, path: str, duration: int, connections: int, work: Path, run: str, batch: int, platform: str
) -> Result:
    # Enough distinct deliveries for the fastest rate seen so far with margin (each must be new).
    requests = bodies(platform, 6000 * duration // min(batch, 4), run, batch)
    data = work / f"requests-{run}.tsv"
    with data.open("w") as out:
        for item in requests:
            (header, value), key = next(iter(item.headers.items())), item.headers["X-Bench-Key"]
            out.write(f"{path}\t{header}\t{value}\t{key}\t{item.body.decode()}\n")
    script = work / "bench.lua"
    threads = 2
    script.write_text(WRK_SCRIPT.replace("THREADS", str(threads)).replace("BATCH", str(batch)))
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    command += ["-s", str(script), base + path, "--", str(data)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    sent = int(next(line for line in output.splitlines() if "requests in" in line).split()[0])
    errors = sum(int(line.split(":")[1].strip()) for line in output.splitlines() if line.strip().startswith("Non-2xx"))
    if sent > len(requests):
        raise RuntimeError(f"wrk sent {sent} requests but only {len(requests)} distinct ones were prepared")

    def percentile(label: str) -> float:
        line = next(line for line in output.splitlines() if line.strip().startswith(label))
        value = line.split()[1]
        for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
            if value.endswith(unit):
                return float(value[: -len(unit)]) * factor
        return float(value)

    return Result((sent - errors) * batch, float(duration), [], errors, percentile("50%"), percentile("99%"))


def httpx_throughput(
    base: str, path: str, duration: int, connections: int, run: str, batch: int, platform: str
) -> Result:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration
    counter = iter(range(10**9))

    def loop() -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            while time.monotonic() < stop:
                with lock:
                    n = next(counter)
                item = prepared(platform, n, run, batch)
                started = time.perf_counter()
                response = client.post(path, content=item.body, headers=item.headers)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies) * batch, time.monotonic() - started, latencies, errors[0])


def fixed_rate(base: str, path: str, duration: int, rate: int, run: str, platform: str) -> Result:
    """Open loop: request k is due at start + k/rate; its latency counts from then."""
    total = duration * rate
    ready = bodies(platform, total, run)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    next_index = iter(range(total))
    start = time.perf_counter() + 0.5

    host, port = urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80

    def loop() -> None:
        # http.client rather than httpx: the generator must cost the shared CPU as little as possible.
        connection = http.client.HTTPConnection(host, port, timeout=10)
        while True:
            with lock:
                k = next(next_index, None)
            if k is None:
                connection.close()
                return
            due = start + k / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            item = ready[k]
            connection.request(
                "POST", path, body=item.body, headers={"content-type": "application/json", **item.headers}
            )
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                if response.status == 200:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies), float(duration), latencies, errors[0])


# --- the run -------------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass(frozen=True)
class Load:
    duration: int
    rate: int
    connections: int
    rounds: int


def measure(
    base: str,
    folder: Path,
    platform: str,
    endpoints: dict[str, str],
    batch: int,
    backend: str,
    use_wrk: bool,
    load: Load,
) -> list[dict[str, object]]:
    """Webhook and baseline in turns for one platform and batch size; one row per endpoint."""
    rows: list[dict[str, object]] = []
    bursts: dict[str, list[Result]] = {name: [] for name in endpoints}
    steadies: dict[str, list[Result]] = {name: [] for name in endpoints}
    for turn in range(load.rounds):
        for name in sorted(endpoints, reverse=bool(turn % 2)):
            path, tag = endpoints[name], uuid.uuid4().hex[:6]
            if use_wrk:
                burst = wrk_throughput(base, path, load.duration, load.connections, folder, tag, batch, platform)
            else:
                burst = httpx_throughput(base, path, load.duration, load.connections, tag, batch, platform)
            bursts[name].append(burst)
            if batch == 1:
                steadies[name].append(fixed_rate(base, path, load.duration, load.rate, tag + "r", platform))
    for name in endpoints:
        row: dict[str, object] = {
            "backend": backend,
            "platform": platform,
            "endpoint": name,
            "events_per_post": batch,
            "events_per_s": round(_median([r.rate for r in bursts[name]])),
            "events_per_s_each_round": [round(r.rate) for r in bursts[name]],
            "p50_ms": round(_median([r.p(0.5) for r in bursts[name]]), 1),
            "p99_ms": round(_median([r.p(0.99) for r in bursts[name]]), 1),
            "errors": sum(r.errors for r in bursts[name] + steadies[name]),
        }
        if steadies[name]:
            row |= {
                "rate": load.rate,
                "p50_ms_at_rate": round(_median([r.p(0.5) for r in steadies[name]]), 1),
                "p99_ms_at_rate": round(_median([r.p(0.99) for r in steadies[name]]), 1),
            }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def run(
    backends: list[str],
    platforms: list[str],
    duration: int,
    rate: int,
    connections: int,
    batches: list[int],
    workers: int,
    rounds: int,
) -> list[dict[str, object]]:
    """Webhook and baseline take turns (``rounds`` times, the order alternating) so that the load
    other processes put on a shared machine falls on both alike; medians are reported."""
    rows: list[dict[str, object]] = []
    use_wrk = shutil.which("wrk") is not None
    if not use_wrk:
        print(
            "wrk is not installed (apt-get install wrk): the throughput phase uses httpx threads, which take far "
            "more of the shared cores than the server under test; figures are not comparable to wrk's",
            file=sys.stderr,
        )
    args = Load(duration, rate, connections, rounds)
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="cl-bench-") as tmp:
            folder = Path(tmp)
            with database(backend, folder) as url:
                env, webhooks = prepare(url, folder)
                with server(env, workers) as base:
                    for platform in platforms:
                        endpoints = {"webhook": webhooks[platform], "baseline": BASELINE_PATH}
                        for batch in batches if platform in BATCHED else [1]:
                            rows += measure(base, folder, platform, endpoints, batch, backend, use_wrk, args)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--platforms", default="facebook,instagram,telegram", help="whose deliveries to send")
    parser.add_argument("--duration", type=int, default=5, help="seconds per phase and round")
    parser.add_argument("--rate", type=int, default=300, help="events/s of the fixed-rate phase")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections of the throughput phase")
    parser.add_argument("--batches", default="1,10", help="events per POST in the throughput phase (Meta batches)")
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--rounds", type=int, default=3, help="turns of webhook and baseline (medians reported)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.server_workers)
        return
    batches = [int(b) for b in args.batches.split(",")]
    platforms = args.platforms.split(",")
    rows = run(
        args.backends.split(","),
        platforms,
        args.duration,
        args.rate,
        args.connections,
        batches,
        args.server_workers,
        args.rounds,
    )
    print()
    print(
        f"| database | platform | endpoint | events per POST | events/s | p50 ms | p99 ms "
        f"| p50 / p99 ms at {args.rate} events/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        steady = f"{row['p50_ms_at_rate']} / {row['p99_ms_at_rate']}" if "rate" in row else "—"
        print(
            f"| {row['backend']} | {row['platform']} | {row['endpoint']} | {row['events_per_post']} "
            f"| {row['events_per_s']} | {row['p50_ms']} | {row['p99_ms']} | {steady} |"
        )
    for backend in args.backends.split(","):
        for platform in platforms:
            for batch in batches if platform in BATCHED else [1]:
                key = (backend, platform, batch)
                ours, base = (
                    next(
                        r
                        for r in rows
                        if (r["backend"], r["platform"], r["events_per_post"]) == key and r["endpoint"] == e
                    )
                    for e in ("webhook", "baseline")
                )
                ratio = int(str(ours["events_per_s"])) / max(int(str(base["events_per_s"])), 1)
                print(
                    f"{backend}, {platform}, {batch} event(s) per POST: "
                    f"webhook throughput is {ratio:.0%} of the baseline's"
                )


if __name__ == "__main__":
    main()
