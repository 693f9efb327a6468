"""A learned second opinion on taking sides: a linear model over words, word pairs and letter groups.

Cue lists catch the ways of taking sides someone thought of; texts nobody tuned for find others
("He has my vote", "PDP > DNT", "anyone but DPT this time"). This model is trained at build time
(``bench/guidelines_train.py``, fixed seed) on the labelled tuning texts and shipped as a table of
weights in ``data/sides_model.json``: nothing is downloaded and nothing learned at run time, and
scoring is a sum of weights in plain Python.

Names of parties and candidates are replaced by placeholders before the model reads a text, so what
it learns is how a text treats *a* party or *a* candidate, whichever a deployment configures.
A finding from the model names the words that weighed most, so the writer sees why.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from civicloop.guidelines.lexicons import data_json
from civicloop.guidelines.neutrality import longer_name
from civicloop.guidelines.text import Prepared

PARTY = "⟨party⟩"
CANDIDATE = "⟨candidate⟩"
PERIOD = "p:period"
# A name alone is weak evidence: the feature "a party (or a candidate) is named" counts this much of an
# ordinary word, so its weight is learned under a stronger penalty (in training, a feature's value
# times this; in scoring, its weight times this) and cannot dominate a short text, where few other
# words weigh ("ཀརྨ་དབང་ཕྱུག་གིས་ ཕྱུགས་སྨན་ཁང་ ཁ་ཕྱེ་ཡི": a candidate opened the vet hospital).
WEAK_FEATURES = {"w:" + PARTY: 0.25, "w:" + CANDIDATE: 0.25}

CHAR_SIZES = (3, 4, 5)
MAX_REMEMBERED = 50_000  # spellings whose letter-group weights are remembered
_NUMBER = re.compile(r"\d")
# Symbols that carry a stance between names ("PDP > DNT", "DNT = development") become words.
_SYMBOLS = {">": "⟨gt⟩", "<": "⟨lt⟩", "=": "⟨eq⟩", "👍": "⟨up⟩", "👎": "⟨down⟩", "🙅": "⟨no⟩", "✌": "⟨v⟩"}
_SYMBOL_RE = re.compile("[" + "".join(re.escape(s) for s in _SYMBOLS) + "]")


def feature_value(feature: str) -> float:
    """What one occurrence of a feature counts (1, or less for the weak features)."""
    return WEAK_FEATURES.get(feature, 1.0)


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    form: str  # lower-cased, digits as 0, a name as its placeholder


def words_of(prepared: Prepared, named: Iterable[tuple[int, int, str]]) -> list[Word]:
    """The text as the model reads it: words in order, each named party or candidate one placeholder."""
    # "the Lamp of Knowledge award": a nickname inside a longer proper name is read as words.
    spans = sorted(n for n in named if not longer_name(prepared.norm, n[0], n[1]))
    tokens = prepared.tokens
    lowered = prepared.lowered
    if _SYMBOL_RE.search(prepared.norm):
        merged = [(s, e, low) for (s, e, _), low in zip(tokens, lowered, strict=True)]
        merged += [(m.start(), m.end(), _SYMBOLS[m.group()]) for m in _SYMBOL_RE.finditer(prepared.norm)]
        merged.sort()
        items = [(s, e, low) for s, e, low in merged]
    else:
        items = [(s, e, low) for (s, e, _), low in zip(tokens, lowered, strict=True)]
    out: list[Word] = []
    i = 0
    for start, end, word in items:
        if spans:
            while i < len(spans) and spans[i][1] <= start:
                i += 1
            if i < len(spans) and spans[i][0] <= start:
                s, e, kind = spans[i]
                if not (out and out[-1].start == s):  # the rest of a name is already replaced
                    out.append(Word(s, e, CANDIDATE if kind == "candidates" else PARTY))
                continue
        out.append(Word(start, end, _NUMBER.sub("0", word)))
    return out


def features(words: list[Word], in_period: bool, cues: Iterable[tuple[int, str]] = ()) -> list[tuple[str, int]]:
    """Every feature occurrence and the word it comes from: words, pairs of neighbouring words, groups
    of 3 to 5 letters inside a word (edges marked), so spellings and Dzongkha particles still share
    some, and the kinds of cue the rules' word lists found (``cues``: start, kind), so the lists' words
    that the training texts never used still count. Counted as often as they occur; a text's counts
    are divided by the square root of its number of occurrences (``SidesModel.score``, training)."""
    found: list[tuple[str, int]] = []
    starts = [w.start for w in words]
    for start, kind in cues:
        found.append((kind, max(bisect.bisect_right(starts, start) - 1, 0)))
    last = len(words) - 1
    for i, word in enumerate(words):
        found.append(("w:" + word.form, i))
        if i < last:
            found.append(("b:" + word.form + " " + words[i + 1].form, i))
        if not word.form.startswith("⟨"):
            found += [(gram, i) for gram in _grams(word.form)]
    if in_period:
        found.append((PERIOD, 0))
    names = _names_feature(words)
    if names:
        found.append((names, 0))
    return found


def _names_feature(words: list[Word]) -> str:
    """Several parties or candidates named: most often a list in a notice ("DPT, DNT and PDP have filed
    their candidates"). One name says nothing by itself (and would weigh most in the shortest texts)."""
    names = sum(1 for w in words if w.form in (PARTY, CANDIDATE))
    return f"n:names={min(names, 3)}" if names >= 2 else ""


def _grams(form: str) -> tuple[str, ...]:
    padded = " " + form + " "
    return tuple("c:" + padded[j : j + n] for n in CHAR_SIZES for j in range(len(padded) - n + 1))


@dataclass(frozen=True)
class Opinion:
    probability: float
    top_words: tuple[str, ...]  # the words that weighed most towards taking sides, as written
    start: int
    end: int


class SidesModel:
    def __init__(self, weights: dict[str, float], bias: float, threshold: float) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self._letters: dict[str, tuple[float, int]] = {}  # a spelling: its letter groups' weight, count

    def score(
        self,
        prepared: Prepared,
        named: Iterable[tuple[int, int, str]],
        in_period: bool,
        cues: Iterable[tuple[int, str]] = (),
    ) -> Opinion:
        """The same sum as ``features`` then the weights would give, faster: a word's letter groups are
        summed once per spelling and remembered."""
        words = words_of(prepared, named)
        if not words:
            return Opinion(0.0, (), 0, 0)
        weights = self.weights
        per_word = [0.0] * len(words)
        starts = [w.start for w in words]
        count = 0
        for start, kind in cues:
            count += 1
            per_word[max(bisect.bisect_right(starts, start) - 1, 0)] += weights.get(kind, 0.0)
        last = len(words) - 1
        for i, word in enumerate(words):
            form = word.form
            weight = weights.get("w:" + form, 0.0) * feature_value("w:" + form)
            count += 1
            if i < last:
                weight += weights.get("b:" + form + " " + words[i + 1].form, 0.0)
                count += 1
            if not form.startswith("⟨"):
                grams = self._letters.get(form)
                if grams is None:
                    grams = self._remember(form)
                weight += grams[0]
                count += grams[1]
            per_word[i] += weight
        total = sum(per_word)
        if in_period:
            total += weights.get(PERIOD, 0.0)
            count += 1
        names = _names_feature(words)
        if names:
            total += weights.get(names, 0.0)  # of the whole text: no word's weight
            count += 1
        probability = 1.0 / (1.0 + math.exp(-max(min(self.bias + total / math.sqrt(count), 50.0), -50.0)))
        ranked = sorted((w, i) for i, w in enumerate(per_word) if w > 0)[::-1][:3]
        if not ranked:
            return Opinion(probability, (), 0, 0)
        chosen = sorted(i for _, i in ranked)
        top = tuple(prepared.original[words[i].start : words[i].end] for _, i in ranked)
        return Opinion(probability, top, words[chosen[0]].start, words[chosen[-1]].end)

    def _remember(self, form: str) -> tuple[float, int]:
        if len(self._letters) >= MAX_REMEMBERED:
            self._letters.clear()
        grams = _grams(form)
        summed = (sum(self.weights.get(g, 0.0) for g in grams), len(grams))
        self._letters[form] = summed
        return summed


@lru_cache(maxsize=1)
def shipped_model() -> SidesModel | None:
    """The model in ``data/sides_model.json``, or None when none is shipped (then only the rules speak)."""
    try:
        data = data_json("sides_model.json")
    except FileNotFoundError:
        return None
    return SidesModel({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]), float(data["threshold"]))
