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
    email addresses, phone numbers and fee accounts, which are not personal data; ``parties`` are
    the registered parties in every form they are written in; ``reference_formats`` are the agency's declared
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
    # Spellings, romanised forms, short names ("Nyamrup", "the Marigolds"), and the colours and emojis
    # the party goes by ("yellow", "💛"): those are symbols, a side only when asked votes or support for.
    other_names: tuple[str, ...] = ()
    slogans: tuple[str, ...] = ()  # campaign slogans and hashtags: taking sides wherever they appear

    @property
    def names(self) -> tuple[str, ...]:
        """The other names that are names, not symbols."""
        return tuple(n for n in self.other_names if not is_symbol(n))

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.other_names if n.strip() and is_symbol(n))

    def terms(self) -> list[str]:
        """Lexicon terms for this party: the abbreviation only in capitals ("DNT", not "dnt"); the
        Dzongkha name also without the words every party's name starts with (རྣམ་གསལ་ཚོགས་པ for
        འབྲུག་རྣམ་གསལ་ཚོགས་པ)."""
        terms = [self.name, *self.names]
        if self.abbreviation:
            terms.append("=" + self.abbreviation)
        if self.name_dz:
            terms += [self.name_dz, *_short_dzongkha(self.name_dz)]
        return [t for t in terms if t.strip()]


# Colour words a party may go by: configured as other names, they are symbols, not names.
COLOUR_WORDS = frozenset(
    {"yellow", "blue", "orange", "green", "red", "white", "black", "pink", "purple", "saffron", "maroon"}
)
# Words every Dzongkha party name may start with ("Druk", "the people's"): its short form drops them,
# unless what is left is an everyday word (ཕུན་སུམ་ཚོགས་པ, "excellent", of Druk Phuensum Tshogpa).
_DZONGKHA_PREFIXES = ("འབྲུག་", "མི་སེར་")
_EVERYDAY_DZONGKHA = ("ཕུན་སུམ་ཚོགས",)


def is_symbol(alias: str) -> bool:
    """A colour word or an emoji (no letter at all): it names a party only when used as a side."""
    alias = alias.strip()
    return not any(ch.isalpha() for ch in alias) or alias.lower() in COLOUR_WORDS


def _short_dzongkha(name: str) -> list[str]:
    name = name.strip()
    for prefix in _DZONGKHA_PREFIXES:
        rest = name.removeprefix(prefix)
        if rest != name and rest.count("་") >= 2 and not rest.startswith(_EVERYDAY_DZONGKHA):
            return [rest]
    return []
