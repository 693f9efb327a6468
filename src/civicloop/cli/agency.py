"""``civicloop agency``: the registry of agencies."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.agencies import service
from civicloop.agencies.schemas import AgencyPublic
from civicloop.cli._common import JsonOption, emit
from civicloop.db.session import session_scope

app = typer.Typer(help="Agencies: add and list.", no_args_is_help=True)


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. THROMDE")],
    name: Annotated[str, typer.Argument(help="Full name")],
    kind: Annotated[
        str, typer.Option(help="ministry, department, district, city, autonomous_body or national_oversight")
    ] = "department",
    parent: Annotated[str | None, typer.Option(help="Code of the parent agency")] = None,
    district: Annotated[str | None, typer.Option(help="District, for district administrations")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone if not the national one")] = None,
    json_out: JsonOption = False,
) -> None:
    """Register an agency."""
    with session_scope() as session:
        agency = service.create_agency(
            session,
            actor=None,
            code=code,
            name=name,
            kind=service.parse_kind(kind),
            parent_code=parent,
            district=district,
            timezone=timezone,
        )
        result = AgencyPublic.model_validate(agency)
    emit(result, json_out)


@app.command("list")
def list_(json_out: JsonOption = False) -> None:
    """List every agency."""
    with session_scope() as session:
        rows = [AgencyPublic.model_validate(a) for a in service.list_agencies(session, actor=None)]
    emit(rows, json_out, columns=["id", "code", "name", "kind", "district"])
