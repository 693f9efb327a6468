"""The first held-out set of issue 14 (tuning-round1/, README there): 320 texts written by a helper
who never read the detectors. It was evaluated once as a held-out set (docs/benchmarks.md keeps those
figures); its misses were then studied to widen the detectors, so it is tuning data now and its
figures here are optimistic. The independent estimate is test_heldout.py.

Floors at the figures measured after round 4 of tuning (the learned model is trained on this set
too), so a regression fails. Round 4 lost two texts round 3 held: they name candidates in Dzongkha
script that this set's context lists in English only, so no side is named, and since round 4 the
learned model is not asked about a text that names no side (it held votes on science-fair themes).
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, TUNING_ROUND1, evaluate, load_held_out, table

CASES = load_held_out(TUNING_ROUND1)
TALLIES = evaluate(CASES)
# (true positives, texts held for the category, texts labelled with it) after round 4 of tuning.
MEASURED = {
    "taking_sides": (69, 69, 71),
    "personal_data": (54, 54, 54),
    "marking": (40, 40, 40),
}


def test_the_set_is_the_first_one_written_for_issue_14() -> None:
    assert len(CASES) == 320
    assert sum(1 for c in CASES if not c.hold) == 160
    assert {c.id.split(":")[0] for c in CASES} == {"en.jsonl", "dz.jsonl", "mixed.jsonl"}
    labelled = {category: sum(1 for c in CASES if category in c.hold) for category in CATEGORIES}
    assert labelled == {category: figures[2] for category, figures in MEASURED.items()}


@pytest.mark.parametrize("category", CATEGORIES)
def test_no_category_falls_below_the_tuned_figures(category: str) -> None:
    print(table("first held-out set, now tuning", CASES, TALLIES))
    tally = TALLIES[category]
    true_positives, found, labelled = MEASURED[category]
    assert tally.precision >= true_positives / found, tally.errors
    assert tally.recall >= true_positives / labelled, tally.errors
