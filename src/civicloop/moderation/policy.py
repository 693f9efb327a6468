"""The national moderation policy: the only grounds on which a citizen's comment may be hidden.

The list is national and closed. An agency may tighten it — withhold grounds its officers may not use,
or require its head for every hide — but never loosen it: a ground not on this list cannot be chosen
anywhere. Disagreement with, or criticism of, an agency or the government is never a ground.

The Dzongkha wording is a first draft to be reviewed before a national launch (docs/moderation.md).
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass


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
    label_dz: str
    meaning_dz: str


GROUNDS: dict[Ground, GroundText] = {
    Ground.spam: GroundText(
        "Spam or scam",
        "The same text posted again and again, links to known scams, or attempts to cheat people of money or data.",
        "ཁྱད་མེད་འཕྲིན་དང་མགོ་སྐོར།",
        "ཚིག་ཅིག་ལོག་ལོག་བཙུགས་མི་ དང་ མགོ་སྐོར་གྱི་འབྲེལ་ལམ།",
    ),
    Ground.threat: GroundText(
        "Threat or incitement",
        "A threat of violence against anyone, or a call on others to commit violence or a crime.",
        "ཉེན་བརྡ་དང་སློང་སྐུལ།",
        "མི་ལུ་ཉེན་བརྡ་ ཡང་ན་ མི་གཞན་ལུ་ འཚེ་བ་འབད་ནི་ལུ་ སློང་སྐུལ།",
    ),
    Ground.obscenity: GroundText(
        "Obscenity",
        "Sexually explicit words or images.",
        "ཚིག་ངན།",
        "འདོད་ཆགས་ཀྱི་ཚིག་དང་པར།",
    ),
    Ground.personal_data: GroundText(
        "Another person's personal data",
        "Someone else's citizenship ID, phone number, address, email or account number made public.",
        "མི་གཞན་གྱི་སྒེར་གྱི་གནས་ཚུལ།",
        "མི་གཞན་གྱི་ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་ དང་ བརྒྱུད་འཕྲིན་ཨང་ མི་མང་ལུ་བཀྲམ་མི།",
    ),
    Ground.advertising: GroundText(
        "Off-topic advertising",
        "Promotion of goods or services that has nothing to do with the post.",
        "དོན་མེད་ཚོང་བསྒྲགས།",
        "འཛིན་གྲྭ་དང་འབྲེལ་བ་མེད་པའི་ ཚོང་བསྒྲགས།",
    ),
}

# What is never a ground, said as plainly on the public page as the grounds themselves.
NEVER = (
    "A comment is never hidden because it disagrees with, criticises or complains about an agency, an official "
    "or the government, however strongly it is put; nor for its language, its spelling or its politics."
)
NEVER_DZ = "གཞུང་ ཡང་ན་ ལས་སྡེ་ལུ་ མ་མཐུན་པའི་བསམ་འཆར་ ཡང་ན་ ཞུ་གཏུག་ཚུ་ ནམ་ཡང་ སྦ་མི་བཏུབ།"
APPEAL = (
    "Whoever wrote a hidden comment is told why, on the platform where it was written, with a link to appeal; "
    "the agency head decides the appeal, and a reversed hide is undone on the platform."
)
APPEAL_DZ = "བསམ་འཆར་སྦ་མི་གི་རྒྱུ་མཚན་ བྲིས་མི་ལུ་ བརྡ་སྤྲོད་འབདཝ་ཨིན། ལས་སྡེའི་འགོ་དཔོན་གྱིས་ ཞུ་བ་ལུ་ གྲོས་ཐག་གཅོདཔ་ཨིན།"


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
