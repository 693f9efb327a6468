"""Markings, round 11: sentence shapes that decide whether a marking word marks the text or is only
talked about, and a confidential project's name written without its kind word.

The checker (checker.py) finds markings and asks ``_about_markings`` whether each is talked about; the
shapes here are asked from there. Data: data/confidential.json ('shared_anyway', 'answered_no').
"""

from __future__ import annotations

import re
from functools import lru_cache

from civicloop.guidelines.lexicons import data_json
from civicloop.guidelines.personal import phrase_regex

# Laughter: what a joke is written with ("Top secret: our cooks' recipe … 😂", "classified info: it's Friday
# lol"). 😅 is not among them: it is the nervous grin of someone sharing what they should not.
_LAUGHTER = re.compile(r"[😂🤣😆😹😜😝]|\b(?:lol|lmao|rofl|haha\w*|hehe\w*|jk|just\s+kidding)\b", re.IGNORECASE)
# What a real disclosure is about: a document, a decision, a figure, a list of people.
_OFFICIAL_MATTER = re.compile(
    r"\b(?:report|reports|minutes|memo|memos|circular|circulars|draft|drafts|list|lists|letter|letters|file|files"
    r"|document|documents|docs?|results|figures|decision|decisions|plan|plans|paper|papers|review|audit|notesheet"
    r"|budget|tender|tenders|names|rates|fees|exam|question|questions|appointment|transfer|posting|promotion"
    r"|policy|proposal|agenda|order|orders|scholarship|scholarships|freeze|merger|cut|cuts)\b",
    re.IGNORECASE,
)
# Words of a project's progress that make a code name's own word a name: "Update on Jachung:", "Jachung phase 1",
# "the Jachung team", "Jachung got the nod".
_PROGRESS_BEFORE = (
    r"(?:update|updates|progress|status|news|brief|briefing|work|decision|approval|go-ahead)"
    r"\s+(?:on|of|for|about)\s+(?:the\s+)?"
)
_PROGRESS_AFTER = (
    r"(?:['’]s\s+)?(?:phase|stage|pilot|rollout|roll-out|team|timeline|budget|milestone|kick-?off|launch|deadline"
    r"|deliverables?|workstream|tender|site\s+visit|got\s+the\s+(?:nod|green\s+light|go-ahead)|is\s+(?:approved|on|go)"
    r"|approved|cleared|sign-?off)\b"
)


@lru_cache(maxsize=1)
def _phrases() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = data_json("confidential.json")
    return (
        re.compile(phrase_regex(data["shared_anyway"]), re.IGNORECASE),
        re.compile(
            r"[\s\"'”’)]*[-—–:,]?\s*"
            + phrase_regex(data["answered_no"]).removeprefix(r"(?<![\w\u0F40-\u0FBC])")
            + r"(?![\w'])",
            re.IGNORECASE,
        ),
    )


def shared_anyway(text: str, start: int, end: int) -> bool:
    """The writer sets the marking aside and shares anyway: "the 'restricted' stamp is just a formality, so
    here it is"."""
    return _phrases()[0].search(text, start, end) is not None


def answered_no(text: str, sentence_end: int) -> bool:
    """A marking asked about and answered no: "Not for circulation? Nope — this circular IS for circulation",
    "Is this confidential? No, it is on our website." ``sentence_end``: where the marking's sentence ends."""
    question = text.rfind("?", 0, sentence_end + 1)
    if question < 0 or text[question + 1 : sentence_end].strip():
        return False
    return _phrases()[1].match(text, question + 1) is not None


def a_joke(text: str) -> bool:
    """A marking word in a joke: laughter in the text, and nothing official (a document, a decision, a
    figure) named anywhere in it ("Top secret: our cooks' recipe for the perfect ema datshi is... love 😂")."""
    return _LAUGHTER.search(text) is not None and _OFFICIAL_MATTER.search(text) is None


# A marking negated by its determiner: "There is no secret list", "not a confidential matter".
_NEGATED = re.compile(r"\b(?:no|not\s+an?|never\s+an?|nothing)\s+(?:(?:top|strictly)\s+)?$", re.IGNORECASE)
# "Not yet public" said by the office that will publish it: "… not yet public; we will post them here on Friday".
_NOT_YET = re.compile(r"\bnot\s+(?:yet\s+)?(?:public|announced|released|published)\b", re.IGNORECASE)
_WE_WILL_PUBLISH = re.compile(
    r"\b(?:we\s+will|we'll|we\s+shall|will\s+be)\s+(?:\w+\s+)?(?:post|posted|publish|published|announce|announced"
    r"|share|shared|release|released|put\s+up|upload|uploaded)\b(?=[^.!?\n]{0,40}\b(?:on|here|at|by|in|from|after)\b)",
    re.IGNORECASE,
)


def negated(text: str, start: int) -> bool:
    """A marking its determiner denies: "There is no secret list: every name is on the notice board"."""
    return _NEGATED.search(text, max(0, start - 20), start) is not None


def awaited(text: str, start: int, end: int) -> bool:
    """A "not yet public" with the office's own promise to publish ("The results are not yet public; we will
    post them here on Friday"): the reader is told to wait, nothing is passed on."""
    return _NOT_YET.search(text, start, end) is not None and _WE_WILL_PUBLISH.search(text) is not None


@lru_cache(maxsize=256)
def _names_alone(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternation = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))
    # The name capitalised as a name is ("Jachung", not "jachung"), then a project's progress around it.
    return re.compile(
        rf"\b(?i:{_PROGRESS_BEFORE})(?P<a>{alternation})(?=\s*[:,.;!—–-]|\s*$)"
        rf"|\b(?P<b>{alternation})\s*:?\s*(?i:{_PROGRESS_AFTER})"
    )


def code_names_alone(text: str, terms: tuple[str, ...], kinds: frozenset[str]) -> list[tuple[int, int]]:
    """A confidential project's name without its kind word ("Project Jachung" written "Jachung"), where the
    sentence treats it as a project: its progress reported ("Update on Jachung: phase 1 got the nod",
    "Jachung phase 2 starts Monday", "the Drilbu team"). The word alone is ordinary (a garuda, a bell), so it
    counts only capitalised and beside such words."""
    names = []
    for term in terms:
        words = term.split()
        if len(words) >= 2 and (words[0].lower() in kinds or words[-1].lower() in kinds):
            rest = [w for w in words if w.lower() not in kinds]
            if rest and rest[0][:1].isupper():
                names.append(" ".join(rest))
    pattern = _names_alone(tuple(names))
    if pattern is None:
        return []
    return [(m.start(m.lastgroup or "a"), m.end(m.lastgroup or "a")) for m in pattern.finditer(text)]
