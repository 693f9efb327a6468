"""Train the learned taking-sides model (src/civicloop/guidelines/data/sides_model.json), reproducibly.

The model is a logistic regression over words, word pairs and letter groups (features and scoring in
civicloop.guidelines.sides_model), trained on the tuning sets only: tests/guidelines/labelled and
tuning-round1 … tuning-round9 (not tuning-round10: ``NOT_TRAINED_ON``), never on the held-out set
(tests/guidelines/heldout/), which nobody has tuned on. The regularisation and the threshold are chosen by
cross-validation on the tuning sets with whole sets as folds (each set is one
writer; since round 8: random folds let a writer's wordings leak across folds and chose a threshold
for texts like the training texts, not for a new writer's), for the decision the checker makes: hold
when a rule takes sides OR the model's probability reaches the threshold (since round 10: the highest
recall with every left-out set's precision at 0.95 or above). The figures printed are
cross-validated (each text scored by a model that never saw its set), not training-set figures.

    make guidelines-model   # or: PYTHONPATH=src .venv/bin/python bench/guidelines_train.py [--check]

``--check`` trains again and fails if the result differs from the shipped file (reproducibility).
``--train-on labelled,tuning-round1 --test-on tuning-round2`` trains on some sets and scores another.
``--leave-one-out`` trains without each set in turn and scores it: how the model does on a writer it
never saw (the rules were written on every set, so only the model's figures there are unseen-text ones).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.guidelines.corpus import load
from tests.guidelines.evaluation import (
    TUNING_SETS,
    Case,
    from_labelled,
    load_held_out,
)

from civicloop.guidelines.checker import rulebook
from civicloop.guidelines.findings import ElectionPhase
from civicloop.guidelines.models import ACTION_RANK, Action
from civicloop.guidelines.service import finding_action, national_defaults
from civicloop.guidelines.sides_model import SidesModel, feature_value, features, words_of
from civicloop.guidelines.text import Prepared, prepare

SEED = 14
FOLDS = 5
C_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
MIN_TEXTS = 2  # a feature seen in fewer training texts is left out
PRECISION_FLOOR = 0.95  # the target, on every left-out set
OUT = Path(__file__).resolve().parents[1] / "src/civicloop/guidelines/data/sides_model.json"


@dataclass
class Row:
    case: Case
    features: list[tuple[str, int]]
    label: bool
    rules: bool  # the rules alone hold the text for taking sides
    silent: bool  # the checker does not ask the model about this text (RuleBook.model_silent)
    prepared: Prepared
    named: list[tuple[int, int, str]]
    cues: list[tuple[int, str]]
    in_period: bool
    group: str = ""  # the set the text comes from (its writer)


def sets() -> dict[str, list[Case]]:
    return {"labelled": from_labelled(load())} | {folder.name: load_held_out(folder) for folder in TUNING_SETS}


# The sets the shipped model is trained on. Round 11 left out the tenth set (tuning-round10): with it, the
# threshold chosen by leave-one-set-out fell to 0.64 and the model held five clean texts of labelled/ and
# lowered the ninth set's recall (0.904 → 0.880), so the tenth set's misses were written as rules only.
NOT_TRAINED_ON = frozenset({"tuning-round10"})


def rows(cases: list[Case], group: str = "") -> list[Row]:
    policy = national_defaults()
    out = []
    for case in cases:
        context = case.context
        book = rulebook(context.extra_terms, context.removed_terms, context.parties)
        prepared = prepare(case.text)
        named, cues = book.named_sides(prepared), book.neutrality.cues(prepared)
        in_period = context.election is not ElectionPhase.none
        found = features(words_of(prepared, named), in_period, cues)
        findings = book.check(case.text, context, learned=False)
        rules = any(
            f.rule_id.startswith("political.")
            and ACTION_RANK[finding_action(f, policy[f.category][0])] >= ACTION_RANK[Action.hold]
            for f in findings
        )
        silent = book.model_silent(prepared, named, cues, findings)
        out.append(
            Row(case, found, "taking_sides" in case.hold, rules, silent, prepared, named, cues, in_period, group)
        )
    return out


def matrix(data: list[Row], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Counts divided by the square root of the text's number of feature occurrences (as scored)."""
    indptr, indices, values = [0], [], []
    for row in data:
        scale = 1.0 / np.sqrt(len(row.features)) if row.features else 0.0
        counts: dict[int, float] = {}
        for feature, _ in row.features:
            column = vocabulary.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0.0) + feature_value(feature)
        for column in sorted(counts):
            indices.append(column)
            values.append(counts[column] * scale)
        indptr.append(len(indices))
    return sparse.csr_matrix((values, indices, indptr), shape=(len(data), len(vocabulary)))


def fit(data: list[Row], c: float) -> tuple[LogisticRegression, dict[str, int]]:
    counts: dict[str, int] = {}
    for row in data:
        for f in {f for f, _ in row.features}:
            counts[f] = counts.get(f, 0) + 1
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_TEXTS))}
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", random_state=SEED, max_iter=5000)
    model.fit(matrix(data, vocabulary), [r.label for r in data])
    return model, vocabulary


