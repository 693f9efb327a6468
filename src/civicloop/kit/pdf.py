"""HTML to PDF with WeasyPrint, fetching nothing from the network or the disk that the HTML names."""

from __future__ import annotations

from typing import Any

from civicloop.errors import AppError


class PdfUnavailable(AppError):
    status_code = 503
    code = "pdf_unavailable"


def _weasyprint() -> Any:
    try:
        import weasyprint
    except OSError as exc:  # the Python package is there but the system's Pango is not
        raise PdfUnavailable(
            "PDFs need the Pango library on the server (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
            f" ({exc})"
        ) from exc
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetchingError

    class RefuseEveryUrl(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> None:
            raise URLFetchingError(f"this PDF fetches nothing: {url[:80]}")

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=RefuseEveryUrl()).write_pdf()
    return pdf
