"""The earlier held-out sets of issue 14, now tuning data (each folder's README says how it was written and when it
became tuning data). Each was written by a helper who read no code and evaluated once as a held-out set after that
round's detectors were frozen (docs/benchmarks.md keeps those figures: first set round 1; second set, commit 9d4b8b5;
third, 2b5dfb8; fourth, 2135dd1; fifth, d96f4b7; sixth, bb6b168; seventh, 0850f70; eighth, e73119b; ninth,
6b12802; tenth, 78009c3). Their misses were then studied for the next round and their texts train the learned
taking-sides model, so the figures here are training-set figures, optimistic by construction. The independent
estimate is test_heldout.py (absent while a round is in progress and its new set is not yet opened); the model's
cross-validated figures are in docs/benchmarks.md.

Floors at the figures measured after the last round that tuned on each set, so a regression fails. The first set
lost two texts in round 4: they name candidates in Dzongkha script that its context lists in English only, so no
side is named, and since round 4 the learned model is not asked about a text that names no side.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.guidelines.evaluation import (
    CATEGORIES,
    TUNING_ROUND1,
    TUNING_ROUND2,
    TUNING_ROUND3,
    TUNING_ROUND4,
    TUNING_ROUND5,
    TUNING_ROUND6,
    TUNING_ROUND7,
    TUNING_ROUND8,
    TUNING_ROUND9,
    TUNING_ROUND10,
    Case,
    Tally,
    evaluate,
    load_held_out,
    table,
)


@dataclass(frozen=True)
class TuningSet:
    name: str
    folder: Path
    texts: int
    clean: int
    # Per category: (true positives, texts held for it, texts labelled with it) after the last round tuned on it.
    measured: dict[str, tuple[int, int, int]]


SETS = [
    TuningSet(
        "first",
        TUNING_ROUND1,
        320,
        160,
        {"taking_sides": (71, 71, 71), "personal_data": (54, 54, 54), "marking": (40, 40, 40)},
    ),
    TuningSet(
        "second",
        TUNING_ROUND2,
        330,
        162,
        {"taking_sides": (73, 73, 74), "personal_data": (57, 57, 57), "marking": (46, 46, 46)},
    ),
    TuningSet(
        "third",
        TUNING_ROUND3,
        373,
        184,
        {"taking_sides": (86, 86, 88), "personal_data": (61, 61, 62), "marking": (55, 55, 55)},
    ),
    TuningSet(
        "fourth",
        TUNING_ROUND4,
        367,
        181,
        {"taking_sides": (85, 85, 86), "personal_data": (62, 62, 62), "marking": (47, 47, 47)},
    ),
    TuningSet(
        "fifth",
        TUNING_ROUND5,
        401,
        201,
        {"taking_sides": (94, 94, 94), "personal_data": (65, 65, 65), "marking": (52, 52, 52)},
    ),
    TuningSet(
        "sixth",
        TUNING_ROUND6,
        366,
        183,
        {"taking_sides": (82, 82, 85), "personal_data": (58, 58, 58), "marking": (44, 44, 44)},
    ),
    TuningSet(
        "seventh",
        TUNING_ROUND7,
        373,
        183,
        {"taking_sides": (87, 87, 87), "personal_data": (61, 61, 61), "marking": (46, 46, 46)},
    ),
    TuningSet(
        "eighth",
        TUNING_ROUND8,
        365,
        180,
        {"taking_sides": (84, 84, 85), "personal_data": (58, 58, 58), "marking": (46, 46, 46)},
    ),
    TuningSet(
        "ninth",
        TUNING_ROUND9,
        360,
        180,
        {"taking_sides": (75, 75, 83), "personal_data": (60, 60, 60), "marking": (49, 49, 49)},
    ),
    TuningSet(
        "tenth",
        TUNING_ROUND10,
        360,
        180,
        {"taking_sides": (75, 75, 81), "personal_data": (59, 59, 59), "marking": (50, 50, 50)},
    ),
]


@cache
def _evaluated(folder: Path) -> tuple[list[Case], dict[str, Tally]]:
    cases = load_held_out(folder)
    return cases, evaluate(cases)


@pytest.mark.parametrize("written", SETS, ids=lambda s: s.name)
def test_the_set_is_as_its_writer_left_it(written: TuningSet) -> None:
    cases, _ = _evaluated(written.folder)
    assert len(cases) == written.texts
    assert sum(1 for c in cases if not c.hold) == written.clean
    assert {c.id.split(":")[0] for c in cases} == {"en.jsonl", "dz.jsonl", "mixed.jsonl"}
    labelled = {category: sum(1 for c in cases if category in c.hold) for category in CATEGORIES}
    assert labelled == {category: figures[2] for category, figures in written.measured.items()}


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("written", SETS, ids=lambda s: s.name)
def test_no_category_falls_below_the_tuned_figures(written: TuningSet, category: str) -> None:
    cases, tallies = _evaluated(written.folder)
    print(table(f"{written.name} held-out set, now tuning", cases, tallies))
    tally = tallies[category]
    true_positives, found, labelled = written.measured[category]
    assert tally.precision >= true_positives / found, tally.errors
    assert tally.recall >= true_positives / labelled, tally.errors
