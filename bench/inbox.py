"""Inbox, search and response metrics over 1,000,000 messages on PostgreSQL: server time, with and without indexes.

Seeds a fresh database (COPY) with ``--agencies`` agencies — the first, a city administration, gets a
third of the traffic — with four official accounts each, and ``--messages`` messages over a year:
conversations of one to eight messages alternating citizen and agency (one in five ends with the
citizen), on Facebook (comment threads and Messenger), X, WeChat and the web form; most answered
conversations closed, the rest open or waiting on the citizen, some assigned, tagged and linked to one
of the agency's two consultations; each with
its ``conversation_sla`` row (the SLA figures are drawn to look real, not computed by the engine:
the queries only read them).

Then, for an officer of the busiest agency, it runs the inbox's first page (``inbox.queries.
list_conversations``: the page, the total and the counts per filter, previews and tags) and the
agency's 30-day metrics per account (``inbox.metrics.response_metrics``, with the open backlog), a
national 30-day report per agency, and the inbox searched (``Filters(q=…)``: full-text, ranked, with
every count) for two words, a reference number, a Dzongkha syllable and a common word. Every SQL
statement they send is captured and re-run under
``EXPLAIN (ANALYZE)``: server time = planning + execution, summed over the statements, median of
``--repeat`` runs. The indexes the plans use are listed; then those indexes are dropped and the same
statements measured again (the baseline), and the ratio printed.

    .venv/bin/python bench/inbox.py                       # 1,000,000 messages (one run, ~3 minutes)
    .venv/bin/python bench/inbox.py --messages 100000     # a quick look
    .venv/bin/python bench/inbox.py --keep                # keep the database (its name is printed), then:
    .venv/bin/python bench/inbox.py --database cl_bench_inbox_… --sqlite var/bench/inbox-1m.db
                                                          # measure it again, and the search on a SQLite copy
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SERVER = os.environ.get("CIVICLOOP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # a Friday, 12:00 in Thimphu
PLATFORMS = ("facebook", "x", "wechat", "web")
# Citizen messages: a template with a place, so that a word search has realistic selectivity (one
# template and one place together: about 1 message in 400).
TEXTS = (
    "The streetlight near the school in {p} has been off for a week.",
    "When will the water supply in {p} be restored?",
    "Garbage has not been collected on our lane in {p} since Monday.",
    "Can the city bus to {p} run later in the evening?",
    "There is a deep pothole on the road below {p}.",
    "Thank you for fixing the footpath in {p} so quickly!",
    "How do I renew my building permit online? I live in {p}.",
    "The drain behind the vegetable market in {p} is blocked again.",
    "Stray dogs chase children on the way to school in {p}.",
    "The public toilet in {p} has had no water for days.",
    "{p} ལུ་ ཆུ་ མེད། ག་དུས་ ལེགས་བཅོས་ འབད་ནི་ཨིན།",
    "{p} ལམ་ ལུ་ གློག་ མེད།",
)
PLACES = (
    "Norzin Lam", "Changzamtog", "Upper Motithang", "Babesa", "Olakha", "Kawajangsa", "Chubachu", "Hejo",
    "Dechencholing", "Taba", "Langjophakha", "Zilukha", "Changangkha", "Simtokha", "Lungtenphu", "Jungshina",
    "Pamtsho", "Kabesa", "Serbithang", "Debsi", "Changjiji", "Chang Bangdu", "Yangchenphug", "Lower Motithang",
    "Kelki", "Dzong Lam", "Chorten Lam", "Samteling", "Begana", "Ramtokto",
)  # fmt: skip
REPLY = "Thank you for telling us. The team responsible has been informed and will update you here."
TAGS = ("streetlights", "water", "waste", "buses", "roads", "permits")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its name is printed)")
    parser.add_argument("--database", help="measure this database made by an earlier --keep run (no seeding)")
    parser.add_argument(
        "--sqlite",
        metavar="PATH",
        help="also time the search cases on SQLite: a copy of the PostgreSQL data in this file (made if missing:"
        " through the models, with the FTS5 triggers, which takes 10-20 minutes at a million messages)",
    )
    return parser.parse_args()


@contextmanager
def fresh_database(keep: bool) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from civicloop import migrations

    name = f"cl_bench_inbox_{uuid.uuid4().hex[:8]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    os.environ.update(
        CIVICLOOP_DATABASE_URL=url,
        CIVICLOOP_SECRET_KEY="bench-secret",  # noqa: S106 - a throw-away database
        CIVICLOOP_DATA_DIR=str(ROOT / "var" / "bench"),
    )
    migrations.upgrade(url)
    try:
        yield url
    finally:
        from civicloop.db.session import reset_engine

        reset_engine()
        if keep:
            print(f"kept database {name}")
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_registry(agencies: int) -> tuple[list[list[tuple[int, str]]], list[list[int]], int]:
    """Agencies with four accounts and four officials each; returns accounts and officials per agency,
    and the id of an officer of the busiest agency."""
    from civicloop.agencies import service as agencies_service
    from civicloop.agencies.models import AgencyKind, Platform
    from civicloop.auth.models import Membership, Official, Role
    from civicloop.db.session import session_scope

    accounts: list[list[tuple[int, str]]] = []
    officials: list[list[int]] = []
    credentials = {
        Platform.facebook: {"app_secret": "s", "verify_token": "v"},
        Platform.x: {"consumer_secret": "s"},
        Platform.wechat: {"app_id": "wx", "token": "t"},
        Platform.web: {},
    }
    with session_scope() as session:
        for n in range(agencies):
            agency = agencies_service.create_agency(
                session, actor=None, code=f"AG{n:03d}", name=f"Agency {n}", kind=AgencyKind.department
            )
            accounts.append(
                [
                    (
                        agencies_service.create_account(
                            session,
                            actor=None,
                            agency=agency,
                            platform=platform,
                            external_id=f"{platform.value}-{n}",
                            name=f"Agency {n} {platform.value}",
                            credentials=credentials[platform],
                        ).id,
                        platform.value,
                    )
                    for platform in credentials  # the four platforms the generator writes messages for
                ]
            )
            people = []
            for k in range(4):
                official = Official(email=f"officer{k}@ag{n:03d}.example", name=f"Officer {k} of {n}")
                session.add(official)
                session.flush()
                session.add(Membership(official_id=official.id, agency_id=agency.id, role=Role.officer))
                people.append(official.id)
            officials.append(people)
    return accounts, officials, officials[0][0]


def _ts(instant: datetime | None) -> str:
    return "\\N" if instant is None else instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _opt(value: object) -> str:
    return "\\N" if value is None else str(value)


class Writer:
    """Rows for each table, flushed with COPY in chunks (conversations before their messages)."""

    COLUMNS: ClassVar[dict[str, str]] = {
        "contacts": "id, agency_id, platform, platform_user_id, display_name, created_at",
        "conversations": "id, agency_id, account_id, contact_id, kind, external_ref, status, assignee_id, "
        "last_citizen_message_at, last_agency_message_at, created_at, updated_at",
        "messages": "agency_id, conversation_id, account_id, contact_id, direction, platform, external_id, text, "
        "attachments, created_at, received_at, state",
        "conversation_sla": "conversation_id, agency_id, account_id, assignee_id, status, first_citizen_at, "
        "first_response_at, first_response_minutes, first_response_target, first_response_breached, state, paused, "
        "response_kind, response_started_at, response_due_at, breaches, notified, seen_citizen_at, seen_agency_at",
        "conversation_tags": "conversation_id, tag_id",
        "consultation_conversations": "consultation_id, conversation_id, source, created_at",
    }

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.buffers = {table: io.StringIO() for table in self.COLUMNS}

    def row(self, table: str, *values: object) -> None:
        self.buffers[table].write("\t".join(str(v) for v in values) + "\n")

    def flush(self) -> None:
        with self.connection.cursor() as cursor:
            for table, columns in self.COLUMNS.items():
                data = self.buffers[table].getvalue()
                if data:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write(data)
                self.buffers[table] = io.StringIO()
        self.connection.commit()


def _seed_consultations(cursor: Any, agencies: int) -> dict[int, list[int]]:
    """Two open consultations per agency; their ids by agency id."""
    ids: dict[int, list[int]] = {}
    for agency_id in range(1, agencies + 1):
        for n in range(2):
            cursor.execute(
                "INSERT INTO consultations (agency_id, code, title, summary, body_markdown, body_html, kind, audience,"
                " audience_agency_ids, status, contact_name, contact_email, contact_phone, report_intro, decision,"
                " created_at, updated_at) VALUES (%s, %s, %s, '', '', '', 'consultation', 'citizens', '[]', 'open',"
                " '', '', '', '', '', now(), now()) RETURNING id",
                (agency_id, f"B{agency_id:03d}{n}", f"Consultation {n} of agency {agency_id}"),
            )
            row = cursor.fetchone()
            assert row is not None
            ids.setdefault(agency_id, []).append(row[0])
    return ids


def seed_messages(
    url: str, accounts: list[list[tuple[int, str]]], officials: list[list[int]], total: int
) -> dict[str, int]:
    import psycopg

    rng = random.Random(2026)
    weights = [len(accounts) / 2] + [1.0] * (len(accounts) - 1)  # the first agency has a third of it
    tag_ids = {}
    counts = {"messages": 0, "conversations": 0, "open": 0}
    contacts: dict[tuple[int, str, int], int] = {}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        with connection.cursor() as cursor:
            for agency_index in range(len(accounts)):
                for name in TAGS:
                    cursor.execute(
                        "INSERT INTO tags (agency_id, name) VALUES (%s, %s) RETURNING id", (agency_index + 1, name)
                    )
                    row = cursor.fetchone()
                    assert row is not None
                    tag_ids[(agency_index + 1, name)] = row[0]
            consultation_ids = _seed_consultations(cursor, len(accounts))
        writer = Writer(connection)
        conversation_id = 0
        while counts["messages"] < total:
            agency_index = rng.choices(range(len(accounts)), weights)[0]
            agency_id = agency_index + 1
            account_id, platform = rng.choices(accounts[agency_index], (5, 2, 2, 1))[0]
            kind = {"facebook": rng.choice(("comment_thread", "comment_thread", "direct")), "x": "comment_thread",
                    "wechat": "direct", "web": "form"}[platform]  # fmt: skip
            person = (agency_id, platform, rng.randrange(20_000))
            if person not in contacts:
                contacts[person] = len(contacts) + 1
                writer.row("contacts", contacts[person], agency_id, platform, f"u{person[2]}", f"Citizen {person[2]}",
                           _ts(NOW))  # fmt: skip
            contact_id = contacts[person]
            conversation_id += 1
            length = min(rng.choice((1, 2, 2, 2, 3, 4, 4, 4, 6, 8)), total - counts["messages"])
            at = NOW - timedelta(days=365 * rng.random() ** 1.3)
            times, last_in, last_out, first_out = [], None, None, None
            for position in range(length):
                at = min(at + timedelta(minutes=rng.lognormvariate(4.5, 1.4)) * (position > 0), NOW)
                times.append(at)
                direction = "in" if position % 2 == 0 else "out"
                if direction == "in":
                    last_in = at
                else:
                    last_out, first_out = at, first_out or at
                writer.row(
                    "messages", agency_id, conversation_id, account_id, contact_id if direction == "in" else "\\N",
                    direction, platform, f"m{conversation_id}-{position}",
                    rng.choice(TEXTS).format(p=rng.choice(PLACES)) if direction == "in" else REPLY, "[]",
                    _ts(at), _ts(at),
                    "received" if direction == "in" else "sent",
                )  # fmt: skip
            counts["messages"] += length
            counts["conversations"] += 1
            awaiting = last_in if last_out is None or (last_in and last_in > last_out) else None
            answered_long_ago = awaiting is None and NOW - times[-1] > timedelta(days=3)
            status = "closed" if answered_long_ago and rng.random() < 0.99 else rng.choice(("open", "open", "waiting"))
            if awaiting is not None and NOW - awaiting > timedelta(days=30) and rng.random() < 0.95:
                status = "closed"  # old unanswered ones are mostly closed as spam or duplicates
            counts["open"] += status != "closed"
            assignee = rng.choice(officials[agency_index]) if rng.random() < 0.4 else None
            writer.row(
                "conversations", conversation_id, agency_id, account_id,
                contact_id if kind != "comment_thread" else "\\N", kind, f"ref{conversation_id}", status,
                _opt(assignee), _ts(last_in), _ts(last_out), _ts(times[0]), _ts(times[-1]),
            )  # fmt: skip
            minutes = int(min((first_out - times[0]).total_seconds() / 60 * 0.35, 9_999)) if first_out else None
            breached = minutes > 480 if minutes is not None else (NOW - times[0] > timedelta(days=2) or None)
            running = status != "closed"
            state = "\\N"
            if running:
                waited = NOW - (awaiting or times[0])
                state = (
                    "breached"
                    if waited > timedelta(days=2)
                    else "at_risk"
                    if waited > timedelta(hours=9)
                    else "on_track"
                )
            writer.row(
                "conversation_sla", conversation_id, agency_id, account_id, _opt(assignee), status, _ts(times[0]),
                _ts(first_out), _opt(minutes), 480,
                {True: "t", False: "f", None: "\\N"}[breached], state, "t" if status == "waiting" else "f",
                ("first_response" if first_out is None else "next_response") if running and awaiting else "\\N",
                _ts(awaiting if running else None), _ts(awaiting + timedelta(days=1) if running and awaiting else None),
                int(bool(breached)), "[]", _ts(last_in), _ts(last_out),
            )  # fmt: skip
            if rng.random() < 0.3:
                writer.row("conversation_tags", conversation_id, tag_ids[(agency_id, rng.choice(TAGS))])
            if rng.random() < 0.05:
                consultation = rng.choice(consultation_ids[agency_id])
                writer.row("consultation_conversations", consultation, conversation_id, "reply", _ts(times[0]))
            if conversation_id % 50_000 == 0:
                writer.flush()
                print(f"  {counts['messages']:,} messages", flush=True)
        writer.flush()
        with connection.cursor() as cursor:
            for table in ("contacts", "conversations", "messages"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a settled database
    return counts


class Capture:
    """Every statement (with its parameters) a piece of code sends, to re-run under EXPLAIN."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    @contextmanager
    def recording(self, engine: Any) -> Iterator[None]:
        from sqlalchemy import event

        def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                self.statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", before)


