"""The checker: a text (plus the agency's terms and the election phase) in, findings out. Pure.

Everything is compiled once per set of overrides and cached: shipped data alone, or shipped data
with national overrides, plus a small per-agency index of the agency's own confidential terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from civicloop.channels import registry
from civicloop.guidelines import markings
from civicloop.guidelines.findings import Category, CheckContext, ElectionPhase, Finding, Party, Severity
from civicloop.guidelines.lexicons import (
    LexiconSpec,
    Term,
    TermIndex,
    data_json,
    normalise_term,
    shipped_lexicons,
    shipped_parties,
)
from civicloop.guidelines.neutrality import NeutralityDetector, longer_name
from civicloop.guidelines.personal import PersonalDetector, Span, phrase_regex, reference_formats, sentence_around
from civicloop.guidelines.sides_model import shipped_model
from civicloop.guidelines.text import Prepared, is_tibetan, join_keys, prepare, sound_key, syllable_key, tokenize

SEVERITY_RANK = {Severity.low: 0, Severity.medium: 1, Severity.high: 2}
AGENCY_LEXICON = "agency_terms"
AGENCY_RULE = "confidential.agency_term"
LEARNED_RULE = "political.learned"
MENTIONS = frozenset({"political.party", "political.candidate"})  # a name alone takes no side
SIDE_SUBJECTS = frozenset({"target", "electoral_target", "actor", "recall"})
ANNOUNCED = frozenset({"event", "self_event"})  # cue kinds of an event announced
_CHEER = re.compile("[!\u2600-\u27bf\U0001f000-\U0001faff]")  # an exclamation mark or an emoji
NAMED_SIDES = frozenset({"parties", "candidates"})  # lexicons whose hits the neutrality check weighs
# More capital letters than this share of a text means it is shouted, so capitals prove nothing.
SHOUTING_SHARE = 0.6


@dataclass(frozen=True)
class RuleSpec:
    id: str
    category: Category
    title: str
    explanation: str
    suggestion: str
    guideline: str
    severity: Severity
    severity_period: Severity
    severity_embargo: Severity

    def severity_in(self, phase: ElectionPhase) -> Severity:
        if phase is ElectionPhase.embargo:
            return self.severity_embargo
        if phase is ElectionPhase.period:
            return self.severity_period
        return self.severity

    def finding(self, start: int, end: int, phase: ElectionPhase) -> Finding:
        return Finding(
            rule_id=self.id,
            category=self.category,
            severity=self.severity_in(phase),
            start=start,
            end=end,
            title=self.title,
            explanation=self.explanation,
            suggestion=self.suggestion,
            guideline=self.guideline,
        )


@lru_cache(maxsize=1)
def rule_specs() -> dict[str, RuleSpec]:
    data = data_json("rules.json")
    specs = {}
    for rule_id, meta in data["rules"].items():
        base = Severity(meta["severity"])
        period = Severity(meta.get("severity_period", meta["severity"]))
        specs[rule_id] = RuleSpec(
            id=rule_id,
            category=Category(meta["category"]),
            title=meta["title"],
            explanation=meta["explanation"],
            suggestion=meta["suggestion"],
            guideline=data["guidelines"][meta["guideline"]],
            severity=base,
            severity_period=period,
            severity_embargo=Severity(meta.get("severity_embargo", period)),
        )
    return specs


@lru_cache(maxsize=1)
def pattern_specs() -> tuple[dict[str, Any], ...]:
    return tuple(data_json("patterns.json")["patterns"])


@lru_cache(maxsize=1)
def personal_detector() -> PersonalDetector:
    """Number formats and context words do not change with lexicon overrides: one detector serves all.
    The platforms whose name announces a number (their ``contact_words``) add theirs to the phone words."""
    config = data_json("personal.json")
    config["phone_words"] = [*config["phone_words"], *(w for s in registry.PLATFORMS.values() for w in s.contact_words)]
    return PersonalDetector(config)


@dataclass(frozen=True)
class Pattern:
    rule: str
    needs: frozenset[str]
    regex: re.Pattern[str]


def _alternation(terms: Iterable[Term]) -> str:
    """A regex alternative matching any of the terms, longest first; never matches when empty."""
    parts = sorted({r"[\s་'-]+".join(re.escape(w) for w in t.words) for t in terms}, key=len, reverse=True)
    return "(?:" + "|".join(parts) + ")" if parts else "(?!x)x"


class RuleBook:
    """Lexicons, patterns and detectors compiled together; build one per set of overrides."""

    def __init__(
        self, lexicons: dict[str, list[Term]], specs: dict[str, LexiconSpec], parties: tuple[Party, ...]
    ) -> None:
        self.rules = rule_specs()
        self.lexicon_rule = {lex_id: spec.rule for lex_id, spec in specs.items()}
        self.index = TermIndex(
            (term for terms in lexicons.values() for term in terms),
            {lex_id: spec.unless_near for lex_id, spec in specs.items()},
        )
        slots = {f"{{{lex_id}}}": _alternation(terms) for lex_id, terms in lexicons.items()}
        self.patterns = []
        for item in pattern_specs():
            source = item["regex"]
            for slot, alternation in slots.items():
                source = source.replace(slot, alternation)
            self.patterns.append(
                Pattern(item["rule"], frozenset(w.lower() for w in item["needs"]), re.compile(source, re.IGNORECASE))
            )
        self.personal = personal_detector()
        candidates = tuple(" ".join(t.words) for t in lexicons.get("candidates", []))
        self.neutrality = NeutralityDetector(data_json("neutrality.json"), parties, candidates)

    def named_sides(self, prepared: Prepared) -> list[tuple[int, int, str]]:
        """The parties and candidates named in a text: (start, end, lexicon)."""
        named = [(h.start, h.end, h.term.lexicon) for h in self.index.find(prepared) if h.term.lexicon in NAMED_SIDES]
        return self.neutrality.sides_named(prepared, sorted(named + self.neutrality.aliases(prepared)))

    def check(self, text: str, context: CheckContext, *, learned: bool = True) -> list[Finding]:
        """Findings in ``text``; ``learned`` False leaves out the learned taking-sides model (rules only)."""
        prepared = prepare(text)
        phase = context.election
        findings = []
        named = []
        for hit in self.index.find(prepared):
            # "འདི་ གསང་བ་སྦེ་ བཞག་གནང" (please keep this secret): the reader is asked to keep the text secret.
            asked = is_tibetan(text[hit.start : hit.end]) and _KEEP_IT.match(text, hit.end) is not None
            if hit.term.heading_only and not asked and not _is_heading(text, hit.start, hit.end):
                continue
            if _KEPT_AS.match(text, hit.end) and is_tibetan(text[hit.start : hit.end]) and not asked:
                continue  # "གསང་བ་སྦེ་ བཞག་འོང" (will be kept confidential) reassures, it does not mark
            if hit.term.lexicon in NAMED_SIDES:
                named.append((hit.start, hit.end, hit.term.lexicon))
            findings.append(self.rules[self.lexicon_rule[hit.term.lexicon]].finding(hit.start, hit.end, phase))
        spelt = _spelt_out(prepared)
        if spelt is not None:
            findings += self._spelt_out_markings(spelt, phase)
        glued = _unglued(prepared)
        if glued is not None:
            findings += self._spelt_out_markings(glued, phase, heading=text)
        named = sorted(named + self.neutrality.aliases(prepared))
        in_period = phase is not ElectionPhase.none
        cues: list[tuple[int, str]] = []
        sides = self.neutrality.find(prepared, [(a, b) for a, b, _ in named], in_period=in_period, cues=cues)
        for side in sides:
            findings.append(self.rules[side.rule].finding(side.start, side.end, phase))
        if learned:
            findings += self._learned(prepared, named, cues, phase, findings)
        if context.agency_terms:
            agency_rule = self.rules[AGENCY_RULE]
            index = agency_index(context.agency_terms)
            for hit in index.find(prepared):
                findings.append(agency_rule.finding(hit.start, hit.end, phase))
            for start, end in _agency_terms_in_dzongkha(prepared, context.agency_terms):
                findings.append(agency_rule.finding(start, end, phase))
            for start, end in markings.code_names_alone(prepared.norm, context.agency_terms, _term_kinds()):
                findings.append(agency_rule.finding(start, end, phase))
            for view in (v for v in (spelt, glued) if v is not None):
                for hit in index.find(view[0]):
                    if any(a < hit.end and hit.start < b for a, b in view[1]):
                        findings.append(agency_rule.finding(hit.start, hit.end, phase))
        words = set(prepared.lowered)
        for pattern in self.patterns:
            if pattern.needs and not (pattern.needs & words):
                continue
            for m in pattern.regex.finditer(prepared.norm):
                findings.append(self.rules[pattern.rule].finding(m.start(), m.end(), phase))
        findings += [self.rules["confidential.reference"].finding(s, e, phase) for s, e in _references(prepared)]
        public = frozenset(self.personal.contact_key(c) for c in context.public_contacts)
        formats = reference_formats(context.reference_formats)
        for span in self.personal.find(prepared, public, formats):
            if not span.public:
                findings.append(self.rules[span.rule].finding(span.start, span.end, phase))
        return _without_nested([f for f in findings if not _about_markings(prepared.norm, f)])

    def _spelt_out_markings(
        self, spelt: tuple[Prepared, list[tuple[int, int]]], phase: ElectionPhase, heading: str | None = None
    ) -> list[Finding]:
        """Markings written letter by letter or disguised ("c o n f i d e n t i a l", "S.E.C.R.E.T",
        "C0NFIDENTIAL"): spelling a word out is emphasis, like capitals, so it needs no heading. Words glued
        into a file name (``heading``: the text, whose heading rules then apply) are read apart."""
        prepared, runs = spelt
        rule = self.rules["confidential.marking"]
        return [
            rule.finding(hit.start, hit.end, phase)
            for hit in self.index.find(prepared)
            if hit.term.lexicon == "markings"
            and any(a < hit.end and hit.start < b for a, b in runs)
            and (heading is None or not hit.term.heading_only or _is_heading(heading, hit.start, hit.end))
        ]

    def model_silent(
        self,
        prepared: Prepared,
        named: list[tuple[int, int, str]],
        cues: list[tuple[int, str]],
        found: list[Finding],
    ) -> bool:
        """Where the learned model does not speak: where the rules already judged a stance (a side taken
        is held anyway, and a judgement made on purpose, such as a side's event announced with nothing
        else said of it only warning outside an election period, is not overruled); where the text names no party or
        candidate and none of the words the rules know for sides, votes, elections or campaigns
        ("Fixed tonight.", "Thank you, we will look into it."): the model weighs how a text treats a
        side, it has nothing to weigh there, and its bias alone would hold short replies; and where a
        text with no party or candidate named treats every side alike ("vote for the candidate of your
        choice")."""
        if any(f.category is Category.political and f.rule_id not in MENTIONS for f in found):
            return True
        # One side's event announced plainly and nothing else said of it ("DNT's manifesto launch is on
        # Saturday"; two sides named may be compared): the rules judge that on purpose (a mention outside
        # an election period, campaigning inside one). Cheered ("The massive rally by DPT shows the people
        # are with them!", an emoji), the model weighs it.
        if len(named) == 1 and _only_an_event(cues) and not _CHEER.search(prepared.norm):
            return True
        if not named and not any(kind.split(":")[1] in SIDE_SUBJECTS for _, kind in cues):
            return True
        return not named and self.neutrality.even_handed.search(prepared.norm) is not None

    def _learned(
        self,
        prepared: Prepared,
        named: list[tuple[int, int, str]],
        cues: list[tuple[int, str]],
        phase: ElectionPhase,
        found: list[Finding],
    ) -> list[Finding]:
        """The learned model's finding, when the rules found no side taken that would hold the text."""
        model = shipped_model()
        # A nickname inside a longer proper name ("the Marigolds of Paro art prize") names no side.
        named = [n for n in named if not longer_name(prepared.norm, n[0], n[1])]
        # The names the rules read as sides: an everyday word that is also a short name is none (a wish).
        named = self.neutrality.sides_named(prepared, named)
        if model is None or self.model_silent(prepared, named, cues, found):
            return []
        opinion = model.score(prepared, named, phase is not ElectionPhase.none, cues)
        if opinion.probability < model.threshold or not opinion.top_words:
            return []
        # A side's name alone is no stance: "Dechen Yangki Dorji booked the Babesa hall." in an election
        # period weighs only the name (and the period); the model must have weighed some other word.
        names = {prepared.norm[a:b].lower() for a, b, _ in named}
        if all(word.lower() in names for word in opinion.top_words):
            return []
        finding = self.rules[LEARNED_RULE].finding(opinion.start, opinion.end, phase)
        weighed = ", ".join(f"“{w}”" for w in opinion.top_words)
        return [replace(finding, explanation=f"{finding.explanation} The words that weighed most: {weighed}.")]

    def contacts(self, text: str) -> list[Span]:
        """Email addresses and phone numbers, personal or not (for comparisons with other tools)."""
        kinds = {"personal.email", "personal.mobile", "personal.landline"}
        return [s for s in self.personal.find(prepare(text)) if s.rule in kinds]


def _only_an_event(cues: list[tuple[int, str]]) -> bool:
    """Every cue is a side's event ("manifesto", "rally"), or another reading of that same word (a
    campaign or election word: "manifesto" is all three)."""
    events = {start for start, kind in cues if kind.split(":")[1] in ANNOUNCED}
    return bool(events) and all(
        kind.split(":")[1] in ANNOUNCED or (start in events and kind.split(":")[1] in ("campaign", "electoral"))
        for start, kind in cues
    )


@dataclass(frozen=True)
class MarkingContexts:
    """Sentences that talk about confidential material without disclosing it (data/confidential.json)."""

    denials: re.Pattern[str]
    handling: re.Pattern[str]
    kind_of_file: re.Pattern[str]  # matched right after the marking
    title: re.Pattern[str]
    lifted: re.Pattern[str]  # the marking no longer holds ("it is now public")
    line: re.Pattern[str]  # matched right after the marking: a confidential reporting line
    stamp: re.Pattern[str]  # matched right after the marking: the marking named as a stamp or label
    training: re.Pattern[str]  # a lesson: with a handling word, the marking is what is taught
    promise: re.Pattern[str]  # the reader's own details, before a Dzongkha "will not be released"
    yours: re.Pattern[str]  # "your" (the genitive only), before a Dzongkha imperative: a promise too
    yours_latin: re.Pattern[str]  # "your", romanised "chö gi": the reader's own things, before a marking


@lru_cache(maxsize=1)
def marking_contexts() -> MarkingContexts:
    data = data_json("confidential.json")
    titles = "|".join(re.escape(t) for t in data["titles"])
    # A run of capitalised words ("Official Secrets and Classified Information") ending in a title word.
    title = re.compile(rf"(?:\b[A-Z][\w'-]*\s+(?:(?:and|of|on|the|for)\s+)?){{1,8}}(?:{titles})\b")
    kinds = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in data["kinds_of_file"])
    kind_of_file = re.compile(rf"\s+(?:and\s+\w+\s+)?(?:{kinds})\b", re.IGNORECASE)
    return MarkingContexts(
        re.compile(phrase_regex(data["denials"]), re.IGNORECASE),
        re.compile(phrase_regex(data["handling"]), re.IGNORECASE),
        kind_of_file,
        title,
        re.compile(phrase_regex(data["lifted"]), re.IGNORECASE),
        re.compile(r"[\s\u0f0b]*" + phrase_regex(data["lines"]).removeprefix(r"(?<![\w\u0F40-\u0FBC])"), re.IGNORECASE),
        re.compile(
            r"[\s\u0f0b'\"\u2019\u201d]*" + phrase_regex(data["stamps"]).removeprefix(r"(?<![\w\u0F40-\u0FBC])"),
            re.IGNORECASE,
        ),
        re.compile(phrase_regex(data["training"]), re.IGNORECASE),
        re.compile(phrase_regex(data["promises"])),
        re.compile(phrase_regex(data["yours"])),
        re.compile(phrase_regex(data["yours_latin"]), re.IGNORECASE),
    )


