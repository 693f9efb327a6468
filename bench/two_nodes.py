"""Two web processes and two workers on PostgreSQL + Redis, while a web process, a worker and Redis
itself are killed and restarted: nothing acknowledged is lost, nothing is stored or replied twice.

Set-up: a fresh PostgreSQL database, a SEPARATE redis-server on a free port (never the shared one on
6379), the platform simulator as the Graph API, one agency with a Facebook Page. Then two
``civicloop serve`` processes and two ``civicloop worker`` processes share them.

While it runs, a sender posts signed comment webhooks, alternating between the two web processes the
way a round-robin balancer would (a refused or failed delivery is retried on the other, as Meta
retries); an officer's script asks, through the JSON API, for a reply to every stored comment, with
an Idempotency-Key (retried the same way). The schedule kills (SIGKILL) and restarts web process A,
then worker 1, then Redis (down for one gap, restarted empty: whatever was queued is gone). Afterwards it waits for
the system to settle and checks:
- every acknowledged comment is one message (none lost, none twice), raw events stored once;
- every reply asked for was sent to the simulated Graph API exactly once;
- the events stored while Redis was down (their jobs could not be enqueued) were processed, by the
  sweeper;
- how long each restarted web process took to answer ``/healthz``.

    .venv/bin/python bench/two_nodes.py [--gap 6] [--rate 10] [--settle 200]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from civicloop.channels.meta.graph_state import facebook_graph  # noqa: E402
from civicloop.channels.simulator.app import SimulatorServer  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE = "104958162837"
APP_SECRET = "two-nodes-app-secret-5b1e"  # noqa: S105 - a throwaway bench deployment
PAGE_TOKEN = "EAAG-two-nodes-page-token"  # noqa: S105
POST = f"{PAGE}_918273645512"

SETUP = """
import json
from civicloop.agencies import service as agencies
from civicloop.agencies.models import AgencyKind, Platform
from civicloop.auth import service as officials
from civicloop.auth.scope import Actor
from civicloop.db.session import session_scope
with session_scope() as s:
    agency = agencies.create_agency(s, actor=None, code="THROMDE", name="Thimphu Thromde", kind=AgencyKind.city)
    officer = officials.create_official_with_roles(
        s, actor=None, email="officer@thromde.example", name="Pema", password="two-nodes-pass",
        roles=["officer@THROMDE"],
    )
    account = agencies.create_account(
        s, actor=None, agency=agency, platform=Platform("facebook"), external_id=%r, name="Thimphu Thromde",
        credentials={"app_secret": %r, "verify_token": "v", "page_access_token": %r},
    )
    s.flush()
    s.refresh(officer)
    token = officials.create_api_token(s, actor=Actor.of(officer), name="two nodes")
    print(json.dumps({"account_id": account.id, "app_key": account.app_key, "token": token}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Node:
    """One process of the deployment, restartable."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_healthy(port: int, timeout: float = 120.0, began: float | None = None) -> float:
    """Seconds from ``began`` (default: now) until the web process on ``port`` answers ``/healthz``."""
    began = time.perf_counter() if began is None else began
    while time.perf_counter() - began < timeout:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return time.perf_counter() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"web process on {port} did not answer within {timeout} s")


def comment_body(number: int, run: str) -> tuple[str, bytes]:
    comment_id = f"918273645512_{run}{number:07d}"
    value = {
        "from": {"id": "7395028461937265", "name": "Karma Wangchuk"},
        "post": {"id": POST, "status_type": "added_photos", "is_published": True},
        "message": f"Report {number}: the streetlight at the Norzin Lam traffic circle is out again.",
        "post_id": POST,
        "comment_id": comment_id,
        "created_time": int(time.time()),
        "item": "comment",
        "parent_id": POST,
        "verb": "add",
    }
    document = {
        "object": "page",
        "entry": [{"id": PAGE, "time": int(time.time()), "changes": [{"field": "feed", "value": value}]}],
    }
    return comment_id, json.dumps(document, separators=(",", ":")).encode()


@dataclass
class Run:
    ports: list[int]
    webhook_path: str
    token: str
    account_id: int
    sim: SimulatorServer
    acked: set[str] = field(default_factory=set)
    failed_attempts: int = 0
    replies_asked: set[int] = field(default_factory=set)
    reply_failures: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    redis_down: tuple[float, float] | None = None

    def post(self, path: str, turn: int, **kwargs: Any) -> httpx.Response | None:
        """Round-robin with failover: the other web process when one refuses or fails."""
        for attempt in range(20):
            port = self.ports[(turn + attempt) % 2]
            try:
                response = httpx.post(f"http://127.0.0.1:{port}{path}", timeout=10, **kwargs)
                if response.status_code < 500:
                    return response
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return None

    def send(self, rate: float, run_id: str) -> None:
        number = 0
        while not self.stop.is_set():
            comment_id, body = comment_body(number, run_id)
            facebook_graph(self.sim.state).comment(
                PAGE, comment_id, post_id=POST, from_id="7395028461937265", message="x"
            )
            signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
            headers = {"content-type": "application/json", "x-hub-signature-256": signature}
            response = self.post(self.webhook_path, number, content=body, headers=headers)
            if response is not None and response.status_code == 200:
                self.acked.add(comment_id)
            else:
                self.failed_attempts += 1
            number += 1
            time.sleep(1 / rate)

    def reply(self) -> None:
        """Ask for a reply to every stored citizen comment, each with its own Idempotency-Key."""
        auth = {"authorization": f"Bearer {self.token}"}
        turn = 0
        while not self.stop.is_set():
            try:
                listed = httpx.get(
                    f"http://127.0.0.1:{self.ports[turn % 2]}/api/v1/messages",
                    params={"limit": 500, "offset": max(0, len(self.replies_asked) - 50)},
                    headers=auth,
                    timeout=10,
                )
                messages = listed.json() if listed.status_code == 200 else []
            except (httpx.HTTPError, ValueError):
                messages = []
            for message in messages:
                if message.get("direction") != "in" or message["id"] in self.replies_asked:
                    continue
                body = {
                    "account_id": self.account_id,
                    "kind": "reply",
                    "text": "Thank you, we have sent a team.",
                    "in_reply_to_message_id": message["id"],
                }
                headers = {**auth, "idempotency-key": f"reply-{message['id']}"}
                response = self.post("/api/v1/outbound", turn, json=body, headers=headers)
                if response is not None and response.status_code in (200, 201):
                    self.replies_asked.add(message["id"])
                else:
                    self.reply_failures += 1
                turn += 1
            turn += 1
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gap", type=float, default=6.0, help="seconds of streaming between the steps")
    parser.add_argument("--rate", type=float, default=10.0, help="webhooks per second")
    parser.add_argument("--settle", type=float, default=200.0, help="most seconds to wait for the system to settle")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="civicloop-two-nodes-"))
    database = f"civicloop_two_nodes_{os.getpid()}"
    redis_port = free_port()
    if redis_port == 6379:
        raise SystemExit("refusing to use the shared Redis port")
    redis_command = [
        "redis-server",
        "--port",
        str(redis_port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    redis = Node("redis", redis_command, dict(os.environ), work / "redis.log")
    nodes: list[Node] = [redis]
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    sim = SimulatorServer().start()
    facebook_graph(sim.state).add_page(PAGE, PAGE_TOKEN)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICLOOP_")}
        env.update(
            PYTHONPATH=str(ROOT / "src"),
            CIVICLOOP_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
            CIVICLOOP_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            CIVICLOOP_SECRET_KEY="two-nodes-secret-key",  # noqa: S106 - a throwaway bench deployment
            CIVICLOOP_DATA_DIR=str(work / "data"),
            CIVICLOOP_OUTBOUND_TIMEOUT_SECONDS="2",
            **sim.env(),
        )
        redis.start()
        subprocess.run([sys.executable, "-m", "civicloop", "db", "upgrade"], env=env, check=True, capture_output=True)
        setup = subprocess.run(
            [sys.executable, "-c", SETUP % (PAGE, APP_SECRET, PAGE_TOKEN)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        created = json.loads(setup.stdout.strip().splitlines()[-1])
        ports = [free_port(), free_port()]
        serve = [sys.executable, "-m", "civicloop", "serve", "--no-access-log", "--port"]
        webs = [Node(f"web-{i}", [*serve, str(p)], env, work / f"web-{i}.log") for i, p in enumerate(ports)]
        worker = [sys.executable, "-m", "civicloop", "worker", "--workers", "2"]
        workers = [Node(f"worker-{i}", worker, env, work / f"worker-{i}.log") for i in range(2)]
        nodes += webs + workers
        launched = time.perf_counter()
        for node in webs + workers:
            node.start()
        start_seconds = [round(wait_healthy(p, began=launched), 2) for p in ports]
        print(f"load average at start: {os.getloadavg()[0]:.2f}; web start-up: {start_seconds} s", flush=True)

        run = Run(ports, f"/webhooks/facebook/{created['app_key']}", created["token"], created["account_id"], sim)
        threads = [
            threading.Thread(target=run.send, args=(args.rate, uuid.uuid4().hex[:5]), daemon=True),
            threading.Thread(target=run.reply, daemon=True),
        ]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        events: list[str] = []

        def note(what: str) -> None:
            events.append(f"{time.monotonic() - began:.1f}s {what}")

        # Each step waits ``gap`` seconds of streaming after the previous one has finished (a restart
        # takes as long as the machine needs), so every outage happens with deliveries under way.
        time.sleep(args.gap)
        webs[0].kill()
        note("killed web-0")
        time.sleep(args.gap / 2)
        webs[0].start()
        restart = wait_healthy(ports[0])
        note(f"web-0 restarted, answered /healthz after {restart:.2f} s")
        time.sleep(args.gap)
        workers[0].kill()
        note("killed worker-0")
        time.sleep(args.gap / 2)
        workers[0].start()
        note("worker-0 restarted")
        time.sleep(args.gap)
        redis.kill()
        down_from = time.time()
        note("killed redis (queue contents lost)")
        time.sleep(args.gap)
        redis.start()
        run.redis_down = (down_from, time.time())
        note("redis restarted empty")
        time.sleep(args.gap)
        run.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        print("\n".join(events), flush=True)

        report = settle(run, env["CIVICLOOP_DATABASE_URL"].replace("+psycopg", ""), args.settle)
        report.update(
            web_start_seconds=start_seconds,
            web_restart_seconds=round(restart, 2),
            deliveries_failed_after_20_tries=run.failed_attempts,
            reply_requests_failed=run.reply_failures,
            load_average_end=round(os.getloadavg()[0], 2),
            events=events,
        )
        print(json.dumps(report, indent=2))
        ok = not (
            report["lost"]
            or report["duplicated_messages"]
            or report["duplicated_raw_events"]
            or report["replies_sent_twice"]
            or report["replies_not_sent"]
            or report["unhandled_events"]
        )
        print("PASS" if ok else "FAIL")
        if not ok:
            raise SystemExit(1)
    finally:
        for node in reversed(nodes):
            node.stop()
        sim.stop()
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def settle(run: Run, database_url: str, timeout: float) -> dict[str, Any]:
    """Wait until every acknowledged event is handled and every reply asked for is sent, then count."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as db:
        while True:
            unhandled = db.execute("SELECT count(*) FROM raw_events WHERE handled_at IS NULL").fetchone()[0]
            pending = db.execute("SELECT count(*) FROM outbound_messages WHERE status <> 'sent'").fetchone()[0]
            if (unhandled == 0 and pending == 0) or time.monotonic() > deadline:
                break
            time.sleep(2)
        waited = round(timeout - (deadline - time.monotonic()), 1)
        stored = Counter(r[0] for r in db.execute("SELECT external_id FROM messages WHERE direction = 'in'"))
        raw = Counter(r[0] for r in db.execute("SELECT external_id FROM raw_events"))
        down_from, down_to = run.redis_down or (0.0, 0.0)
        while_down = db.execute(
            "SELECT count(*), count(handled_at) FROM raw_events"
            " WHERE received_at BETWEEN to_timestamp(%s) AND to_timestamp(%s)",
            (down_from, down_to),
        ).fetchone()
        statuses = dict(db.execute("SELECT status, count(*) FROM outbound_messages GROUP BY status").fetchall())
    replies = Counter(o.parent_id for o in facebook_graph(run.sim.state).page_comments_by(PAGE))
    asked_for = set()
    with psycopg.connect(database_url, autocommit=True) as db:
        for message_id in run.replies_asked:
            row = db.execute("SELECT external_id FROM messages WHERE id = %s", (message_id,)).fetchone()
            asked_for.add(row[0])
    return {
        "acknowledged": len(run.acked),
        "stored_messages": sum(stored.values()),
        "lost": len(run.acked - set(stored)),
        "duplicated_messages": sum(1 for n in stored.values() if n > 1),
        "duplicated_raw_events": sum(1 for n in raw.values() if n > 1),
        "unhandled_events": unhandled,
        "stored_while_redis_down": while_down[0],
        "of_which_handled_since": while_down[1],
        "replies_asked": len(run.replies_asked),
        "outbound_statuses": statuses,
        "replies_sent": sum(replies.values()),
        "replies_sent_twice": sum(1 for n in replies.values() if n > 1),
        "replies_not_sent": len(asked_for - set(replies)),
        "seconds_to_settle": waited,
    }


if __name__ == "__main__":
    main()
