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
    email addresses and phone numbers, which are not personal data; ``parties`` are the registered
    parties in every form they are written in; ``reference_formats`` are the agency's declared
    reference-number formats (``personal.reference_format_regex``), which a number shaped like a
    citizen ID may match and so not be one.
    """

    election: ElectionPhase = ElectionPhase.none
    agency_terms: tuple[str, ...] = ()
    extra_terms: tuple[tuple[str, str], ...] = ()
    removed_terms: tuple[tuple[str, str], ...] = ()
    public_contacts: tuple[str, ...] = ()
    parties: tuple[Party, ...] | None = None  # None: the parties shipped in data/parties.json
    reference_formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Party:
    """One registered party as the deployment configures it: every form it is written in."""

    name: str
    abbreviation: str = ""
    name_dz: str = ""
    other_names: tuple[str, ...] = ()  # spellings, romanised forms, short names ("Nyamrup")
    slogans: tuple[str, ...] = ()  # campaign slogans and hashtags: taking sides wherever they appear

    def terms(self) -> list[str]:
        """Lexicon terms for this party: the abbreviation only in capitals ("DNT", not "dnt")."""
        terms = [self.name, *self.other_names]
        if self.abbreviation:
            terms.append("=" + self.abbreviation)
        if self.name_dz:
            terms.append(self.name_dz)
        return [t for t in terms if t.strip()]
