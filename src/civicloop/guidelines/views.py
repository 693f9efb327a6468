"""What the findings look like on a page: the text cut into highlighted segments, and each finding's
explanation. Used by the live check, the approval queue and other domains' reply boxes and composers
(``{% include "guidelines/_findings.html" %}`` with ``guideline_view`` set to ``findings_view(review)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from civicloop.guidelines.findings import CATEGORY_LABELS, Finding
from civicloop.guidelines.models import Action
from civicloop.guidelines.service import Review

MESSAGES = {
    "allow": "No problems found.",
    "warn": "You can send this, but read the notes below first. Sending it anyway is recorded.",
    "hold": "This will be held for your agency head's approval before it is sent.",
    "block": "This cannot be sent as written. Change the highlighted parts.",
}


# The self-check answers a civil servant about their own account: nothing is held there, so it says
# what the policy asks instead.
SELF_CHECK_MESSAGES = {
    "allow": "No problems found.",
    "warn": "Read the notes below before you post it.",
    "hold": "The policy asks you not to post this as written: see the notes below.",
    "block": "The policy does not allow posting this: change the highlighted parts.",
}


@dataclass(frozen=True)
class Item:
    number: int
    finding: Finding
    action: Action
    excerpt: str
    category_label: str


@dataclass(frozen=True)
class Segment:
    text: str
    number: int | None = None  # the finding it belongs to, if highlighted
    category: str = ""


@dataclass(frozen=True)
class FindingsView:
    action: str
    message: str
    items: list[Item]
    segments: list[Segment]


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """The text in pieces, each highlighted piece tied to the first finding that covers it."""
    out, cursor = [], 0
    for number, finding in enumerate(sorted(findings, key=lambda f: (f.start, -f.end)), 1):
        start = max(finding.start, cursor)
        if start >= finding.end:
            continue  # entirely inside an earlier highlight
        if start > cursor:
            out.append(Segment(text[cursor:start]))
        out.append(Segment(text[start : finding.end], number, finding.category.value))
        cursor = finding.end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out


def findings_view(review: Review, messages: dict[str, str] = MESSAGES) -> FindingsView:
    ordered = sorted(review.items(), key=lambda pair: (pair[0].start, -pair[0].end))
    items = [
        Item(n, f, a, review.text[f.start : f.end], CATEGORY_LABELS[f.category]) for n, (f, a) in enumerate(ordered, 1)
    ]
    return FindingsView(review.action, messages[review.action], items, segments(review.text, [f for f, _ in ordered]))
