"""How long a text is for each platform, and how a post is shaped for it (pure functions).

The limits and the ways of counting are the outbound path's own (``channels.outbound.service.LIMITS`` for a post on
each platform): X counts "weighted" characters (CJK and emoji weigh 2, a URL 23) up to 280; WeChat text is
plain, up to 2048 bytes of UTF-8 (a Dzongkha letter takes 3); Facebook Page posts take 63,206 characters.
Checking them here lets the composer say so while the official is still typing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicloop.channels.delivery import Route
from civicloop.channels.outbound.service import LIMITS
from civicloop.channels.x.outbound import POST_LIMIT as X_LIMIT
from civicloop.channels.x.outbound import weighted_length as x_weight

POST_ROUTES = {"facebook": Route.facebook_post, "x": Route.x_post, "wechat": Route.wechat_mass}
PLATFORM_NAMES = {"facebook": "Facebook", "x": "X", "wechat": "WeChat"}
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
    """How ``text`` fits a post on ``platform`` (facebook, x or wechat), measured as the outbound path will."""
    limit = LIMITS[POST_ROUTES[platform]]
    measured = wechat_text(text) if platform == "wechat" else text
    return Fit(PLATFORM_NAMES[platform], limit.measure(measured), limit.limit, limit.unit)


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
