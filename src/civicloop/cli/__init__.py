"""The ``civicloop`` command. One module per noun; every command documented in docs/cli.md."""

from __future__ import annotations

import difflib
import functools
import importlib
import sys
from typing import Any

import typer
import typer.main
from sqlalchemy.exc import OperationalError, ProgrammingError
from typer.core import TyperCommand, TyperGroup

from civicloop.cli._common import err_console, require_database
from civicloop.errors import AppError

# Each command and the module (under ``civicloop.cli``) and name it lives at: a command's module is imported when
# the command runs (or when help lists them all), so that a command does not wait for every other one to load
# (``civicloop squid-helper``, which Squid starts whenever it needs another helper, answered its first request
# 0.4 s later when every command was imported first).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("setup", "init"),
    "serve": ("server", "serve"),
    "worker": ("server", "worker"),
    "demo": ("demo", "demo"),
    "check": ("check", "check"),
    "analyse": ("analyse", "analyse"),
    "simulate": ("simulate", "simulate"),
    "squid-helper": ("access", "squid_helper"),
    "squid-config": ("access", "squid_config"),
    "db": ("db", "app"),
    "jobs": ("server", "jobs_app"),
    "agency": ("agency", "app"),
    "official": ("official", "app"),
    "account": ("account", "app"),
    "audit": ("audit", "app"),
    "messages": ("messages", "app"),
    "events": ("events", "app"),
    "import": ("importer", "app"),
    "access": ("access", "app"),
    "consultation": ("consultation", "app"),
    "calendar": ("calendar", "app"),
    "sla": ("sla", "app"),
    "oversight": ("oversight", "app"),
    "guidelines": ("guidelines", "app"),
    "records": ("records", "app"),
}
# Squid's side (the helper Squid starts, the configuration that tells Squid how) sends nothing: it does without the
# before-send review.
SQUID_SIDE = frozenset({"squid-helper", "squid-config"})


@functools.cache
def _load(name: str) -> TyperCommand | TyperGroup:
    """The command ``name``, its module imported: after the platforms (which accounts can be on) and, but for Squid's
    side, the before-send review (which every command that sends relies on), as every entry point registers them."""
    importlib.import_module("civicloop.channels.registry")
    if name not in SQUID_SIDE:
        importlib.import_module("civicloop.guidelines.gate")
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(f"civicloop.cli.{module}"), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    command = typer.main.get_command(single)
    assert isinstance(command, TyperCommand)
    return command


class _Commands(TyperGroup):
    """The top-level commands, each loaded when it is asked for (``COMMANDS``)."""

    def list_commands(self, ctx: object) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: object, cmd_name: str) -> TyperCommand | TyperGroup | None:
        return _load(cmd_name) if cmd_name in COMMANDS else None

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """As typer resolves it, its "Did you mean" drawn from every command's name (typer's own reads the commands
        loaded so far, none before one is asked for)."""
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            close = difflib.get_close_matches(args[0], list(COMMANDS))
            if close:
                ctx.fail(f"No such command {args[0]!r}. Did you mean {', '.join(repr(name) for name in close)}?")
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_Commands,
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
