"""The national moderation policy: the only grounds on which a citizen's comment may be hidden.

The list is national and closed. An agency may tighten it — withhold grounds its officers may not use,
or require its head for every hide — but never loosen it: a ground not on this list cannot be chosen
anywhere. Disagreement with, or criticism of, an agency or the government is never a ground.

The texts are English, marked ``N_`` for the gettext catalogs (the Dzongkha there is a first draft awaiting a
speaker's review: docs/languages.md).
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from civicloop.kit.i18n import N_


class Ground(enum.StrEnum):
    spam = "spam"
    threat = "threat"
    obscenity = "obscenity"
    personal_data = "personal_data"
    advertising = "advertising"


@dataclass(frozen=True)
class GroundText:
    label: str
    meaning: str


GROUNDS: dict[Ground, GroundText] = {
    Ground.spam: GroundText(
        N_("Spam or scam"),
        N_("The same text posted again and again, links to known scams, or attempts to cheat people of money or data."),
    ),
    Ground.threat: GroundText(
        N_("Threat or incitement"),
        N_("A threat of violence against anyone, or a call on others to commit violence or a crime."),
    ),
    Ground.obscenity: GroundText(
        N_("Obscenity"),
        N_("Sexually explicit words or images."),
    ),
    Ground.personal_data: GroundText(
        N_("Another person's personal data"),
        N_("Someone else's citizenship ID, phone number, address, email or account number made public."),
    ),
    Ground.advertising: GroundText(
        N_("Off-topic advertising"),
        N_("Promotion of goods or services that has nothing to do with the post."),
    ),
}

# What is never a ground, said as plainly on the public page as the grounds themselves.
NEVER = N_(
    "A comment is never hidden because it disagrees with, criticises or complains about an agency, an official "
    "or the government, however strongly it is put; nor for its language, its spelling or its politics."
)
APPEAL = N_(
    "Whoever wrote a hidden comment is told why, on the platform where it was written, with a link to appeal; "
    "the agency head decides the appeal, and a reversed hide is undone on the platform."
)


def parse_ground(value: str) -> Ground:
    """The national ground named ``value``; anything else is refused with the list."""
    try:
        return Ground(value)
    except ValueError:
        names = ", ".join(g.value for g in Ground)
        from civicloop.errors import Invalid

        raise Invalid(f"{value!r} is not a ground of the national policy; use one of {names}", field="ground") from None


def usable(withheld: Collection[str]) -> list[Ground]:
    """The national grounds an agency's officers may use, after the agency withheld ``withheld``."""
    return [g for g in Ground if g.value not in set(withheld)]
