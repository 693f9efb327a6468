"""Text preparation shared by every detector: one-to-one character maps, so spans stay exact."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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


# -- how a name sounds, to find one written in the other script ------------------------------------
# A name entered in Latin letters ("Dungkar Shell") may be written in Dzongkha script (དུང་དཀར་ཤེལ), and the
# other way round. Both are reduced to a key of their consonant sounds: aspirated and voiced letters
# merged (kh, g: k), vowels left out, doubled letters once. A Dzongkha syllable is read for its sounds:
# its root letter (after any prefix letter, under any superscript), the subjoined letters that change it,
# and the final letters that are pronounced (ng, n, m, r, l, p, k).
_LATIN_SOUNDS = (
    ("dg", "j"),
    ("tsh", "s"),
    ("ts", "s"),
    ("dz", "s"),
    ("chh", "c"),
    ("ch", "c"),
    ("sh", "S"),
    ("zh", "S"),
    ("ng", "N"),
    ("kh", "k"),
    ("gh", "k"),
    ("th", "t"),
    ("dh", "t"),
    ("ph", "p"),
    ("bh", "p"),
)
_LATIN_LETTERS = str.maketrans({"g": "k", "d": "t", "b": "p", "j": "c", "z": "s", "v": "w", "f": "p", "q": "k"})
_VOWELS_AND_H = re.compile(r"[aeiouyhöü'\-]")
_TIBETAN_LATIN = dict(
    zip(
        "ཀཁགངཅཆཇཉཏཐདནཔཕབམཙཚཛཝཞཟའཡརལཤསཧཨཊཋཌཎཥ",
        [
            "k",
            "kh",
            "g",
            "ng",
            "c",
            "ch",
            "j",
            "ny",
            "t",
            "th",
            "d",
            "n",
            "p",
            "ph",
            "b",
            "m",
            "ts",
            "tsh",
            "dz",
            "w",
            "zh",
            "z",
            "'",
            "y",
            "r",
            "l",
            "sh",
            "s",
            "h",
            "'",
            "t",
            "th",
            "d",
            "n",
            "sh",
        ],
        strict=True,
    )
)
_PREFIXES = "གདབམའ"
_SUPERSCRIPTS = "རལས"
_MODIFIERS = "\u0fb1\u0fb2\u0fb3\u0fad"  # subjoined ya, ra, la, wa
_SPOKEN_FINALS = {"ང": "ng", "ན": "n", "མ": "m", "ར": "r", "ལ": "l", "བ": "p", "ག": "k"}
_VOWEL_SIGNS = {"\u0f72": "i", "\u0f74": "u", "\u0f7a": "e", "\u0f7c": "o"}


def sound_key(latin: str) -> str:
    """The consonant sounds of a name in Latin letters: "Dungkar Shell" -> "tNkrSl"."""
    key = "".join(ch for ch in latin.lower() if ch.isalpha())
    for spelling, sound in _LATIN_SOUNDS:
        key = key.replace(spelling, sound)
    key = _VOWELS_AND_H.sub("", key.translate(_LATIN_LETTERS))
    return re.sub(r"(.)\1+", r"\1", key)


def tibetan_sound(syllable: str) -> str:
    """One Dzongkha syllable as it sounds, in Latin letters: དཀར -> "kar", ཤེལ -> "shel", སྒྲོལ -> "grol"."""
    letters = [ch for ch in syllable if ch in _TIBETAN_LATIN or "\u0f90" <= ch <= "\u0fbc"]
    stacked = [i for i, ch in enumerate(letters) if ch >= "\u0f90"]
    if stacked:
        head = stacked[0] - 1
        under = letters[stacked[0]]
        superscript = head >= 0 and letters[head] in _SUPERSCRIPTS and under not in _MODIFIERS
        root = chr(ord(under) - 0x50) if superscript or head < 0 else letters[head]
        modifiers = [chr(ord(ch) - 0x50) for ch in letters[stacked[0] :] if ch in _MODIFIERS]
        finals = letters[stacked[-1] + 1 :]
    else:
        skip = 1 if len(letters) >= 3 and letters[0] in _PREFIXES else 0
        root, modifiers, finals = letters[skip], [], letters[skip + 1 :]
    vowel = next((_VOWEL_SIGNS[ch] for ch in syllable if ch in _VOWEL_SIGNS), "a")
    sound = _TIBETAN_LATIN.get(root, "") + "".join("r" if m == "ར" else "y" if m == "ཡ" else "" for m in modifiers)
    return sound + vowel + "".join(_SPOKEN_FINALS.get(ch, "") for ch in finals[:1])


@lru_cache(maxsize=8192)
def syllable_key(syllable: str) -> str:
    """The sound key of one Dzongkha syllable; a name's key is its syllables' keys joined (see ``join_keys``)."""
    return sound_key(tibetan_sound(syllable))


def join_keys(left: str, right: str) -> str:
    """Two keys one after the other, a letter doubled across the join written once."""
    return left + right[1:] if left and right and left[-1] == right[0] else left + right
