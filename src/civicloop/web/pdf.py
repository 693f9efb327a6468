"""HTML to PDF with WeasyPrint: the bundled Tibetan-script font embedded, nothing else fetched.

Reports and records transcripts name the font at a private address (``FONT_URL``) in their styles
(``FONT_FACE``); the fetcher answers that address from the package's own file and refuses every other
URL, so a citizen's text can never make the server read a file or call out.
"""

from __future__ import annotations

from typing import Any

from civicloop.errors import AppError
from civicloop.web.static_files import STATIC_DIR

FONT_FILE = STATIC_DIR / "fonts" / "jomolhari-tibetan-400.woff"
FONT_URL = "civicloop-font:jomolhari-tibetan-400.woff"
FONT_FACE = (
    '@font-face { font-family: "Jomolhari"; font-weight: 400; font-style: normal; '
    f'src: url("{FONT_URL}") format("woff"); unicode-range: U+0F00-0FFF, U+200C-200D, U+25CC, U+3008-300B; }}'
)


class PdfUnavailable(AppError):
    status_code = 503
    code = "pdf_unavailable"


def _weasyprint() -> Any:
    try:
        import weasyprint
    except OSError as exc:  # the Python package is there but the system's Pango is not
        raise PdfUnavailable(
            "PDFs need the Pango library on the server (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0);"
            f" print the page instead ({exc})"
        ) from exc
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class OnlyTheBundledFont(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> Any:
            if url == FONT_URL:
                return URLFetcherResponse(url, body=FONT_FILE.read_bytes(), headers={"Content-Type": "font/woff"})
            raise URLFetchingError(f"this PDF fetches nothing: {url[:80]}")

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=OnlyTheBundledFont()).write_pdf()
    return pdf
