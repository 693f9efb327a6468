"""The fourth held-out set of issue 14 (heldout/, README there): 367 texts written by a helper who read
no code (set "d"), copied unchanged and evaluated once, on 2026-12-07 at 05:03 UTC, after the round-4
detectors (rules and the learned taking-sides model) were frozen at commit 2135dd1. The three earlier
held-out sets, looked at since, are tuning data (test_tuning_round1.py … test_tuning_round3.py).

Only the loader was changed to read this set (evaluation.py: "hold" as a yes/no with the categories in
"categories", parties' "aliases", the agency's contacts as a list, variants of the confidential terms);
no detector was. That run's figures are in docs/benchmarks.md and are the floors below, so a
regression fails. Precision reached the issue's target (0.95) in all three categories; recall did not
(taking sides 0.733, personal data 0.823, markings 0.830). The test records what was measured, it does
not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The frozen commit 2135dd1, 2026-12-07 05:03 UTC:
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (63, 65, 86),
    "personal_data": (51, 51, 62),
    "marking": (39, 40, 47),
}


def test_the_held_out_set_is_the_fourth_one_written_for_issue_14() -> None:
    assert len(CASES) == 367
    assert sum(1 for c in CASES if not c.hold) == 181
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
