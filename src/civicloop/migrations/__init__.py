"""Alembic migrations, shipped inside the package so that ``pip install .`` can upgrade a database.

Each domain keeps its own branch of revisions (``branch_labels``) so domains can evolve independently;
``upgrade`` always goes to all heads.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

HERE = Path(__file__).parent


# Full-text search objects (revision 0230_inbox_search) that no model maps: FTS5 tables and their shadow
# tables on SQLite, generated ``search_vector`` columns and their GIN indexes on PostgreSQL.
SEARCH_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", "_search_vector")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: leave the search objects out of autogenerate and drift checks."""
    return not (name and (name == "search_vector" or name.endswith(SEARCH_SUFFIXES)))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Run the revisions up to ``revision``; at the heads, then recount what they left to the application
    (``recount``: a revision never calls the application's code itself)."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "heads":
        from civicloop.migrations import recount

        recount.pending(database_url)


def pending_heads(engine: Engine) -> set[str]:
    """The script heads the database has not reached yet (empty when up to date)."""
    script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    reached = {rev.revision for head in current for rev in script.iterate_revisions(head, "base")}
    return heads - reached