def capture(work: Callable[[Any], object]) -> tuple[list[tuple[str, Any]], float]:
    """The statements ``work(session)`` sends, and its wall time in this process (ms)."""
    from civicloop.db.session import get_engine, session_scope

    recorder = Capture()
    with recorder.recording(get_engine()), session_scope() as session:
        started = time.perf_counter()
        work(session)
        elapsed = (time.perf_counter() - started) * 1000
    return recorder.statements, elapsed


def explain(statements: list[tuple[str, Any]]) -> tuple[float, set[str]]:
    """Server time (planning + execution, ms) summed over the statements, and the indexes used."""
    from civicloop.db.session import get_engine

    total, indexes = 0.0, set()
    with get_engine().connect() as connection:
        for statement, parameters in statements:
            raw = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar()
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            total += plan["Planning Time"] + plan["Execution Time"]
            stack = [plan["Plan"]]
            while stack:
                node = stack.pop()
                if "Index Name" in node:
                    indexes.add(node["Index Name"])
                stack.extend(node.get("Plans", []))
    return total, indexes


def measure(statements: list[tuple[str, Any]], repeat: int) -> tuple[float, set[str]]:
    runs = [explain(statements) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), set().union(*(r[1] for r in runs))


@contextmanager
def kept_database(name: str) -> Iterator[str]:
    from sqlalchemy.engine import make_url

    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    os.environ.update(
        CIVICLOOP_DATABASE_URL=url,
        CIVICLOOP_SECRET_KEY="bench-secret",  # noqa: S106 - a throw-away database
        CIVICLOOP_DATA_DIR=str(ROOT / "var" / "bench"),
    )
    # Later revisions only (not migrations.upgrade: its recount would evaluate every SLA row the bench
    # drew, which it wrote without evaluated_at).
    from alembic import command

    from civicloop import migrations

    command.upgrade(migrations.alembic_config(url), "heads")
    yield url


