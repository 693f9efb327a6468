"""``civicloop oversight``: refresh the pre-aggregated figures, evaluate alerts, export open data."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit

app = typer.Typer(help="Oversight: figures, alerts and open data.", no_args_is_help=True)


@app.command("refresh")
def refresh(
    rebuild_days: Annotated[
        int, typer.Option(min=0, max=3660, help="Also recount the last N days from scratch (0: only what is new)")
    ] = 0,
    json_out: JsonOption = False,
) -> None:
    """Bring the pre-aggregated tables up to date (the job does this every five minutes)."""
    from civicloop.config import get_settings
    from civicloop.db.session import session_scope
    from civicloop.kit.clock import utcnow
    from civicloop.oversight import aggregates, responses

    zone_name, now = get_settings().timezone, utcnow()
    with session_scope() as session:
        result = aggregates.refresh(session, zone_name=zone_name, now=now)
        days = result.days_rebuilt
        if rebuild_days:
            days += aggregates.rebuild_recent(session, zone_name=zone_name, now=now, days=rebuild_days)
        response_rows = responses.rebuild_recent(
            session, zone_name=zone_name, now=now, days=max(rebuild_days, responses.RECENT_DAYS)
        )
    emit(
        {"messages_read": result.messages_read, "agency_days_recounted": days, "response_rows": response_rows},
        json_out,
    )


@app.command("evaluate")
def evaluate(json_out: JsonOption = False) -> None:
    """Refresh, then run every alert rule once; prints the alerts raised (mailed if SMTP is set)."""
    from civicloop.db.session import session_scope
    from civicloop.oversight import tasks
    from civicloop.oversight.models import Alert

    new = tasks.refresh_and_evaluate()
    with session_scope() as session:
        rows = [session.get(Alert, alert_id) for alert_id in new]
        listed = [{"id": a.id, "kind": a.kind.value, "title": a.title, "detail": a.detail} for a in rows if a]
    if not listed and not json_out:
        console.print("No new alert.")
        return
    emit(listed, json_out, columns=["id", "kind", "title", "detail"])


@app.command("open-data")
def open_data(
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (default: 90 days ago)")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: today)")] = None,
    format_: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
) -> None:
    """Print the national open-data export (docs/open-data.md describes every field)."""
    from civicloop.db.session import session_scope
    from civicloop.errors import Invalid
    from civicloop.oversight import public
    from civicloop.oversight.report import dumps

    if format_ not in ("json", "csv"):
        raise Invalid("--format must be json or csv")
    with session_scope() as session:
        data = public.open_data(session, public.public_period(start, end))
    typer.echo(dumps(data) if format_ == "json" else public.open_data_csv(data), nl=False)
