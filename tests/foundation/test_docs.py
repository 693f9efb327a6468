"""Docs stay true: every CLI command, every option of each, and every setting is documented."""

import re
from pathlib import Path

import typer
import typer.core

from civicloop import cli
from civicloop.config import Settings

DOCS = Path(__file__).parents[2] / "docs"


def _commands(group: typer.core.TyperGroup, prefix: str) -> dict[str, typer.core.TyperCommand]:
    """Every command under ``group``, asked for as the command line asks (the top level loads each when asked)."""
    found: dict[str, typer.core.TyperCommand] = {}
    context = typer.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, typer.core.TyperGroup):
            found |= _commands(command, f"{prefix} {name}")
        else:
            found[f"{prefix} {name}"] = command
    return found


def _cli_commands() -> dict[str, typer.core.TyperCommand]:
    return _commands(cli.command(), "civicloop")


def _section(text: str, command: str) -> str:
    """The command's sections of docs/cli.md (one per way of using it): each heading and the text up to
    the next heading."""
    return "".join(re.findall(rf"^### `{re.escape(command)}[ `].*?(?=^##)", text + "\n##", re.M | re.S))


def test_every_cli_command_has_a_section_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _cli_commands()
    assert len(commands) >= 14
    missing = [c for c in commands if not _section(text, c)]
    assert not missing, f"undocumented commands: {missing}"


def test_every_cli_option_is_in_its_commands_section() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [
        f"{name} {flag}"
        for name, command in _cli_commands().items()
        for param in command.params
        if param.param_type_name == "option"
        for flag in [*param.opts, *param.secondary_opts]
        if flag.startswith("--") and flag != "--help" and flag not in _section(text, name)
    ]
    assert not missing, f"options missing from their command's section in docs/cli.md: {missing}"


def test_every_setting_is_in_docs_configuration() -> None:
    text = (DOCS / "configuration.md").read_text()
    missing = [f"CIVICLOOP_{name.upper()}" for name in Settings.model_fields if f"CIVICLOOP_{name.upper()}" not in text]
    assert not missing, f"undocumented settings: {missing}"
