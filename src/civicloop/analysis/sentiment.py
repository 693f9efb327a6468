"""Sentiment per message: VADER's lexicon and rules, adjusted for messages to a government.

VADER alone reads many complaints as neutral or positive: "Please fix the pothole" scores
+0.32 because "please" is a positive word and "pothole" is not in its lexicon, and "When will
the streetlight be repaired?" scores 0. Citizens' messages to an agency are mostly requests and
problem reports, so CivicLoop (1) treats politeness words as carrying no sentiment, (2) adds
the vocabulary of public-service problems to the lexicon, and (3) reads an otherwise neutral
message that asks when or why something is still not done, or says a service is missing, as
negative. docs/analysis.md gives the measured accuracy against the labelled sets and VADER alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
LABELS = (POSITIVE, NEUTRAL, NEGATIVE)
THRESHOLD = 0.05  # VADER's own cut-off on the compound score
METHOD = "vader-civic-1"

# Valences on VADER's scale (−4 … +4), chosen near the existing entries for similar words.
CIVIC_LEXICON = {
    "please": 0.0,
    "kindly": 0.0,
    "help": 0.3,
    "pothole": -1.5,
    "potholes": -1.5,
    "garbage": -1.2,
    "trash": -1.0,
    "litter": -1.0,
    "leaking": -1.4,
    "leaks": -1.4,
    "outage": -1.8,
    "outages": -1.8,
    "blackout": -1.8,
    "unsafe": -2.0,
    "late": -0.8,
    "waiting": -0.6,
    "queue": -0.4,
    "corruption": -2.5,
    "corrupt": -2.5,
    "bribery": -2.3,
    "stink": -1.5,
    "stinks": -1.5,
    "smell": -0.8,
    "flooded": -1.8,
    "flooding": -1.8,
    "flood": -1.5,
    "crowded": -0.8,
    "overcrowded": -1.4,
    "expensive": -1.0,
    "overcharged": -2.0,
    "overpriced": -1.6,
    "slow": -0.8,
    "wet": -0.5,
    "muddy": -1.0,
    "noise": -0.8,
    "unpaved": -1.0,
    "dark": -0.6,
    "stray": -0.8,
    "unfinished": -1.2,
    "damaged": -1.6,
    "cracked": -1.2,
    "collapsed": -2.0,
    "shortage": -1.5,
    "fix": -0.5,
    "repair": -0.4,
    "disappointed": -2.0,
}
# Questions and reports that mean a service failed, whatever the words' valence says.
COMPLAINT_RE = re.compile(
    r"\b(?:when will|how long|why (?:is|are|do|does|did|has|have|can't|cannot|won't)|still (?:no|not|waiting)|"
    r"not (?:working|fixed|repaired|cleaned|collected|done|safe|enough)|no (?:water|electricity|power|light|lights|"
    r"network|signal|bus|buses|roof|response|reply|action|one|toilet|toilets|shelter|footpath|drainage)|"
    r"(?:days|weeks|months) (?:now|already)|again and again|nobody|no one)\b",
    re.IGNORECASE,
)
NUDGE = -0.3


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(CIVIC_LEXICON)
    return analyzer


def score(text: str) -> float:
    """Compound score in [−1, 1]."""
    compound = float(_analyzer().polarity_scores(text)["compound"])
    if compound < THRESHOLD and COMPLAINT_RE.search(text):
        return min(compound, NUDGE)
    return compound


def label(compound: float) -> str:
    if compound >= THRESHOLD:
        return POSITIVE
    if compound <= -THRESHOLD:
        return NEGATIVE
    return NEUTRAL


def classify(texts: Iterable[str]) -> list[str]:
    return [label(score(text)) for text in texts]


@lru_cache(maxsize=1)
def _plain_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def vader_only(text: str) -> str:
    """VADER's unadjusted label: the baseline CivicLoop's method is measured against."""
    return label(float(_plain_analyzer().polarity_scores(text)["compound"]))


@dataclass(frozen=True)
class Period:
    """Messages of each sentiment in one day, week or month (local time), starting on ``start``."""

    start: date
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), **{name: self.counts.get(name, 0) for name in LABELS}}

    def share(self, name: str) -> float:
        return self.counts.get(name, 0) / max(1, sum(self.counts.values()))


def period_unit(first: date, last: date) -> str:
    """Days for a month or less, weeks up to half a year, else months: a readable number of points."""
    span = (last - first).days
    return "day" if span <= 31 else "week" if span <= 183 else "month"


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())  # Monday
    if unit == "month":
        return day.replace(day=1)
    return day


def over_time(rows: Iterable[tuple[datetime, str]], zone: tzinfo) -> tuple[str, list[Period]]:
    """(unit, periods) of (UTC instant, sentiment label) rows, counted by local day, week or month.

    Periods with no message inside the span are included with zero counts, so a chart's gaps show.
    """
    per_day: Counter[tuple[date, str]] = Counter()
    for instant, name in rows:
        per_day[((instant if instant.tzinfo else instant.replace(tzinfo=UTC)).astimezone(zone).date(), name)] += 1
    if not per_day:
        return "day", []
    days = [day for day, _ in per_day]
    unit = period_unit(min(days), max(days))
    counts: dict[date, Counter[str]] = {}
    day, last = _period_start(min(days), unit), max(days)
    while day <= last:
        counts[day] = Counter()
        day = (
            day + timedelta(days=1)
            if unit == "day"
            else _period_start(day + timedelta(days=7 if unit == "week" else 31), unit)
        )
    for (day, name), count in per_day.items():
        counts[_period_start(day, unit)][name] += count
    return unit, [Period(start, dict(c)) for start, c in counts.items()]