_LEAK = re.compile(r"leak|ཕྱིར་ཐོན", re.IGNORECASE)
_WILL_NOT = re.compile("ནི[་\\s]*མེད")
_SECRET_DZ = re.compile("གསང")
_BALLOT_DZ = re.compile("ཚོགས[་\\s]*རྒྱན")
# Up to four words of one phrase: no punctuation, and no determiner that would begin another phrase.
_SAME_PHRASE = re.compile(r"(?:\s+(?!(?:the|a|an|this|these|that|here|our|my)\b)[\w'-]+){0,4}\s+", re.IGNORECASE)
# "classified as per the security policy" is a stamp with its authority, not the verb.
_CLASSIFIED_AS = re.compile(r"\bclassified\s+(?:as(?!\s+per\b)|under|into|according)\b", re.IGNORECASE)
_A_POST = re.compile(r"\s+(?:post|page|link|video|photo|reel|tweet|story)\b", re.IGNORECASE)
_FORWARDING = re.compile(r"forward|circulat|share|spel|sphel|གཏང|བསྐྱལ|ཕྱིར་བསྐྱར|སྤེལ", re.IGNORECASE)


def _about_markings(text: str, finding: Finding) -> bool:
    """A marking found where the text talks about confidential material without disclosing any: a leak
    denied ("rumours of a leaked report are baseless"), a hoax warned about ("do not forward … it is
    fake"), files to handle ("training: how to handle CONFIDENTIAL files"), the title of a law ("the
    Official Secrets and Classified Information Bill"), a marking lifted ("… until today's release; it is
    now public"), a confidential reporting line ("the confidential hotline")."""
    if finding.rule_id != "confidential.marking":
        return False
    contexts = marking_contexts()
    for m in contexts.title.finditer(text, max(0, finding.start - 80), min(len(text), finding.end + 80)):
        if m.start() <= finding.start and finding.end <= m.end():
            return True
    # "the commission's confidential hotline", གསང་བའི་ཁ་པར: a reporting line, not a marked text.
    if contexts.line.match(text, finding.end):
        return True
    # "CONFIDENTIAL until today's Cabinet release; it is now public": a marking lifted.
    if contexts.lifted.search(text):
        return True
    start, end = sentence_around(text, finding.start, finding.end)
    # "Not for circulation? Nope — it IS for circulation": asked and denied; "Top secret: our recipe … 😂": a
    # joke; "There is no secret list": denied; "not yet public; we will post them on Friday": awaited.
    if markings.answered_no(text, end) or markings.a_joke(text) or markings.negated(text, finding.start):
        return True
    if markings.awaited(text, finding.start, finding.end):
        return True
    if _LEAK.search(text, finding.start, finding.end) and contexts.denials.search(text, start, end):
        return True
    # "Do not forward the WhatsApp message claiming … It is FAKE": a warning about a hoax.
    if _FORWARDING.search(text, finding.start, finding.end) and contexts.denials.search(text):
        return True
    # "ཁྱེད་ཀྱི་ སྒེར་གྱི་ གནས་ཚུལ་ཚུ་ ཕྱི་ཁར་ སྤེལ་ནི་མེད།" (your personal details will not be released): a
    # Dzongkha future negative in a sentence about the reader's own details is a promise, not a marking.
    # An imperative in a clause about the reader's own details ("ཁྱེད་ཀྱི་ གནས་ཚུལ་ ཕྱི་ཁར་ མ་སྤེལ་ནི་ ང་བཅས་ཀྱི་ འགན་ཁག་ཨིན",
    # not spreading your details is our duty) is one too; "ཁྱེད་ཀྱིས་ …" (you, do not …) is an instruction.
    if is_tibetan(text[finding.start : finding.end]):
        clause_start = max(start, text.rfind("།", 0, finding.start) + 1)
        promise = contexts.promise if _WILL_NOT.search(text, finding.start, finding.end) else contexts.yours
        if promise.search(text, clause_start, finding.end):
            return True
        # "ཚོགས་རྒྱན་ གསང་བ་ཨིན་རུང་ …": the ballot is secret; said in the clause that holds the word, for a
        # heading ("གསང་བ། … ཚོགས་རྒྱན་གྱི་ཧེ་མ་ …", secret: … before the vote) is a clause of its own.
        clause_end = text.find("།", finding.end)
        clause_end = end if clause_end < 0 else min(end, clause_end)
        if text[finding.end : finding.end + 2].lstrip("\u0f0b ")[:1] == ":":
            clause_end = finding.end  # "གསང་བ: … ཚོགས་རྒྱན་ …": a heading, a clause of its own
        if _SECRET_DZ.search(text, finding.start, finding.end) and _BALLOT_DZ.search(text, clause_start, clause_end):
            return True
    # "Chö gi report confidential ra död" (your report stays confidential): the reader's own things promised
    # to stay confidential, in romanised Dzongkha or English, are no marked text: "your" and a few words of
    # the same phrase right before the word ("for your information, the confidential report …" marks one).
    elif any(
        _SAME_PHRASE.fullmatch(text, m.end(), finding.start)
        for m in contexts.yours_latin.finditer(text, start, finding.start)
    ):
        return True
    # "It's classified as a heritage site", "the road is classified under …": the verb, not a marking.
    if _CLASSIFIED_AS.search(text, finding.start, min(len(text), finding.end + 60)):
        return True
    # "Please don't share this post if you are a civil servant": sharing a post, not a marked text.
    if _FORWARDING.search(text, finding.start, finding.end) and _A_POST.match(text, finding.end):
        return True
    # "'SECRET' stamps on display at the museum", "a 'Confidential' stamp on a post from us is a mistake",
    # Dzongkha 'གསང་བ' ཐམ་ག: a marking named as a stamp or label is talked about, not applied.
    if contexts.stamp.match(text, finding.end) and not markings.shared_anyway(text, start, end):
        return True
    # "training: CONFIDENTIAL docs handle bay tang": handling marked documents taught, none disclosed,
    # wherever in the sentence the lesson and the handling are named.
    if contexts.training.search(text, start, end) and contexts.handling.search(text, start, end):
        return True
    handled = contexts.handling.search(text, max(start, finding.start - 40), min(end, finding.end + 40))
    names_a_kind = contexts.kind_of_file.match(text, finding.end) or contexts.kind_of_file.search(
        text, finding.start, finding.end
    )
    return handled is not None and names_a_kind is not None


