"""The Tibetan-script font travels with the product: served from the package, and embedded in the report PDF."""

from __future__ import annotations

import io
import os
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations import printable
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.demo.foundation import DemoWorld

SCREENSHOTS = os.environ.get("CIVICLOOP_SCREENSHOTS", "")


def _embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(font["/BaseFont"]))
    return names


def test_a_dzongkha_pdf_embeds_the_bundled_font() -> None:
    html = (
        f"<!doctype html><html lang='dz'><head><style>{printable.FONT_FACE} body {{ font-family: Jomolhari; }}"
        "</style></head><body><p>ཁྱོད་ཀྱིས་སླབ་མི་དང་ ངེད་ཀྱིས་འབད་མི།</p></body></html>"
    )
    fonts = _embedded_fonts(printable._pdf_of(html))
    assert any("Jomolhari" in name for name in fonts), fonts


def test_the_font_is_served_by_this_server(client: TestClient) -> None:
    css = client.get("/static/fonts/fonts.css")
    assert css.status_code == 200 and "jomolhari-tibetan-400.woff" in css.text
    font = client.get("/static/fonts/jomolhari-tibetan-400.woff")
    assert font.status_code == 200 and font.content[:4] == b"wOFF"


def test_the_demo_report_in_dzongkha_downloads_as_a_pdf_with_the_font_inside(
    demo: DemoWorld, db: Session, client: TestClient, tmp_path: Path
) -> None:
    published = db.scalar(select(Consultation).where(Consultation.status == ConsultationStatus.published))
    assert published is not None
    answer = client.get(f"/c/{published.code}/report.pdf?lang=dz")
    assert answer.status_code == 200 and answer.headers["content-language"] == "dz"
    assert any("Jomolhari" in name for name in _embedded_fonts(answer.content))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "ཁྱོད་ཀྱིས་སླབ་མི" in text.replace("\n", "")
    if SCREENSHOTS:
        (Path(SCREENSHOTS) / "dzongkha-report.pdf").write_bytes(answer.content)
