"""``civicloop import csv``: bring feedback gathered elsewhere into an agency's inbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit, err_console

app = typer.Typer(help="Import feedback gathered outside the platforms.", no_args_is_help=True)


@app.command("csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8, RFC 4180: commas, quoted fields may span lines)")],
    agency: Annotated[str, typer.Option(help="Agency code")],
    account: Annotated[
        str | None, typer.Option(help="Name of the agency's account to file it under (default: its web form)")
    ] = None,
    map_: Annotated[
        str | None,
        typer.Option("--map", help="Which columns hold what: text=COLUMN,author=COLUMN,created=COLUMN"),
    ] = None,
    guess_dialect: Annotated[
        bool,
        typer.Option("--guess-dialect", help="Guess the delimiter and quoting (semicolon, tab…) instead of RFC 4180"),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Import rows as messages; rejected rows are listed with their line numbers; importing again adds nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from civicloop.channels.csv.importer import import_csv as run_import
    from civicloop.channels.csv.importer import parse_map
    from civicloop.db.session import session_scope

    column_map = parse_map(map_)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, disable=json_out, transient=False) as bar, session_scope() as session:
        task = bar.add_task(f"Importing {file.name}", total=None)
        report = run_import(
            session,
            path=file,
            agency_code=agency,
            account_name=account,
            column_map=column_map,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            checkpoint=session.commit,
            guess_dialect=guess_dialect,
        )
    if json_out:
        emit(report.as_dict(), True)
        return
    if report.guessed:
        console.print(f"Guessed the CSV dialect: {report.guessed}.")
    console.print(
        f"{report.file}: {report.rows} rows read, [green]{report.added} added[/green], "
        f"{report.duplicates} already imported, [red]{len(report.rejected)} rejected[/red] "
        f"(agency {report.agency}, account {report.account!r})"
    )
    if report.rejected:
        emit([{"line": r.line, "reason": r.reason} for r in report.rejected], False, title="Rejected rows")
