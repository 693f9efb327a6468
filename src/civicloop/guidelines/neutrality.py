"""Taking sides: a party, a candidate or a side (the ruling party, the opposition) with a cue that
asks for votes, endorses, attacks or compares, in the same sentence and close enough to belong to it.

A party named in a neutral fact ("DNT members visited", "the DPT vaccine") is only a mention: the
cues make the difference. In an election period the windows widen to the whole sentence and
campaign cues (sharing, promoting a rally or a pledge) count too. Cue lists are data
(``data/neutrality.json``); parties and candidates come from the deployment's database.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from civicloop.guidelines.findings import Party
from civicloop.guidelines.text import Prepared, is_tibetan

CAMPAIGN_RULE = "political.campaign"
SLOGAN_RULE = "political.slogan"
SIDES = ("before", "after")
# Sentences end at . ! ? ; a line break or a shad, but "Dr. Sonam" or "Nu. 300" do not end one.
_SENTENCE_END = re.compile(r"[!?;\n\u0f0d\u0f0e]|\.(?=\s+[A-Z\u0f40-\u0fbc#\"'“(]|\s*$)")
_HASHTAG = re.compile(r"#(\w{3,})")
_TOKEN = re.compile(r"[\w\u0F40-\u0FBC]+")
# "PDP for Thimphu!", "DNT for a better Bhutan!": a name, "for" and a cheer.
_SLOGAN_FOR = re.compile(r"\s+for\s+(?:a\s+|the\s+)?(?:\w+\s+){0,2}\w+\s*!")
# Generic targets used in another sense: "the opposition to the new road", "opposition of residents".
_NOT_A_SIDE_AFTER = frozenset({"to", "from", "of", "against"})


@dataclass(frozen=True)
class Cue:
    rule: str
    window: int | None  # most words between cue and target; None: the whole sentence


def _phrase_regex(phrase: str) -> str:
    """A phrase as a regex: its words separated by spaces, hyphens or tshegs, whole words only."""
    stem = phrase.endswith("*")
    words = _TOKEN.findall(phrase.rstrip("*").lower())
    body = r"(?:[\s\u0f0b'’-]+)".join(re.escape(w) for w in words)
    if "'" in phrase or "’" in phrase:  # "don't", "i'm": keep the apostrophe as written
        body = r"\s+".join(re.escape(w) for w in phrase.rstrip("*").lower().split())
    if words and is_tibetan(words[0]):
        return body + (r"[\u0f40-\u0fbc]*" if stem else "")
    return r"(?<![\w#])" + body + (r"\w*" if stem else r"(?!\w)")


def _alternation(phrases: Iterable[str]) -> re.Pattern[str]:
    parts = sorted({_phrase_regex(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile("|".join(parts) if parts else r"(?!x)x", re.IGNORECASE)


def _key(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


class _CueSet:
    """Phrases of one side, each with its rule and window, found with one regex."""

    def __init__(self, entries: dict[str, Cue]) -> None:
        self.regex = _alternation(entries)
        self.exact = {_key(p): cue for p, cue in entries.items() if not p.endswith("*")}
        self.stems = [(_key(p), cue) for p, cue in entries.items() if p.endswith("*")]

    def find(self, text: str) -> list[tuple[int, int, Cue]]:
        out = []
        for m in self.regex.finditer(text):
            key = _key(m.group())
            cue = self.exact.get(key) or next((c for stem, c in self.stems if key.startswith(stem)), None)
            if cue is not None:
                out.append((m.start(), m.end(), cue))
        return out


def _parse_cue(entry: str, rule: str, default: int) -> tuple[str, Cue]:
    phrase, _, window = entry.partition("|")
    return phrase, Cue(rule, int(window) if window else default)


@dataclass(frozen=True)
class SideFinding:
    rule: str
    start: int
    end: int


class NeutralityDetector:
    def __init__(self, config: dict[str, Any], parties: tuple[Party, ...], candidates: tuple[str, ...]) -> None:
        before: dict[str, Cue] = {}
        after: dict[str, Cue] = {}
        for rule, sides in config["cues"].items():
            for entry in sides["before"]:
                phrase, cue = _parse_cue(entry, rule, config["window_before"])
                before[phrase] = cue
            for entry in sides["after"]:
                phrase, cue = _parse_cue(entry, rule, config["window_after"])
                after[phrase] = cue
        self.before, self.after = _CueSet(before), _CueSet(after)
        self.around = _CueSet(dict.fromkeys(config["around_dz"], Cue("political.endorsement", None)))
        self.campaign = _CueSet(dict.fromkeys(config["campaign"], Cue(CAMPAIGN_RULE, None)))
        self.evaluative = _CueSet(
            {word: Cue(rule, config["window_evaluative"]) for rule, words in config["evaluative"].items() for word in words}
        )
        self.only_verbs = frozenset(config["only_verbs"])
        self.neutral_dz = _alternation(config["neutral_dz"])
        self.targets = _alternation(config["targets"])
        self.electoral_targets = _alternation(config["electoral_targets"])
        self.electoral = _alternation(config["electoral"])
        self.standalone = _alternation(config["standalone"])
        self.slogans = _alternation(s for p in parties for s in p.slogans if not s.startswith("#"))
        self.hashtag_names = frozenset(
            _squash(form)
            for p in parties
            for form in (p.abbreviation, p.name, *p.other_names)
            if len(_squash(form)) >= 3 and not is_tibetan(form.strip())
        ) | frozenset(_squash(c) for c in candidates if len(_squash(c)) >= 6)
        self.hashtag_slogans = frozenset(_squash(s) for p in parties for s in p.slogans if s.startswith("#"))

    def find(
        self, prepared: Prepared, named: list[tuple[int, int]], *, in_period: bool
    ) -> list[SideFinding]:
        """Spans that take sides; ``named`` are the parties and candidates the lexicons found."""
        text = prepared.norm
        found = [SideFinding("political.canvassing", m.start(), m.end()) for m in self.standalone.finditer(text)]
        found += [SideFinding(SLOGAN_RULE, m.start(), m.end()) for m in self.slogans.finditer(text)]
        found += self._hashtags(text)
        targets = list(named) + self._generic_targets(text)
        if not targets:
            return found
        starts = [t[0] for t in prepared.tokens]
        sentences = _sentences(text)
        cues = {"before": self.before.find(text), "after": self.after.find(text)}
        evaluative = self.evaluative.find(text)
        around = self.around.find(text) if any(is_tibetan(w) for w in prepared.lowered) else []
        campaign = self.campaign.find(text) if in_period else []
        for t_start, t_end in targets:
            s_start, s_end = _sentence_of(sentences, t_start)
            for c_start, c_end, cue in cues["before"]:
                if s_start <= c_start and c_end <= t_start:
                    gap = _words_between(starts, c_end, t_start)
                    if in_period or cue.window is None or gap <= cue.window:
                        found.append(SideFinding(cue.rule, c_start, t_end))
            for c_start, c_end, cue in cues["after"]:
                if t_end <= c_start and c_end <= s_end:
                    gap = _words_between(starts, t_end, c_start)
                    if in_period or cue.window is None or gap <= cue.window:
                        found.append(SideFinding(cue.rule, t_start, c_end))
            for c_start, c_end, cue in evaluative:
                if s_start <= c_start < s_end and not (c_start < t_end and t_start < c_end):
                    a, b = (c_end, t_start) if c_end <= t_start else (t_end, c_start)
                    if in_period or cue.window is None or _words_between(starts, a, b) <= cue.window:
                        found.append(SideFinding(cue.rule, min(c_start, t_start), max(c_end, t_end)))
            found += self._only_or_slogan(prepared, t_start, t_end)
            sentence = text[s_start:s_end]
            if around and not self.neutral_dz.search(sentence):
                found += [
                    SideFinding(c.rule, min(a, t_start), max(b, t_end)) for a, b, c in around if s_start <= a < s_end
                ]
            found += [
                SideFinding(c.rule, min(a, t_start), max(b, t_end))
                for a, b, c in campaign
                if s_start <= a < s_end and not (a <= t_start < b)
            ]
        return found

    def _only_or_slogan(self, prepared: Prepared, t_start: int, t_end: int) -> list[SideFinding]:
        """"Only DNT can…" ranks one side above the rest; "Kelzang for Thimphu!" is a campaign slogan."""
        text = prepared.norm
        before = _TOKEN.findall(text[max(0, t_start - 12) : t_start])
        after = _TOKEN.findall(text[t_end : t_end + 40])
        if before and before[-1].lower() == "only" and after and after[0].lower() in self.only_verbs:
            start = text.rfind(before[-1], 0, t_start)
            return [SideFinding("political.comparison", start, t_end)]
        slogan = _SLOGAN_FOR.match(text, t_end)
        if slogan:
            return [SideFinding(SLOGAN_RULE, t_start, slogan.end())]
        return []

    def _generic_targets(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in self.targets.finditer(text):
            following = _TOKEN.match(text[m.end() :].lstrip())
            if following and following.group().lower() in _NOT_A_SIDE_AFTER and "opposition" in m.group().lower():
                continue
            out.append((m.start(), m.end()))
        if self.electoral.search(text):
            out += [(m.start(), m.end()) for m in self.electoral_targets.finditer(text)]
        return out

    def _hashtags(self, text: str) -> list[SideFinding]:
        if "#" not in text:
            return []
        out = []
        for m in _HASHTAG.finditer(text):
            tag = m.group(1).lower()
            if tag in self.hashtag_slogans or any(name in tag for name in self.hashtag_names if _named(tag, name)):
                if "vaccin" not in tag:
                    out.append(SideFinding(SLOGAN_RULE, m.start(), m.end()))
        return out


def _named(tag: str, name: str) -> bool:
    """A party or candidate inside a hashtag, not just letters of a longer word ("#dptvaccine" aside)."""
    at = tag.find(name)
    before, after = tag[:at], tag[at + len(name) :]
    return not (before and before[-1].isalpha() and before not in _TAG_PREFIXES) or after == ""


_TAG_PREFIXES = frozenset({"vote", "go", "team", "support", "votefor", "jai", "proud", "only", "i", "we", "love", "bring"})


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentence_of(sentences: list[tuple[int, int]], position: int) -> tuple[int, int]:
    index = bisect.bisect_right([s for s, _ in sentences], position) - 1
    return sentences[max(index, 0)]


def _words_between(starts: list[int], start: int, end: int) -> int:
    return max(0, bisect.bisect_left(starts, end) - bisect.bisect_left(starts, start))


@lru_cache(maxsize=64)
def detector(parties: tuple[Party, ...], candidates: tuple[str, ...]) -> NeutralityDetector:
    from civicloop.guidelines.lexicons import data_json

    return NeutralityDetector(data_json("neutrality.json"), parties, candidates)
