"""Text-level evaluation: would the check hold this text, and for which reason?

An agency head sees a held text, not a span: so each text is labelled with the categories that
must hold it (``taking_sides``, ``personal_data``, ``marking``) or none, and the check's answer is
the set of categories whose findings reach a hold (or a block) under the national defaults.
The same scoring serves the tuning set (``labelled/``, spans turned into categories) and the
held-out set (``heldout/``, written by someone who never saw the detectors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicloop.guidelines import CheckContext, ElectionPhase, Party, check
from civicloop.guidelines.models import ACTION_RANK, Action
from civicloop.guidelines.service import finding_action, national_defaults
from civicloop.guidelines.text import is_tibetan
from tests.guidelines.corpus import Sample

HELD_OUT = Path(__file__).parent / "heldout"
# The first held-out set, looked at once (docs/benchmarks.md): tuning data since then.
TUNING_ROUND1 = Path(__file__).parent / "tuning-round1"
# The second held-out set, looked at once (docs/benchmarks.md): tuning data since round 3.
TUNING_ROUND2 = Path(__file__).parent / "tuning-round2"
# The third held-out set, looked at once (docs/benchmarks.md): tuning data since round 4.
TUNING_ROUND3 = Path(__file__).parent / "tuning-round3"
# The fourth held-out set, looked at once (docs/benchmarks.md): tuning data since round 5.
TUNING_ROUND4 = Path(__file__).parent / "tuning-round4"
# The fifth held-out set, looked at once (docs/benchmarks.md): tuning data since round 6.
TUNING_ROUND5 = Path(__file__).parent / "tuning-round5"
# The sixth held-out set, looked at once (docs/benchmarks.md): tuning data since round 7.
TUNING_ROUND6 = Path(__file__).parent / "tuning-round6"
# The seventh held-out set, looked at once (docs/benchmarks.md): tuning data since round 8.
TUNING_ROUND7 = Path(__file__).parent / "tuning-round7"
# The eighth held-out set, looked at once (docs/benchmarks.md): tuning data since round 9.
TUNING_ROUND8 = Path(__file__).parent / "tuning-round8"
# The ninth held-out set, looked at once (docs/benchmarks.md): tuning data since round 10.
TUNING_ROUND9 = Path(__file__).parent / "tuning-round9"
# The tenth held-out set, looked at once (docs/benchmarks.md): tuning data since round 11.
TUNING_ROUND10 = Path(__file__).parent / "tuning-round10"
# Every earlier held-out set, in the order they were written: what training and the accuracy benchmark read.
TUNING_SETS = (
    TUNING_ROUND1,
    TUNING_ROUND2,
    TUNING_ROUND3,
    TUNING_ROUND4,
    TUNING_ROUND5,
    TUNING_ROUND6,
    TUNING_ROUND7,
    TUNING_ROUND8,
    TUNING_ROUND9,
    TUNING_ROUND10,
)
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh")
CATEGORIES = ("taking_sides", "personal_data", "marking")
# A finding's rule decides the category an agency head would read it under.
RULE_PREFIX_CATEGORY = {"political.": "taking_sides", "personal.": "personal_data", "confidential.": "marking"}
KIND_CATEGORY = {
    **dict.fromkeys(("sides", "canvass", "criticism"), "taking_sides"),
    **dict.fromkeys(("cid", "mobile", "landline", "email", "passport", "licence", "bank", "dob"), "personal_data"),
    **dict.fromkeys(("marking", "term"), "marking"),
}


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    hold: frozenset[str]
    context: CheckContext


def held(text: str, context: CheckContext) -> frozenset[str]:
    """The categories for which the check would hold (or block) ``text`` under the national defaults."""
    policy = national_defaults()
    out = set()
    for finding in check(text, context=context):
        action = finding_action(finding, policy[finding.category][0])
        if ACTION_RANK[action] < ACTION_RANK[Action.hold]:
            continue
        category = next((c for prefix, c in RULE_PREFIX_CATEGORY.items() if finding.rule_id.startswith(prefix)), None)
        if category is not None:
            out.add(category)
    return frozenset(out)


def from_labelled(samples: Iterable[Sample]) -> list[Case]:
    """Tuning cases: a span label becomes the category it must hold for; a party or candidate named
    holds only in the campaign embargo; references and civility are outside these three categories."""
    cases = []
    for sample in samples:
        hold = {KIND_CATEGORY[lb.kind] for lb in sample.labels if lb.kind in KIND_CATEGORY}
        if sample.phase is ElectionPhase.embargo and any(lb.kind in ("party", "candidate") for lb in sample.labels):
            hold.add("taking_sides")
        if sample.source.startswith(("civility", "confidential")) and not hold:
            continue  # texts about other categories: their look-alikes are counted where they belong
        cases.append(Case(sample.source, sample.text, frozenset(hold), sample.context()))
    return cases


def _context(data: dict[str, Any], period: bool) -> CheckContext:
    """The deployment context as the held-out set's context.json states it. The eleventh set names its
    fields otherwise (code names under ``code_names``, a format's regular expression under ``pattern``, as
    the lead's brief to its writer asked): they are read as the same fields, nothing else differs."""
    parties = tuple(_party(p) for p in data["parties"])
    variants = [v for forms in data.get("confidential_terms_variants", {}).values() for v in forms]
    return CheckContext(
        election=ElectionPhase.period if period else ElectionPhase.none,
        agency_terms=(*data.get("confidential_terms", ()), *data.get("code_names", ()), *variants),
        extra_terms=tuple(
            ("candidates", name)
            for name in _candidate_names([*data.get("candidates", ()), *data.get("candidates_dzongkha", ())])
        ),
        public_contacts=_public_contacts(data),
        parties=parties,
        reference_formats=tuple(
            mask for f in data.get("reference_formats", ()) for mask in masks_of_regex(f.get("regex") or f["pattern"])
        ),
    )


# Words that make an alias a name of the party rather than a slogan ("Blue Crane party", "Gakid tshogpa").
_PARTY_WORDS = frozenset({"party", "tshogpa", "alliance", "team", "the"})


def _party(data: dict[str, Any]) -> Party:
    """A party of context.json. Its ``aliases`` (the fourth set's field) are sorted as a national
    administrator would enter them: hashtags, sentences of three words or more and Dzongkha sentences
    (ending in a shad, without ཚོགས་པ) are slogans; short names, colours and emojis are other names (the
    checker takes a colour or an emoji for a symbol, a side only where votes or support are asked for it)."""
    names, slogans = list(data.get("other_names", ())), list(data.get("slogans", ()))
    for alias in data.get("aliases", ()):
        alias = _NOTE.sub("", alias).strip()  # "#NotAgainTLP (attack hashtag)": the writer's note is not the alias
        words = alias.lower().replace(",", " ").split()
        if is_tibetan(alias):
            sentence = alias.endswith("།") and "ཚོགས་པ" not in alias
        else:
            sentence = len(words) >= 3 and not _PARTY_WORDS & set(words)
        (slogans if alias.startswith("#") or sentence else names).append(alias)
    return Party(
        name=data["name"],
        abbreviation=data.get("abbreviation", ""),
        name_dz=data.get("dzongkha", ""),
        other_names=tuple(names),
        slogans=tuple(slogans),
    )


_PHONE = re.compile(r"[+\d][\d\s-]*")
_ACCOUNT = re.compile(r"\b(?:account|a/c)\b.*\d{6}", re.IGNORECASE)
_NOTE = re.compile(r"\s*\([^)]*\)\s*$")


def _public_contacts(data: dict[str, Any]) -> tuple[str, ...]:
    """Emails, phone numbers and fee accounts the agency publishes: the third set's {"emails", "phones"},
    or the fourth set's list under "agency" ("1414 (toll-free helpline)", "BoB revenue account
    200113245"; web addresses and postal addresses are not contacts the checker compares)."""
    contacts = data.get("agency_public_contacts", {})
    out = [*contacts.get("emails", ()), *contacts.get("phones", ())]
    for entry in data.get("agency", {}).get("public_contacts", ()):
        value = entry.split("(")[0].strip()
        if "@" in value or _PHONE.fullmatch(value) or _ACCOUNT.search(value):
            out.append(value)
    return tuple(out)


def _candidate_names(candidates: Iterable[str | dict[str, str]]) -> list[str]:
    """A candidate is a name, or an object with the name and its Dzongkha form (the import's name_dz)."""
    names = []
    for candidate in candidates:
        if isinstance(candidate, str):
            names.append(candidate)
        else:
            names += [candidate[key] for key in ("name", "dzongkha", "name_dz") if candidate.get(key)]
    return names


# A piece of a simple regex: a digit or letter class with an optional count ({n} or {m,n}), or a
# (possibly escaped) literal character.
_PIECE = re.compile(r"(\\d|\[A-Z\]|\[a-z\]|\[A-Za-z\])(?:\{(\d+)(?:,(\d+))?\})?|\\(.)|([^\\\[\]{}()*+?|^$.])")
_MASK_OF_CLASS = {"\\d": "#", "[A-Z]": "@", "[a-z]": "@", "[A-Za-z]": "@"}


def masks_of_regex(regex: str) -> tuple[str, ...]:
    """A declared format given as a simple regex ("BP-\\d{4}-\\d{6}", "DCSA/[A-Z]{2,4}/\\d{4}") in the
    format syntax agencies declare (``BP-####-######``; ``#`` a digit, ``@`` a letter). A count range
    becomes one format per length, as an agency would declare them; anything else is refused."""
    # A word boundary at either end adds nothing: a format matches the whole number as written.
    regex = regex.removeprefix("\\b").removesuffix("\\b")
    masks = [""]
    position = 0
    while position < len(regex):
        m = _PIECE.match(regex, position)
        if m is None:
            raise ValueError(f"cannot turn {regex!r} into a reference format")
        if m.group(1):
            low = int(m.group(2) or 1)
            high = int(m.group(3) or low)
            choices = [_MASK_OF_CLASS[m.group(1)] * n for n in range(low, high + 1)]
        else:
            choices = [m.group(4) or m.group(5)]
        masks = [mask + choice for mask in masks for choice in choices]
        position = m.end()
    return tuple(masks)


def load_held_out(folder: Path = HELD_OUT) -> list[Case]:
    data = json.loads((folder / "context.json").read_text(encoding="utf-8"))
    cases = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            context = _context(data, bool(item.get("period", False)))
            # The fourth set has "hold" as a yes/no and the categories in "categories".
            hold = item["categories"] if "categories" in item else item["hold"]
            cases.append(Case(f"{path.name}:{item.get('id', number)}", item["text"], frozenset(hold), context))
    return cases


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


def evaluate(cases: Iterable[Case], decide: Callable[[Case], frozenset[str]] | None = None) -> dict[str, Tally]:
    decide = decide or (lambda case: held(case.text, case.context))
    tallies = {c: Tally() for c in CATEGORIES}
    for case in cases:
        got = decide(case)
        for category, tally in tallies.items():
            if category in got and category in case.hold:
                tally.true_positives += 1
            elif category in got:
                tally.false_positives += 1
                tally.errors.append(f"FP {category} {case.id}: {case.text}")
            elif category in case.hold:
                tally.false_negatives += 1
                tally.errors.append(f"FN {category} {case.id}: {case.text}")
    return tallies


def table(name: str, cases: list[Case], tallies: dict[str, Tally]) -> str:
    held_texts = sum(1 for c in cases if c.hold)
    lines = [
        f"{name}: {len(cases)} texts ({held_texts} to hold, {len(cases) - held_texts} clean)",
        f"{'category':<14} {'precision':>16} {'recall':>16}",
    ]
    for category, t in tallies.items():
        found, labelled = t.true_positives + t.false_positives, t.true_positives + t.false_negatives
        lines.append(
            f"{category:<14} {t.precision:>6.3f} ({t.true_positives:>3}/{found:>3}) {t.recall:>6.3f} "
            f"({t.true_positives:>3}/{labelled:>3})"
        )
    return "\n".join(lines)
