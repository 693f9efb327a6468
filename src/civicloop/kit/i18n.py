"""Languages of the public pages and of messages to citizens: gettext catalogs, choice of language, content fallback.

Interface text is English in the code and templates, marked ``_("...")`` / ``{% trans %}``, and translated through
the gettext catalogs under ``civicloop/locale/<code>/LC_MESSAGES/messages.po`` (Babel extracts and compiles them:
``make i18n-extract i18n-update i18n-compile``; the compiled ``.mo`` files are committed so that a fresh install
needs no build step, and a test fails when a ``.mo`` is older than its ``.po``). Officials' content (a consultation's
title, a saved reply…) is bilingual in the database: English in its own columns, other languages in a
``translations`` JSON column ``{"dz": {"title": "…"}}``; :func:`localized` picks a field and says when it fell back.

Adding a language (Nepali, say) is a new entry in :data:`LANGUAGES`, a catalog (``make i18n-init LANG=ne``) and its
translations: docs/languages.md.
"""

from __future__ import annotations

import gettext as _gettext
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
# Code → the language's own name (shown in the switch, so a reader finds theirs whatever the page is in).
LANGUAGES: dict[str, str] = {"en": "English", "dz": "རྫོང་ཁ"}
# Languages whose digits the deployment may show in their own script (CIVICLOOP_NATIVE_DIGITS).
NATIVE_DIGITS: dict[str, str] = {"dz": "༠༡༢༣༤༥༦༧༨༩"}
COOKIE = "civicloop_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TIBETAN_DIGITS = str.maketrans("༠༡༢༣༤༥༦༧༨༩", "0123456789")


def supported(code: str | None) -> str | None:
    code = (code or "").strip().lower()
    return code if code in LANGUAGES else None


def negotiate(query: str | None, cookie: str | None = None, accept_language: str = "") -> str:
    """``?lang=`` wins, then the remembered choice (cookie), then the browser's preferences in their order."""
    chosen = supported(query) or supported(cookie)
    if chosen:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.partition(";")
        weight = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                weight = float(match.group(1))
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, index, primary))
    return min(ranked)[2] if ranked else DEFAULT


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT or lang not in LANGUAGES:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)


def translate(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def translate_plural(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:
    return message


def digits(text: str, lang: str, native: bool) -> str:
    """ASCII digits in ``text`` as the language's own digits, when the deployment chooses so."""
    table = NATIVE_DIGITS.get(lang)
    if not native or not table:
        return text
    return text.translate(str.maketrans("0123456789", table))


def ascii_digits(text: str) -> str:
    """Tibetan digits read as the digits they are (a citizen may type ༢༠༢༦ for 2026)."""
    return text.translate(TIBETAN_DIGITS)


def format_date(value: date | datetime, lang: str, native: bool = False) -> str:
    """A date in words in the page's language (Babel's CLDR patterns: ``སྤྱི་ལོ་2026 ཟླ་གསུམ་པ་ ཚེས་ 14``)."""
    from babel.dates import format_date as babel_format_date

    day = value.date() if isinstance(value, datetime) else value
    return digits(babel_format_date(day, "long", locale=lang if lang in LANGUAGES else DEFAULT), lang, native)


@dataclass(frozen=True)
class Localized:
    text: str
    lang: str  # the language the text is in
    fallback: bool  # asked for another language, which this field does not have yet

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def translated(translations_column: Any, lang: str, field: str) -> str:
    """The text of ``field`` in ``lang`` from a ``translations`` JSON column, or ``""``."""
    if not isinstance(translations_column, dict):
        return ""
    entry = translations_column.get(lang)
    value = entry.get(field, "") if isinstance(entry, dict) else ""
    return value.strip() if isinstance(value, str) else ""


def localized(obj: Any, field: str, lang: str) -> Localized:
    """``obj.field`` in ``lang``: the translation when there is one, else the English text (marked as fallback)."""
    english = getattr(obj, field, "") or ""
    if lang == DEFAULT:
        return Localized(english, DEFAULT, False)
    text = translated(getattr(obj, "translations", None), lang, field)
    if text:
        return Localized(text, lang, False)
    return Localized(english, DEFAULT, bool(english))


def localized_options(question: Any, lang: str) -> list[tuple[str, Localized]]:
    """A question's options as (stored English value, label in ``lang``): written labels go one per line, in
    the options' order, so answers keep the value whatever language the form was in."""
    values: list[str] = list(getattr(question, "options", None) or [])
    written = translated(getattr(question, "translations", None), lang, "options").splitlines()
    out = []
    for index, value in enumerate(values):
        label = written[index].strip() if index < len(written) and lang != DEFAULT else ""
        out.append((value, Localized(label, lang, False) if label else Localized(value, DEFAULT, lang != DEFAULT)))
    return out


def missing(obj: Any, fields: tuple[str, ...], lang: str) -> list[str]:
    """The fields of ``obj`` that have English text and no ``lang`` version (the editor marks them)."""
    return [
        f for f in fields if (getattr(obj, f, "") or "") and not translated(getattr(obj, "translations", None), lang, f)
    ]


def merge(current: Any, lang: str, values: dict[str, str]) -> dict[str, dict[str, str]]:
    """A new ``translations`` value with ``lang``'s fields set (blank ones removed); a new dict, so the ORM sees it."""
    result: dict[str, dict[str, str]] = {
        k: dict(v) for k, v in (current or {}).items() if isinstance(v, dict) and k in LANGUAGES
    }
    entry = result.setdefault(lang, {})
    for key, value in values.items():
        value = (value or "").strip()
        if value:
            entry[key] = value
        else:
            entry.pop(key, None)
    if not entry:
        result.pop(lang)
    return result
