"""The labelled texts in ``labelled/`` and the scoring used by the tests and the benchmark."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from civicloop.guidelines import CheckContext, ElectionPhase, Finding

LABELLED = Path(__file__).parent / "labelled"
MARK = re.compile(r"\[\[([a-z-]+):(.+?)\]\]")
KIND_CATEGORY = {
    **dict.fromkeys(("cid", "mobile", "landline", "email", "passport", "licence", "bank", "dob"), "personal_data"),
    **dict.fromkeys(("marking", "ref", "term"), "confidential"),
    **dict.fromkeys(("party", "candidate", "canvass", "criticism", "sides"), "political"),
    **dict.fromkeys(("insult", "slur", "profanity", "mockery"), "civility"),
    **dict.fromkeys(("pub-email", "pub-phone"), None),
}
# The Dzongkha form of a name is a candidate too (the import's name_dz column).
CANDIDATES = ("Kelzang Tobgyel", "Dechen Yangki Dorji", "Thinley Namgyal Penjor", "སྐལ་བཟང་སྟོབས་རྒྱལ")
AGENCY_TERMS = ("Project Zhungdra", "Babesa land swap", "interview question set B")
PUBLIC_CONTACTS = ("02-322245", "1199")


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int

    @property
    def category(self) -> str | None:
        return KIND_CATEGORY[self.kind]


@dataclass(frozen=True)
class Sample:
    source: str  # file:line
    text: str
    labels: tuple[Label, ...]
    phase: ElectionPhase

    def context(self) -> CheckContext:
        return CheckContext(
            election=self.phase,
            agency_terms=AGENCY_TERMS,
            extra_terms=tuple(("candidates", name) for name in CANDIDATES),
            public_contacts=PUBLIC_CONTACTS,
        )


def parse_line(line: str, source: str) -> Sample:
    phase = ElectionPhase.none
    for prefix in ("@period ", "@embargo "):
        if line.startswith(prefix):
            phase, line = ElectionPhase(prefix.strip(" @")), line[len(prefix) :]
    labels, parts, position, cursor = [], [], 0, 0
    for m in MARK.finditer(line):
        if m.group(1) not in KIND_CATEGORY:
            raise ValueError(f"{source}: unknown kind {m.group(1)!r}")
        parts.append(line[cursor : m.start()])
        position += m.start() - cursor
        labels.append(Label(m.group(1), position, position + len(m.group(2))))
        parts.append(m.group(2))
        position += len(m.group(2))
        cursor = m.end()
    parts.append(line[cursor:])
    return Sample(source, "".join(parts), tuple(labels), phase)


def load() -> list[Sample]:
    samples = []
    for path in sorted(LABELLED.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                samples.append(parse_line(line.rstrip("\n"), f"{path.name}:{number}"))
    return samples


@dataclass
class Score:
    true_positives: int = 0  # findings that hit a label
    false_positives: int = 0
    found_labels: int = 0
    missed_labels: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        total = self.true_positives + self.false_positives
        return self.true_positives / total if total else 1.0

    @property
    def recall(self) -> float:
        total = self.found_labels + self.missed_labels
        return self.found_labels / total if total else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<14} precision {self.precision:.3f} ({self.true_positives}/"
            f"{self.true_positives + self.false_positives})  recall {self.recall:.3f} "
            f"({self.found_labels}/{self.found_labels + self.missed_labels})"
        )


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score(
    samples: Iterable[Sample],
    detect: Callable[[Sample], list[Finding]],
    *,
    category: str,
    rule_prefix: str = "",
    kinds: frozenset[str] | None = None,
) -> Score:
    """Precision over findings and recall over labels of one category (optionally one rule)."""
    result = Score()
    for sample in samples:
        labels = [lb for lb in sample.labels if lb.category == category and (kinds is None or lb.kind in kinds)]
        findings = [f for f in detect(sample) if f.category.value == category and f.rule_id.startswith(rule_prefix)]
        for f in findings:
            if any(_overlaps(f.start, f.end, lb.start, lb.end) for lb in labels):
                result.true_positives += 1
            else:
                result.false_positives += 1
                result.errors.append(f"FP {sample.source} {f.rule_id} {sample.text[f.start : f.end]!r}")
        for lb in labels:
            if any(_overlaps(f.start, f.end, lb.start, lb.end) for f in findings):
                result.found_labels += 1
            else:
                result.missed_labels += 1
                result.errors.append(f"FN {sample.source} {lb.kind} {sample.text[lb.start : lb.end]!r}")
    return result
