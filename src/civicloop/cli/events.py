"""``civicloop events``: stored webhook events (the raw records every message was made from)."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, emit

app = typer.Typer(help="Raw webhook events as received.", no_args_is_help=True)


@app.command("replay")
def replay(
    event_id: Annotated[int, typer.Argument(help="The raw event's id")],
    json_out: JsonOption = False,
) -> None:
    """Process one stored event again (idempotent: nothing already recorded is duplicated)."""
    from civicloop.channels import ingest
    from civicloop.db.session import session_scope

    with session_scope() as session:
        result = ingest.process_event(session, event_id, replay=True)
    emit(
        {"event_id": result.event_id, "messages_created": result.messages_created, "error": result.error},
        json_out,
    )
