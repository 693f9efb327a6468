"""Clean a message for analysis (the original is kept for display) and tell its language."""

from __future__ import annotations

import re
import unicodedata

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w.])@[\w.]{1,50}")
# Lines platforms and forms add around what the citizen wrote: they would make every message of
# one channel look alike and end up as theme keywords.
BOILERPLATE_RE = re.compile(
    r"(?im)^\s*(?:sent from my \w[\w ]*|sent via [\w .]+|-- ?$|shared via \w+|"
    r"this message was sent (?:from|through) .*|\[(?:image|photo|sticker|video)\]|"
    r"(?:see|show) (?:more|translation)|reply|like)\s*$"
)
HASHTAG_RE = re.compile(r"#(\w+)")
SPACE_RE = re.compile(r"\s+")
TIBETAN_DIGITS = str.maketrans("\u0f20\u0f21\u0f22\u0f23\u0f24\u0f25\u0f26\u0f27\u0f28\u0f29", "0123456789")
TIBETAN_RE = re.compile(r"[\u0F00-\u0FFF]")
TIBETAN_RUN_RE = re.compile(r"[\u0F00-\u0FFF]+")
LATIN_RE = re.compile(r"[A-Za-z]")
LETTER_RE = re.compile(r"\w", re.UNICODE)
# A few very common English function words: Latin letters alone do not make a text English.
ENGLISH_HINTS = frozenset(
    {"the", "and", "to", "of", "a", "in", "is", "it", "for", "on", "that", "this", "with", "are", "was", "be"}
    | {"not", "have", "you", "we", "our", "my", "i", "please", "no", "they", "at", "from", "by", "but", "can"}
    | {"will", "do", "all"}
)
WORD_RE = re.compile(r"[a-z']+")

Language = str  # "en", "dz" or "other"


def normalize(text: str) -> str:
    """Lower-cased text without URLs, @mentions and platform boilerplate; hashtags keep their word;
    Tibetan digits as the digits they are (༢༠༢༦ is 2026)."""
    text = unicodedata.normalize("NFKC", text).translate(TIBETAN_DIGITS)
    text = BOILERPLATE_RE.sub(" ", text)
    text = URL_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    text = HASHTAG_RE.sub(r"\1", text)
    return SPACE_RE.sub(" ", text).strip().lower()


def detect_language(text: str) -> Language:
    """``dz`` when Tibetan script dominates the letters, ``en`` when English words do, else ``other``."""
    letters = len(LETTER_RE.findall(text))
    if not letters:
        return "other"
    tibetan = len(TIBETAN_RE.findall(text))
    if tibetan * 2 >= letters:
        return "dz"
    latin = len(LATIN_RE.findall(text))
    if latin * 2 < letters:
        return "other"
    words = WORD_RE.findall(text.lower())
    if not words:
        return "other"
    hits = sum(1 for word in words if word in ENGLISH_HINTS)
    # Short English messages ("pothole again") may have no function word at all.
    return "en" if hits or len(words) <= 3 else "other"


def without_tibetan(text: str) -> str:
    """The text with its Tibetan-script runs taken out: what a model with no Tibetan in its vocabulary reads."""
    if TIBETAN_RE.search(text) is None:
        return text
    return SPACE_RE.sub(" ", TIBETAN_RUN_RE.sub(" ", text)).strip()


# Words for TF-IDF, shingles and labels: letters and digits, with Tibetan vowel signs kept inside
# the syllable (they are combining marks, not \w) and the tsheg/shad marks splitting syllables.
TOKEN_PATTERN = r"(?:[^\W_]|[\u0F35\u0F37\u0F39\u0F3E\u0F3F\u0F71-\u0F84\u0F86\u0F87\u0F8D-\u0FBC]|')+"  # noqa: S105
TOKEN_RE = re.compile(TOKEN_PATTERN)
# The same words in ASCII text (where a letter or digit is [A-Za-z0-9]), found in a third less time.
ASCII_TOKEN_RE = re.compile(r"[A-Za-z0-9']+")


def tokens(normalized: str) -> list[str]:
    return (ASCII_TOKEN_RE if normalized.isascii() else TOKEN_RE).findall(normalized)
