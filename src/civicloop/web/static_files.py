"""Static files a browser keeps. Pages name each file with its content's digest (``static_url`` gives
``/static/civicloop.css?v=3f55af370a88``), so a browser may keep that address for a year without asking again; a new
release changes the digest and so the address. A font is named by a style sheet, without a digest: it is kept for a
day (fonts change with their package, rarely, and a day-old font after a release harms nothing). Any other address
(an old digest, a hand-typed one) is asked about again each time (``no-cache``: a 304 while the file is unchanged).

Without this, every page asked the server about each of its style sheets and scripts again (Starlette sends an ETag
and no Cache-Control): six round trips per page, which on a phone far from the server cost more than the page itself.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
KEPT_FOR_A_YEAR = "public, max-age=31536000, immutable"
KEPT_FOR_A_DAY = "public, max-age=86400"
ASK_EACH_TIME = "no-cache"
FONT_SUFFIXES = (".woff", ".woff2", ".ttf", ".otf")


@cache
def digest(path: str) -> str:
    """The first 12 hex digits of the SHA-256 of ``static/<path>``, read once per process (files change with a
    release, not while it runs)."""
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """The address pages give a static file: its path and its content's digest."""
    return f"/static/{path}?v={digest(path)}"


class VersionedStaticFiles(StaticFiles):
    """``StaticFiles`` that tells a browser how long to keep a file: a year when the address carries the file's current
    digest, a day for a font, otherwise to ask again each time."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = _how_long(path, scope)
        return response


def _how_long(path: str, scope: Scope) -> str:
    if _current(path, scope):
        return KEPT_FOR_A_YEAR
    return KEPT_FOR_A_DAY if path.endswith(FONT_SUFFIXES) else ASK_EACH_TIME


def _current(path: str, scope: Scope) -> bool:
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
    return bool(asked) and asked[0] == digest(path)
