"""``civicloop official``: officials and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.auth import service
from civicloop.auth.schemas import OfficialPublic
from civicloop.cli._common import JsonOption, emit
from civicloop.db.session import session_scope

app = typer.Typer(help="Officials: add and list.", no_args_is_help=True)


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Work email, also the login")],
    name: Annotated[str, typer.Argument(help="Full name")],
    password: Annotated[str | None, typer.Option(help="Initial password (at least 10 characters)")] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="ROLE@AGENCY, repeatable: officer, agency_head, analyst, agency_admin, national_admin, auditor",
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Add an official, optionally with roles."""
    with session_scope() as session:
        official = service.create_official_with_roles(
            session, actor=None, email=email, name=name, password=password, roles=role or []
        )
        result = OfficialPublic.of(official)
    emit(result, json_out)


@app.command("list")
def list_(json_out: JsonOption = False) -> None:
    """List every official."""
    from sqlalchemy import select

    from civicloop.auth.models import Official

    with session_scope() as session:
        rows = [OfficialPublic.of(o) for o in session.scalars(select(Official).order_by(Official.email))]
    emit(rows, json_out, columns=["id", "email", "name", "active", "memberships"])
