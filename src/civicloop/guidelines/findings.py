"""What the checker returns and what it is given: findings, categories, severities, the context."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Category(enum.StrEnum):
    confidential = "confidential"
    personal_data = "personal_data"
    political = "political"
    civility = "civility"


CATEGORY_LABELS = {
    Category.confidential: "Confidential information",
    Category.personal_data: "Personal data",
    Category.political: "Political neutrality",
    Category.civility: "Civility",
}


class Severity(enum.StrEnum):
    """How much a finding weighs: ``low`` only ever warns, ``high`` is never less than a hold."""

    low = "low"
    medium = "medium"
    high = "high"


class ElectionPhase(enum.StrEnum):
    none = "none"
    period = "period"  # an election period declared by national oversight
    embargo = "embargo"  # its last hours before polling: no campaigning at all


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: Category
    severity: Severity
    start: int
    end: int
    title: str
    explanation: str
    suggestion: str
    guideline: str

    def excerpt(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class CheckContext:
    """What the checker needs besides the text; everything has a default so ``CheckContext()`` works.

    ``agency_terms`` are words an agency marks confidential; ``extra_terms`` adds terms to any
    lexicon (national overrides and agency additions, by lexicon id) and ``removed_terms`` drops
    shipped ones (national overrides only); ``public_contacts`` are the agency's own published
    email addresses and phone numbers, which are not personal data.
    """

    election: ElectionPhase = ElectionPhase.none
    agency_terms: tuple[str, ...] = ()
    extra_terms: tuple[tuple[str, str], ...] = ()
    removed_terms: tuple[tuple[str, str], ...] = ()
    public_contacts: tuple[str, ...] = ()
