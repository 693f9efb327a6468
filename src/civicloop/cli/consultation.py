"""``civicloop consultation``: list, open, close, run the schedule, and export results."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit
from civicloop.db.session import session_scope
from civicloop.kit.words import plural

app = typer.Typer(help="Consultations and surveys: list, open, close, export.", no_args_is_help=True)
ConsultationId = Annotated[int, typer.Argument(help="Consultation id")]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    pdf = "pdf"


@app.command("list")
def list_(
    agency: Annotated[str | None, typer.Option(help="Only this agency's consultations")] = None,
    json_out: JsonOption = False,
) -> None:
    """List consultations with their state, closing date and number of answers."""
    from sqlalchemy import select

    from civicloop.agencies import service as agencies
    from civicloop.consultations import results
    from civicloop.consultations.models import Consultation

    with session_scope() as session:
        query = select(Consultation).order_by(Consultation.id)
        if agency:
            query = query.where(Consultation.agency_id == agencies.get_agency_by_code(session, agency).id)
        rows = [
            {
                "id": c.id,
                "code": c.code,
                "title": c.title,
                "status": c.status.value,
                "closes_at": c.closes_at.isoformat() if c.closes_at else None,
                "answers": results.count(session, c.id),
            }
            for c in session.scalars(query)
        ]
    emit(rows, json_out, columns=["id", "code", "title", "status", "closes_at", "answers"])


def _change(consultation_id: int, action: str) -> dict[str, object]:
    from civicloop.consultations import service

    with session_scope() as session:
        if action == "open":
            consultation = service.open_now(session, actor=None, consultation_id=consultation_id)
        else:
            consultation = service.close(session, actor=None, consultation_id=consultation_id)
        return {"id": consultation.id, "code": consultation.code, "status": consultation.status.value}


@app.command("open")
def open_(
    consultation_id: Annotated[int, typer.Argument(help="Consultation id")], json_out: JsonOption = False
) -> None:
    """Open a draft or scheduled consultation now and announce it on its accounts (as its author)."""
    emit(_change(consultation_id, "open"), json_out)


@app.command("close")
def close(
    consultation_id: Annotated[int, typer.Argument(help="Consultation id")], json_out: JsonOption = False
) -> None:
    """Close an open consultation for answers now."""
    emit(_change(consultation_id, "close"), json_out)


@app.command("tick")
def tick(json_out: JsonOption = False) -> None:
    """Run the scheduler's step once: open due consultations, close past ones, release due posts."""
    from civicloop.consultations import schedule
    from civicloop.publishing import service as publishing

    with session_scope() as session:
        changed = schedule.advance(session)
        released = publishing.release_due(session)
    emit({**changed, "posts_released": released}, json_out)


@app.command("export")
def export(
    consultation_id: ConsultationId,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="csv or json (the answers), or pdf (the published report)")
    ] = ExportFormat.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; default stdout")] = None,
    open_data: Annotated[
        bool, typer.Option("--open-data", help="The public open-data export: published reports only, text redacted")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Labels of the PDF: en or dz")] = "en",
) -> None:
    """Export every counted answer (one row per response, one column per question) as CSV or JSON, or the
    published "you said, we did" report as a PDF."""
    if format is ExportFormat.pdf:
        _export_pdf(consultation_id, output, lang)
        return
    from civicloop.consultations import results, themes
    from civicloop.consultations.models import Consultation, ConsultationStatus
    from civicloop.errors import Conflict, NotFound

    with session_scope() as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            raise NotFound(f"no consultation with id {consultation_id}")
        if open_data and consultation.status is not ConsultationStatus.published:
            raise Conflict("open data is exported once the report is published")
        if open_data:
            columns, rows = results.rows(session, consultation, clean=themes.redactor(), dates_only=True)
        else:
            columns, rows = results.rows(session, consultation)
        if format is ExportFormat.csv:
            body = results.to_csv(columns, rows)
        else:
            summary = results.compute(session, consultation).as_json()
            body = json.dumps({"results": summary, "responses": rows}, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(body, nl=False)
    else:
        output.write_text(body, encoding="utf-8")
        console.print(f"Wrote {plural(len(rows), 'response')} to {output}")


def _export_pdf(consultation_id: int, output: Path | None, lang: str) -> None:
    from civicloop.consultations import i18n, printable
    from civicloop.consultations.models import Consultation
    from civicloop.errors import Invalid, NotFound

    if output is None:
        raise Invalid("a PDF is written to a file: add --output FILE")
    if lang not in i18n.LANGUAGES:
        raise Invalid(f"--lang is one of {', '.join(i18n.LANGUAGES)}; got {lang!r}")
    with session_scope() as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            raise NotFound(f"no consultation with id {consultation_id}")
        pdf = printable.report_pdf(printable.report_view(session, code=consultation.code, lang=lang))
    output.write_bytes(pdf)
    console.print(f"Wrote the report of {consultation.code} ({len(pdf):,} bytes) to {output}")
