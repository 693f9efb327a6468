"""Jinja2 rendering with one typed context object per page (``page`` in the template)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from civicloop import __version__
from civicloop.auth.csrf import csrf_token
from civicloop.config import get_settings
from civicloop.kit.timezones import local
from civicloop.kit.words import plural
from civicloop.web.forms import field_of, refused_action
from civicloop.web.nav import groups_for, items_for

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
HTMX_FILE = "htmx-2.0.11.min.js"
# GOV.UK Frontend's script from npm (``make assets``, version as in assets/package.json); its styles are compiled
# into civicloop.css with CivicLoop's colours.
GOVUK_FRONTEND_FILE = "govuk-frontend-6.6.0.min.js"
# swagger-ui-dist from npm (``npm pack swagger-ui-dist@5.36.0``): the bundle, its stylesheet and licence.
SWAGGER_UI_DIR = "swagger-ui-5.36.0"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def local_time(value: datetime | None, zone_name: str | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return local(value, zone_name or get_settings().timezone).strftime(fmt)


def options(items: list[Any], value_attr: str | None = None, text_attr: str | None = None) -> list[tuple[Any, Any]]:
    """``agencies | options('code', 'name')`` → [(code, name), ...] for the ``select`` macro."""
    if value_attr is None:
        return [(item, str(item).replace("_", " ")) for item in items]
    return [(getattr(item, value_attr), getattr(item, text_attr or value_attr)) for item in items]


class _Attributes(HTMLParser):
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = attrs


def html_attrs(attrs: Mapping[str, object] | str | None) -> Markup:
    """Extra attributes of a form field, each value escaped once: a mapping (``{'autocomplete': 'username'}``), or
    the older string form (``'inputmode="numeric"'``), read as HTML and written again rather than printed escaped
    (which turned ``autocomplete="username"`` into ``autocomplete=&#34;username&#34;``)."""
    if not attrs:
        return Markup("")
    if isinstance(attrs, str):
        parser = _Attributes()
        parser.found = []
        parser.feed(f"<x {attrs}>")
        pairs: list[tuple[str, object]] = [(name, True if value is None else value) for name, value in parser.found]
    else:
        pairs = list(attrs.items())
    shown = [escape(name) if value is True else Markup('{}="{}"').format(name, value) for name, value in pairs]
    return Markup(" ").join([Markup(""), *shown])


templates.env.filters["local_time"] = local_time
templates.env.filters["html_attrs"] = html_attrs
templates.env.filters["options"] = options
templates.env.filters["plural"] = plural
templates.env.globals.update(
    app_version=__version__,
    htmx_file=HTMX_FILE,
    govuk_frontend_file=GOVUK_FRONTEND_FILE,
    error_field=field_of,
    refused_action=refused_action,
    # The footer's link to the accessibility statement, in the page's language.
    accessibility_label={"en": "Accessibility", "dz": "འཛུལ་སྤྱོད་བདེ་ཐབས།"},
)

FLASH_KEY = "flashes"


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault(FLASH_KEY, []).append({"message": message, "kind": kind})


def _pop_flashes(request: Request) -> list[dict[str, str]]:
    flashes: list[dict[str, str]] = request.session.pop(FLASH_KEY, [])
    return flashes


def render(request: Request, name: str, page: object = None, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    context = {
        "page": page,
        "actor": actor,
        "nav": items_for(actor),
        "nav_groups": groups_for(actor),
        "csrf": csrf_token(request),
        "flashes": _pop_flashes(request),
        "timezone": get_settings().timezone,
        **extra,
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)
