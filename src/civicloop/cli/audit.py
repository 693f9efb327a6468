"""``civicloop audit``: prove the audit log was not altered, and anchor it with signed checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicloop.audit import checkpoints, service
from civicloop.cli._common import JsonOption, console, emit
from civicloop.db.session import session_scope

app = typer.Typer(help="Audit log: verify the hash chain, write signed checkpoints.", no_args_is_help=True)

CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        help="A checkpoints.jsonl to check against (e.g. downloaded from /transparency/audit-checkpoints.jsonl); "
        "default: the deployment's own",
    ),
]
PublicKeyOption = Annotated[
    Path | None,
    typer.Option("--public-key", help="PEM public key the checkpoints must be signed with; default: the deployment's"),
]


@app.command("verify")
def verify(
    json_out: JsonOption = False, checkpoints_file: CheckpointsOption = None, public_key: PublicKeyOption = None
) -> None:
    """Check every entry's hash and link, and every signed checkpoint; exit 1 and name the first broken entry."""
    try:
        anchors = checkpoints.anchors(checkpoints_file, public_key)
    except checkpoints.CheckpointError as exc:
        if json_out:
            emit({"ok": False, "checked": 0, "broken_at": None, "reason": str(exc), "checkpoints": 0}, True)
        else:
            console.print(f"[red]Audit checkpoints unusable[/red]: {exc}")
        raise typer.Exit(1) from None
    with session_scope() as session:
        result = service.verify(session, anchors=anchors)
    if json_out:
        emit(
            {
                "ok": result.ok,
                "checked": result.checked,
                "broken_at": result.broken_at,
                "reason": result.reason,
                "checkpoints": len(anchors),
            },
            True,
        )
    elif result.ok:
        anchored = f", agreeing with {len(anchors)} signed checkpoint(s)" if anchors else ", no signed checkpoint yet"
        console.print(f"Audit log intact: {result.checked} entries verified{anchored}.")
    else:
        console.print(
            f"[red]Audit log broken at entry {result.broken_at}[/red]: {result.reason} "
            f"({result.checked} entries before it are intact)."
        )
    if not result.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint() -> None:
    """Sign the chain's head now and append it to the checkpoint file (the worker does so every 5 minutes)."""
    with session_scope() as session:
        written = checkpoints.write(session)
    if written is None:
        console.print("No new entry since the last checkpoint: nothing written.")
    else:
        console.print(f"Checkpoint written: entry {written.seq}, hash {written.hash[:16]}…, key {written.key_id}.")
