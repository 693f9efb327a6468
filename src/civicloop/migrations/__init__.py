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


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def pending_heads(engine: Engine) -> set[str]:
    """The script heads the database has not reached yet (empty when up to date)."""
    script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    reached = {rev.revision for head in current for rev in script.iterate_revisions(head, "base")}
    return heads - reached
