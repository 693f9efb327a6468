"""``civicloop access``, ``civicloop squid-helper``, ``civicloop squid-config``: office access to social media."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit
from civicloop.config import get_settings
from civicloop.db.session import session_scope
from civicloop.errors import Invalid
from civicloop.kit.timezones import parse_instant

app = typer.Typer(help="Office access: policies, designations, checks, proxy logs, reports.", no_args_is_help=True)

AgencyOption = Annotated[str, typer.Option("--agency", help="Agency code (or 'national' for the national default)")]
CategoryOption = Annotated[str, typer.Option("--category", help="Category of sites, e.g. social")]


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(f"{what} must be a date like 2026-03-31, not {value!r}") from exc


@app.command("set")
def set_policy(
    agency: AgencyOption,
    category: CategoryOption = "social",
    office_hours: Annotated[
        str | None, typer.Option("--office-hours", help="all, designated or closed (staff allowed in office hours)")
    ] = None,
    allowance: Annotated[
        str | None, typer.Option("--allowance", help="Daily minutes for staff who are not designated, or 'unlimited'")
    ] = None,
    after_hours: Annotated[
        str | None, typer.Option("--after-hours", help="open or closed outside office hours")
    ] = None,
    effective: Annotated[str | None, typer.Option("--effective", help="First day it applies (default today)")] = None,
    signed_by: Annotated[
        str | None, typer.Option("--signed-by", help="Email of the agency head (national admin) who signs")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Sign an agency's policy for a category (options not given stay as they were)."""
    from sqlalchemy import select

    from civicloop.access import queries, service
    from civicloop.auth.models import Official

    with session_scope() as session:
        signer = None
        if signed_by is not None:
            signer = session.scalar(select(Official).where(Official.email == signed_by.strip().lower()))
            if signer is None:
                raise Invalid(f"no official with email {signed_by!r}")
        row = service.set_policy(
            session,
            actor=None,
            agency_id=queries.agency_for_code(session, agency),
            category=category,
            office_hours=service.parse_office_hours(office_hours) if office_hours is not None else service.KEEP,
            allowance_minutes=service.parse_allowance(allowance) if allowance is not None else service.KEEP,
            after_hours=service.parse_after_hours(after_hours) if after_hours is not None else service.KEEP,
            effective_from=_date(effective, "--effective") if effective else None,
            signed_by=signer,
        )
        result = {
            "agency": agency.upper(),
            "category": row.category,
            "office_hours": row.office_hours.value,
            "allowance_minutes": row.allowance_minutes,
            "after_hours": row.after_hours.value,
            "effective_from": row.effective_from.isoformat(),
            "signed_by": row.signed_by,
        }
    emit(result, json_out)


@app.command("designate")
def designate(
    login: Annotated[str, typer.Argument(help="Proxy login: an email, its local part, or a directory login")],
    agency: AgencyOption,
    category: CategoryOption = "social",
    until: Annotated[str | None, typer.Option("--until", help="Last day of the designation (default: no end)")] = None,
    json_out: JsonOption = False,
) -> None:
    """Designate a member of staff for a category (in office hours when the agency says designated)."""
    from civicloop.access import service
    from civicloop.agencies.service import get_agency_by_code

    with session_scope() as session:
        row = service.designate(
            session,
            actor=None,
            agency_id=get_agency_by_code(session, agency).id,
            login=login,
            category=category,
            until=_date(until, "--until") if until else None,
        )
        result = {"login": row.login, "category": row.category, "until": row.until.isoformat() if row.until else None}
    emit(result, json_out)


@app.command("undesignate")
def undesignate(login: str, agency: AgencyOption, category: CategoryOption = "social") -> None:
    """Remove a designation."""
    from sqlalchemy import select

    from civicloop.access import service
    from civicloop.access.models import AccessDesignation
    from civicloop.agencies.service import get_agency_by_code

    with session_scope() as session:
        row = session.scalar(
            select(AccessDesignation).where(
                AccessDesignation.agency_id == get_agency_by_code(session, agency).id,
                AccessDesignation.login == service.normalize_login(login),
                AccessDesignation.category == category,
            )
        )
        if row is None:
            raise Invalid(f"{login} is not designated for {category} at {agency.upper()}")
        service.undesignate(session, actor=None, designation_id=row.id)
    console.print(f"{login} is no longer designated for {category} at {agency.upper()}.")


@app.command("check")
def check(
    login: Annotated[str, typer.Argument(help="Proxy login")],
    host: Annotated[str, typer.Argument(help="Destination host, e.g. www.facebook.com")],
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 instant (default now; no offset = local)")] = None,
    json_out: JsonOption = False,
) -> None:
    """Would the proxy let LOGIN reach HOST (now, or at --at)? Prints the rule and the reason."""
    from civicloop.access import service
    from civicloop.kit.clock import utcnow

    instant = parse_instant(at, get_settings().timezone) if at else utcnow()
    with session_scope() as session:
        decision = service.check(session, actor=None, login=login, host=host, at=instant)
    if json_out:
        emit(decision.to_json(), True)
        return
    verdict = "[green]ALLOW[/green]" if decision.allow else "[red]DENY[/red]"
    console.print(f"{verdict} ({decision.rule}) {decision.reason}", highlight=False)


