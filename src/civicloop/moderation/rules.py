"""Rules that *suggest* hiding a comment. A person always decides; nothing is hidden by a rule.

Each rule looks at a form of abuse the national policy names, never at what a comment says about the
agency: another person's ID number, phone or email made public; a link to a known scam; the same text
posted again and again by the same person. Opinion, criticism, anger and complaint cannot trigger any of
them (tests/moderation/test_rules.py holds a set of critical comments that none may flag). Copy-paste
campaigns by many people are a viewpoint, not spam: only one person's repetitions count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from civicloop.guidelines.checker import personal_detector
from civicloop.guidelines.text import prepare
from civicloop.moderation.policy import Ground

SCAM_DOMAINS = Path(__file__).parent / "data" / "scam_domains.txt"
# The same person's identical comment this many times (within ``REPEAT_DAYS``) suggests spam.
REPEATS = 3
REPEAT_DAYS = 7
# What counts as someone's personal data here (the guidelines' detector finds them, Tibetan digits too).
PERSONAL = {
    "personal.cid": "a citizenship ID number",
    "personal.mobile": "a mobile number",
    "personal.landline": "a phone number",
    "personal.email": "an email address",
    "personal.bank_account": "a bank account number",
    "personal.passport": "a passport number",
}
LINK = re.compile(r"(?i)\b(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,24})(?::\d+)?(?:/\S*)?")


@dataclass(frozen=True)
class Suggestion:
    ground: Ground
    rule: str  # which rule: "personal_data", "scam_link", "repeated_text"
    reason: str  # in words, for the official who decides


@cache
def scam_domains() -> frozenset[str]:
    lines = SCAM_DOMAINS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def normalized(text: str) -> str:
    """The text as compared for repetition: case, spacing and Unicode forms ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _domains(text: str) -> set[str]:
    found = set()
    for match in LINK.finditer(text):
        candidate = match.group(0)
        host = urlsplit(candidate if "://" in candidate else f"//{candidate}").hostname or ""
        found.add(host.lower().rstrip("."))
    return found


def _known_scam(host: str, known: frozenset[str]) -> str | None:
    parts = host.split(".")
    return next((".".join(parts[i:]) for i in range(len(parts) - 1) if ".".join(parts[i:]) in known), None)


def suggest(text: str, *, repeats: int = 1) -> list[Suggestion]:
    """What the rules see in a comment (empty: nothing). ``repeats``: how many times its writer posted
    this same text to the agency in the last ``REPEAT_DAYS`` days, this one included."""
    found: list[Suggestion] = []
    spans = [s for s in personal_detector().find(prepare(text)) if not s.public and s.rule in PERSONAL]
    if spans:
        what = sorted({PERSONAL[s.rule] for s in spans})
        found.append(
            Suggestion(
                Ground.personal_data,
                "personal_data",
                f"contains {', '.join(what)}; hide it if it is someone else's (a writer may give their own)",
            )
        )
    known = scam_domains()
    scams = sorted({d for host in _domains(text) if (d := _known_scam(host, known))})
    if scams:
        found.append(Suggestion(Ground.spam, "scam_link", f"links to a known scam: {', '.join(scams)}"))
    if repeats >= REPEATS:
        found.append(
            Suggestion(
                Ground.spam,
                "repeated_text",
                f"the same person posted this same text {repeats} times in {REPEAT_DAYS} days",
            )
        )
    return found
