"""``civicloop db``: schema migrations."""

from __future__ import annotations

import typer

from civicloop import migrations
from civicloop.cli._common import console
from civicloop.config import get_settings
from civicloop.db.session import get_engine

app = typer.Typer(help="Database schema: upgrade and status.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Bring the database schema up to date (creates the SQLite file if needed)."""
    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    console.print(f"Database is up to date: {get_engine().url.render_as_string(hide_password=True)}")


@app.command("status")
def status() -> None:
    """Say whether migrations are pending; exit 1 if they are."""
    pending = migrations.pending_heads(get_engine())
    if pending:
        console.print(f"Pending migrations ({', '.join(sorted(pending))}): run `civicloop db upgrade`.")
        raise typer.Exit(1)
    console.print("Database schema is up to date.")
