"""``civicloop official``: officials and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.auth import invitations, service
from civicloop.auth.schemas import OfficialPublic
from civicloop.cli._common import JsonOption, console, emit
from civicloop.db.session import session_scope
from civicloop.errors import NotFound

app = typer.Typer(
    help="Officials: add, invite, list, send a password reset link, reset a lost second factor.", no_args_is_help=True
)


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


def _hand_over(issued: invitations.Issued, email: str) -> None:
    if issued.emailed:
        console.print(
            f"A one-time link was emailed to {email}; it works until {issued.link.expires_at:%Y-%m-%d %H:%M} UTC."
        )
    else:
        console.print(
            f"SMTP is not configured (CIVICLOOP_SMTP_URL), so nothing was emailed. Give {email} this one-time link "
            f"(it works once, until {issued.link.expires_at:%Y-%m-%d %H:%M} UTC):\n{issued.url}",
            highlight=False,
            soft_wrap=True,
        )


@app.command("invite")
def invite(
    email: Annotated[str, typer.Argument(help="Work email, also the login")],
    name: Annotated[str, typer.Argument(help="Full name")],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="ROLE@AGENCY, repeatable (as for `official add`)"),
    ] = None,
) -> None:
    """Add an official without a password and send them a one-time link to set it (printed without SMTP)."""
    with session_scope() as session:
        _official, issued = invitations.invite(session, actor=None, email=email, name=name, roles=role or [])
    _hand_over(issued, email)


@app.command("reset-link")
def reset_link(email: Annotated[str, typer.Argument(help="The official's email")]) -> None:
    """Send (or, without SMTP, print) a one-time link for the official to set a new password."""
    with session_scope() as session:
        issued = invitations.request_reset(session, email=email)
        if issued is None:
            raise NotFound(f"no active official with email {email}")
    _hand_over(issued, email)
