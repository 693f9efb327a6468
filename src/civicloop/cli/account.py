"""``civicloop account``: official accounts on each platform."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.agencies import service
from civicloop.agencies.schemas import AccountPublic
from civicloop.channels import registry
from civicloop.channels.connect import service as connections
from civicloop.channels.outbound.send import http_client
from civicloop.cli._common import JsonOption, emit, err_console, fail
from civicloop.db.session import session_scope

ID_HELP = "The account's id on the platform: " + "; ".join(
    f"{s.label}: {s.external_id}" for s in registry.PLATFORMS.values()
)
app = typer.Typer(help="Official accounts: add, list and reconcile.", no_args_is_help=True)


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


# Exit codes of ``account reconcile`` beyond the usual 2 for bad input (docs/cli.md).
EXIT_CREDENTIALS_REFUSED = 3
EXIT_PLATFORM_FAILED = 4


@app.command("reconcile")
def reconcile(
    account: Annotated[str, typer.Argument(help="CivicLoop's account id, or the account's id on the platform")],
    since: Annotated[
        str, typer.Option(help="Read back from this ISO 8601 time, e.g. 2026-12-01T00:00:00Z (no offset: UTC)")
    ],
    json_out: JsonOption = False,
) -> None:
    """Read the account's comments and messages since --since back from the platform; store what webhooks missed."""
    from civicloop.channels.reconcile import service as reconciliation

    with session_scope() as session, http_client() as http:
        found = reconciliation.find_account(session, account)
        outcome = reconciliation.reconcile_account(
            session, found, since=reconciliation.parse_since(since), http=http, trigger="cli"
        )
    emit(outcome.as_dict(), json_out, columns=["account_id", "platform", "since", "fetched", "recovered", "problem"])
    if not outcome.supported:
        err_console.print(
            f"note: the {registry.label(outcome.platform)} API cannot list what its webhooks push: "
            + "; ".join(outcome.gaps),
            highlight=False,
        )
    if outcome.problem:
        code = EXIT_CREDENTIALS_REFUSED if outcome.credentials_refused else EXIT_PLATFORM_FAILED
        raise fail(outcome.problem, code)
