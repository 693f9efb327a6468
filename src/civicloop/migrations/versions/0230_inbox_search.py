"""inbox_search: full-text search over messages, contacts' names and handles, conversation subjects

PostgreSQL: a stored generated ``search_vector`` (tsvector, English stemming, Dzongkha split on the tsheg
and shad) on each table with a GIN index; the database keeps it in step on every insert and edit.
SQLite: FTS5 tables over the same columns (porter stemming on unicode61, tsheg and shad as separators),
external-content, kept in step by triggers. Plus an index on conversation references for exact lookups.
Models do not map these objects (``civicloop.migrations.include_name`` keeps them out of the drift check).

Revision ID: 0230_inbox_search
Revises:
Create Date: 2026-12-06 22:20:00
"""

# ruff: noqa: S608 - every name put into the SQL below is a constant of this file

from collections.abc import Sequence

from alembic import op

revision: str = "0230_inbox_search"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("inbox_search",)
depends_on: str | Sequence[str] | None = ("0100_channels",)

# (table, FTS columns, the text as one expression for PostgreSQL)
SEARCHED = [
    ("messages", ["text"], "coalesce(text, '')"),
    ("contacts", ["display_name", "handle"], "coalesce(display_name, '') || ' ' || coalesce(handle, '')"),
    ("conversations", ["subject"], "coalesce(subject, '')"),
]
TSHEG_SHAD = "་།"


def upgrade() -> None:
    op.create_index("ix_conversations_external_ref", "conversations", ["external_ref"])
    if op.get_bind().dialect.name == "postgresql":
        for table, _columns, expression in SEARCHED:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('english'::regconfig, translate({expression}, '{TSHEG_SHAD}', '  '))) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
        return
    for table, columns, _expression in SEARCHED:
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5({names}, content='{table}', content_rowid='id', "
            f"tokenize=\"porter unicode61 separators '{TSHEG_SHAD}'\")"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {table}_fts(rowid, {names}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {table}_fts({table}_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {names} ON {table} BEGIN "
            f"INSERT INTO {table}_fts({table}_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {table}_fts(rowid, {names}) VALUES (new.id, {new}); END"
        )
        op.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _columns, _expression in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
    else:
        for table, _columns, _expression in SEARCHED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{event}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    op.drop_index("ix_conversations_external_ref", table_name="conversations")
