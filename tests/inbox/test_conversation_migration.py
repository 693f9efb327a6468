"""Revision 0220 on a database made by the previous release: comment threads held every citizen under a post in
one conversation; after the upgrade each top-level comment is its own, and the SLA rows and oversight days are
recounted. On SQLite and on PostgreSQL, from an empty database migrated to the previous release's heads."""

from __future__ import annotations

import ast
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from civicloop import migrations
from civicloop.app.models import Base
from tests.conftest import BACKENDS, POSTGRES_SERVER_URL, unavailable, use_database

REVISION = "0220_conversations"
NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(days=3)
PAGE, POST = "104958162837", "104958162837_918273645512"


def previous_heads(url: str) -> list[str]:
    """The heads of the release before this revision (every head that does not build on it)."""
    script = ScriptDirectory.from_config(migrations.alembic_config(url))
    return [
        head
        for head in script.get_heads()
        if all(rev.revision != REVISION for rev in script.iterate_revisions(head, "base"))
    ]


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database of its own (this test builds the schema revision by revision)."""
    if request.param == "sqlite":
        folder = Path(tempfile.mkdtemp())
        url = f"sqlite:///{folder / 'old.db'}"
        use_database(url)
        yield url
        return
    admin = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"cl_old_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        unavailable("PostgreSQL is not running")
    url = make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    use_database(url)
    yield url
    from civicloop.db.session import reset_engine

    reset_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _filler(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.DateTime | sa.Date) or "DateTime" in type(kind).__name__:
        return NOW
    if isinstance(kind, sa.JSON) or "JSON" in type(kind).__name__:
        return {}
    if isinstance(kind, sa.LargeBinary):
        return b""
    return ""


class Old:
    """Rows written into the previous release's schema, as its code wrote them."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def add(self, table: str, **values: Any) -> int:
        # The application's tables, with only the columns given (or defaulted): the ones this revision adds
        # are left out, so the insert fits the previous release's schema.
        found = Base.metadata.tables[table]
        for column in found.columns:
            missing = column.name not in values and column.default is None and column.server_default is None
            if missing and not column.nullable and not column.primary_key:
                values[column.name] = _filler(column)
        if "id" not in found.c:
            self.connection.execute(found.insert().values(**values))
            return 0
        return int(self.connection.execute(found.insert().values(**values).returning(found.c.id)).scalar_one())

    def message(self, conversation: int, n: float, ext: str, direction: str, reply_to: str | None = None,
                contact: int | None = None, platform: str = "facebook", account: int = 0) -> int:  # fmt: skip
        return self.add(
            "messages", agency_id=self.agency, conversation_id=conversation, account_id=account or self.page,
            contact_id=contact, direction=direction, platform=platform, external_id=ext, text=f"text of {ext}",
            attachments=[], created_at=T0 + timedelta(hours=n), received_at=T0 + timedelta(hours=n),
            reply_to_external_id=reply_to, state="sent" if direction == "out" else "received",
        )  # fmt: skip


