"""Would a learned markings model carry over to a new writer? Leave-one-set-out figures (an experiment:
round 8 measured it and ships no model, docs/benchmarks.md says why).

A logistic regression over words, word pairs and letter groups (the taking-sides model's features,
civicloop.guidelines.sides_model, with no names, cues or election period) and the taking-sides training
code (bench/guidelines_train.py: ``fit``, ``predict``, seed and folds), trained on the tuning sets only:
tests/guidelines/labelled and tuning-round1 … tuning-round10 (``sets()`` of bench/guidelines_train.py),
never the held-out set (tests/guidelines/heldout/). The label: the text must be held
for a marking or a confidential term. For each set in turn the model is trained on the others, its
threshold chosen for precision (PRECISION_FLOOR, out-of-fold on the training sets), and scored on the
set left out: the model alone; the false holds it would add where the rules hold no marking; and what it
does where the rules are wholly silent (no marking word of the lists anywhere, even one the rules set
aside as talked about): the texts a learned model would be there for.

    PYTHONPATH=src:<site with scikit-learn> .venv/bin/python bench/markings_train.py
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from guidelines_train import FOLDS, SEED, fit, predict, sets
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.guidelines.evaluation import Case

from civicloop.guidelines.checker import rulebook
from civicloop.guidelines.findings import Category
from civicloop.guidelines.models import ACTION_RANK, Action
from civicloop.guidelines.service import finding_action, national_defaults
from civicloop.guidelines.sides_model import features, words_of
from civicloop.guidelines.text import prepare

C = 3.0
PRECISION_FLOOR = 0.95


@dataclass
class Row:
    case: Case
    features: list[tuple[str, int]]
    label: bool
    rules: bool  # the rules alone hold the text for a marking or a confidential term
    vocabulary: bool  # a term of the markings lists occurs, even where the rules set it aside


def rows(cases: list[Case]) -> list[Row]:
    policy = national_defaults()
    out = []
    for case in cases:
        c = case.context
        findings = rulebook(c.extra_terms, c.removed_terms, c.parties).check(case.text, c, learned=False)
        rules = any(
            f.category is Category.confidential
            and f.rule_id.startswith("confidential.")
            and ACTION_RANK[finding_action(f, policy[f.category][0])] >= ACTION_RANK[Action.hold]
            for f in findings
        )
        prepared = prepare(case.text)
        book = rulebook(c.extra_terms, c.removed_terms, c.parties)
        known = any(h.term.lexicon == "markings" for h in book.index.find(prepared)) or any(
            f.category is Category.confidential for f in findings
        )
        found = features(words_of(prepared, []), False)
        out.append(Row(case, found, "marking" in case.hold, rules, known))
    return out


def out_of_fold(data: list[Row]) -> np.ndarray:
    labels = [r.label for r in data]
    scores = np.zeros(len(data))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(data)), labels):
        model, vocabulary = fit([data[i] for i in train], C)  # type: ignore[arg-type]
        scores[test] = predict(model, vocabulary, [data[i] for i in test])  # type: ignore[arg-type]
    return scores


def tally(data: list[Row], held: list[bool]) -> tuple[int, int, int]:
    tp = sum(1 for r, h in zip(data, held, strict=True) if h and r.label)
    fp = sum(1 for r, h in zip(data, held, strict=True) if h and not r.label)
    fn = sum(1 for r, h in zip(data, held, strict=True) if not h and r.label)
    return tp, fp, fn


def line(name: str, data: list[Row], held: list[bool]) -> str:
    tp, fp, fn = tally(data, held)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return f"{name:<40} precision {p:.3f} ({tp}/{tp + fp})  recall {r:.3f} ({tp}/{tp + fn})"


def threshold_for(data: list[Row], scores: np.ndarray) -> float:
    """The lowest threshold whose out-of-fold precision, the model alone on every text, reaches the floor;
    0.99 when none does. (Where the rules are silent no tuning text is left to hold: the rules were written
    on all of them, so the model is judged alone, as it would meet a new writer's texts.)"""
    for threshold in np.arange(0.50, 0.991, 0.01):
        held = [r for r, s in zip(data, scores, strict=True) if s >= threshold]
        right = sum(1 for r in held if r.label)
        if held and right / len(held) >= PRECISION_FLOOR:
            return round(float(threshold), 2)
    return 0.99


def loso(available: dict[str, list[Row]]) -> None:
    for name, test in available.items():
        train = [r for other, data in available.items() if other != name for r in data]
        threshold = threshold_for(train, out_of_fold(train))
        model, vocabulary = fit(train, C)  # type: ignore[arg-type]
        scores = predict(model, vocabulary, test)  # type: ignore[arg-type]
        print(f"left out {name} ({len(test)} texts, {sum(r.label for r in test)} to hold); threshold {threshold:.2f}")
        print("   ", line("model alone", test, [bool(s >= threshold) for s in scores]))
        silent = [(r, s) for r, s in zip(test, scores, strict=True) if not r.rules]
        added = sum(1 for r, s in silent if s >= threshold)
        print(f"    false holds it would add where the rules hold no marking: {added} of {len(silent)} texts")
        quiet = [(r, s) for r, s in silent if not r.vocabulary]
        print(
            "   ",
            line(
                "where the rules are wholly silent",
                [r for r, _ in quiet],
                [bool(s >= threshold) for _, s in quiet],
            ),
        )
        for r, s in zip(test, scores, strict=True):
            if s >= threshold and not r.label and not r.rules:
                print(f"        FP p={s:.2f} {r.case.id}: {r.case.text[:110]}")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    loso({name: rows(cases) for name, cases in sets().items()})


if __name__ == "__main__":
    main()
