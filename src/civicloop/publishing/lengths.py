"""How long a text is for each platform, and how a post is shaped for it (pure functions).

X counts "weighted" characters (the channels' X adapter measures them: CJK and emoji weigh 2, a URL 23);
the limit is 280. WeChat text messages are plain text, limited to 2048 bytes of UTF-8 (a Dzongkha letter
takes 3). Facebook Page posts take up to 63,206 characters. The outbound path enforces the same limits;
checking them here lets the composer say so while the official is still typing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicloop.channels.x.outbound import POST_LIMIT as X_LIMIT
from civicloop.channels.x.outbound import weighted_length as x_weight

WECHAT_BYTES = 2048
FACEBOOK_LIMIT = 63_206
# Markdown-ish emphasis that WeChat would show literally.
MARKUP_RE = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


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


def wechat_text(text: str) -> str:
    """WeChat shows no Markdown: drop emphasis markers and keep line breaks."""
    return MARKUP_RE.sub("", text)


def fit(platform: str, text: str) -> Fit:
    if platform == "x":
        return Fit("X", x_weight(text), X_LIMIT, "weighted characters")
    if platform == "wechat":
        return Fit("WeChat", len(wechat_text(text).encode()), WECHAT_BYTES, "bytes")
    return Fit("Facebook", len(text), FACEBOOK_LIMIT, "characters")


def text_for(platform: str, text: str, variants: dict[str, str]) -> str:
    """The platform's own variant when there is one, else the common text (made plain for WeChat)."""
    chosen = variants.get(platform, "").strip() or text
    return wechat_text(chosen) if platform == "wechat" else chosen


def shorten_for_x(text: str, keep: str = "") -> str:
    """Cut ``text`` on a word boundary so that it plus `` keep`` (a link, a hashtag) fits X's limit."""
    room = X_LIMIT - (x_weight(" " + keep) if keep else 0)
    if x_weight(text) <= room:
        return f"{text} {keep}".strip()
    words, out = text.split(), ""
    for word in words:
        candidate = f"{out} {word}".strip()
        if x_weight(candidate + "…") > room:
            break
        out = candidate
    return f"{out}… {keep}".strip()
