"""Theme labels a person understands: a short phrase from the theme's own messages, and keywords.

A phrase (2–6 words, or Dzongkha syllables) scores high for a theme when many of the theme's
messages contain it and few of the others' do (class-based TF-IDF over document frequency, as
BERTopic weighs terms, counted once per message so that one long message cannot carry a theme).
Words found in most texts (the place everybody writes about, greetings, a form's boilerplate),
numbers, redaction marks and markup never make a label: they tell the themes apart by nothing.
A label is one phrase used by a tenth of the theme's messages, never two top words glued with
"and"; without one, the theme's best word said plainly ("About wheelchair").
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from civicloop.analysis.embed import stop_words
from civicloop.analysis.normalize import TIBETAN_RE, detect_language, tokens

KEYWORDS = 10
# A word in at least this share of all texts is "found in most texts" and never labels a theme.
COMMON_SHARE = 0.5
# A label has 2–6 words (syllables in Dzongkha).
MAX_PHRASE_WORDS = 6
NO_LABEL = "(no distinctive words)"
# A phrase labels a theme when at least this share of the theme's messages use it.
LABEL_SHARE = 0.1
# A label holds one of the theme's this many best words.
NAMING_WORDS = 3
# Stop words a label may start with ("at night", "more seats", "no lights") or end with ("thank you").
LEADING = {"at", "in", "on", "after", "before", "during", "without", "no", "not", "more", "less", "few", "many"}
LEADING |= {"much", "enough", "every", "all", "some", "too", "very"}
TRAILING = {"you", "please", "again", "enough", "now"}
TSHEG = "\u0f0b"
# Dzongkha particles and the copula ("is", "of", "to", "and", "this", plural marks) label nothing.
DZONGKHA_STOP = {"ཨིན", "ཨིནམ", "ཡོད", "ཡོདཔ", "ལུ", "ནང", "ཚུ", "གི", "གིས", "ཀྱི", "ཅིག", "འདི", "དང", "ལས", "སྦེ", "མས"}


@cache
def stop() -> frozenset[str]:
    """Words that never start or end a label (built on first use, from the data file)."""
    return frozenset(stop_words()) | DZONGKHA_STOP


MARKUP_RE = re.compile(r"<[^>]{0,200}>|&[a-z]+;|\{\{.*?\}\}|\[\w+\]")
# Redaction marks ("XXXX", "xx/xx/xxxx") and tokens with a digit say nothing about a topic.
MEANINGLESS_RE = re.compile(r"^(?:x{2,}|.*\d.*|.)$")


@dataclass(frozen=True)
class Words:
    label: str
    keywords: list[str]


def _words(text: str) -> list[str]:
    return tokens(MARKUP_RE.sub(" ", text.lower()))


def _meaningful(word: str) -> bool:
    return not MEANINGLESS_RE.match(word) and not any(ch.isdigit() for ch in word)


def _phrases(words: list[str]) -> set[tuple[str, ...]]:
    """Word runs that could name a topic: 1–6 words (syllables in Dzongkha) with no number or redaction mark
    inside, holding a word that is not a stop word. A run starts with a stop word only when a phrase may start
    with it ("at night", "more seats") and ends with one only when a phrase may end with it ("thank you"): not
    "the rain", "stand for", "make the". One word alone is never a stop word."""
    stops = stop()
    usable = [_meaningful(word) for word in words]  # each word judged once, not once per run it could end
    out: set[tuple[str, ...]] = set()
    for start, first in enumerate(words):
        if not usable[start] or (first in stops and first not in LEADING):
            continue
        content = first not in stops
        for end in range(start + 1, min(len(words), start + MAX_PHRASE_WORDS) + 1):
            if not usable[end - 1]:
                break
            last = words[end - 1]
            content = content or last not in stops
            if content and (last not in stops or last in TRAILING):
                out.add(tuple(words[start:end]))
    return out


def _edged(phrase: tuple[str, ...]) -> bool:
    """Starts or ends with a stop word."""
    return phrase[0] in stop() or phrase[-1] in stop()


def _text(phrase: tuple[str, ...]) -> str:
    """Words joined as written: a tsheg between two Dzongkha syllables, a space otherwise."""
    out = phrase[0]
    for before, word in itertools.pairwise(phrase):
        out += (TSHEG if TIBETAN_RE.match(before) and TIBETAN_RE.match(word) else " ") + word
    return out


def _label(ranked: list[tuple[str, ...]], counts: Counter[tuple[str, ...]], size: int, dzongkha: bool) -> str:
    """The best phrase of 2–6 words that at least ``LABEL_SHARE`` of the theme's messages (two at least) use and
    that holds one of the theme's ``NAMING_WORDS`` best words, so that it names what the theme is about, not a
    detail ("Winter evenings" of a lighting theme); one that neither starts nor ends with a stop word when there
    is one ("Traffic jam", then "More seats please", "Thank you"). Without such a phrase, the best word, said
    plainly: "About wheelchair". Never two top words glued with "and": they may be unrelated ("Wheelchair and
    high"). In the script most of the theme's messages are written in (``dzongkha``: Tibetan), when it has a
    phrase at all, so that those who wrote them can read it."""
    in_script = [phrase for phrase in ranked if bool(TIBETAN_RE.match(phrase[0])) == dzongkha]
    ranked = in_script or ranked
    if not ranked:
        return NO_LABEL
    words = [phrase[0] for phrase in ranked if len(phrase) == 1]
    naming = set(words[:NAMING_WORDS])
    least = max(2, LABEL_SHARE * size)
    phrases = [phrase for phrase in ranked if len(phrase) >= 2 and counts[phrase] >= least and naming & set(phrase)]
    phrases.sort(key=_edged)
    if phrases:
        text = _text(phrases[0])
    elif not words:
        text = _text(ranked[0])
    else:
        text = words[0] if TIBETAN_RE.match(words[0]) else f"about {words[0]}"
    return text[0].upper() + text[1:]


def describe(groups: Sequence[Sequence[str]], *, top: int = KEYWORDS) -> list[Words]:
    """A phrase label and the ``top`` most distinctive terms of each group of (normalized) texts."""
    docs = [[_phrases(_words(text)) for text in group] for group in groups]
    total = sum(len(group) for group in docs)
    if not total:
        return [Words(NO_LABEL, []) for _ in groups]
    per_group = [Counter(phrase for doc in group for phrase in doc) for group in docs]
    overall: Counter[tuple[str, ...]] = Counter()
    for counts in per_group:
        overall.update(counts)
    common = _common(per_group, [len(group) for group in docs], total)
    average = total / max(1, len(groups))
    out = []
    for counts, group, texts in zip(per_group, docs, groups, strict=True):
        size = max(1, len(group))
        # Seen in two messages at least (one message's wording is not a theme's), and rarer elsewhere.
        least = 2 if size >= 2 else 1
        scored = []
        for phrase, n in counts.items():
            if n < least or any(word in common for word in phrase):
                continue
            score = (n / size) * np.log1p(average / overall[phrase])
            scored.append((score, phrase))
        # Ties go to the longer phrase: "bus stop roof" over "stop roof" when both are as frequent.
        scored.sort(key=lambda item: (-item[0], -len(item[1]), item[1]))
        ranked = [phrase for score, phrase in scored if score > 0]
        dzongkha = sum(detect_language(text) == "dz" for text in texts) * 2 > len(texts)
        # Keywords neither start nor end with a stop word: "thank you" labels, "thank" is the keyword.
        keywords = _keywords([phrase for phrase in ranked if not _edged(phrase)], top)
        out.append(Words(_label(ranked, counts, size, dzongkha), keywords))
    return out


def _common(per_group: list[Counter[tuple[str, ...]]], sizes: list[int], total: int) -> set[str]:
    """Words found in most texts, even leaving out the theme that uses them most (a theme's own word
    may be in most texts when that theme is most of them)."""
    if total < 4:
        return set()
    out = set()
    words = {phrase for counts in per_group for phrase in counts if len(phrase) == 1}
    for word in words:
        found = [counts[word] for counts in per_group]
        best = int(np.argmax([n / max(1, size) for n, size in zip(found, sizes, strict=True)]))
        rest, rest_size = sum(found) - found[best], total - sizes[best]
        share = rest / rest_size if rest_size else sum(found) / total
        if share >= COMMON_SHARE:
            out.add(word[0])
    return out


def _keywords(ranked: list[tuple[str, ...]], top: int) -> list[str]:
    """Distinct terms, best first: a phrase absorbs the shorter terms it contains."""
    chosen: list[str] = []
    for phrase in ranked:
        text = _text(phrase)
        if any(_inside(text, kept) for kept in chosen):
            continue
        chosen = [kept for kept in chosen if not _inside(kept, text)]
        chosen.append(text)
        if len(chosen) == top:
            break
    return chosen


def _inside(part: str, whole: str) -> bool:
    return f" {part.replace(TSHEG, ' ')} " in f" {whole.replace(TSHEG, ' ')} "
