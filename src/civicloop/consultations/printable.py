"""The "you said, we did" report as a page to read or print, and as a PDF drawn by WeasyPrint from the same HTML.

WeasyPrint needs the system's Pango library (Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``); without it
the PDF is refused with that reason and the HTML report, with its print stylesheet, still serves. Nothing is
fetched while drawing: the stylesheets are inlined and every URL is refused, so a report cannot make the
server reach out, whatever its text holds (citizen text is escaped by the template like on the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from civicloop.consultations import i18n, report
from civicloop.consultations.schemas import public_path
from civicloop.errors import AppError
from civicloop.web.charts import bar_chart
from civicloop.web.templating import STATIC_DIR, templates

STYLESHEETS = ("civicloop.css", "consultations.css")


class PdfUnavailable(AppError):
    status_code = 503
    code = "pdf_unavailable"


@dataclass
class ReportView:
    report: report.PublicReport
    charts: dict[int, Markup]
    lang: str
    path: str


def report_view(session: Session, *, code: str, lang: str) -> ReportView:
    """The published report of consultation ``code`` with a bar chart per closed question."""
    published = report.public_report(session, code=code)
    charts = {
        q.question.id: bar_chart([(o.label, o.percent) for o in q.options], title=q.question.prompt, unit="%")
        for q in published.results.questions
        if q.closed
    }
    return ReportView(published, charts, lang, public_path(published.consultation))


def template_context(view: ReportView) -> dict[str, Any]:
    return {"page": view, "lang": view.lang, "t": i18n.translator(view.lang), "languages": i18n.LANGUAGES}


def report_html(view: ReportView) -> str:
    """A standalone HTML document of the report (styles inlined), as WeasyPrint draws it."""
    styles = "\n".join((STATIC_DIR / name).read_text(encoding="utf-8") for name in STYLESHEETS)
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
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetchingError

    class RefuseEveryUrl(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> None:
            raise URLFetchingError(f"the report PDF fetches nothing: {url[:80]}")

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=RefuseEveryUrl()).write_pdf()
    return pdf


def _weasyprint() -> Any:
    try:
        import weasyprint
    except OSError as exc:  # the Python package is there but the system's Pango is not
        raise PdfUnavailable(
            "the PDF export needs the Pango library on the server (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0); print the report page instead ({exc})"
        ) from exc
    return weasyprint