def test_the_upgrade_splits_each_thread_by_top_level_comment_and_recounts(fresh_url: str) -> None:
    for head in previous_heads(fresh_url):
        migrations.upgrade(fresh_url, head)
    engine = create_engine(fresh_url, poolclass=NullPool)
    with engine.begin() as connection:
        old = Old(connection)
        agency = old.agency = old.add("agencies", code="THROMDE", name="Thimphu Thromde", kind="thromde")
        page = old.page = old.add(
            "official_accounts", agency_id=agency, platform="facebook", external_id=PAGE, name="Page", app_key="a",
            status="active", credentials={},
        )  # fmt: skip
        x = old.add(
            "official_accounts", agency_id=agency, platform="x", external_id="1450", name="@T", app_key="b",
            status="active", credentials={},
        )  # fmt: skip
        people = {
            who: old.add("contacts", agency_id=agency, platform="facebook", platform_user_id=who, display_name=who)
            for who in ("karma", "pema", "ugyen", "dechen")
        }
        thread = old.add(
            "conversations", agency_id=agency, account_id=page, kind="comment_thread", external_ref=POST,
            subject="Norzin Lam lights", status="open", created_at=T0, updated_at=T0,
        )  # fmt: skip
        old.message(thread, 0, POST, "out")
        karma = old.message(thread, 1, "c-karma", "in", contact=people["karma"])
        old.message(thread, 2, "c-pema", "in", contact=people["pema"])
        old.message(thread, 3, "c-ugyen", "in", "c-karma", contact=people["ugyen"])
        old.message(thread, 4, "r-karma", "out", "c-karma")
        old.message(thread, 5, "c-dechen", "in", contact=people["dechen"])
        reply_row = old.add(
            "outbound_messages", agency_id=agency, account_id=page, conversation_id=thread, kind="reply",
            route="facebook_comment", text="text of r-karma", status="sent", idempotency_key="k-1",
            in_reply_to_message_id=karma, target="c-karma", external_id="r-karma", attempts=1,
        )  # fmt: skip
        # The previous release counted the whole post as answered by the one reply to Karma.
        old.add(
            "conversation_sla", conversation_id=thread, agency_id=agency, account_id=page, status="open",
            first_citizen_at=T0 + timedelta(hours=1), first_response_at=T0 + timedelta(hours=4),
            notified=[], breaches=0,
        )  # fmt: skip
        mention = old.add(
            "conversations", agency_id=agency, account_id=x, kind="comment_thread", external_ref="t-1",
            status="open", created_at=T0, updated_at=T0,
        )  # fmt: skip
        old.message(mention, 1, "t-1", "in", platform="x", account=x, contact=people["karma"])
        old.message(mention, 2, "t-2", "out", "t-1", platform="x", account=x)
        old.message(mention, 3, "t-3", "in", "t-2", platform="x", account=x, contact=people["karma"])
        old.add(
            "conversation_sla", conversation_id=mention, agency_id=agency, account_id=x, status="open",
            first_citizen_at=T0 + timedelta(hours=1), first_response_at=T0 + timedelta(hours=2),
            notified=[], breaches=0,
        )  # fmt: skip
    engine.dispose()

    # The revision alone (no later one, no recount): it splits and resets the clocks it invalidated, and
    # computes nothing with the application's rules.
    command.upgrade(migrations.alembic_config(fresh_url), REVISION)
    engine = create_engine(fresh_url, poolclass=NullPool)
    with engine.connect() as connection:
        split = connection.execute(
            text("SELECT m.external_id, c.external_ref, c.contact_id, c.status FROM messages m "
                 "JOIN conversations c ON c.id = m.conversation_id")
        ).all()  # fmt: skip
        assert {ext: (ref, contact, status) for ext, ref, contact, status in split} == {
            POST: (POST, None, "open"),
            "c-karma": ("c-karma", people["karma"], "open"),
            "c-ugyen": ("c-karma", people["karma"], "open"),
            "r-karma": ("c-karma", people["karma"], "open"),
            "c-pema": ("c-pema", people["pema"], "open"),
            "c-dechen": ("c-dechen", people["dechen"], "open"),
            "t-1": ("t-1", None, "open"),
            "t-2": ("t-1", None, "open"),
            "t-3": ("t-1", None, "open"),
        }
        clocks = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                text("SELECT c.external_ref, s.agency_id, s.account_id, s.status, s.breaches, s.evaluated_at, "
                     "s.first_citizen_at IS NULL, s.first_response_at IS NULL FROM conversation_sla s "
                     "JOIN conversations c ON c.id = s.conversation_id")
            )
        }  # fmt: skip
        fresh = (agency, page, "open", 0, None, True, True)
        assert clocks == {
            POST: fresh, "c-karma": fresh, "c-pema": fresh, "c-dechen": fresh,
            "t-1": (agency, x, "open", 0, None, False, False),  # not split: left as it was
        }  # fmt: skip
        assert connection.execute(text("SELECT count(*) FROM oversight_response_days")).scalar_one() == 0
    engine.dispose()

    migrations.upgrade(fresh_url)

    engine = create_engine(fresh_url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.id, c.external_ref, c.post_ref, m.external_id FROM conversations c "
                "JOIN messages m ON m.conversation_id = c.id ORDER BY m.created_at"
            )
        ).all()
        by_ref: dict[str, set[str]] = {}
        post_refs: dict[str, str | None] = {}
        ids: dict[str, int] = {}
        for cid, ref, post_ref, ext in rows:
            by_ref.setdefault(ref, set()).add(ext)
            post_refs[ref], ids[ref] = post_ref, cid
        assert by_ref == {
            POST: {POST},
            "c-karma": {"c-karma", "c-ugyen", "r-karma"},
            "c-pema": {"c-pema"},
            "c-dechen": {"c-dechen"},
            "t-1": {"t-1", "t-2", "t-3"},  # a citizen's own X post and the replies to it stay one
        }
        assert post_refs == {POST: POST, "c-karma": POST, "c-pema": POST, "c-dechen": POST, "t-1": None}
        moved = connection.execute(
            text("SELECT conversation_id FROM outbound_messages WHERE id = :i"), {"i": reply_row}
        )
        assert moved.scalar_one() == ids["c-karma"]
        sla = {
            cid: (first_at is not None, answered is not None)
            for cid, first_at, answered in connection.execute(
                text("SELECT conversation_id, first_citizen_at, first_response_at FROM conversation_sla")
            )
        }
        assert sla == {
            ids[POST]: (False, False),  # the post itself: nothing a citizen wrote
            ids["c-karma"]: (True, True),
            ids["c-pema"]: (True, False),
            ids["c-dechen"]: (True, False),
            ids["t-1"]: (True, True),  # not split: its row is left as it was
        }
        days = connection.execute(
            text("SELECT sum(conversations), sum(responded) FROM oversight_response_days WHERE agency_id = :a"),
            {"a": agency},
        ).one()
        assert tuple(days) == (4, 2)
        new = connection.execute(
            text("SELECT sum(conversations_new) FROM oversight_account_days WHERE account_id = :p"), {"p": page}
        ).scalar_one()
        assert new == 3
    engine.dispose()
    assert migrations.pending_heads(create_engine(fresh_url, poolclass=NullPool)) == set()