def predict(model: LogisticRegression, vocabulary: dict[str, int], data: list[Row]) -> np.ndarray:
    return np.asarray(model.predict_proba(matrix(data, vocabulary))[:, 1])


def out_of_fold(data: list[Row], c: float) -> np.ndarray:
    """Each text scored by a model trained without it: by whole sets when the texts come from three sets or
    more (each set is one writer: a model scored on a writer it never saw, as a new held-out set will be;
    random folds let a writer's wordings leak across folds and make the model look better than it does
    on someone new), else by stratified random folds."""
    labels = [r.label for r in data]
    scores = np.zeros(len(data))
    groups = sorted({r.group for r in data})
    if len(groups) >= 3:
        folds = [
            (
                np.array([i for i, r in enumerate(data) if r.group != g]),
                np.array([i for i, r in enumerate(data) if r.group == g]),
            )
            for g in groups
        ]
    else:
        folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(data)), labels))
    for train, test in folds:
        model, vocabulary = fit([data[i] for i in train], c)
        scores[test] = predict(model, vocabulary, [data[i] for i in test])
    return scores


def figures(data: list[Row], held: list[bool]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for r, h in zip(data, held, strict=True) if h and r.label)
    fp = sum(1 for r, h in zip(data, held, strict=True) if h and not r.label)
    fn = sum(1 for r, h in zip(data, held, strict=True) if not h and r.label)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), tp, fp, fn


def alone(scores: np.ndarray, threshold: float) -> list[bool]:
    return [bool(s >= threshold) for s in scores]


def combined(data: list[Row], scores: np.ndarray, threshold: float) -> list[bool]:
    """The checker's decision: a rule holds, or the model does where it is asked (RuleBook.model_silent)."""
    return [r.rules or (bool(s >= threshold) and not r.silent) for r, s in zip(data, scores, strict=True)]


def best_threshold(data: list[Row], scores: np.ndarray) -> tuple[float, float]:
    """The threshold of the highest cross-validated recall of the checker's decision (a rule OR the model)
    where every set's precision, each scored by a model that never saw it, stays at PRECISION_FLOOR or
    above: (recall, threshold). Each set is one writer, as the next held-out set will be, so the floor
    holds per set, not only over the pooled texts where large sets hide a writer the model misreads. If no
    threshold keeps every set at the floor: the one whose worst set is most precise (recall 0).

    Until round 10 the threshold made the model alone's smaller figure largest; the model alone is too
    lenient a measure (the rules take most texts first) and held look-alikes the rules passed."""
    groups = sorted({r.group for r in data})
    members = [[i for i, r in enumerate(data) if r.group == g] for g in groups]
    best, fallback = (-1.0, 0.5), (-1.0, 0.5)
    for threshold in np.arange(0.30, 0.951, 0.01):
        held = combined(data, scores, float(threshold))
        worst = min(figures([data[i] for i in m], [held[i] for i in m])[0] for m in members)
        recall = figures(data, held)[1]
        if worst >= PRECISION_FLOOR and recall > best[0] + 1e-9:
            best = (recall, round(float(threshold), 2))
        if worst > fallback[0] + 1e-9:
            fallback = (worst, round(float(threshold), 2))
    return best if best[0] >= 0 else (0.0, fallback[1])


def report(name: str, data: list[Row], held: list[bool]) -> str:
    precision, recall, tp, fp, fn = figures(data, held)
    return f"{name:<44} precision {precision:.3f} ({tp}/{tp + fp})  recall {recall:.3f} ({tp}/{tp + fn})"


def train(data: list[Row], names: list[str]) -> tuple[dict[str, object], list[str]]:
    groups = len({r.group for r in data})
    folds = f"leave-one-set-out CV over {groups} sets" if groups >= 3 else f"{FOLDS}-fold CV, seed {SEED}"
    lines = [f"{len(data)} tuning texts, {sum(r.label for r in data)} take sides; {folds}"]
    lines.append(report("rules alone (tuned on these texts)", data, [r.rules for r in data]))
    chosen = None
    for c in C_GRID:
        scores = out_of_fold(data, c)
        f1, threshold = best_threshold(data, scores)
        lines.append(
            f"C={c:<5} best threshold {threshold:.2f}: cross-validated recall {f1:.3f}, every set's precision"
            f" >= {PRECISION_FLOOR}"
        )
        if chosen is None or f1 > chosen[0] + 1e-9:
            chosen = (f1, c, threshold, scores)
    assert chosen is not None
    _, c, threshold, scores = chosen
    lines.append(f"chosen C={c}, threshold {threshold:.2f}")
    lines.append(report("model alone, cross-validated", data, alone(scores, threshold)))
    lines.append(report("rules OR model, cross-validated", data, combined(data, scores, threshold)))
    for r, s in zip(data, scores, strict=True):
        if (r.rules or (s >= threshold and not r.silent)) != r.label:
            lines.append(f"    {'FP' if r.label is False else 'FN'} p={s:.2f} {r.case.id}: {r.case.text}")
    model, vocabulary = fit(data, c)
    coefficients = model.coef_[0]
    weights = {f: float(f"{coefficients[i]:.5g}") for f, i in vocabulary.items() if abs(coefficients[i]) >= 1e-4}
    # The checker scores in plain Python: it must agree with scikit-learn on every training text.
    shipped = SidesModel(weights, float(f"{model.intercept_[0]:.6g}"), threshold)
    fitted = predict(model, vocabulary, data)
    gap = max(
        abs(shipped.score(r.prepared, r.named, r.in_period, r.cues).probability - p)
        for r, p in zip(data, fitted, strict=True)
    )
    lines.append(f"largest gap between the shipped scoring and scikit-learn: {gap:.2e}")
    if gap > 1e-3:
        raise SystemExit("the shipped scoring does not reproduce the trained model")
    artefact = {
        "_about": "Learned taking-sides model: logistic regression weights per feature (see sides_model.py). "
        "Generated by bench/guidelines_train.py from the tuning sets; do not edit by hand.",
        "seed": SEED,
        "C": c,
        "threshold": threshold,
        "bias": float(f"{model.intercept_[0]:.6g}"),
        "trained_on": names,
        "texts": len(data),
        "weights": dict(sorted(weights.items())),
    }
    return artefact, lines