# Dzongkha སྦེ after a marking word makes it an adverb: "kept secretly", a promise of confidentiality.
_KEPT_AS = re.compile("[\u0f0b\\s]*སྦེ")
# Asked rather than promised: "གསང་བ་སྦེ་ བཞག་གནང" (please keep it secret), with གནང, ཤོག or དགོ after "keep".
_KEEP_IT = re.compile("[\u0f0b\\s]*སྦེ[\u0f0b\\s]*བཞག[\u0f0b\\s]*(?:གནང|ཤོག|དགོ)")


# Romanised Dzongkha's polite "la" after a heading word: "Secret la, …", "Confidential la: …".
_LA = re.compile(r"\s+la\b", re.IGNORECASE)


def _is_heading(text: str, start: int, end: int) -> bool:
    """A marking word in capitals, or heading a line ("Confidential: …"), or in brackets."""
    span = text[start:end]
    if span.isupper():
        letters = [ch for ch in text[:start] + text[end:] if ch.isalpha()]
        return sum(ch.isupper() for ch in letters) <= SHOUTING_SHARE * len(letters)
    line_start = text.rfind("\n", 0, start) + 1
    lead = text[line_start:start].strip()
    la = _LA.match(text, end)
    follow = text[la.end() if la else end : end + 12].lstrip()
    if follow.lower().startswith("until"):  # "confidential until the announcement"
        return True
    opens_line = _separates(follow[:1]) or (la is not None and follow[:1] == ",")
    # A Dzongkha heading may end with a tsheg and a space rather than a shad ("གསང་བ་ ལས་བྱེད་ཐོ།").
    opens_line = opens_line or (is_tibetan(span) and _TSHEG_GAP.match(text, end) is not None)
    if _only_symbols(lead) and (opens_line or not text[end:].split("\n", 1)[0].strip()):
        return True
    # A document named, then its restriction, as a label: "Internal circular, not for public: …",
    # "Budget note, confidential — …".
    if opens_line and _DOCUMENT_LEAD.fullmatch(lead):
        return True
    # Set off by punctuation as a label is: quoted ("the 'restricted' annex"), bracketed, between dashes
    # ("Draft v3 — confidential — comments"), or the value of a classification label ("[Classification:
    # Restricted]", "Security level: secret"; not "documents marked confidential must be stored …").
    before, after = text[max(0, start - 2) : start].rstrip(" "), text[end : end + 3].lstrip(" \u0f0b")
    if before[-1:] and after[:1] and _SET_OFF.get(before[-1]) == after[0]:
        # A quoted word used as a noun ("the 'secret' to good momos") is not a label.
        return after[0] not in "'\"\u201d" or _OF_A_NOUN.match(text, text.index(after[0], end) + 1) is None
    return _LABELLED.search(text, max(0, start - 30), start) is not None


