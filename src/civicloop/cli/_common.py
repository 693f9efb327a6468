"""What every command shares: output for people (Rich tables) or scripts (--json), and errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


def emit(
    data: BaseModel | Sequence[BaseModel] | dict[str, Any] | list[Any],
    json_out: bool,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> None:
    plain = _plain(data)
    if json_out:
        typer.echo(json.dumps(plain, ensure_ascii=False, indent=2, default=str))
        return
    rows = plain if isinstance(plain, list) else [plain]
    if not rows:
        console.print("(nothing)")
        return
    keys = list(columns or rows[0].keys())
    table = Table(title=title)
    for key in keys:
        table.add_column(key)
    for row in rows:
        table.add_row(*[_cell(row.get(key)) for key in keys])
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(code)


# Where `civicloop demo` puts its database (cli/demo.py), named when a command finds no database.
DEMO_DATABASE = Path("var/demo/civicloop.db")


def missing_database_message(database_url: str) -> str | None:
    """Why ``database_url`` holds no CivicLoop database (None when it does), and what to do instead.

    An SQLite file that does not exist is not created: connecting would leave an empty file behind and
    every later command would fail on it, far from the cause (the demo's database is elsewhere).
    """
    url = make_url(database_url)
    hint = "run `civicloop db upgrade` to create one here, or point CIVICLOOP_DATABASE_URL at an existing one"
    if DEMO_DATABASE.exists():
        hint += f" (the demo's: export CIVICLOOP_DATABASE_URL=sqlite:///{DEMO_DATABASE.resolve()})"
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:") or path.startswith("file:"):
            return None
        if not Path(path).exists():
            return f"there is no database at {path}; {hint}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            has_schema = inspect(connection).has_table("alembic_version")
    finally:
        engine.dispose()
    if not has_schema:
        return f"the database {url.render_as_string(hide_password=True)} has no CivicLoop tables; {hint}"
    return None


def require_database() -> None:
    """Stop a command that needs the database when there is none, saying what to do (exit 2)."""
    from civicloop.config import get_settings

    problem = missing_database_message(get_settings().resolved_database_url)
    if problem is not None:
        raise fail(problem)
