"""Readable transcripts of one conversation, as HTML and PDF, in the context of the post it answered.

The PDF is the costly part (WeasyPrint draws 20–40 small documents a second per core), so a transcript's
PDF is kept in ``DATA_DIR/records/transcripts`` under the SHA-256 of its HTML: a conversation that did not
change since it was last drawn is not drawn again, and the capture job (``records.tasks``) draws the
conversations that changed, so that an export finds most of them ready.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from civicloop.config import get_settings
from civicloop.records.bundle import sha256
from civicloop.web.pdf import FONT_FACE, html_to_pdf
from civicloop.web.templating import templates

POOL_FROM = 40  # below this many PDFs to draw, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    agency: bool  # written by the agency
    text: str
    state: str
    revisions: tuple[str, ...] = ()  # earlier texts, oldest first
    reply_to: str | None = None


@dataclass(frozen=True)
class Transcript:
    conversation_id: int
    agency: str
    account: str
    platform: str
    kind: str
    subject: str
    context: str | None  # the post a comment thread answers, when the agency's own post is on record
    lines: tuple[Line, ...] = field(default_factory=tuple)
    redacted: bool = False


def render_html(transcript: Transcript) -> str:
    """The same transcript always gives the same HTML (no export time in it), so its PDF can be reused."""
    return templates.env.get_template("records/transcript.html").render(
        t=transcript,
        font_face=Markup(FONT_FACE),  # noqa: S704 - our own constant, not citizens' text
    )


def cache_dir() -> Path:
    return get_settings().data_dir / "records" / "transcripts"


def cached_pdf(html: str) -> Path:
    return cache_dir() / f"{sha256(html.encode())}.pdf"


def _draw_into_cache(html: str) -> None:
    path = cached_pdf(html)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(html_to_pdf(html))
    temporary.replace(path)


def ensure_pdfs(htmls: Sequence[str], workers: int | None = None) -> int:
    """Draw every PDF not in the cache yet (in parallel when there are many); how many were drawn."""
    missing = list({html for html in htmls if not cached_pdf(html).exists()})
    workers = workers or os.cpu_count() or 1
    if len(missing) < POOL_FROM or workers == 1:
        for html in missing:
            _draw_into_cache(html)
    else:
        # A fresh interpreter per worker ("spawn"): forking a process that runs threads (a web server's) is unsafe.
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_draw_into_cache, missing, chunksize=8))
    return len(missing)


def pdf_of(html: str) -> bytes:
    _draw_into_cache(html)
    return cached_pdf(html).read_bytes()
