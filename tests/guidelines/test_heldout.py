"""The ninth held-out set of issue 14 (heldout/, README there): 360 texts written by a helper who read
only the mission, no code (set "i"), copied unchanged and evaluated once, on 2026-12-07 at 11:00:30 UTC,
after the round-9 detectors (rules and the learned taking-sides model) were frozen at main's commit
6b12802. The eight earlier held-out sets, looked at since, are tuning data (test_tuning_sets.py).

The loader read this set as it was (same shape as the seventh and eighth); no loader or detector was
changed for it. That run's figures are in docs/benchmarks.md and are the floors below, so a regression
fails. No category reached the issue's targets (0.95 / 0.95) on both: precision did for personal data
(0.982) and markings (0.976), not for taking sides (0.918); recall in none (taking sides 0.675, personal
data 0.900, markings 0.816). The test records what was measured, it does not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The frozen commit 6b12802, 2026-12-07 11:00 UTC:
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (56, 61, 83),
    "personal_data": (54, 55, 60),
    "marking": (40, 41, 49),
}


def test_the_held_out_set_is_the_ninth_one_written_for_issue_14() -> None:
    assert len(CASES) == 360
    assert sum(1 for c in CASES if not c.hold) == 180
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