_TSHEG_GAP = re.compile("\u0f0b[ \t]+")
_DOCUMENT_LEAD = re.compile(
    r"[^\w]*(?:[\w'.-]+\s+){0,2}(?:circular|memo|note|notes|minutes|letter|report|draft|brief|briefing|file|list"
    r"|document|doc|annex|notesheet|order|email|message|update)\s*[,;]",
    re.IGNORECASE,
)
# Punctuation that sets a word off when it stands on both sides (the opening mark, then the closing one).
_SET_OFF = {
    "'": "'",
    '"': '"',
    "\u201c": "\u201d",
    "[": "]",
    "(": ")",
    "-": "-",
    "\u2013": "\u2013",
    "\u2014": "\u2014",
    "*": "*",
    "_": "_",
}
_OF_A_NOUN = re.compile(r"\s+(?:to|of|for|behind|about|is|was|recipe|ingredient)\b", re.IGNORECASE)
_LABELLED = re.compile(
    r"\b(?:classification|security\s+(?:marking|class|level)|sensitivity)\s*[:=-]?\s*[\"']?$", re.IGNORECASE
)

# What may end a heading: a colon, a dash, a bar, a slash, a bullet, a full stop, the Dzongkha shad…
_HEADING_ENDS = frozenset(":-*|/\\•·.!>–—=~\u0f0d\u0f0e\u0f11\u0f14")


