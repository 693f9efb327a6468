"""The "you said, we did" report as a PDF: drawn by WeasyPrint from a real published report, on the public
page and from the CLI, with citizen text kept as text."""

import re
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicloop.cli import app
from civicloop.consultations import answers, printable, queries, report, service
from civicloop.consultations.models import Consultation
from civicloop.consultations.schemas import ReportIn, ReportSectionIn
from civicloop.errors import Invalid, NotFound
from tests.conftest import unavailable
from tests.consultations.conftest import Scene, make_consultation

XSS = '<script>alert("x")</script><img src="http://127.0.0.1:9/x.png">'
HEADING = "Benches & <b>shade</b>"


@pytest.fixture(autouse=True)
def _pango() -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        unavailable(f"WeasyPrint cannot load the system's Pango library: {exc}")


def _published(db: Session, scene: Scene) -> Consultation:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    design, rating, free = queries.questions_of(db, consultation.id)
    for option, stars in (("A", "2"), ("B", "5"), ("B", "4")):
        values = {design.id: [option], rating.id: [stars], free.id: [XSS]}
        answers.submit_form(db, consultation=consultation, values=values, comment=XSS)
    service.close(db, actor=scene.actor, consultation_id=consultation.id)
    data = ReportSectionIn(heading=HEADING, you_said=XSS, we_did="Two benches under a longer roof.")
    report.add_section(db, actor=scene.actor, consultation_id=consultation.id, data=data)
    decision = ReportIn(report_intro="Thank you.", decision="We build design B.")
    report.save_report(db, actor=scene.actor, consultation_id=consultation.id, data=decision)
    report.publish(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    return consultation


def _objects(pdf: bytes) -> bytes:
    """The file with its compressed streams inflated: WeasyPrint packs its objects (pages, metadata,
    bookmarks) into compressed object streams."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() : pdf.find(b"endstream", match.end())]))
        except zlib.error:
            continue  # not a Flate stream
    return b"\n".join(parts)


def _pdf_strings(pdf: bytes) -> str:
    """Every PDF string of the objects (document title, bookmarks), decoded from literal or UTF-16 hex form."""
    raw = _objects(pdf)
    literals = [re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\)", raw)]
    hexes = [bytes.fromhex(h.decode()).decode("utf-16-be") for h in re.findall(rb"<feff([0-9a-f]+)>", raw, re.I)]
    return "\n".join(literals + hexes)


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", _objects(pdf)))


def test_the_public_report_downloads_as_a_pdf_with_the_title_and_citizen_text_as_text(
    db: Session, client: TestClient, scene: Scene
) -> None:
    consultation = _published(db, scene)
    page = client.get(f"/c/{consultation.code}/report")
    assert f'href="/c/{consultation.code}/report.pdf?lang=en"' in page.text, "the report page links to its PDF"
    response = client.get(f"/c/{consultation.code}/report.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="consultation-{consultation.code}-report.pdf"'
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert _page_count(pdf) >= 1
    strings = _pdf_strings(pdf)
    assert f"{consultation.title}: What you said and what we did" in strings, "the document title and bookmark"
    assert HEADING in strings, "a heading with markup in it is drawn as the text typed, not as HTML"
    html = printable.report_html(printable.report_view(db, code=consultation.code, lang="en"))
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html, "citizen text stays escaped"
    assert '<img src="http' not in html and "/static/" not in html, "the PDF's HTML asks for nothing outside"


def test_the_pdf_of_an_unpublished_report_is_not_found(db: Session, client: TestClient, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    response = client.get(f"/c/{consultation.code}/report.pdf")
    assert response.status_code == 404 and "not published yet" in response.text


def test_the_cli_writes_the_report_pdf(db: Session, scene: Scene, tmp_path: Path) -> None:
    consultation = _published(db, scene)
    target = tmp_path / "report.pdf"
    runner = CliRunner()
    export = ["consultation", "export", str(consultation.id), "--format", "pdf"]
    written = runner.invoke(app, [*export, "-o", str(target), "--lang", "dz"])
    assert written.exit_code == 0, written.output
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-") and consultation.title in _pdf_strings(pdf)
    no_file = runner.invoke(app, export)
    assert isinstance(no_file.exception, Invalid) and "add --output FILE" in no_file.exception.message
    bad_lang = runner.invoke(app, [*export, "-o", str(target), "--lang", "fr"])
    assert isinstance(bad_lang.exception, Invalid) and "--lang is one of en, dz" in bad_lang.exception.message
    missing = runner.invoke(app, ["consultation", "export", "999", "--format", "pdf", "-o", str(target)])
    assert isinstance(missing.exception, NotFound)