@app.command("import-log")
def import_log(
    files: Annotated[list[Path], typer.Argument(help="Squid access log file(s), native or CivicLoop format")],
    json_out: JsonOption = False,
) -> None:
    """Import what is new in Squid access logs (safe to repeat), then delete raw lines past retention."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from civicloop.access import logimport
    from civicloop.access.logimport import ImportResult
    from civicloop.kit.clock import utcnow

    results = []
    with (
        session_scope() as session,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=json_out,
            transient=False,
        ) as progress,
    ):
        for path in files:
            task = progress.add_task(path.name, total=path.stat().st_size if path.is_file() else None)

            def committed(result: ImportResult, task: TaskID = task) -> None:
                session.commit()  # each batch is kept even if a later one fails
                progress.update(task, completed=result.bytes_read)

            results.append(logimport.import_log(session, path=path, on_batch=committed))
        purged = logimport.purge(session, retention_days=get_settings().access_retention_days, now=utcnow())
    if json_out:
        emit({"files": [r.to_json() for r in results], "purged": purged}, True)
        return
    for r in results:
        console.print(
            f"{r.path}: {r.lines} new lines, {r.kept} kept for categorised sites, {r.uncategorised} other sites, "
            f"{r.anonymous} without a login, {r.malformed} malformed.",
            highlight=False,
        )
        for example in r.examples:
            console.print(f"  malformed {example}", highlight=False)
        if r.note:
            console.print(f"  note: {r.note}", highlight=False)
    if purged:
        console.print(f"Deleted {purged} raw lines older than {get_settings().access_retention_days} days.")


@app.command("raw-lines")
def raw_lines(
    since: Annotated[str, typer.Option("--since", help="First day, e.g. 2026-03-02")],
    until: Annotated[str | None, typer.Option("--until", help="Last day (default: the first day)")] = None,
    login: Annotated[str | None, typer.Option("--login", help="Only this login's lines")] = None,
) -> None:
    """Print the raw log lines kept for categorised sites (within the retention period)."""
    from datetime import datetime, time, timedelta

    from civicloop.access import logimport
    from civicloop.kit.timezones import zone

    tz = zone(get_settings().timezone)
    first = _date(since, "--since")
    last = _date(until, "--until") if until else first
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz) - timedelta(microseconds=1)
    with session_scope() as session:
        for line in logimport.raw_lines(session, since=start, until=end, login=login):
            typer.echo(line)


@app.command("import-directory")
def import_directory(
    file: Annotated[Path, typer.Argument(help="CSV with columns login,agency[,name]")],
    json_out: JsonOption = False,
) -> None:
    """Map proxy logins of staff without CivicLoop accounts to their agencies."""
    from civicloop.access import service

    with session_scope() as session:
        result = service.import_directory(session, actor=None, text=file.read_text(encoding="utf-8-sig"))
    emit(result.to_json(), json_out)


@app.command("report")
def report(
    agency: Annotated[str | None, typer.Option("--agency", help="Agency code (default: national report)")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks up to today")] = 8,
    json_out: JsonOption = False,
) -> None:
    """Minutes per category in and out of office hours, refusals by reason, people near their allowance."""
    from civicloop.access import queries, reports

    with session_scope() as session:
        data = reports.usage_report(
            session, actor=None, agency_id=queries.agency_for_code(session, agency or ""), weeks=weeks
        )
    if json_out:
        emit(data.to_json(), True)
        return
    console.print(f"Office access {data.start} – {data.end}: {data.agency.name if data.agency else 'all agencies'}")
    emit([c.__dict__ for c in data.categories], False, title="Minutes per category")
    emit([r.__dict__ for r in data.refusals], False, title="Refused requests by reason")
    if data.near_allowance:
        emit([n.__dict__ for n in data.near_allowance], False, title="Near their daily allowance")


@app.command("categories")
def categories(json_out: JsonOption = False) -> None:
    """List the categories of sites and their domains."""
    from civicloop.access.categories import all_categories

    with session_scope() as session:
        rows = [
            {
                "key": c.key,
                "name": c.name,
                "domains": list(c.domains),
                "platforms": list(c.platforms),
                "edited": c.edited,
            }
            for c in all_categories(session)
        ]
    emit(rows, json_out, columns=["key", "name", "platforms", "edited", "domains"])


def squid_helper(
    at: Annotated[str | None, typer.Option("--at", help="Fix the clock at this ISO 8601 instant (for tests)")] = None,
    channel_ids: Annotated[
        bool, typer.Option("--channel-ids/--no-channel-ids", help="Squid's concurrency= mode (channel id first)")
    ] = True,
) -> None:
    """Answer Squid's external ACL requests on stdin/stdout (Squid runs it; see squid-config)."""
    from civicloop.access.helper import run

    run(at, channel_ids=channel_ids)


def squid_config(
    block_page: Annotated[
        bool, typer.Option("--block-page", help="Print the block page template instead of the squid.conf fragment")
    ] = False,
    children_max: Annotated[int, typer.Option(help="Most helper processes")] = 4,
    concurrency: Annotated[int, typer.Option(help="Requests in flight per helper process")] = 64,
    queue_size: Annotated[int, typer.Option(help="Requests Squid may queue when every helper is busy")] = 1024,
    ttl: Annotated[int, typer.Option(help="Seconds Squid caches an answer (0 = ask every time)")] = 30,
    log_file: Annotated[str, typer.Option(help="Access log in CivicLoop's format")] = "/var/log/squid/civicloop.log",
    python: Annotated[
        str | None, typer.Option(help="Python that runs the helper as Squid's user (default: this one)")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Fix the helper's clock at this instant (tests only)")] = None,
) -> None:
    """Print the squid.conf fragment (or, with --block-page, the page shown when access is refused)."""
    from civicloop.access import squidconf

    if block_page:
        typer.echo(squidconf.BLOCK_PAGE, nl=False)
        return
    options = squidconf.SquidOptions(
        children_max=children_max,
        children_startup=1,
        concurrency=concurrency,
        queue_size=queue_size,
        ttl=ttl,
        log_file=log_file,
    )
    typer.echo(squidconf.fragment(get_settings(), options, python=python, at=at), nl=False)
