"""``civicloop analyse``: themes, campaigns and sentiment of a file of messages, or of stored ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicloop.cli._common import console, fail, require_database

if TYPE_CHECKING:
    from civicloop.analysis.pipeline import AnalysisResult

STAGES = ("normalize", "duplicates", "embed", "themes", "sentiment", "labels")


def _summary(data: dict[str, object], title: str) -> None:
    themes = data["themes"]
    assert isinstance(themes, list)
    table = Table(title=title)
    for column in ("theme", "label", "size", "raw", "positive", "neutral", "negative"):
        table.add_column(column, justify="right" if column not in ("label",) else "left")
    for theme in themes:
        mix = theme["sentiment"]
        table.add_row(
            str(theme["id"]),
            theme["label"],
            str(theme["size"]),
            str(theme["raw_size"]),
            *(f"{mix[k]:.0%}" for k in ("positive", "neutral", "negative")),
        )
    console.print(table)
    campaigns = data["campaigns"]
    assert isinstance(campaigns, list)
    if campaigns:
        table = Table(title="Campaigns (near-identical messages, counted once in themes)")
        for column in ("campaign", "messages", "first seen", "last seen", "text"):
            table.add_column(column)
        for campaign in campaigns:
            table.add_row(
                str(campaign["id"]),
                str(campaign["size"]),
                str(campaign["first_seen"] or "—"),
                str(campaign["last_seen"] or "—"),
                campaign["text"][:80],
            )
        console.print(table)


def _with_progress(run: object) -> AnalysisResult:
    """Call ``run(progress)`` under a Rich bar that follows the pipeline's stages."""
    with Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {stage: bar.add_task(stage, total=1.0, start=False) for stage in STAGES}
        current: list[str] = []

        def progress(stage: str, fraction: float) -> None:
            if stage == "done":
                for task in tasks.values():
                    bar.update(task, completed=1.0)
                return
            if stage not in tasks:
                return
            if not current or current[-1] != stage:
                for previous in current:
                    bar.update(tasks[previous], completed=1.0)
                current.append(stage)
                bar.start_task(tasks[stage])
            bar.update(tasks[stage], completed=fraction)

        result: AnalysisResult = run(progress)  # type: ignore[operator]
    return result


def analyse(
    input_file: Annotated[
        Path | None, typer.Option("--input", help="A .csv (RFC 4180) or .jsonl file of messages")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Column holding the message text")] = "text",
    id_column: Annotated[str | None, typer.Option(help="Column holding a unique id (default: row number)")] = None,
    label_column: Annotated[
        str | None, typer.Option(help="Column of known labels: prints agreement (NMI, ARI) with them")
    ] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the result as JSON to this file")] = None,
    embedder: Annotated[
        str | None,
        typer.Option(help="quality (the default when the quality extra is installed) or fast (the fallback)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same themes")] = 0,
    sample_size: Annotated[
        int | None,
        typer.Option(
            min=100,
            help="Distinct messages the themes are fitted on; with --embedder quality, MiniLM embeds only these "
            "(the others get stand-in vectors). Default: CIVICLOOP_ANALYSIS_SAMPLE_SIZE (20,000)",
        ),
    ] = None,
    agency: Annotated[str | None, typer.Option(help="Analyse this agency's stored messages instead")] = None,
    since: Annotated[str | None, typer.Option(help="With --agency: only messages from this instant (ISO 8601)")] = None,
    guess_dialect: Annotated[
        bool,
        typer.Option("--guess-dialect", help="Guess the CSV delimiter and quoting (semicolon, tab…), not RFC 4180"),
    ] = False,
) -> None:
    """Find themes, campaigns and sentiment in a file of messages (no database needed) or an agency's messages."""
    if (input_file is None) == (agency is None):
        raise fail("give either --input FILE or --agency CODE")
    if embedder not in (None, "fast", "quality"):
        raise fail(f"unknown embedder {embedder!r}; use fast or quality")
    if agency is not None and sample_size is not None:
        raise fail("--sample-size applies to --input; for stored messages set CIVICLOOP_ANALYSIS_SAMPLE_SIZE")
    if agency is not None:
        require_database()
        _analyse_agency(agency, since, embedder, json_file)
        return
    assert input_file is not None
    from civicloop.analysis.files import read_messages
    from civicloop.analysis.pipeline import analyse as run_pipeline
    from civicloop.analysis.service import deployment_options

    messages = read_messages(
        input_file, text_column=text_column, id_column=id_column, label_column=label_column, guess_dialect=guess_dialect
    )
    if messages.guessed:
        console.print(f"Guessed the CSV dialect: {messages.guessed}.")
    options = deployment_options(sample_size)
    result = _with_progress(
        lambda progress: run_pipeline(
            messages.texts,
            messages.ids,
            embedder=embedder,
            seed=seed,
            options=options,
            progress=progress,
        )
    )
    data = result.to_json()
    _summary(data, f"{len(messages.texts)} messages, {result.unique} distinct, {result.seconds:.1f} s ({result.model})")
    if not result.quotes_redacted:
        console.print("Quotes are withheld: personal-data redaction (civicloop.guidelines) is not installed.")
    if messages.labels is not None:
        from civicloop.analysis.learn import ari, nmi

        themes = [int(t) for t in result.theme_of_row]
        agreement = f"NMI {nmi(messages.labels, themes):.3f}, ARI {ari(messages.labels, themes):.3f}"
        console.print(f"Agreement with {label_column!r}: {agreement}")
    if json_file is not None:
        json_file.write_text(json.dumps(data, ensure_ascii=False, indent=2))
        console.print(f"JSON written to {json_file}")


def _analyse_agency(code: str, since: str | None, embedder: str | None, json_file: Path | None) -> None:
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.analysis import queries, service
    from civicloop.analysis.tasks import perform
    from civicloop.config import get_settings
    from civicloop.db.session import session_scope
    from civicloop.kit.timezones import parse_instant

    start = parse_instant(since, get_settings().timezone) if since else None
    with session_scope() as session:
        scope = queries.AnalysisScope(agency_id=get_agency_by_code(session, code).id)
        run_id = service.create_run(session, actor=None, scope=scope, embedder=embedder, since=start).id
    result = _with_progress(lambda progress: perform(run_id, progress))
    with session_scope() as session:
        data = queries.run_json(session, run_id=run_id)
    _summary(
        data, f"{code}: {len(result.ids)} messages, {result.unique} distinct, {result.seconds:.1f} s ({result.model})"
    )
    if json_file is not None:
        json_file.write_text(json.dumps(data, ensure_ascii=False, indent=2))
        console.print(f"JSON written to {json_file}")