def _separates(char: str) -> bool:
    """A character that ends a heading ("Restricted | Draft", "ཚད་འཛིན་ཅན། …"), or a symbol or emoji."""
    return bool(char) and (char in _HEADING_ENDS or unicodedata.category(char) in ("So", "Sm", "Pd"))


def _only_symbols(lead: str) -> bool:
    """Nothing but marks before the word on its line: "", "**", "🔒", "⚠️ ", "#"."""
    return not any(ch.isalnum() for ch in lead)


# An internal file or tender reference: office codes separated by slashes, with a number in them,
# e.g. "MoIT/DoR/ADM-05/2024/1234". Dates (12/03/2024), "and/or" and URLs do not qualify.
_REFERENCE = re.compile(r"(?<![\w/.:@-])[A-Z][A-Za-z]{1,9}(?:/[A-Za-z0-9().-]{1,15}){2,}(?![\w/])")
_REF_KEYWORD = re.compile(
    r"\b(?:file|letter|memo|tender|our\s+ref(?:erence)?|ref(?:erence)?)\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*"
    r"(?P<num>[A-Z]{2,}[A-Z0-9]*(?:/[A-Za-z0-9().-]{1,15})+)(?![\w/])",
    re.IGNORECASE,
)


def _references(prepared: Prepared) -> list[tuple[int, int]]:
    norm = prepared.norm
    if "/" not in norm:
        return []
    found = set()
    for m in _REFERENCE.finditer(norm):
        segments = m.group().split("/")
        caps = sum(1 for s in segments if sum(ch.isupper() for ch in s) >= 2)
        if caps >= 2 and any(ch.isdigit() for ch in m.group()):
            found.add((m.start(), m.start() + len(m.group().rstrip(".-)"))))
    for m in _REF_KEYWORD.finditer(norm):
        if any(ch.isdigit() for ch in m.group("num")):
            found.add((m.start("num"), m.start("num") + len(m.group("num").rstrip(".-)"))))
    return sorted(found)


