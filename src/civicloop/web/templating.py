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
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from civicloop import __version__
from civicloop.auth.csrf import csrf_token
from civicloop.config import get_settings
from civicloop.kit import i18n
from civicloop.kit.timezones import local
from civicloop.kit.words import plural
from civicloop.web.badges import badge_class
from civicloop.web.forms import field_of, refused_action
from civicloop.web.nav import groups_for, items_for
from civicloop.web.static_files import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"
HTMX_FILE = "htmx-2.0.11.min.js"
# GOV.UK Frontend's script from npm (``make assets``, version as in assets/package.json); its styles are compiled
# into civicloop.css with CivicLoop's colours.
GOVUK_FRONTEND_FILE = "govuk-frontend-6.6.0.min.js"
# swagger-ui-dist from npm (``npm pack swagger-ui-dist@5.36.0``): the bundle, its stylesheet and licence.
SWAGGER_UI_DIR = "swagger-ui-5.36.0"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.add_extension("jinja2.ext.i18n")
# {% trans %} blocks join their lines with single spaces, as the catalog stores them (babel.cfg: trimmed).
templates.env.policies["ext.i18n.trimmed"] = True


def _lang(context: Context) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) and lang in i18n.LANGUAGES else i18n.DEFAULT


# The page's language is the template context's ``lang`` (public pages set it; officials' pages are English), so
# one environment serves every request and language without a global "current language".
@pass_context
def _gettext(context: Context, message: str) -> str:
    return i18n.translate(_lang(context), message)


@pass_context
def translate_text(context: Context, message: str) -> str:
    """``_t(value)``: a string marked N_() in Python, translated as it is (no ``%`` formatting, unlike ``_()``)."""
    return i18n.translate(_lang(context), message) if message else message


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return i18n.translate_plural(_lang(context), singular, plural, n)


templates.env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]


@pass_context
def local_time(
    context: Context, value: datetime | None, zone_name: str | None = None, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    if value is None:
        return "—"
    return num(context, local(value, zone_name or get_settings().timezone).strftime(fmt))


@pass_context
def long_date(context: Context, value: datetime | None) -> str:
    """A date in words in the page's language (``14 March 2026``, ``སྤྱི་ལོ་2026 ཟླ་གསུམ་པ་ ཚེས་ 14``)."""
    if value is None:
        return "—"
    settings = get_settings()
    shown = local(value, settings.timezone) if isinstance(value, datetime) else value
    return i18n.format_date(shown, _lang(context), settings.native_digits)


@pass_context
def zone_label(context: Context, zone_name: str) -> str:
    """A time zone as readers of the page's language name it (``Asia/Thimphu`` → ``འབྲུག་ཆུ་ཚོད།``)."""
    lang = _lang(context)
    if lang == i18n.DEFAULT:
        return zone_name
    from babel.dates import get_timezone_name

    try:
        return str(get_timezone_name(zone_name, locale=lang))
    except (LookupError, ValueError):
        return zone_name


@pass_context
def num(context: Context, value: object) -> str:
    """A number (or text with digits) in the page's digits: Tibetan ones on Dzongkha pages if the deployment says."""
    text = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    return i18n.digits(text, _lang(context), get_settings().native_digits)


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


@pass_context
def tr(context: Context, obj: object, field: str) -> i18n.Localized:
    """An official's text (``obj.field``) in the page's language, or in English marked as a fallback."""
    return i18n.localized(obj, field, _lang(context))


@pass_context
def tr_options(context: Context, question: object) -> list[tuple[str, i18n.Localized]]:
    """A question's options as (stored value, label in the page's language): answers keep the English value."""
    return i18n.localized_options(question, _lang(context))


@pass_context
def option_label(context: Context, question: object, value: str) -> str:
    """The label of one stored option value of ``question`` in the page's language (a report's result rows)."""
    return next((label.text for stored, label in tr_options(context, question) if stored == value), value)


def in_language(lang: str, message: str) -> str:
    """A marked string in a named language, whatever the page's (the English transparency page quotes the
    Dzongkha grounds beside the English ones)."""
    return i18n.translate(lang, message) if lang in i18n.LANGUAGES else message


templates.env.filters["html_attrs"] = html_attrs
templates.env.filters["badge_class"] = badge_class
templates.env.filters["options"] = options
templates.env.filters["plural"] = plural
templates.env.filters["long_date"] = long_date
templates.env.filters["num"] = num
templates.env.filters["zone_label"] = zone_label
templates.env.globals.update(
    languages=i18n.LANGUAGES,
    tr=tr,
    tr_options=tr_options,
    option_label=option_label,
    _t=translate_text,
    in_language=in_language,
    app_version=__version__,
    static_url=static_url,
    htmx_file=HTMX_FILE,
    govuk_frontend_file=GOVUK_FRONTEND_FILE,
    error_field=field_of,
    refused_action=refused_action,
)

FLASH_KEY = "flashes"


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault(FLASH_KEY, []).append({"message": message, "kind": kind})


def _pop_flashes(request: Request) -> list[dict[str, str]]:
    flashes: list[dict[str, str]] = request.session.pop(FLASH_KEY, [])
    return flashes


def request_language(request: Request) -> str:
    """The visitor's language: ``?lang=``, then the remembered choice, then ``Accept-Language``."""
    return i18n.negotiate(
        request.query_params.get("lang"),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language", ""),
    )


def remember_language(request: Request, response: HTMLResponse | Any, lang: str) -> None:
    """A page for citizens answers in ``lang`` and remembers a language chosen with ``?lang=`` for the next visit."""
    response.headers["Content-Language"] = lang
    if i18n.supported(request.query_params.get("lang")) and request.cookies.get(i18n.COOKIE) != lang:
        response.set_cookie(
            i18n.COOKIE, lang, max_age=i18n.COOKIE_MAX_AGE, samesite="lax", secure=get_settings().https, httponly=True
        )


def render(request: Request, name: str, page: object = None, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    """``lang=...`` in ``extra`` makes a page for citizens in that language (``public_render`` picks it)."""
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
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if "lang" in extra:
        remember_language(request, response, str(extra["lang"]))
    return response


def public_render(
    request: Request, name: str, page: object = None, *, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    """A page for citizens, in the visitor's language (``lang`` in the template; ``_()`` translates)."""
    lang = extra.pop("lang", None) or request_language(request)
    return render(request, name, page, status_code=status_code, lang=lang, **extra)
