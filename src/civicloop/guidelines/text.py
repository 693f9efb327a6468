"""Text preparation shared by every detector: one-to-one character maps, so spans stay exact."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Tibetan (U+0F20–U+0F29) and full-width digits become ASCII digits; dashes, odd spaces and curly
# apostrophes become their plain forms. Every mapping is one character to one character.
_ONE_TO_ONE = {0x0F20 + i: ord(str(i)) for i in range(10)}
_ONE_TO_ONE.update({0xFF10 + i: ord(str(i)) for i in range(10)})
_ONE_TO_ONE.update(dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212), ord("-")))
_ONE_TO_ONE.update(dict.fromkeys((0x00A0, 0x2007, 0x202F, 0x2009, 0x200A), ord(" ")))
_ONE_TO_ONE.update(dict.fromkeys((0x2018, 0x2019, 0x02BC), ord("'")))
_ONE_TO_ONE.update({0xFF0B: ord("+"), 0xFF20: ord("@")})
# Mathematical digits (bold, double-struck, sans-serif, monospace: "𝟭𝟳 𝟲𝟯") and full-width letters, as
# NFKC would map them (one character each, so spans stay exact).
_ONE_TO_ONE.update({0x1D7CE + i: ord(str(i % 10)) for i in range(50)})
# Mathematical letters ("𝐂𝐎𝐍𝐅𝐈𝐃𝐄𝐍𝐓𝐈𝐀𝐋", "𝘴𝘦𝘤𝘳𝘦𝘵": the bold and italic of social-media text generators).
_ONE_TO_ONE.update(
    {c: ord(n) for c in range(0x1D400, 0x1D6A4) if len(n := unicodedata.normalize("NFKC", chr(c))) == 1 and n.isascii()}
)
_ONE_TO_ONE.update({0xFF21 + i: ord("A") + i for i in range(26)})
_ONE_TO_ONE.update({0xFF41 + i: ord("a") + i for i in range(26)})

# A word: Latin letters and digits, or a Tibetan syllable (letters, vowel signs, subjoined letters).
# The tsheg (U+0F0B) and shad (U+0F0D) fall outside and so separate Dzongkha words like spaces.
TOKEN_RE = re.compile(r"[\w\u0F40-\u0FBC]+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Prepared:
    original: str
    norm: str  # same length as original: digits, dashes, spaces and apostrophes normalised
    tokens: tuple[tuple[int, int, str], ...]  # (start, end, text as written)
    lowered: tuple[str, ...]

    def has_digits(self) -> bool:
        return _DIGIT.search(self.norm) is not None


def prepare(text: str) -> Prepared:
    norm = text.translate(_ONE_TO_ONE)
    tokens = tuple((m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(norm))
    return Prepared(text, norm, tokens, tuple(t.lower() for _, _, t in tokens))


def tokenize(term: str) -> tuple[str, ...]:
    return tuple(m.group() for m in TOKEN_RE.finditer(term.translate(_ONE_TO_ONE)))


def is_tibetan(token: str) -> bool:
    return bool(token) and "\u0f00" <= token[0] <= "\u0fff"
