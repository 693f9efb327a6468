"""Oversight pages over a year of a national government's data, on PostgreSQL.

Seeds a fresh database with ``--agencies`` agencies (a few without any account), their official
accounts, and ``--messages`` messages over ``--days`` days: citizen conversations of one to three
messages, seven in ten answered after a delay drawn from a log-normal, each with inbox/SLA's
``conversation_sla`` row. Rows go in with COPY. Then it rebuilds the pre-aggregated tables and
measures server time (in-process, through the ASGI app) of the national dashboard, an agency
scorecard, the public page and an export, for a 30-day and a 365-day period.

Side by side, the same national per-agency figures computed straight from the messages table (the
"plain query" the pre-aggregated tables replace) show why they exist: the ratio is printed.

    .venv/bin/python bench/oversight.py                                  # 200 agencies, 5,000,000 messages
    .venv/bin/python bench/oversight.py --agencies 20 --messages 200000  # a quick look
    .venv/bin/python bench/oversight.py --keep                           # seed once, keep the database
    .venv/bin/python bench/oversight.py --database cl_bench_oversight_…  # measure it again later
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password"  # noqa: S105 - the bench's own throw-away officials
SERVER = os.environ.get("CIVICLOOP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its name is printed)")
    parser.add_argument(
        "--database",
        help="measure a database seeded and kept by an earlier run (--keep) instead of seeding a new one; "
        "it is upgraded to the current schema and kept",
    )
    return parser.parse_args()


def use_database(name: str, *, create: bool) -> str:
    """Point CivicLoop at database ``name`` (created first if asked) at the current schema; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if create:
        admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    os.environ.update(
        CIVICLOOP_DATABASE_URL=url,
        CIVICLOOP_SECRET_KEY="bench-secret",  # noqa: S106 - a throw-away database
        CIVICLOOP_DATA_DIR=str(ROOT / "var" / "bench"),
        CIVICLOOP_JOBS_IMMEDIATE="true",
    )
    from civicloop import migrations

    migrations.upgrade(url)
    return url


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed_registry(agencies: int) -> list[tuple[int, int, str]]:
    """Agencies, their accounts, a national admin and one agency head; returns (agency, account, platform)."""
    from civicloop.agencies import service as agency_service
    from civicloop.agencies.models import AgencyKind, Platform
    from civicloop.auth import service as officials
    from civicloop.db.session import session_scope

    rng = random.Random(1)
    kinds = [AgencyKind.ministry, AgencyKind.department, AgencyKind.district, AgencyKind.autonomous_body]
    accounts: list[tuple[int, int, str]] = []
    with session_scope() as session:
        agency_service.create_agency(
            session, actor=None, code="DOIM", name="Oversight", kind=AgencyKind.national_oversight
        )
        for n in range(agencies):
            kind = kinds[n % len(kinds)]
            agency = agency_service.create_agency(
                session, actor=None, code=f"AG{n:03d}", name=f"Agency {n:03d}", kind=kind, district=f"District {n % 20}"
            )
            if n % 25 == 24:
                continue  # some agencies have no account: the adoption gap
            for platform in rng.sample(
                [Platform("facebook"), Platform("x"), Platform("wechat"), Platform("web")], rng.randint(2, 4)
            ):
                credentials = {
                    Platform("facebook"): {"app_secret": f"s{n}", "verify_token": "v"},
                    Platform("x"): {"consumer_secret": f"x{n}"},
                    Platform("wechat"): {"app_id": f"wx{n}", "token": "t"},
                    Platform("web"): {},
                }[platform]
                account = agency_service.create_account(
                    session,
                    actor=None,
                    agency=agency,
                    platform=platform,
                    external_id=f"{platform.value}-{n}",
                    name=f"Agency {n:03d} {platform.value}",
                    credentials=credentials,
                )
                accounts.append((agency.id, account.id, platform.value))
        for email, name, role in (
            ("admin@bench.example", "Admin", "national_admin@DOIM"),
            ("head@bench.example", "Head", "agency_head@AG001"),
        ):
            officials.create_official_with_roles(
                session,
                actor=None,
                email=email,
                name=name,
                password=PASSWORD,
                roles=[role],
            )
    return accounts


