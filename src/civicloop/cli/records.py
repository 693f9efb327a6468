"""``civicloop records``: the retention schedule, legal holds, disposal, and records-request bundles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from civicloop.audit.checkpoints import CheckpointError, load_public_key
from civicloop.cli._common import JsonOption, console, emit, err_console, fail, require_database
from civicloop.db.session import session_scope
from civicloop.records import bundle, export, queries, service

app = typer.Typer(
    help="Records: retention schedule, legal holds, disposal, records-request exports.", no_args_is_help=True
)
hold_app = typer.Typer(help="Legal holds: records under a hold are never disposed of.", no_args_is_help=True)
app.add_typer(hold_app, name="hold")


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"{option} must be an ISO 8601 date or time (2026-01-31 or 2026-01-31T09:00+06:00), not {value!r}"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


SinceOption = Annotated[str | None, typer.Option("--since", help="From this ISO 8601 date or time")]
UntilOption = Annotated[str | None, typer.Option("--until", help="Up to this ISO 8601 date or time")]


@app.command("export")
def export_(
    agency: Annotated[str, typer.Option("--agency", help="Agency code")],
    out: Annotated[Path, typer.Option("--out", help="The bundle to write (FILE.zip)")],
    since: SinceOption = None,
    until: UntilOption = None,
    account: Annotated[int | None, typer.Option("--account", help="Only this account (its id)")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Only conversations with these words")] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="A citizen's request: redact third parties' personal data in transcripts")
    ] = False,
    requester: Annotated[
        int | None, typer.Option("--requester", help="With --redact: the requesting citizen's contact id")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write a signed bundle of an agency's records: messages as received, edits, replies, raw payloads,
    transcripts (HTML and PDF) and a manifest of SHA-256 hashes signed with the deployment's key."""
    require_database()
    if out.suffix.lower() != ".zip":
        raise fail("--out must name a .zip file")
    if out.exists():
        raise fail(f"{out} exists already: choose another file (a bundle is never overwritten)")
    criteria = export.Criteria(
        agency_code=agency,
        since=_when(since, "--since"),
        until=_when(until, "--until"),
        account_id=account,
        search=search,
        redact=redact,
        requester_contact_id=requester,
    )
    progress = None if json_out else (lambda message: err_console.print(f"… {message}", highlight=False))
    with session_scope() as session:
        summary = export.export_to_file(session, criteria, out, progress)
    if json_out:
        emit({"file": str(out), **summary.__dict__}, True)
    else:
        console.print(
            f"Wrote {out}: {summary.conversations} conversations, {summary.messages} messages, {summary.outbound} "
            f"replies and posts, {summary.raw_payloads} raw payloads, {summary.transcripts} transcripts; "
            f"{summary.files} files signed with key {summary.key_id}."
        )


