"""How long a text is for each platform, and how a post is shaped for it (pure functions).

The limits, the ways of counting and the shaping are the ones each platform's folder declares
(``channels/<platform>/__init__.py``, used by the outbound path too): a limit counts characters,
"weighted" characters (CJK and emoji weigh 2, a URL 23) or bytes of UTF-8 (a Dzongkha letter takes 3),
as the platform counts them (``docs/channels/<platform>.md``). Checking them here lets the composer say
so while the official is still typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from civicloop.channels import registry
from civicloop.channels.spec import PlatformSpec, TextLimit


@dataclass(frozen=True)
class Fit:
    platform: str
    used: int
    limit: int
    unit: str

    @property
    def ok(self) -> bool:
        return self.used <= self.limit

    @property
    def message(self) -> str:
        if self.ok:
            return f"{self.used} of {self.limit} {self.unit}"
        return f"{self.used - self.limit} {self.unit} too long for {self.platform} ({self.used} of {self.limit})"


def _post_limit(platform: PlatformSpec) -> TextLimit:
    if platform.post is None:
        raise ValueError(f"{platform.label} accounts take no posts")
    return platform.post.limit


def fit(platform: str, text: str) -> Fit:
    """How ``text`` fits a post on ``platform``, measured as the outbound path will."""
    spec = registry.spec(platform)
    limit = _post_limit(spec)
    return Fit(spec.label, limit.measure(spec.post_text(text)), limit.limit, limit.unit)


def text_for(platform: str, text: str, variants: dict[str, str]) -> str:
    """The platform's own variant when there is one, else the common text (shaped for the platform)."""
    chosen = variants.get(platform, "").strip() or text
    return registry.spec(platform).post_text(chosen)


def shorten(platform: PlatformSpec, text: str, keep: str = "") -> str:
    """Cut ``text`` on a word boundary so that it plus `` keep`` (a link, a hashtag) fits a post."""
    limit = _post_limit(platform)
    room = limit.limit - (limit.measure(" " + keep) if keep else 0)
    if limit.measure(text) <= room:
        return f"{text} {keep}".strip()
    words, out = text.split(), ""
    for word in words:
        candidate = f"{out} {word}".strip()
        if limit.measure(candidate + "…") > room:
            break
        out = candidate
    return f"{out}… {keep}".strip()


def short_variants(text: str, keep: str = "") -> dict[str, str]:
    """Variants for the platforms that take short posts only (X): ``text`` cut to fit, then ``keep``."""
    return {p.name: shorten(p, text, keep) for p in registry.publishable() if p.short_posts}