def _without_nested(findings: list[Finding]) -> list[Finding]:
    """Drop a finding lying inside another of its category that weighs at least as much."""
    ordered = sorted(findings, key=lambda f: (f.start, -f.end, -SEVERITY_RANK[f.severity]))
    kept: list[Finding] = []
    for finding in ordered:
        if any(
            k.category == finding.category
            and k.start <= finding.start
            and finding.end <= k.end
            and SEVERITY_RANK[k.severity] >= SEVERITY_RANK[finding.severity]
            for k in kept
        ):
            continue
        kept.append(finding)
    return kept


def _terms(lexicon: str, raw_terms: Iterable[str]) -> list[Term]:
    return [t for t in (Term.parse(raw, lexicon) for raw in raw_terms) if t is not None]


# One entry per distinct set of overrides (national ones, plus an agency's own additions): a build
# takes a few milliseconds, so even hundreds of agencies with their own terms stay cached.
@lru_cache(maxsize=512)
def rulebook(
    extra_terms: tuple[tuple[str, str], ...] = (),
    removed_terms: tuple[tuple[str, str], ...] = (),
    parties: tuple[Party, ...] | None = None,
) -> RuleBook:
    """The compiled rule book for shipped data plus these (lexicon, term) overrides and these parties
    (None: the shipped ones)."""
    specs = shipped_lexicons()
    parties = shipped_parties() if parties is None else parties
    removed = {(lex, normalise_term(term)) for lex, term in removed_terms}
    lexicons: dict[str, list[Term]] = {}
    for lex_id, spec in specs.items():
        shipped = [t for p in parties for t in p.terms()] if lex_id == "parties" else spec.terms
        extra = [term for lex, term in extra_terms if lex == lex_id]
        kept = [t for t in _terms(lex_id, [*shipped, *extra]) if (lex_id, t.key) not in removed]
        lexicons[lex_id] = [v for t in kept for v in _contracted(t)] if lex_id == "markings" else kept
    return RuleBook(lexicons, specs, parties)


