"""The eleventh held-out set of issue 14 (heldout/, README there): 360 texts written by a helper who read
only the mission, no code (set "k"), copied unchanged and evaluated once, on 2026-12-07 at 13:47:43 UTC
(load average 9.4: another test run was going on; the figures do not depend on load), after the round-11
detectors (rules and the learned taking-sides model, retrained on labelled/ and the first nine tuning sets)
were frozen at main's commit b8986a8. The ten earlier held-out sets, looked at since, are tuning data
(test_tuning_sets.py).

The run was on main at a139e86, whose detectors are b8986a8's: that commit changed only the loader, before
any text of this set was opened, to read the two fields this set names otherwise (code names under
``code_names`` instead of ``confidential_terms``, a reference format's expression under ``pattern`` instead
of ``regex``, as the lead's brief to its writer asked). That run's figures are in docs/benchmarks.md and
are the floors below, so a regression fails. No category reached the issue's targets (0.95 / 0.95) on
both: precision did for taking sides (0.967) and personal data (0.981), not for markings (0.795); recall
in none (taking sides 0.674, personal data 0.914, markings 0.674). The test records what was measured, it
does not pretend otherwise.
"""

from __future__ import annotations

import pytest

from tests.guidelines.evaluation import CATEGORIES, evaluate, load_held_out, table

CASES = load_held_out()
TALLIES = evaluate(CASES)
# The frozen commit b8986a8 (run on a139e86, the same detectors), 2026-12-07 13:47 UTC:
# (true positives, texts held for the category, texts labelled with it).
MEASURED = {
    "taking_sides": (58, 60, 86),
    "personal_data": (53, 54, 58),
    "marking": (31, 39, 46),
}


def test_the_held_out_set_is_the_eleventh_one_written_for_issue_14() -> None:
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
