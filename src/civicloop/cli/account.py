"""``civicloop account``: official accounts on each platform."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.agencies import service
from civicloop.agencies.schemas import AccountPublic
from civicloop.channels import registry
from civicloop.channels.connect import service as connections
from civicloop.channels.outbound.send import http_client
from civicloop.cli._common import JsonOption, emit
from civicloop.db.session import session_scope

ID_HELP = "The account's id on the platform: " + "; ".join(
    f"{s.label}: {s.external_id}" for s in registry.PLATFORMS.values()
)
app = typer.Typer(help="Official accounts: add and list.", no_args_is_help=True)


@app.command("add")
def add(
    agency: Annotated[str, typer.Option(help="Agency code")],
    platform: Annotated[str, typer.Option(help="The platform: " + ", ".join(registry.PLATFORMS))],
    external_id: Annotated[
        str,
        typer.Option(
            help="The account's id on the platform: "
            + "; ".join(f"{s.label}: {s.external_id}" for s in registry.PLATFORMS.values())
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name")],
    credential: Annotated[
        list[str] | None, typer.Option("--credential", help="KEY=VALUE, repeatable; see docs/channels/")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Register an official account with pasted credentials, once the platform has accepted them (the
    browser's "Connect …" does this by signing in instead); prints its webhook URL."""
    with session_scope() as session, http_client() as http:
        # Refused credentials raise with the platform's reason: the transaction rolls back, nothing is kept.
        account = connections.add_pasted(
            session,
            actor=None,
            agency=service.get_agency_by_code(session, agency),
            platform=service.parse_platform(platform),
            external_id=external_id,
            name=name,
            credentials=service.parse_credentials(credential or []),
            http=http,
        )
        result = AccountPublic.of(account)
    emit(result, json_out)


@app.command("list")
def list_(
    agency: Annotated[str | None, typer.Option(help="Only this agency's accounts")] = None,
    json_out: JsonOption = False,
) -> None:
    """List official accounts."""
    with session_scope() as session:
        agency_id = service.get_agency_by_code(session, agency).id if agency else None
        rows = [AccountPublic.of(a) for a in service.list_accounts(session, actor=None, agency_id=agency_id)]
    emit(rows, json_out, columns=["id", "agency_id", "platform", "external_id", "name", "status", "webhook_url"])