def main() -> None:
    args = parse()
    if args.database:
        with kept_database(args.database) as url:
            run(args, 1, url)
        return
    with fresh_database(args.keep) as url:
        started = time.perf_counter()
        accounts, officials, officer_id = seed_registry(args.agencies)
        counts = seed_messages(url, accounts, officials, args.messages)
        print(f"seeded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
        run(args, officer_id, url)


SQLITE_TABLES = ("agencies", "officials", "memberships", "official_accounts", "contacts", "conversations", "messages",
                 "conversation_sla", "tags", "conversation_tags")  # fmt: skip


def sqlite_copy(source: str, path: Path) -> str:
    """A migrated SQLite database holding the PostgreSQL bench data (made once: the FTS5 triggers index
    every message as it is inserted)."""
    from alembic import command
    from sqlalchemy import create_engine, select
    from sqlalchemy import text as sql

    from civicloop import migrations
    from civicloop.app.models import Base

    url = f"sqlite:///{path}"
    if path.exists():
        return url
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    command.upgrade(migrations.alembic_config(f"sqlite:///{partial}"), "heads")
    src, dst = create_engine(source), create_engine(f"sqlite:///{partial}")
    for name in SQLITE_TABLES:
        table = Base.metadata.tables[name]
        with src.connect() as reading, dst.begin() as writing:
            rows = reading.execution_options(stream_results=True, yield_per=20_000).execute(select(*table.columns))
            for part in rows.partitions(20_000):
                writing.execute(table.insert(), [dict(row._mapping) for row in part])
        print(f"  sqlite: {name} copied", flush=True)
    with dst.begin() as writing:
        writing.execute(sql("ANALYZE"))
    src.dispose()
    dst.dispose()
    partial.rename(path)
    return url


def sqlite_search(args: argparse.Namespace, officer_id: int, cases: dict[str, str], url: str) -> None:
    """Wall time in-process of the inbox searched, and of the search alone, on SQLite (median of --repeat)."""
    from civicloop.auth.models import Official
    from civicloop.auth.scope import Actor
    from civicloop.config import get_settings
    from civicloop.db.session import reset_engine, session_scope
    from civicloop.inbox import queries, search

    os.environ["CIVICLOOP_DATABASE_URL"] = sqlite_copy(url, Path(args.sqlite))
    get_settings.cache_clear()
    reset_engine()
    with session_scope() as session:
        official = session.get(Official, officer_id)
        assert official is not None
        actor = Actor.of(official)
    agency_ids = actor.agency_ids()

    def timed(work: Callable[[Any], object]) -> float:
        walls = []
        for _ in range(args.repeat + 1):
            with session_scope() as session:
                started = time.perf_counter()
                work(session)
                walls.append((time.perf_counter() - started) * 1000)
        return statistics.median(walls[1:])  # the first warms the page cache

    print("\n| query (SQLite) | search alone | inbox searched (page, total, counts) |")
    print("|---|---|---|")
    for name, q in cases.items():
        alone = timed(lambda session, q=q: search.best(session, q, agency_ids=agency_ids))
        page = timed(
            lambda session, q=q: queries.list_conversations(
                session, actor=actor, filters=queries.Filters(status="all", q=q)
            )
        )
        print(f"| {name} | {alone:.1f} ms | {page:.1f} ms |", flush=True)
    os.environ["CIVICLOOP_DATABASE_URL"] = url
    get_settings.cache_clear()
    reset_engine()


def run(args: argparse.Namespace, officer_id: int, url: str) -> None:
    from sqlalchemy import text

    from civicloop.auth.models import Official
    from civicloop.auth.scope import Actor
    from civicloop.db.session import get_engine, session_scope
    from civicloop.inbox import metrics, queries

    with session_scope() as session:
        official = session.get(Official, officer_id)
        assert official is not None
        actor = Actor.of(official)
    agency_id = next(iter(actor.roles))
    month = (NOW - timedelta(days=30), NOW)

    def inbox_page(session: Any) -> object:
        return queries.list_conversations(session, actor=actor, filters=queries.Filters())

    def agency_metrics(session: Any) -> object:
        scope = metrics.Scope({agency_id})
        return metrics.response_metrics(session, scope=scope, start=month[0], end=month[1], group_by="account", now=NOW)

    def national_metrics(session: Any) -> object:
        scope = metrics.Scope(None)
        return metrics.response_metrics(session, scope=scope, start=month[0], end=month[1], group_by="agency", now=NOW)

    def searching(q: str) -> Callable[[Any], object]:
        def inbox_search(session: Any) -> object:
            return queries.list_conversations(session, actor=actor, filters=queries.Filters(status="all", q=q))

        return inbox_search

    with session_scope() as session:
        last = "SELECT external_ref FROM conversations WHERE agency_id = :a ORDER BY id DESC LIMIT 1"
        reference = session.scalar(text(last), {"a": agency_id})
    cases = {"inbox first page": inbox_page, "agency metrics, 30 days": agency_metrics,
             "national metrics, 30 days": national_metrics,
             "inbox search, two words: streetlights Norzin": searching("streetlights Norzin"),
             f"inbox search, a reference: {reference}": searching(str(reference)),
             "inbox search, one Dzongkha syllable: གློག": searching("གློག"),
             "inbox search, one common word: water (1 citizen message in 6)": searching("water")}  # fmt: skip
    if args.sqlite:
        searched = {"two words": "streetlights Norzin", f"a reference: {reference}": str(reference),
                    "one Dzongkha syllable": "གློག", "one common word: water": "water"}  # fmt: skip
        sqlite_search(args, officer_id, searched, url)
    results: dict[str, dict[str, Any]] = {}
    for name, work in cases.items():
        work_statements, wall = capture(work)
        walls = [capture(work)[1] for _ in range(args.repeat)]
        server, indexes = measure(work_statements, args.repeat)
        results[name] = {"statements": work_statements, "server": server, "wall": statistics.median([wall, *walls]),
                         "indexes": indexes, "queries": len(work_statements)}  # fmt: skip
    used = set().union(*(r["indexes"] for r in results.values()))
    droppable = sorted(i for i in used if i.startswith("ix_"))
    with get_engine().begin() as connection:
        for index in droppable:
            connection.execute(text(f'DROP INDEX "{index}"'))
        connection.execute(text("ANALYZE"))
    for result in results.values():
        result["baseline"], _ = measure(result["statements"], args.repeat)
    print(
        "\n| query | SQL statements | server time | baseline without the ix_ indexes | ratio | wall time in-process |"
    )
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['queries']} | {r['server']:.1f} ms | {r['baseline']:.1f} ms | "
              f"{r['baseline'] / r['server']:.1f}× | {r['wall']:.1f} ms |")  # fmt: skip
    print("\nIndexes the plans used:")
    for name, r in results.items():
        print(f"- {name}: {', '.join(sorted(r['indexes'])) or 'none'}")


if __name__ == "__main__":
    main()
