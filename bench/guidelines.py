"""Guidelines checker speed and accuracy, side by side with Microsoft Presidio's analyzer.

Both tools read the same texts: the labelled set of tests/guidelines/labelled, joined into texts of
about 280 characters. Accuracy is compared on the entity types both support (email addresses and
phone numbers, including the agencies' public ones); speed per text for Presidio (emails and phones
only) against CivicLoop's contact detector and its full check (all four categories).

Presidio runs offline here with a blank spaCy pipeline: its email and phone recognizers are
pattern-based and need no trained model, and its default ``en_core_web_lg`` cannot be downloaded.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/guidelines.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.guidelines.corpus import Label, load

from civicloop.guidelines import check
from civicloop.guidelines.checker import rulebook

TARGET_LENGTH = 280
KIND_ENTITY = {"email": "EMAIL", "pub-email": "EMAIL", "mobile": "PHONE", "landline": "PHONE", "pub-phone": "PHONE"}
RULE_ENTITY = {"personal.email": "EMAIL", "personal.mobile": "PHONE", "personal.landline": "PHONE"}
PRESIDIO_ENTITY = {"EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE"}
# Short codes (the 1199 helpline) are not phone numbers in the sense either tool detects.
MIN_PHONE_DIGITS = 7

Span = tuple[str, int, int]  # (EMAIL | PHONE, start, end)


@dataclass
class Text:
    text: str
    entities: list[Span]


def _entity(label: Label, text: str, offset: int) -> Span | None:
    kind = KIND_ENTITY.get(label.kind)
    if kind is None:
        return None
    digits = sum(ch.isdigit() for ch in text[label.start : label.end])
    if kind == "PHONE" and digits < MIN_PHONE_DIGITS:
        return None
    return (kind, label.start + offset, label.end + offset)


def texts_of_280() -> list[Text]:
    """Labelled samples joined with a space into texts of at most 280 characters, labels moved along."""
    out: list[Text] = []
    current, entities = "", []
    for sample in load():
        if current and len(current) + 1 + len(sample.text) > TARGET_LENGTH:
            out.append(Text(current, entities))
            current, entities = "", []
        offset = len(current) + (1 if current else 0)
        current = f"{current} {sample.text}" if current else sample.text
        entities += [e for lb in sample.labels if (e := _entity(lb, sample.text, offset)) is not None]
    if current:
        out.append(Text(current, entities))
    return out


def presidio() -> Callable[[str], list[Span]]:
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

    # The email recognizer checks top-level domains with tldextract, which would fetch the public
    # suffix list from the internet; the snapshot shipped in the package is used instead.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class BlankSpacy(SpacyNlpEngine):  # type: ignore[misc]
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank:en"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(EmailRecognizer())
    registry.add_recognizer(PhoneRecognizer(supported_regions=("BT",)))
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])

    def detect(text: str) -> list[Span]:
        results = analyzer.analyze(text, language="en", entities=list(PRESIDIO_ENTITY))
        return [(PRESIDIO_ENTITY[r.entity_type], r.start, r.end) for r in results]

    return detect


def civicloop_contacts(text: str) -> list[Span]:
    return [(RULE_ENTITY[s.rule], s.start, s.end) for s in rulebook().contacts(text)]


def civicloop_full(text: str) -> list[Span]:
    return [(RULE_ENTITY[f.rule_id], f.start, f.end) for f in check(text) if f.rule_id in RULE_ENTITY]


def accuracy(detect: Callable[[str], list[Span]], corpus: list[Text], kind: str) -> tuple[float, float, int, int]:
    hits = found = detections = labels = 0
    for item in corpus:
        truth = [e for e in item.entities if e[0] == kind]
        got = [d for d in detect(item.text) if d[0] == kind]
        detections += len(got)
        labels += len(truth)
        hits += sum(1 for d in got if any(d[1] < t[2] and t[1] < d[2] for t in truth))
        found += sum(1 for t in truth if any(d[1] < t[2] and t[1] < d[2] for d in got))
    return (hits / detections if detections else 1.0, found / labels if labels else 1.0, detections, labels)


def timings(fn: Callable[[str], object], corpus: list[Text], rounds: int) -> list[float]:
    for item in corpus[:20]:
        fn(item.text)  # warm caches and compiled patterns
    out = []
    gc.disable()
    try:
        for _ in range(rounds):
            for item in corpus:
                start = time.perf_counter()
                fn(item.text)
                out.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return out


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return median * 1e3, p99 * 1e3, len(ordered) / sum(ordered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the texts per tool")
    args = parser.parse_args()
    corpus = texts_of_280()
    lengths = [len(t.text) for t in corpus]
    print(f"{len(corpus)} texts, {statistics.mean(lengths):.0f} characters on average (max {max(lengths)}), ", end="")
    print(f"{sum(len(t.entities) for t in corpus)} email/phone entities labelled")
    started = time.perf_counter()
    peer = presidio()
    print(f"Presidio analyzer ready in {time.perf_counter() - started:.1f} s (blank spaCy pipeline, region BT)")
    tools: dict[str, Callable[[str], list[Span]]] = {
        "CivicLoop contacts": civicloop_contacts,
        "CivicLoop full check": civicloop_full,
        "Presidio": peer,
    }
    print(f"\n{'tool':<22}{'median ms':>10}{'p99 ms':>9}{'texts/s':>10}")
    medians = {}
    for name, fn in tools.items():
        median, p99, rate = summary(timings(fn, corpus, args.rounds))
        medians[name] = median
        print(f"{name:<22}{median:>10.3f}{p99:>9.3f}{rate:>10.0f}")
    for name in ("CivicLoop contacts", "CivicLoop full check"):
        print(f"Presidio median / {name} median: {medians['Presidio'] / medians[name]:.1f}x")
    print(f"\n{'tool':<22}{'entity':<8}{'precision':>10}{'recall':>8}{'found':>7}{'labelled':>9}")
    for name in ("CivicLoop contacts", "Presidio"):
        for kind in ("EMAIL", "PHONE"):
            precision, recall, detections, labels = accuracy(tools[name], corpus, kind)
            print(f"{name:<22}{kind:<8}{precision:>10.3f}{recall:>8.3f}{detections:>7}{labels:>9}")


if __name__ == "__main__":
    main()
