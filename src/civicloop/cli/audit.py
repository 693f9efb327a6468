"""``civicloop audit``: prove the audit log was not altered."""

from __future__ import annotations

import typer

from civicloop.audit import service
from civicloop.cli._common import JsonOption, console, emit
from civicloop.db.session import session_scope

app = typer.Typer(help="Audit log: verify the hash chain.", no_args_is_help=True)


@app.command("verify")
def verify(json_out: JsonOption = False) -> None:
    """Check every entry's hash and link; exit 1 and name the first broken entry if any."""
    with session_scope() as session:
        result = service.verify(session)
    if json_out:
        emit({"ok": result.ok, "checked": result.checked, "broken_at": result.broken_at, "reason": result.reason}, True)
    elif result.ok:
        console.print(f"Audit log intact: {result.checked} entries verified.")
    else:
        console.print(
            f"[red]Audit log broken at entry {result.broken_at}[/red]: {result.reason} "
            f"({result.checked} entries before it are intact)."
        )
    if not result.ok:
        raise typer.Exit(1)