# "do not" as people write it: "don't" (two words once the apostrophe splits them) and "dont".
_CONTRACTIONS = ((("don", "t"), ("dont",)),)


def _contracted(term: Term) -> list[Term]:
    """A marking with "do not" and the same with "don't" and "dont" ("don't share this outside"), when
    the verb has its object or limit in the term: "do not forward" alone is also said of rumours
    ("Please don't forward unverified messages"), and its shortened forms are weighed by a pattern."""
    out = [term]
    words = term.words
    for i in range(len(words) - 3):
        if words[i : i + 2] == ("do", "not"):
            for short in (form for forms in _CONTRACTIONS for form in forms):
                out.append(replace(term, words=(*words[:i], *short, *words[i + 2 :])))
    return out


@lru_cache(maxsize=256)
def agency_index(terms: tuple[str, ...]) -> TermIndex:
    variants = [v for term in terms for v in (*term_variants(term), *abbreviated(term))]
    return TermIndex(_terms(AGENCY_LEXICON, variants), {})


# A name's sounds must hold this many consonants to be looked for in the other script: fewer ("Blue Pine",
# p-l-p-n) would match ordinary Dzongkha words.
MIN_SOUND_KEY = 5
# Most Dzongkha syllables a transliterated name is looked for in.
MAX_NAME_SYLLABLES = 6


@lru_cache(maxsize=256)
def _sound_keys(terms: tuple[str, ...]) -> frozenset[str]:
    """The sound keys of the agency's terms, as entered and without their kind word ("Operation …")."""
    kinds = _term_kinds()
    names = [*terms, *(" ".join(w for w in t.split() if w.lower() not in kinds) for t in terms)]
    keys = (sound_key(n) for n in names if not n.startswith(("=", "^")) and not any(is_tibetan(w) for w in n))
    return frozenset(k for k in keys if len(k) >= MIN_SOUND_KEY)


