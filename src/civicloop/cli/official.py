"""``civicloop official``: officials and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.auth import service
from civicloop.auth.schemas import OfficialPublic
from civicloop.cli._common import JsonOption, console, emit
from civicloop.db.session import session_scope
from civicloop.errors import NotFound

app = typer.Typer(help="Officials: add, list, reset a lost second factor.", no_args_is_help=True)


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


@app.command("reset-two-factor")
def reset_two_factor(email: Annotated[str, typer.Argument(help="The official's email")]) -> None:
    """Remove an official's second factor (a lost phone); they set it up again at their next sign-in."""
    from sqlalchemy import select

    from civicloop.auth import totp
    from civicloop.auth.models import Official

    with session_scope() as session:
        official = session.scalar(select(Official).where(Official.email == email.strip().lower()))
        if official is None:
            raise NotFound(f"no official with email {email!r}")
        totp.reset(session, actor=None, official=official)
    console.print(f"Two-factor sign-in removed for {official.email}.")