def _when(rng: random.Random, start: datetime, days: int) -> datetime:
    """Office days and hours are busier, as they are for government accounts."""
    while True:
        day = rng.randrange(days)
        instant = start + timedelta(days=day, hours=rng.triangular(0, 24, 11) - 6, minutes=rng.random() * 60)
        if instant.weekday() < 5 or rng.random() < 0.35:
            return instant


def _ts(instant: datetime | None) -> str:
    return "\\N" if instant is None else instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def seed_messages(url: str, accounts: list[tuple[int, int, str]], total: int, days: int, now: datetime) -> int:
    """COPY conversations, messages and SLA rows; returns the number of messages written."""
    import psycopg

    rng = random.Random(2)
    start = now - timedelta(days=days)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    written, conversation_id, message_id = 0, 0, 0
    # A few busy accounts and many quiet ones; cumulative weights make each draw a bisection.
    cumulative = list(itertools.accumulate(rng.paretovariate(1.2) for _ in accounts))
    with psycopg.connect(dsn) as connection:
        while written < total:
            conversations, messages, slas = io.StringIO(), io.StringIO(), io.StringIO()
            chunk_end = min(total, written + 200_000)
            while written < chunk_end:
                agency_id, account_id, platform = rng.choices(accounts, cum_weights=cumulative)[0]
                conversation_id += 1
                first = _when(rng, start, days)
                asks = min(rng.choice((1, 1, 1, 2, 2, 3)), chunk_end - written)
                times = sorted(first + timedelta(minutes=rng.expovariate(1 / 90)) * (i > 0) for i in range(asks))
                answered = rng.random() < 0.7 and written + asks < chunk_end
                reply = times[0] + timedelta(minutes=rng.lognormvariate(5.0, 1.2)) if answered else None
                if reply is not None and reply > now:
                    reply = None
                for at in times:
                    message_id += 1
                    messages.write(
                        f"{message_id}\t{agency_id}\t{conversation_id}\t{account_id}\tin\t{platform}\tm{message_id}\t"
                        f"Citizen message {message_id}\t[]\t{_ts(at)}\t{_ts(at)}\treceived\n"
                    )
                    written += 1
                if reply is not None:
                    message_id += 1
                    messages.write(
                        f"{message_id}\t{agency_id}\t{conversation_id}\t{account_id}\tout\t{platform}\tm{message_id}\t"
                        f"Agency reply\t[]\t{_ts(reply)}\t{_ts(reply)}\tsent\n"
                    )
                    written += 1
                closed = reply is not None and rng.random() < 0.8
                status = "closed" if closed else "open"
                conversations.write(
                    f"{conversation_id}\t{agency_id}\t{account_id}\tcomment_thread\tt{conversation_id}\t{status}\t"
                    f"{_ts(times[-1])}\t{_ts(reply)}\t{_ts(first)}\t{_ts(reply or times[-1])}\n"
                )
                minutes = int((reply - times[0]).total_seconds() // 60) if reply else None
                target = 480
                breached = (minutes > target) if minutes is not None else ((now - first) > timedelta(days=2) or None)
                state = "\\N" if closed else ("breached" if breached else "on_track")
                shown_minutes = "\\N" if minutes is None else str(minutes)
                shown_breached = "t" if breached else ("f" if breached is False else "\\N")
                slas.write(
                    f"{conversation_id}\t{agency_id}\t{account_id}\t{status}\t{_ts(first)}\t{_ts(reply)}\t"
                    f"{shown_minutes}\t{target}\t{shown_breached}\t{state}\tf\t{1 if breached else 0}\t[]\n"
                )
            with connection.cursor() as cursor:
                with cursor.copy(
                    "COPY conversations (id, agency_id, account_id, kind, external_ref, status, "
                    "last_citizen_message_at, last_agency_message_at, created_at, updated_at) FROM STDIN"
                ) as copy:
                    copy.write(conversations.getvalue())
                with cursor.copy(
                    "COPY messages (id, agency_id, conversation_id, account_id, direction, platform, external_id, "
                    "text, attachments, created_at, received_at, state) FROM STDIN"
                ) as copy:
                    copy.write(messages.getvalue())
                with cursor.copy(
                    "COPY conversation_sla (conversation_id, agency_id, account_id, status, first_citizen_at, "
                    "first_response_at, first_response_minutes, first_response_target, first_response_breached, "
                    "state, paused, "
                    "breaches, notified) FROM STDIN"
                ) as copy:
                    copy.write(slas.getvalue())
            connection.commit()
            print(f"  seeded {written:,} messages", flush=True)
        with connection.cursor() as cursor:
            for table in ("conversations", "messages"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
            cursor.execute("ANALYZE")
        connection.commit()
    return written


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm caches once, as a serving process would be
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    args = parse()
    name = args.database or f"cl_bench_oversight_{uuid.uuid4().hex[:8]}"
    print(f"database {name}; load before starting: {os.getloadavg()}")
    url = use_database(name, create=args.database is None)
    try:
        run(args, url)
    finally:
        if args.keep or args.database:
            print(f"kept database {name}")
        else:
            drop_database(name)


def seed_and_rebuild(args: argparse.Namespace, url: str, now: datetime) -> None:
    """Seed the volume, then rebuild every pre-aggregated table from scratch, as after an upgrade."""
    from civicloop.config import get_settings
    from civicloop.db.session import session_scope
    from civicloop.oversight import aggregates, responses

    began = time.perf_counter()
    accounts = seed_registry(args.agencies)
    written = seed_messages(url, accounts, args.messages, args.days, now)
    seed_seconds = time.perf_counter() - began
    zone_name = get_settings().timezone
    began = time.perf_counter()
    with session_scope() as session:
        refreshed = aggregates.refresh(session, zone_name=zone_name, now=now)
    with session_scope() as session:
        rows = responses.rebuild_recent(session, zone_name=zone_name, now=now, days=args.days + 1)
    print(
        f"seeded {written:,} messages in {seed_seconds:.0f} s; full rebuild {time.perf_counter() - began:.0f} s "
        f"({refreshed.messages_read:,} read, {rows:,} response-days)"
    )


def check_counts() -> None:
    """Citizen messages counted straight from the messages, from the day table and from the month roll-up."""
    from sqlalchemy import text

    from civicloop.db.session import get_engine

    queries = {
        "direct": "SELECT count(*) FROM messages WHERE direction = 'in'",
        "account-days": "SELECT sum(messages_in) FROM oversight_account_days",
        "account-months": "SELECT sum(messages_in) FROM oversight_account_months",
        "responded, response-days": "SELECT sum(responded) FROM oversight_response_days",
        "responded, response-months": "SELECT sum(responded) FROM oversight_response_months",
        "account-day rows": "SELECT count(*) FROM oversight_account_days",
        "account-month rows": "SELECT count(*) FROM oversight_account_months",
    }
    with get_engine().connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
        found = {label: int(connection.execute(text(sql)).scalar() or 0) for label, sql in queries.items()}
    print("citizen messages " + ", ".join(f"{label} {n:,}" for label, n in found.items()))


def measure_pages(repeat: int, today: date) -> None:
    from fastapi.testclient import TestClient

    from civicloop.main import create_app

    client = TestClient(create_app())
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD, "csrf_token": token})
    year = f"start={(today - timedelta(days=364)).isoformat()}&end={today.isoformat()}"
    agency = client.get("/api/v1/agencies").json()[2]["id"]
    pages = [
        ("national dashboard, 30 days", "/oversight"),
        ("national dashboard, 365 days", f"/oversight?{year}"),
        ("agency scorecard, 30 days", f"/oversight/agencies/{agency}"),
        ("agency scorecard, 365 days", f"/oversight/agencies/{agency}?{year}"),
        ("public page, 90 days", "/transparency"),
        ("ranking as CSV, 365 days", f"/oversight?{year}&table=ranking&format=csv"),
        ("open data JSON, 365 days", f"/transparency/open-data.json?{year}"),
    ]
    print(f"load before measuring: {os.getloadavg()}")
    print(f"{'page':34} {'median ms':>10} {'max ms':>8}")
    for label, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        median_ms, worst = timed(lambda p=path: client.get(p), repeat)
        print(f"{label:34} {median_ms:10.0f} {worst:8.0f}")