@app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="The bundle (FILE.zip)")],
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="PEM public key the bundle must be signed with")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Check a bundle offline: the signature over its manifest, and every file's SHA-256; exit 1 naming
    each file that was changed, added or removed."""
    if not file.exists():
        raise fail(f"{file}: no such file")
    expected = None
    if public_key is not None:
        try:
            expected = load_public_key(public_key.read_bytes())
        except (OSError, CheckpointError) as exc:
            raise fail(f"--public-key: {exc}") from None
    verdict = bundle.verify(file, expected)
    if json_out:
        emit({"ok": verdict.ok, "files": verdict.files, "key_id": verdict.key_id, "problems": verdict.problems}, True)
    elif verdict.ok:
        console.print(f"Bundle intact: {verdict.files} files match the manifest signed by key {verdict.key_id}.")
    else:
        console.print(f"[red]Bundle NOT intact[/red] ({len(verdict.problems)} problem(s)):", highlight=False)
        for problem in verdict.problems:
            console.print(f"  {problem}", highlight=False, markup=False)
    if not verdict.ok:
        raise typer.Exit(1)


@app.command("schedule")
def schedule(json_out: JsonOption = False) -> None:
    """The retention period of each record class and its legal basis."""
    require_database()
    with session_scope() as session:
        rules = queries.rules(session)
        rows = [
            {"class": key, "days": rule.days if rule.days is not None else "permanent", "legal_basis": rule.legal_basis}
            for key, rule in rules.items()
        ]
    emit(rows, json_out, title="Retention schedule")


@app.command("retain")
def retain(
    record_class: Annotated[str, typer.Argument(help="The record class (see `records schedule`)")],
    basis: Annotated[str, typer.Option("--basis", help="The law, schedule item or decision that sets the period")],
    days: Annotated[int | None, typer.Option("--days", help="Keep this many days")] = None,
    permanent: Annotated[bool, typer.Option("--permanent", help="Keep permanently")] = False,
) -> None:
    """Set how long a record class is kept (national decision)."""
    require_database()
    if (days is None) == (not permanent):
        raise fail("give either --days N or --permanent")
    with session_scope() as session:
        rule = service.set_rule(session, None, record_class, days, basis)
        kept = f"{rule.days} days" if rule.days is not None else "permanently"
    console.print(f"{record_class} kept {kept} ({basis}).")


@app.command("dispose")
def dispose(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go; remove nothing")] = False,
    json_out: JsonOption = False,
) -> None:
    """Remove what the schedule says has expired and no hold keeps (the worker does so every night)."""
    require_database()
    with session_scope() as session:
        run = service.dispose(session, dry_run=dry_run)
        report, run_id = run.report, run.id
    if json_out:
        emit({"run": run_id, "dry_run": dry_run, "report": report}, True)
        return
    rows = [
        {
            "class": key,
            "cutoff": part["cutoff"][:10],
            "disposed": part["disposed"],
            "kept on hold": part["kept_on_hold"],
        }
        for key, part in report.items()
    ]
    emit(rows, False, title="Would dispose of (dry run)" if dry_run else f"Disposal run {run_id}")


@hold_app.command("place")
def hold_place(
    reason: Annotated[str, typer.Option("--reason", help="The case, request or audit the records are held for")],
    agency: Annotated[str | None, typer.Option("--agency", help="Agency code (none: every agency)")] = None,
    account: Annotated[int | None, typer.Option("--account", help="Only this account (its id)")] = None,
    conversation: Annotated[int | None, typer.Option("--conversation", help="Only this conversation")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: Annotated[str | None, typer.Option("--search", help="Only records containing these words")] = None,
) -> None:
    """Place a legal hold: every record matching all the criteria given is kept until the hold is lifted."""
    require_database()
    with session_scope() as session:
        agency_id = None
        if agency is not None:
            found = queries.agency_id_of(session, agency)
            if found is None:
                raise fail(f"no agency with the code {agency!r}")
            agency_id = found
        hold = service.place_hold(
            session,
            None,
            service.HoldIn(
                reason,
                agency_id=agency_id,
                account_id=account,
                conversation_id=conversation,
                since=_when(since, "--since"),
                until=_when(until, "--until"),
                search=search,
            ),
        )
        hold_id = hold.id
    console.print(f"Legal hold {hold_id} placed.")


@hold_app.command("lift")
def hold_lift(
    hold_id: Annotated[int, typer.Argument(help="The hold's number")],
    reason: Annotated[str, typer.Option("--reason", help="Why the hold ends")],
) -> None:
    """Lift a legal hold; its records follow the schedule again."""
    require_database()
    with session_scope() as session:
        service.lift_hold(session, None, hold_id, reason)
    console.print(f"Legal hold {hold_id} lifted.")


@hold_app.command("list")
def hold_list(json_out: JsonOption = False) -> None:
    """Every hold, standing ones first."""
    require_database()
    with session_scope() as session:
        rows = [
            {
                "id": hold.id,
                "standing": hold.lifted_at is None,
                "placed_at": hold.placed_at,
                **service.describe_hold(hold),
            }
            for hold in queries.holds(session, None)
        ]
    emit(rows, json_out, columns=["id", "standing", "agency_id", "conversation_id", "account_id", "search", "reason"])
