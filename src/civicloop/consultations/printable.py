"""The "you said, we did" report as a page to read or print, and as a PDF drawn by WeasyPrint from the same HTML.

WeasyPrint needs the system's Pango library (Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``); without it
the PDF is refused with that reason and the HTML report, with its print stylesheet, still serves. Nothing is
fetched while drawing: the stylesheets are inlined and every URL is refused but the bundled Tibetan-script font,
read from the package, so a report cannot make the server reach out, whatever its text holds (citizen text is
escaped by the template like on the page). The font is embedded in the PDF (subset to the glyphs used), so a
Dzongkha report reads on a server and a reader's machine without any Tibetan font installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from civicloop.consultations import report
from civicloop.consultations.schemas import public_path
from civicloop.kit import i18n
from civicloop.web.charts import bar_chart
from civicloop.web.pdf import FONT_FACE, html_to_pdf
from civicloop.web.static_files import STATIC_DIR
from civicloop.web.templating import templates

STYLESHEETS = ("civicloop.css", "consultations.css")
# The table under each chart, in the report's language.
TABLE_LABELS = (i18n.N_("The figures of this chart as a table"), i18n.N_("Value"))
# How answers came in, as the report names them (platform names stay as the platforms write them).
CHANNEL_LABELS = {"Public page": i18n.N_("The form on this site"), "form": i18n.N_("The form on this site")}


@dataclass
class ReportView:
    report: report.PublicReport
    charts: dict[int, Markup]
    lang: str
    path: str


def report_view(session: Session, *, code: str, lang: str) -> ReportView:
    """The published report of consultation ``code`` with a bar chart per closed question."""
    published = report.public_report(session, code=code)
    charts = {}
    for q in published.results.questions:
        if q.closed:
            labels = {value: label.text for value, label in i18n.localized_options(q.question, lang)}
            charts[q.question.id] = bar_chart(
                [(labels.get(o.label, o.label), o.percent) for o in q.options],
                title=i18n.localized(q.question, "prompt", lang).text,
                unit="%",
                table_labels=(i18n.translate(lang, TABLE_LABELS[0]), i18n.translate(lang, TABLE_LABELS[1])),
            )
    return ReportView(published, charts, lang, public_path(published.consultation))


def template_context(view: ReportView) -> dict[str, Any]:
    return {"page": view, "lang": view.lang, "kind_labels": {}, "channel_labels": CHANNEL_LABELS}


def report_html(view: ReportView) -> str:
    """A standalone HTML document of the report (styles inlined), as WeasyPrint draws it."""
    styles = "\n".join([FONT_FACE, *((STATIC_DIR / name).read_text(encoding="utf-8") for name in STYLESHEETS)])
    template = templates.env.get_template("consultations/report_pdf.html")
    return template.render(**template_context(view), styles=Markup(styles))  # noqa: S704 - our own files


def report_pdf(view: ReportView) -> bytes:
    return _pdf_of(report_html(view))


def pdf_filename(view: ReportView) -> str:
    return f"consultation-{view.report.consultation.code}-report.pdf"


@lru_cache(maxsize=16)
def _pdf_of(html: str) -> bytes:
    """Drawing is the costly part (bench/consultations.py); a published report's HTML does not change, so the
    same HTML gives back the same bytes without drawing again."""
    return html_to_pdf(html)
