"""Docs stay true: every CLI command and every setting is documented."""

from pathlib import Path

import typer.main

from civicloop.cli import app
from civicloop.config import Settings

DOCS = Path(__file__).parents[2] / "docs"


def _commands(group: typer.core.TyperGroup, prefix: str) -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, typer.core.TyperGroup):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_cli_command_has_a_section_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands(typer.main.get_command(app), "civicloop")  # type: ignore[arg-type]
    assert len(commands) >= 14
    missing = [c for c in commands if f"### `{c}" not in text]
    assert not missing, f"undocumented commands: {missing}"


def test_every_setting_is_in_docs_configuration() -> None:
    text = (DOCS / "configuration.md").read_text()
    missing = [f"CIVICLOOP_{name.upper()}" for name in Settings.model_fields if f"CIVICLOOP_{name.upper()}" not in text]
    assert not missing, f"undocumented settings: {missing}"
