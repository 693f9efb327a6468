"""The gettext catalogs: every marked string translated, the committed .mo compiled from the current .po, and the
language chosen by ?lang, the remembered cookie or Accept-Language."""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import ClassVar

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from civicloop.kit import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = ["-k", "N_", "-k", "translate:2", "-k", "translate_plural:2,3"]  # as the Makefile's i18n-extract
LANGS = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


def _po(lang: str) -> object:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def test_every_marked_string_of_the_code_is_in_each_catalog_and_translated(tmp_path: Path) -> None:
    """Extracts afresh (as `make i18n-extract` does): a new _() without a translation fails here."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            *KEYWORDS,
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert len(wanted) > 100
    for lang in LANGS:
        catalog = _po(lang)
        have = {
            (m.id if isinstance(m.id, str) else m.id[0]): m
            for m in catalog  # type: ignore[attr-defined]
            if m.id
        }
        untranslated = sorted(
            msgid for msgid in wanted if msgid not in have or not have[msgid].string or have[msgid].fuzzy
        )
        assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_mo_is_compiled_from_the_committed_po(lang: str) -> None:
    buffer = io.BytesIO()
    write_mo(buffer, _po(lang))  # type: ignore[arg-type]
    fresh = gettext.GNUTranslations(io.BytesIO(buffer.getvalue()))
    committed = i18n.translations(lang)
    catalog = _po(lang)
    for message in catalog:  # type: ignore[attr-defined]
        if isinstance(message.id, str) and message.id:
            assert committed.gettext(message.id) == fresh.gettext(message.id), (
                f"run `make i18n-compile`: {message.id!r} differs"
            )


def test_the_language_is_the_query_then_the_cookie_then_the_browser() -> None:
    assert i18n.negotiate("dz", "en", "en") == "dz"
    assert i18n.negotiate(None, "dz", "en-GB") == "dz"
    assert i18n.negotiate("fr", None, "fr-FR, dz-BT;q=0.8, en;q=0.9") == "en"
    assert i18n.negotiate(None, None, "fr-FR, dz-BT;q=0.9, en;q=0.8") == "dz"
    assert i18n.negotiate(None, "xx", "dz;q=0") == "en"


def test_tibetan_digits_only_on_dzongkha_pages_and_only_when_chosen() -> None:
    assert i18n.digits("2,026", "dz", native=True) == "༢,༠༢༦"
    assert i18n.digits("2026", "dz", native=False) == "2026"
    assert i18n.digits("2026", "en", native=True) == "2026"
    assert i18n.ascii_digits("༢༠༢༦") == "2026"


def test_content_falls_back_per_field_and_says_so() -> None:
    class Row:
        title = "Bus stop"
        summary = "Tell us"
        translations: ClassVar[dict[str, dict[str, str]]] = {"dz": {"title": "བཱས་བསྒུག་ས།"}}

    assert i18n.localized(Row, "title", "dz") == i18n.Localized("བཱས་བསྒུག་ས།", "dz", False)
    assert i18n.localized(Row, "summary", "dz") == i18n.Localized("Tell us", "en", True)
    assert i18n.missing(Row, ("title", "summary"), "dz") == ["summary"]
    assert i18n.merge(Row.translations, "dz", {"title": " "}) == {}
