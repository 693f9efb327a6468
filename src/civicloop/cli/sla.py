"""``civicloop sla``: check an office-time number, read or set response targets."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit

app = typer.Typer(help="Response targets (SLA): explain a number, show or set targets.", no_args_is_help=True)


@app.command("explain")
def explain(
    agency: Annotated[str, typer.Option(help="Agency code")],
    received: Annotated[str, typer.Option(help="When the message arrived (ISO 8601; no offset = agency's zone)")],
    responded: Annotated[str, typer.Option(help="When it was answered (ISO 8601; no offset = agency's zone)")],
    next_response: Annotated[
        bool, typer.Option("--next", help="Measure against the next-response target instead of the first")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Office time between a message and its response, the intervals counted, and the target state."""
    from civicloop.db.session import session_scope
    from civicloop.sla import service
    from civicloop.sla.engine import STATE_LABELS, ClockKind, SlaState

    kind = ClockKind.next_response if next_response else ClockKind.first_response
    with session_scope() as session:
        result = service.explain(session, agency_code=agency, received=received, responded=responded, kind=kind)
        data = result.to_json()
        name = result.agency.name
    if json_out:
        emit(data, True)
        return
    target = data["target"]
    console.print(f"{name} ({data['agency']}), times in {data['timezone']}", markup=False)
    console.print(f"Received   {_short(data['received'])}; the clock starts {_short(data['clock_starts'])}")
    console.print(f"Responded  {_short(data['responded'])}")
    console.print("Office time counted:")
    for interval in data["intervals"] or []:
        console.print(f"  {_short(interval['start'])} – {_short(interval['end'])[11:]}  {interval['minutes']:g} min")
    if not data["intervals"]:
        console.print("  none (the office was closed all along)")
    for closure in data["closures"]:
        hours = f" ({closure['hours']})" if closure["hours"] else ""
        console.print(f"  closed {closure['date']}{hours}: {closure['name']} ({closure['source']})", markup=False)
    console.print(f"Office time: [bold]{data['office_minutes']} minutes[/bold]")
    console.print(
        f"Target ({target['kind'].replace('_', ' ')}, {target['source']}): {target['minutes']} minutes, "
        f"due {_short(target['due'])} → [bold]{STATE_LABELS[SlaState(target['state'])]}[/bold] "
        f"({target['used_percent']}% used)",
        highlight=False,
    )


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "—"


@app.command("targets")
def targets(
    agency: Annotated[str | None, typer.Option(help="Agency code; omit for the national default")] = None,
    first: Annotated[int | None, typer.Option(help="First-response target, office minutes")] = None,
    next_: Annotated[int | None, typer.Option("--next", help="Next-response target, office minutes")] = None,
    resolution: Annotated[int | None, typer.Option(help="Resolution target, office minutes")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Drop the agency's own targets")] = False,
    json_out: JsonOption = False,
) -> None:
    """Show the targets in force; with --first/--next/--resolution, set them (all three together)."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.db.session import session_scope
    from civicloop.errors import Invalid
    from civicloop.sla import queries, service

    given = [value for value in (first, next_, resolution) if value is not None]
    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id if agency else None
        if clear:
            if agency_id is None:
                raise Invalid("--clear needs --agency: the national default cannot be dropped")
            result = service.clear_agency_targets(session, actor=None, agency_id=agency_id)
        elif given:
            if len(given) != 3:
                raise Invalid("give --first, --next and --resolution together")
            assert first is not None and next_ is not None and resolution is not None
            result = service.set_targets(
                session,
                actor=None,
                agency_id=agency_id,
                first_response=first,
                next_response=next_,
                resolution=resolution,
            )
        else:
            result = queries.targets_for(session, agency_id)
    emit({"agency": agency.upper() if agency else None, **result.to_json()}, json_out)