def _add_messages(when: list[datetime]) -> None:
    """Citizen messages on the busiest account, one new conversation each, as channels or an import stores them."""
    from sqlalchemy import text

    from civicloop.db.session import session_scope

    batch = uuid.uuid4().hex[:8]
    with session_scope() as session:
        agency_id, account_id, platform = session.execute(
            text(
                "SELECT m.agency_id, m.account_id, m.platform FROM messages m "
                "GROUP BY m.agency_id, m.account_id, m.platform ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        for n, at in enumerate(when):
            conversation = session.execute(
                text(
                    "INSERT INTO conversations (agency_id, account_id, kind, external_ref, status, created_at, "
                    "updated_at) VALUES (:a, :c, 'comment_thread', :ref, 'open', :t, :t) RETURNING id"
                ),
                {"a": agency_id, "c": account_id, "ref": f"bench-{batch}-{n}", "t": at},
            ).scalar()
            session.execute(
                text(
                    "INSERT INTO messages (agency_id, conversation_id, account_id, direction, platform, external_id, "
                    "text, attachments, created_at, received_at, state) "
                    "VALUES (:a, :v, :c, 'in', :p, :ref, 'new message', '[]', :t, :t, 'received')"
                ),
                {"a": agency_id, "v": conversation, "c": account_id, "p": platform, "ref": f"m-{batch}-{n}", "t": at},
            )


def measure_refreshes(now: datetime, days: int) -> None:
    """The five-minute job after 500 live messages, and after an import of 500 old ones spread over the year."""
    from civicloop.config import get_settings
    from civicloop.db.session import session_scope
    from civicloop.oversight import aggregates, responses

    zone_name = get_settings().timezone
    rng = random.Random(3)
    cases = [
        ("500 new messages (the last hour)", [now - timedelta(minutes=rng.uniform(1, 60)) for _ in range(500)]),
        ("500 old messages imported (CSV)", [now - timedelta(days=rng.uniform(1, days)) for _ in range(500)]),
    ]
    for label, when in cases:
        _add_messages(when)
        began = time.perf_counter()
        with session_scope() as session:
            result = aggregates.refresh(session, zone_name=zone_name, now=now)
        counted = time.perf_counter()
        with session_scope() as session:
            responses.rebuild_recent(session, zone_name=zone_name, now=now)
        print(
            f"after {label}: message tables refreshed in {(counted - began) * 1000:.0f} ms "
            f"({result.messages_read} read, {result.days_rebuilt} agency-days recounted with their months); "
            f"response outcomes of the last {responses.RECENT_DAYS} days recounted in "
            f"{(time.perf_counter() - counted) * 1000:.0f} ms"
        )


def side_by_side(now: datetime, today: date, repeat: int) -> None:
    """Per-agency message counts over a year: from the messages, from the day table, with the month roll-up."""
    from sqlalchemy import text

    from civicloop.db.session import get_engine, session_scope
    from civicloop.oversight import activity
    from civicloop.oversight.periods import Period

    def query(sql: str, **params: object) -> Callable[[], None]:
        def run_it() -> None:
            with get_engine().connect() as connection:
                connection.execute(text(sql), params).all()

        return run_it

    def rolled_up() -> None:
        with session_scope() as session:
            activity.grouped(session, Period(today - timedelta(days=364), today), None, "agency_id")

    plain, _ = timed(
        query(
            "SELECT agency_id, count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out') "
            "FROM messages WHERE created_at >= :s GROUP BY agency_id",
            s=now - timedelta(days=365),
        ),
        3,
    )
    days, _ = timed(
        query(
            "SELECT agency_id, sum(messages_in), sum(messages_out), sum(conversations_new) "
            "FROM oversight_account_days WHERE day >= :s GROUP BY agency_id",
            s=today - timedelta(days=364),
        ),
        repeat,
    )
    months, _ = timed(rolled_up, repeat)
    print(
        f"per-agency counts over a year: plain query {plain:.0f} ms, account-days {days:.1f} ms "
        f"({plain / max(days, 0.01):.0f}x), months + edge days {months:.1f} ms "
        f"({days / max(months, 0.01):.1f}x faster than the days)"
    )


def run(args: argparse.Namespace, url: str) -> None:
    from civicloop.config import get_settings
    from civicloop.oversight.periods import local_today

    now = datetime.now(UTC)
    if args.database is None:
        seed_and_rebuild(args, url, now)
    check_counts()
    today = local_today(now, get_settings().timezone)
    measure_pages(args.repeat, today)
    measure_refreshes(now, args.days)
    check_counts()
    side_by_side(now, today, args.repeat)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
