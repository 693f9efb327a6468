"""Lexicons: word lists shipped in ``data/`` plus overrides, matched word by word in one pass.

A term is a sequence of words (Dzongkha: syllables). The index maps a term's first word to the
terms starting with it, so a text is scanned once whatever the size of the lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from civicloop.guidelines.findings import Party
from civicloop.guidelines.text import Prepared, is_tibetan, tokenize

# Dzongkha particles that attach to the last syllable of a name (genitive, agentive, dative…).
TIBETAN_SUFFIXES = frozenset({"", "འི", "ས", "ར", "འོ", "འམ"})
# Words either side of a term in which an ``unless_near`` word cancels the match.
NEAR_WINDOW = 6
# What ends a clause: a Dzongkha shad, a sentence's end, a new line, a heading's colon.
_CLAUSE_END = re.compile("[\u0f0d\u0f0e.!?\n:]")
# Most characters allowed between two words of one term (spaces, a hyphen, a tsheg, a comma…).
MAX_GAP = 3


def data_text(name: str) -> str:
    return (resources.files("civicloop.guidelines") / "data" / name).read_text(encoding="utf-8")


def data_json(name: str) -> Any:
    return json.loads(data_text(name))


@dataclass(frozen=True)
class Term:
    raw: str
    lexicon: str
    words: tuple[str, ...]  # lower-cased unless case_sensitive
    case_sensitive: bool = False
    heading_only: bool = False
    prefix: bool = False  # the last word may continue ("idiot*" matches "idiots")

    @classmethod
    def parse(cls, line: str, lexicon: str) -> Term | None:
        raw = line.strip()
        text = raw
        case_sensitive = text.startswith("=")
        heading_only = text.startswith("^")
        text = text.lstrip("=^")
        prefix = text.endswith("*")
        words = tokenize(text.rstrip("*"))
        if not words:
            return None
        if not case_sensitive:
            words = tuple(w.lower() for w in words)
        return cls(raw, lexicon, words, case_sensitive, heading_only, prefix)

    @property
    def key(self) -> str:
        """The normalised form used to add or remove a term (case and spacing do not matter)."""
        return normalise_term(self.raw)


def normalise_term(raw: str) -> str:
    text = raw.strip()
    marks = "".join(ch for ch in text[:2] if ch in "=^")
    body = text.lstrip("=^")
    star = "*" if body.endswith("*") else ""
    words = tokenize(body.rstrip("*"))
    joined = " ".join(words if "=" in marks else (w.lower() for w in words))
    return f"{marks}{joined}{star}"


def parse_terms(text: str) -> list[str]:
    """Lines of a term file without comments and blanks."""
    out = []
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        if stripped:
            out.append(stripped)
    return out


@dataclass(frozen=True)
class LexiconSpec:
    id: str
    rule: str
    description: str
    terms: tuple[str, ...]
    unless_near: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def shipped_lexicons() -> dict[str, LexiconSpec]:
    specs = {}
    for lexicon_id, meta in data_json("lexicons.json")["lexicons"].items():
        specs[lexicon_id] = LexiconSpec(
            id=lexicon_id,
            rule=meta["rule"],
            description=meta["description"],
            terms=tuple(parse_terms(data_text(meta["file"]))) if "file" in meta else (),
            unless_near={k.lower(): tuple(v) for k, v in meta.get("unless_near", {}).items()},
        )
    return specs


@lru_cache(maxsize=1)
def shipped_parties() -> tuple[Party, ...]:
    return tuple(
        Party(
            name=item["name"],
            abbreviation=item.get("abbreviation", ""),
            name_dz=item.get("name_dz", ""),
            other_names=tuple(item.get("other_names", ())),
            slogans=tuple(item.get("slogans", ())),
        )
        for item in data_json("parties.json")["parties"]
    )


@dataclass(frozen=True)
class Hit:
    term: Term
    start: int
    end: int


class TermIndex:
    """Every term of several lexicons, indexed by first word for a single pass over a text."""

    def __init__(self, terms: Iterable[Term], unless_near: Mapping[str, Mapping[str, tuple[str, ...]]]) -> None:
        self._folded: dict[str, list[Term]] = {}
        self._exact: dict[str, list[Term]] = {}
        self._prefixed: dict[str, list[Term]] = {}  # one-word prefix terms, keyed by their first 3 letters
        # Longer terms keyed by their first two words: many phrases start with "the", "is" or "vote",
        # and trying each of them at every such word would cost more than the rest of the check.
        self._pairs: dict[tuple[str, str], list[Term]] = {}
        self._unless = {lex: {k: tuple(v) for k, v in near.items()} for lex, near in unless_near.items()}
        for term in terms:
            first = term.words[0]
            if term.prefix and len(term.words) == 1:
                self._prefixed.setdefault(first[:3], []).append(term)
            elif term.case_sensitive:
                self._exact.setdefault(first, []).append(term)
            elif len(term.words) > 2 or (len(term.words) == 2 and not term.prefix and not is_tibetan(first)):
                self._pairs.setdefault((first, term.words[1]), []).append(term)
            else:
                self._folded.setdefault(first, []).append(term)

    def find(self, prepared: Prepared) -> Iterator[Hit]:
        tokens, lowered = prepared.tokens, prepared.lowered
        folded, exact, prefixed, pairs = self._folded, self._exact, self._prefixed, self._pairs
        last = len(lowered) - 1
        for i, low in enumerate(lowered):
            candidates = folded.get(low)
            if candidates is None and is_tibetan(low):
                candidates = self._tibetan_candidates(low)
            longer = pairs.get((low, lowered[i + 1])) if i < last else None
            for group in (candidates, longer, exact.get(tokens[i][2]), prefixed.get(low[:3])):
                if not group:
                    continue
                for term in group:
                    end = self._match(term, prepared, i)
                    if end is not None and not self._cancelled(term, prepared, i, end):
                        yield Hit(term, tokens[i][0], tokens[end][1])

    def _tibetan_candidates(self, low: str) -> list[Term] | None:
        # A one-syllable Dzongkha term followed by a particle ("གསང་བའི") is still that term.
        for suffix in TIBETAN_SUFFIXES:
            if suffix and low.endswith(suffix):
                found = self._folded.get(low[: -len(suffix)])
                if found:
                    return [t for t in found if len(t.words) == 1]
        return None

    @staticmethod
    def _match(term: Term, prepared: Prepared, i: int) -> int | None:
        """Index of the last token of ``term`` when it starts at token ``i``, else None."""
        words, tokens, lowered = term.words, prepared.tokens, prepared.lowered
        last = i + len(words) - 1
        if last >= len(tokens):
            return None
        for offset, word in enumerate(words):
            j = i + offset
            if j > i and tokens[j][0] - tokens[j - 1][1] > MAX_GAP:
                return None
            got = tokens[j][2] if term.case_sensitive else lowered[j]
            if offset < len(words) - 1:
                if got != word:
                    return None
            elif term.prefix:
                if not got.startswith(word):
                    return None
            elif got != word and not (
                is_tibetan(word) and got.startswith(word) and got[len(word) :] in TIBETAN_SUFFIXES
            ):
                return None
        return last

    def _cancelled(self, term: Term, prepared: Prepared, first: int, last: int) -> bool:
        """An ``unless_near`` word within the window, in the term's own clause: "གསང་བ། … ཚོགས་རྒྱན …" is a
        heading and then a sentence about the vote, not the secret ballot; so is "གསང་བ: … ཚོགས་རྒྱན …" (a colon
        ends a heading as the shad does)."""
        near = self._unless.get(term.lexicon, {}).get(" ".join(term.words).lower())
        if not near:
            return False
        tokens, lowered, norm = prepared.tokens, prepared.lowered, prepared.norm
        before = range(first - 1, max(0, first - NEAR_WINDOW) - 1, -1)
        after = range(last + 1, min(len(lowered), last + 1 + NEAR_WINDOW))
        for j in (*before, *after):
            gap = (tokens[j][1], tokens[first][0]) if j < first else (tokens[last][1], tokens[j][0])
            if _CLAUSE_END.search(norm, *gap):
                continue
            word = lowered[j]
            for stem in near:
                if (stem.endswith("*") and word.startswith(stem[:-1])) or word == stem:
                    return True
        return False