def test_the_revision_imports_nothing_of_the_application() -> None:
    """A revision must do tomorrow what it did when it shipped: it reads and writes through its own table
    snapshots, never through the application's models or rules, which change."""
    path = Path(migrations.HERE) / "versions" / f"{REVISION}.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert {name.split(".")[0] for name in imported} <= {"__future__", "collections", "typing", "alembic", "sqlalchemy"}


def test_the_split_of_a_telegram_group_is_one_conversation_per_citizen_as_ingestion_files_them() -> None:
    import importlib.util
    from types import SimpleNamespace as Row

    path = Path(migrations.HERE) / "versions" / f"{REVISION}.py"
    spec = importlib.util.spec_from_file_location("revision_0220", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    group = "-1001987654321"

    def row(n: int, contact: int | None, direction: str = "in", reply_to: str | None = None) -> Row:
        return Row(id=n, external_id=f"{group}:{n}", reply_to_external_id=reply_to, direction=direction,
                   platform="telegram", contact_id=contact, created_at=T0, )  # fmt: skip

    rows = [
        row(1, None, "out"),  # the bot's notice
        row(2, 10, reply_to=f"{group}:1"),  # Sonam answers the notice
        row(3, 11),  # Pema writes
        row(4, 10),  # Sonam again
        row(5, 12, reply_to=f"{group}:3"),  # Ugyen answers Pema: Pema's thread
        row(6, None, "out", reply_to=f"{group}:4"),  # the bot answers Sonam
    ]
    thread = revision.plan(Row(external_ref=group), rows, {10: "sonam", 11: "pema", 12: "ugyen"})
    groups = {key: sorted(r.id for r in found) for key, found in thread.groups.items()}
    assert groups == {revision.KEEP: [1], f"{group}/sonam": [2, 4, 6], f"{group}/pema": [3, 5]}
    assert thread.post_ref == group
