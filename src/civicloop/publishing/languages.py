"""Which words a post carries on each platform when an official wrote it in English, in Dzongkha or in both.

A post has a text in each language it is written in (English in ``Post.text``; other languages in
``Post.translations``: ``{"dz": {"text": "…", "variant:x": "…"}}``) and, per language, a variant for a platform
where the common text does not fit. The rule, chosen so that one account gets one post (its result, approval and
guidelines check stay one) and the official still decides per platform:

- **No variant for the platform**: the post carries the text of every language written, Dzongkha first (the
  national language), then English, separated by a blank line — a bilingual post, as Bhutan's agencies write them.
- **A variant for the platform in any language**: the post carries exactly the variants written for it, in the same
  order. So a short platform's variant written in Dzongkha only sends it a Dzongkha-only post while the other
  platforms get both languages.

docs/languages.md says the same for officials.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from civicloop.kit import i18n
from civicloop.publishing import lengths

VARIANT = "variant:"
SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Written:
    """What the official wrote in one language: the common text and the per-platform variants."""

    text: str = ""
    variants: dict[str, str] = field(default_factory=dict)

    def clean(self) -> Written:
        return Written(self.text.strip(), {k: v.strip() for k, v in self.variants.items() if v and v.strip()})

    def __bool__(self) -> bool:
        return bool(self.text.strip() or any(v.strip() for v in self.variants.values()))


def order(codes: Iterable[str]) -> list[str]:
    """Languages in the order a bilingual post shows them: every other language first, English last."""
    wanted = set(codes)
    known = [c for c in i18n.LANGUAGES if c in wanted]
    return [c for c in known if c != i18n.DEFAULT] + [c for c in known if c == i18n.DEFAULT]


def of_post(post: Any) -> dict[str, Written]:
    """A stored post's texts by language (only the languages it is written in)."""
    texts = {i18n.DEFAULT: Written(post.text or "", dict(post.variants or {}))}
    for lang, entry in (post.translations or {}).items():
        if lang in i18n.LANGUAGES and lang != i18n.DEFAULT and isinstance(entry, dict):
            variants = {k.removeprefix(VARIANT): v for k, v in entry.items() if k.startswith(VARIANT) and v}
            texts[lang] = Written(str(entry.get("text", "")), variants)
    return {lang: written for lang, written in texts.items() if written}


def stored(texts: Mapping[str, Written]) -> dict[str, dict[str, str]]:
    """The ``translations`` column for the languages other than English."""
    out: dict[str, dict[str, str]] = {}
    for lang, written in texts.items():
        if lang == i18n.DEFAULT or not written:
            continue
        entry = {"text": written.text} if written.text else {}
        entry.update({VARIANT + platform: text for platform, text in written.variants.items()})
        out[lang] = entry
    return out


def chosen(platform: str, texts: Mapping[str, Written]) -> str:
    """The words the post carries on ``platform``, before the platform's own shaping (the rule above)."""
    langs = order(lang for lang, written in texts.items() if written)
    variants = [texts[lang].variants[platform] for lang in langs if texts[lang].variants.get(platform)]
    if variants:
        return SEPARATOR.join(variants)
    return SEPARATOR.join(texts[lang].text for lang in langs if texts[lang].text)


def text_for(platform: str, texts: Mapping[str, Written]) -> str:
    """The post on ``platform`` as the outbound path sends it (shaped by the platform, e.g. without Markdown)."""
    return lengths.text_for(platform, chosen(platform, texts), {})


def languages_on(platform: str, texts: Mapping[str, Written]) -> list[str]:
    """The languages the post carries on ``platform`` (the composer's check and the post page say so)."""
    langs = order(lang for lang, written in texts.items() if written)
    with_variant = [lang for lang in langs if texts[lang].variants.get(platform)]
    return with_variant or [lang for lang in langs if texts[lang].text]
