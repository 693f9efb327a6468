"""The third held-out set of issue 14 (heldout/, README there): 373 texts written by a helper who read
no code (heldout14c), copied unchanged and evaluated once, after the round-3 detectors (rules and the
learned taking-sides model) were frozen at commit 2b5dfb8. The two earlier held-out sets, looked at
since, are tuning data (test_tuning_round1.py, test_tuning_round2.py).

That run's figures are in docs/benchmarks.md. A defect found afterwards by other domains' tests (the
learned model held short replies like "Done.") was fixed after it; the floors below are the figures of
the code as merged, measured on this set a second time (taking sides 63/68, 63/88; the other
categories as in the first run), so a regression fails. They are not the issue's targets (precision
and recall 0.95 per category): neither was met for any of the three categories. The test records what
was measured, it does not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The code as merged (2026-12-07, 02:35 UTC; the frozen commit 2b5dfb8 had taking sides 68/78, 68/88):
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (63, 68, 88),
    "personal_data": (45, 45, 62),
    "marking": (43, 49, 55),
}


def test_the_held_out_set_is_the_third_one_written_for_issue_14() -> None:
    assert len(CASES) == 373
    assert sum(1 for c in CASES if not c.hold) == 184
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
