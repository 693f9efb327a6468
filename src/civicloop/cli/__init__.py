"""The ``civicloop`` command. One module per noun; every command documented in docs/cli.md."""

from __future__ import annotations

import functools
import sys

import typer
import typer.main
from sqlalchemy.exc import OperationalError, ProgrammingError
from typer.core import TyperGroup

from civicloop.channels import registry as _platforms  # noqa: F401 - registers the platforms accounts can be on
from civicloop.cli import access as access_cli
from civicloop.cli import account, agency, audit, db, official, server, setup
from civicloop.cli import analyse as analyse_cli
from civicloop.cli import calendar as calendar_cli
from civicloop.cli import check as check_cli
from civicloop.cli import consultation as consultation_cli
from civicloop.cli import demo as demo_cli
from civicloop.cli import events as events_cli
from civicloop.cli import guidelines as guidelines_cli
from civicloop.cli import importer as importer_cli
from civicloop.cli import messages as messages_cli
from civicloop.cli import oversight as oversight_cli
from civicloop.cli import records as records_cli
from civicloop.cli import simulate as simulate_cli
from civicloop.cli import sla as sla_cli
from civicloop.cli._common import err_console, require_database
from civicloop.errors import AppError
from civicloop.guidelines import gate as _gate  # noqa: F401 - the before-send review commands that send rely on

app = typer.Typer(
    help="CivicLoop: listen to citizens on social media.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Commands that make the database, or that must answer without one (the proxy helper answers Squid), and
# those some of whose uses need none (`analyse --input`, `records verify`): these check for themselves.
NEEDS_NO_DATABASE = frozenset({"init", "demo", "db", "check", "squid-helper", "squid-config"})
CHECK_THEIR_OWN = frozenset({"analyse", "records"})


@app.callback()
def _require_database(ctx: typer.Context) -> None:
    """Refuse, with what to do, a command on a database without CivicLoop's tables, instead of creating one."""
    exempt = NEEDS_NO_DATABASE | CHECK_THEIR_OWN | {None}
    if ctx.invoked_subcommand in exempt or ctx.resilient_parsing or "--help" in sys.argv:
        return
    require_database()


app.command("init")(setup.init)
app.command("serve")(server.serve)
app.command("worker")(server.worker)
app.command("demo")(demo_cli.demo)
app.command("check")(check_cli.check)
app.command("analyse")(analyse_cli.analyse)
app.command("simulate")(simulate_cli.simulate)
app.add_typer(db.app, name="db")
app.add_typer(server.jobs_app, name="jobs")
app.add_typer(agency.app, name="agency")
app.add_typer(official.app, name="official")
app.add_typer(account.app, name="account")
app.add_typer(audit.app, name="audit")
app.add_typer(messages_cli.app, name="messages")
app.add_typer(events_cli.app, name="events")
app.add_typer(importer_cli.app, name="import")
app.add_typer(access_cli.app, name="access")
app.command("squid-helper")(access_cli.squid_helper)
app.command("squid-config")(access_cli.squid_config)
app.add_typer(consultation_cli.app, name="consultation")
app.add_typer(calendar_cli.app, name="calendar")
app.add_typer(sla_cli.app, name="sla")
app.add_typer(oversight_cli.app, name="oversight")
app.add_typer(guidelines_cli.app, name="guidelines")
app.add_typer(records_cli.app, name="records")


@functools.cache
def command() -> TyperGroup:
    """The command line's parser, built once per process: ``app()`` builds it afresh on every call, reading the
    signature of every command (tens of milliseconds), which a process calling ``main`` again and again (the tests)
    paid each time."""
    return typer.main.get_group(app)


def main() -> None:
    """Entry point: domain errors become one line on stderr and exit code 2, never a traceback."""
    try:
        command()()
    except AppError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        sys.exit(2)
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        err_console.print(
            f"[red]database error:[/red] {reason}. Is the database reachable and up to "
            "date? Run `civicloop db upgrade`.",
            highlight=False,
        )
        sys.exit(2)