def leave_one_set_out(available: dict[str, list[Case]]) -> None:
    """Each set scored by a model trained (C and threshold chosen by cross-validation) without it: how the
    model does on wordings it never saw, the question every new held-out set asks."""
    prepared = {name: rows(cases, name) for name, cases in available.items()}
    totals = {"rules alone": [0, 0, 0], "model alone": [0, 0, 0], "rules OR model": [0, 0, 0]}
    pooled: list[tuple[Row, float]] = []  # every text with the score of the model that never saw its set
    for name, test in prepared.items():
        data = [row for other, kept in prepared.items() if other != name for row in kept]
        artefact, _ = train(data, [n for n in prepared if n != name])
        model, vocabulary = fit(data, float(artefact["C"]))  # type: ignore[arg-type]
        scores = predict(model, vocabulary, test)
        threshold = float(artefact["threshold"])  # type: ignore[arg-type]
        pooled += list(zip(test, (float(x) for x in scores), strict=True))
        print(f"{name} left out: C={artefact['C']}, threshold {threshold:.2f}")
        for label, held in (
            ("rules alone", [r.rules for r in test]),
            ("model alone", alone(scores, threshold)),
            ("rules OR model", combined(test, scores, threshold)),
        ):
            print("  " + report(label, test, held))
            _, _, tp, fp, fn = figures(test, held)
            for i, n in enumerate((tp, fp, fn)):
                totals[label][i] += n
    for label, (tp, fp, fn) in totals.items():
        print(
            f"all sets, each left out: {label:<16} precision {tp / max(tp + fp, 1):.3f} ({tp}/{tp + fp})"
            f"  recall {tp / max(tp + fn, 1):.3f} ({tp}/{tp + fn})"
        )
    # Would another threshold have done better on sets the model never saw? (Each set's own threshold
    # above was chosen by cross-validation without it; here one threshold for all, for comparison.)
    data = [r for r, _ in pooled]
    scores_all = np.array([s for _, s in pooled])
    for threshold in np.arange(0.40, 0.751, 0.05):
        print(
            "  "
            + report(f"rules OR model at one threshold {threshold:.2f}", data, combined(data, scores_all, threshold))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if training again changes the shipped file")
    parser.add_argument("--train-on", default="", help="sets to train on, by name (default: every tuning set)")
    parser.add_argument("--test-on", default="", help="score this set with the model trained on --train-on")
    parser.add_argument(
        "--leave-one-out", action="store_true", help="for each set: train on the others, score it (no file written)"
    )
    args = parser.parse_args()
    available = sets()
    if args.leave_one_out:
        leave_one_set_out(available)
        return
    names = args.train_on.split(",") if args.train_on else [name for name in available if name not in NOT_TRAINED_ON]
    data = [row for name in names for row in rows(available[name], name)]
    artefact, lines = train(data, names)
    print("\n".join(lines))
    if args.test_on:
        test = rows(available[args.test_on])
        model, vocabulary = fit(data, float(artefact["C"]))  # type: ignore[arg-type]
        scores = predict(model, vocabulary, test)
        threshold = float(artefact["threshold"])  # type: ignore[arg-type]
        print(report(f"{args.test_on}: rules alone", test, [r.rules for r in test]))
        print(report(f"{args.test_on}: model alone", test, alone(scores, threshold)))
        print(report(f"{args.test_on}: rules OR model", test, combined(test, scores, threshold)))
        for r, s in zip(test, scores, strict=True):
            if (r.rules or (s >= threshold and not r.silent)) != r.label:
                print(f"    {'FP' if r.label is False else 'FN'} p={s:.2f} {r.case.id}: {r.case.text}")
        return
    text = json.dumps(artefact, ensure_ascii=False, indent=0, sort_keys=False) + "\n"
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT} differs from a fresh training run")
        print(f"{OUT} is what training gives")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(artefact['weights'])} weights, {len(text) // 1024} KiB)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
