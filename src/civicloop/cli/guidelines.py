"""``civicloop guidelines``: the parties and candidates the neutrality check recognises, and an
agency's own reference-number formats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit, fail
from civicloop.db.session import session_scope

if TYPE_CHECKING:
    from civicloop.guidelines.models import PoliticalParty

app = typer.Typer(help="Guidelines: parties, candidates, reference formats.", no_args_is_help=True)
party_app = typer.Typer(help="Registered parties, in every form they are written in.", no_args_is_help=True)
candidates_app = typer.Typer(help="Candidates of an election, imported from a CSV file.", no_args_is_help=True)
formats_app = typer.Typer(help="An agency's own reference-number formats.", no_args_is_help=True)
app.add_typer(party_app, name="party")
app.add_typer(candidates_app, name="candidates")
app.add_typer(formats_app, name="reference-format")

PARTY_COLUMNS = ["name", "abbreviation", "name_dz", "other_names", "slogans"]


@party_app.command("list")
def party_list(json_out: JsonOption = False) -> None:
    """List the parties the neutrality check recognises."""
    from civicloop.guidelines import politics

    with session_scope() as session:
        rows = [_party(p) for p in politics.list_parties(session)]
    emit(rows, json_out, columns=PARTY_COLUMNS)


@party_app.command("add")
def party_add(
    name: Annotated[str, typer.Argument(help="Full name, e.g. Druk Nyamrup Tshogpa")],
    abbreviation: Annotated[str, typer.Option(help="Abbreviation, matched only in capitals, e.g. DNT")] = "",
    dzongkha: Annotated[str, typer.Option("--dzongkha", help="Name in Dzongkha")] = "",
    other_name: Annotated[
        list[str] | None, typer.Option(help="Another spelling or short name (repeat the option for more)")
    ] = None,
    slogan: Annotated[list[str] | None, typer.Option(help="A campaign slogan or hashtag (repeatable)")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a party, or replace every form of the party with this name."""
    from civicloop.guidelines import politics

    with session_scope() as session:
        row = politics.save_party(
            session,
            actor=None,
            name=name,
            abbreviation=abbreviation,
            name_dz=dzongkha,
            other_names=other_name or [],
            slogans=slogan or [],
        )
        result = _party(row)
    emit(result, json_out, columns=PARTY_COLUMNS)


@party_app.command("remove")
def party_remove(name: Annotated[str, typer.Argument(help="The party's name or abbreviation")]) -> None:
    """Remove a party (one that was dissolved or deregistered)."""
    from civicloop.guidelines import politics

    with session_scope() as session:
        politics.remove_party(session, actor=None, name=name)
    console.print(f"Removed {name}.")


@candidates_app.command("import")
def candidates_import(
    file: Annotated[Path, typer.Argument(help="CSV in UTF-8 with a header: name, party, constituency, name_dz")],
    election: Annotated[int, typer.Option(help="Id of the election period (see the national settings page)")],
    json_out: JsonOption = False,
) -> None:
    """Replace an election's candidates with those in the file; nothing changes if any line is wrong."""
    from civicloop.guidelines import politics

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    with session_scope() as session:
        count = politics.import_candidates(session, actor=None, election_id=election, data=data)
    emit({"election": election, "candidates": count}, json_out)


@candidates_app.command("list")
def candidates_list(
    election: Annotated[int, typer.Option(help="Id of the election period")], json_out: JsonOption = False
) -> None:
    """List an election's candidates."""
    from civicloop.guidelines import politics

    with session_scope() as session:
        rows = [
            {"name": c.name, "name_dz": c.name_dz, "party": c.party, "constituency": c.constituency}
            for c in politics.list_candidates(session, election_id=election)
        ]
    emit(rows, json_out, columns=["name", "name_dz", "party", "constituency"])


@formats_app.command("add")
def format_add(
    agency: Annotated[str, typer.Argument(help="Agency code")],
    mask: Annotated[str, typer.Argument(help="# a digit, @ a letter, YYYY MM DD a date; e.g. BP-YYYY-######")],
) -> None:
    """Declare one of the agency's reference-number formats: a number that fits it is not a citizen ID."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.guidelines import service

    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id
        service.add_term(session, actor=None, lexicon=service.REFERENCE_FORMATS, term=mask, agency_id=agency_id)
    console.print(f"{agency} declared the reference format {mask}.")


@formats_app.command("remove")
def format_remove(
    agency: Annotated[str, typer.Argument(help="Agency code")],
    mask: Annotated[str, typer.Argument(help="The format as declared")],
) -> None:
    """Withdraw a declared reference-number format."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.guidelines import service

    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id
        service.remove_term(session, actor=None, lexicon=service.REFERENCE_FORMATS, term=mask, agency_id=agency_id)
    console.print(f"{agency} no longer declares {mask}.")


@formats_app.command("list")
def format_list(agency: Annotated[str, typer.Argument(help="Agency code")], json_out: JsonOption = False) -> None:
    """List the agency's declared reference-number formats."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.guidelines import service

    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id
        formats = service.context_for(session, agency_id).reference_formats
    emit([{"format": f} for f in formats], json_out, columns=["format"])


def _party(row: PoliticalParty) -> dict[str, object]:
    return {
        "name": row.name,
        "abbreviation": row.abbreviation,
        "name_dz": row.name_dz,
        "other_names": row.other_names.splitlines(),
        "slogans": row.slogans.splitlines(),
    }
