"""The tenth held-out set of issue 14 (heldout/, README there): 360 texts written by a helper who read
only the mission, no code (set "j"), copied unchanged and evaluated once, on 2026-12-07 at 11:55:05 UTC
(load average 1.1), after the round-10 detectors (rules and the learned taking-sides model, retrained with
set i) were frozen at main's commit 78009c3. The nine earlier held-out sets, looked at since, are tuning
data (test_tuning_sets.py).

The loader read this set as it was (same shape as the seventh, eighth and ninth); no loader or detector
was changed for it. That run's figures are in docs/benchmarks.md and are the floors below, so a
regression fails. No category reached the issue's targets (0.95 / 0.95) on both: precision did for taking
sides (0.967) and personal data (0.982), not for markings (0.932); recall in none (taking sides 0.716,
personal data 0.932, markings 0.820). The test records what was measured, it does not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The frozen commit 78009c3, 2026-12-07 11:55 UTC:
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (58, 60, 81),
    "personal_data": (55, 56, 59),
    "marking": (41, 44, 50),
}


def test_the_held_out_set_is_the_tenth_one_written_for_issue_14() -> None:
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
