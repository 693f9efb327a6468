"""``civicloop messages``: the normalized messages of an agency, for people and scripts."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, emit

app = typer.Typer(help="Messages received and sent on every channel.", no_args_is_help=True)

FIELDS = ["id", "platform", "external_id", "direction", "contact", "text", "created_at", "conversation_id", "state"]


@app.command("list")
def list_(
    agency: Annotated[str, typer.Option(help="Agency code")],
    since: Annotated[
        str | None,
        typer.Option(help="Only messages created at or after this ISO 8601 instant (local time if no offset)"),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, oldest first")] = 1000,
    json_out: JsonOption = False,
) -> None:
    """List an agency's messages, oldest first."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.channels import queries
    from civicloop.channels.schemas import MessagePublic
    from civicloop.config import get_settings
    from civicloop.db.session import session_scope
    from civicloop.kit.timezones import parse_instant

    with session_scope() as session:
        found = get_agency_by_code(session, agency)
        rows = queries.list_messages(
            session,
            actor=None,
            agency_id=found.id,
            since=parse_instant(since, get_settings().timezone) if since else None,
            limit=limit,
        )
        contacts = queries.contacts_by_id(session, {m.contact_id for m in rows if m.contact_id is not None})
        plain = [MessagePublic.of(m, contacts).model_dump(mode="json", include=set(FIELDS)) for m in rows]
    emit([{key: row[key] for key in FIELDS} for row in plain], json_out, columns=FIELDS)
