"""Pages of the product as a whole rather than of one domain: the accessibility statement (public, in the visitor's
language through the gettext catalogs)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.kit import i18n
from civicloop.web.templating import public_render

router = APIRouter(tags=["pages"], include_in_schema=False)

# When the statement was last reviewed against a test of every page (tests/foundation/test_accessibility.py).
REVIEWED = date(2026, 12, 6)


@router.get("/accessibility")
def accessibility(request: Request, lang: str | None = None) -> Response:
    return public_render(request, "web/accessibility.html", REVIEWED, lang=i18n.supported(lang))
