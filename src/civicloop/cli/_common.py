"""What every command shares: output for people (Rich tables) or scripts (--json), and errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

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
