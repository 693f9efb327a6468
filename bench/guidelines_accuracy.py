"""Would the guidelines check hold the right texts? Precision and recall per category, per text.

Sets reported apart: the tuning set (tests/guidelines/labelled: written by the engineer who
tuned the detectors, spans turned into the categories each text must be held for), the first ten
held-out sets, each looked at once and tuning data since (tests/guidelines/tuning-round1 … -round10),
and the held-out set (tests/guidelines/heldout: written by someone who read no code, never tuned on).
A text counts as held for a category when a finding of it reaches a hold or a block under the
national defaults, in an election period when the text is marked so.

    .venv/bin/python bench/guidelines_accuracy.py [--errors]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.guidelines.corpus import load
from tests.guidelines.evaluation import (
    HELD_OUT,
    ORDINALS,
    TUNING_SETS,
    evaluate,
    from_labelled,
    load_held_out,
    table,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every text the check got wrong")
    args = parser.parse_args()
    sets = [("tuning set (tests/guidelines/labelled)", from_labelled(load()))]
    sets += [
        (f"{ordinal} held-out set, now tuning (tests/guidelines/{folder.name})", load_held_out(folder))
        for ordinal, folder in zip(ORDINALS, TUNING_SETS, strict=False)
    ]
    if (HELD_OUT / "context.json").exists():
        sets.append(("held-out set (tests/guidelines/heldout)", load_held_out()))
    for name, cases in sets:
        tallies = evaluate(cases)
        print(table(name, cases, tallies))
        if args.errors:
            for tally in tallies.values():
                for error in tally.errors:
                    print("   ", error)
        print()


if __name__ == "__main__":
    main()
