"""The fifth held-out set of issue 14 (heldout/, README there): 401 texts written by a helper who read
no code (set "e"), copied unchanged and evaluated once, on 2026-12-07 at 05:40 UTC, after the round-5
detectors (rules and the learned taking-sides model) were frozen at commit d96f4b7. The four earlier
held-out sets, looked at since, are tuning data (test_tuning_round1.py … test_tuning_round4.py).

Only the loader was changed to read this set, before the evaluation (evaluation.py: a writer's note in
brackets after an alias, "#NotAgainTLP (attack hashtag)", is not part of the alias); no detector was.
That run's figures are in docs/benchmarks.md and are the floors below, so a regression fails. Precision
reached the issue's target (0.95) in all three categories; recall did not (taking sides 0.862, personal
data 0.800, markings 0.827). The test records what was measured, it does not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The frozen commit d96f4b7, 2026-12-07 05:40 UTC:
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (81, 85, 94),
    "personal_data": (52, 52, 65),
    "marking": (43, 45, 52),
}


def test_the_held_out_set_is_the_fifth_one_written_for_issue_14() -> None:
    assert len(CASES) == 401
    assert sum(1 for c in CASES if not c.hold) == 201
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