def _agency_terms_in_dzongkha(prepared: Prepared, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """An agency term entered in Latin letters, written in Dzongkha script by its sounds ("Dungkar Shell":
    དུང་དཀར་ཤེལ): runs of up to six syllables whose sounds give the term's key."""
    syllables = [(s, e, syllable_key(w)) for s, e, w in prepared.tokens if is_tibetan(w)]
    keys = _sound_keys(terms) if syllables else frozenset()
    longest = max(map(len, keys), default=0)
    found = []
    for i in range(len(syllables) if keys else 0):
        key = ""
        for j in range(i, min(len(syllables), i + MAX_NAME_SYLLABLES)):
            if j > i and prepared.norm[syllables[j - 1][1] : syllables[j][0]].strip("\u0f0b "):
                break  # a shad or another word between: the name does not go on
            key = join_keys(key, syllables[j][2])
            if len(key) > longest:
                break
            if key in keys:
                found.append((syllables[i][0], syllables[j][1]))
    return found


def abbreviated(term: str) -> list[str]:
    """A project's name with its kind word abbreviated, at either end ("Operation Dungkar": "op. dungkar",
    "op dungkar", "Dungkar op"; the abbreviations are ``term_kind_abbreviations`` in data/confidential.json)."""
    words = term.strip().split()
    if len(words) < 2 or term.startswith(("=", "^")):
        return []
    short = _term_kind_abbreviations()
    out = []
    for kind, rest in ((words[0], words[1:]), (words[-1], words[:-1])):
        for abbreviation in short.get(kind.lower(), ()):
            out += [" ".join([abbreviation, *rest]), " ".join([*rest, abbreviation])]
    return list(dict.fromkeys(out))


def term_variants(term: str) -> list[str]:
    """The forms people write a confidential project's name in, from the one the agency entered: its kind
    word at either end ("Project Yakshield", "the yakshield project"; "Operation Ama Dzo", "the ama dzo
    operation"; the kinds are ``term_kinds`` in data/confidential.json) and run together as a hashtag
    ("#OperationAmaDzo", "#AmaDzoOperation", "TERRACE9" for "TERRACE-9"). Case never matters. The name
    without its kind word is not added: "Ama Dzo" or "Blue Poppy" alone are ordinary words."""
    term = term.strip()
    words = term.split()
    out = [term]
    kinds = _term_kinds()
    if term.startswith(("=", "^")):
        return out
    if len(words) >= 2:
        if words[0].lower() in kinds:
            out.append(" ".join([*words[1:], words[0]]))
        elif words[-1].lower() in kinds:
            out.append(" ".join([words[-1], *words[:-1]]))
    out += [
        "".join(tokens)
        for tokens in (tokenize(v) for v in list(out))
        if len(tokens) >= 2 and not any(is_tibetan(w) for w in tokens)
    ]
    return list(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _term_kind_abbreviations() -> dict[str, tuple[str, ...]]:
    data = data_json("confidential.json").get("term_kind_abbreviations", {})
    return {kind.lower(): tuple(forms) for kind, forms in data.items()}


@lru_cache(maxsize=1)
def _term_kinds() -> frozenset[str]:
    return frozenset(k.lower() for k in data_json("confidential.json")["term_kinds"])


# A word spelt out letter by letter, the letters apart ("c o n f i d e n t i a l", "S.E.C.R.E.T", "c-o-n-f")
# or split by invisible characters; and a word with digits for letters ("C0NFIDENTIAL", "s3cret").
_SPACED = re.compile(r"(?<![\w.-])[A-Za-z](?:(?:[ .*_·-]|\. |[\u00ad\u200b-\u200d\u2060]+)[A-Za-z]){3,}(?![\w-])")
_INVISIBLE = re.compile(r"\w+(?:[\u00ad\u200b-\u200d\u2060]+\w+)+")
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060"
_LEET = re.compile(r"\b(?=[A-Za-z]*[013457@$][A-Za-z])(?=\w*[A-Za-z]{2})[A-Za-z013457]{5,}\b")
_LEET_LETTERS = str.maketrans("013457", "oieast")


def _spelt_out(prepared: Prepared) -> tuple[Prepared, list[tuple[int, int]]] | None:
    """The text with every spelt-out or disguised word as one token of its letters, and those words'
    spans; None when there is none (most texts)."""
    norm = prepared.norm
    runs = [(m.start(), m.end(), "".join(ch for ch in m.group() if ch.isalpha())) for m in _SPACED.finditer(norm)]
    if any(ch in norm for ch in _INVISIBLE_CHARS):
        runs += [(m.start(), m.end(), "".join(c for c in m.group() if c.isalnum())) for m in _INVISIBLE.finditer(norm)]
    if prepared.has_digits():
        runs += [(m.start(), m.end(), m.group().translate(_LEET_LETTERS)) for m in _LEET.finditer(norm)]
    if not runs:
        return None
    runs.sort()
    tokens: list[tuple[int, int, str]] = []
    at = 0
    for start, end, word in runs:
        if start < at:
            continue
        tokens += [t for t in prepared.tokens if t[0] >= at and t[1] <= start]
        tokens.append((start, end, word))
        at = end
    tokens += [t for t in prepared.tokens if t[0] >= at]
    spelt = Prepared(prepared.original, norm, tuple(tokens), tuple(t[2].lower() for t in tokens))
    return spelt, [(start, end) for start, end, _ in runs]


# A word glued from others by underscores or capitals, as in a file name ("SECRET_ProjectNgangpa_phase2.pdf").
_GLUED = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _unglued(prepared: Prepared) -> tuple[Prepared, list[tuple[int, int]]] | None:
    """The text with every glued word's parts as tokens (camel-case parts kept together too, since an
    agency's term is also matched run together: "ProjectNgangpa"), and those words' spans; None when
    there is no underscore in the text (most texts)."""
    if "_" not in prepared.norm:
        return None
    runs = [(m.start(), m.end()) for m in _GLUED.finditer(prepared.norm)]
    if not runs:
        return None
    norm = prepared.norm.replace("_", " ")
    unglued = prepare(norm)
    return Prepared(prepared.original, norm, unglued.tokens, unglued.lowered), runs


def check(text: str, *, context: CheckContext | None = None) -> list[Finding]:
    """Findings in ``text``, ordered by position. Never raises on odd input (any script, any length)."""
    context = context or CheckContext()
    return rulebook(context.extra_terms, context.removed_terms, context.parties).check(text, context)


def explain(findings: Iterable[Finding], text: str) -> list[dict[str, Any]]:
    """Findings as plain dicts (for JSON output), with the exact text each one covers."""
    return [
        {
            "rule": f.rule_id,
            "category": f.category.value,
            "severity": f.severity.value,
            "start": f.start,
            "end": f.end,
            "text": f.excerpt(text),
            "title": f.title,
            "explanation": f.explanation,
            "suggestion": f.suggestion,
            "guideline": f.guideline,
        }
        for f in findings
    ]
