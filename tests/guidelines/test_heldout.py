"""The second held-out set of issue 14 (heldout/, README there): 330 texts written by a helper who
read no code, copied unchanged and evaluated once, after the round-2 detectors were frozen (commit
9d4b8b5). The first held-out set, looked at since, is tuning data (test_tuning_round1.py).

The floors below are the figures of that one run (docs/benchmarks.md), so a regression fails. They
are not the issue's targets (precision and recall 0.95 per category): recall was not met for any of
the three categories. The test records what was measured, it does not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The one run of 2026-12-06, 21:08 UTC, detectors at commit 9d4b8b5:
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (49, 49, 74),
    "personal_data": (48, 48, 57),
    "marking": (41, 42, 46),
}


def test_the_held_out_set_is_the_second_one_written_for_issue_14() -> None:
    assert len(CASES) == 330
    assert sum(1 for c in CASES if not c.hold) == 162
    assert {c.id.split(":")[0] for c in CASES} == {"en.jsonl", "dz.jsonl", "mixed.jsonl"}
    labelled = {category: sum(1 for c in CASES if category in c.hold) for category in CATEGORIES}
    assert labelled == {category: figures[2] for category, figures in MEASURED.items()}


@pytest.mark.parametrize("category", CATEGORIES)
def test_no_category_falls_below_the_measured_figures(category: str) -> None:
    print(table("held-out set", CASES, TALLIES))
    tally = TALLIES[category]
    true_positives, found, labelled = MEASURED[category]
    assert tally.precision >= true_positives / found, tally.errors
    assert tally.recall >= true_positives / labelled, tally.errors
