"""Round 8 of issue 14, taking sides: the shapes the seventh held-out set (set "g") showed missing or
wrongly held, written afresh with other parties, names and wordings than that set's texts, each with
its clean look-alike: leetspeak ("v0te f0r"), the ruling party and the opposition romanised with a
hyphen ("zhung-dzin", "ngo-gol"), a name and "=" across a Dzongkha tsheg, one of the parties singled out
and shown only by its emoji, a side's appearance at a given time with the reader invited, "pledge your
support" after a pronoun, a short name that is an everyday word in "X gi thog lay"."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party
from civicloop.guidelines.neutrality import deleet
from civicloop.guidelines.text import prepare
from tests.guidelines.evaluation import held
from tests.guidelines.rules import side_rules

PARTIES = (
    Party(
        name="Druk Gakid Tshogpa",
        abbreviation="DGK",
        name_dz="འབྲུག་དགའ་སྐྱིད་ཚོགས་པ",
        other_names=("Gakid", "Tendrel", "🍀", "the clover party"),
    ),
    Party(name="Bhutan Norling Party", abbreviation="BNP", name_dz="འབྲུག་ནོར་གླིང་ཚོགས་པ", other_names=("Norling", "🐘")),
)
CANDIDATES = (("candidates", "Sonam Dema Pelzom"), ("candidates", "Ugyen Tashi Rabgay"))
CONTEXT = CheckContext(parties=PARTIES, extra_terms=CANDIDATES)
IN_PERIOD = CheckContext(parties=PARTIES, extra_terms=CANDIDATES, election=ElectionPhase.period)


@pytest.mark.parametrize(
    ("text", "context", "rule"),
    [
        # Leetspeak: digits between letters read as the letters they look like.
        ("v0te f0r N0rling 🐘", CONTEXT, "political.canvassing"),
        ("Supp0rt G4kid on the 9th!", CONTEXT, "political.endorsement"),
        # The ruling party and the opposition romanised with a hyphen.
        ("zhung-dzin tshogpa a disgrace, no more", CONTEXT, "political.attack"),
        ("ngo-gol tshogpa gi plan disgraceful ing", IN_PERIOD, "political.attack"),
        # A Dzongkha name, a tsheg, then "=": the party equated with something.
        ("ནོར་གླིང་ཚོགས་པ་ = རྫུན་ཁ།", CONTEXT, "political.comparison"),
        # One of the parties singled out and shown only by its emoji.
        ("Of all the parties only one really cares for farmers 🍀", CONTEXT, "political.comparison"),
        ("tshogpa ga ra gi nang lu farmers gi dhonlu chi rang yoe 🐘", CONTEXT, "political.comparison"),
        # "Except X, who?": romanised.
        ("Norling ma toe ga ya farmers help bay mi", CONTEXT, "political.comparison"),
        # In an election period: a side's appearance at a time, and the reader invited to it.
        (
            "Sonam Dema Pelzom will give out seedlings at our Paro office on Friday, come and thank her!",
            IN_PERIOD,
            "political.mobilising",
        ),
        ("All staff are invited to the Norling gathering in Paro, bus leaves at 3pm.", CONTEXT, "political.mobilising"),
        # A pronoun for a named candidate, and support pledged to it.
        (
            "Ugyen Tashi Rabgay visits Haa tomorrow. Call him and pledge your support!",
            IN_PERIOD,
            "political.endorsement",
        ),
    ],
)
def test_the_seventh_sets_missing_shapes_are_held_by_a_rule(text: str, context: CheckContext, rule: str) -> None:
    assert rule in side_rules(text, context)
    assert "taking_sides" in held(text, context)


@pytest.mark.parametrize(
    ("text", "context"),
    [
        # Digits next to letters that are no leetspeak.
        ("Office hours 9am to 5pm, COVID19 booster at the BHU on the 4th floor.", CONTEXT),
        # "tendrel gi thog lay": through good fortune, an everyday word that is also a short name.
        ("tendrel gi thog lay lhakhang renovation done 🙏 kadrinchey ga ra lu", CONTEXT),
        # Parties counted with no emoji for one of them: a notice.
        ("Of the parties registered, only one has filed its accounts so far, says the ECB.", CONTEXT),
        # An emoji and "only one" with no party spoken of.
        ("Only one stall left at the farmers market 🍀 book now!", CONTEXT),
        # "invited" said of a party, not of the reader.
        ("The ECB has invited Norling and Gakid to a gathering on Friday.", IN_PERIOD),
        ("Norling president invited to the school's annual gathering on Friday.", CONTEXT),
        # A debate with every side named: a notice, not one side's appearance.
        ("Debate tonight at 8pm on BBS: Norling and Gakid presidents, come and watch.", IN_PERIOD),
        # An agency event at a time, with no side named.
        ("Seedlings will be given out at our Paro office on Friday, come along!", IN_PERIOD),
        # The opposition to a plan, romanised: no party.
        ("Residents' opposition to the new road is growing, says the gewog.", CONTEXT),
    ],
)
def test_their_look_alikes_take_no_side(text: str, context: CheckContext) -> None:
    assert side_rules(text, context) == []


def test_a_short_name_is_still_a_side_when_written_as_a_name() -> None:
    # "Tendrel" capitalised and thanked is the party, not "through good fortune".
    assert side_rules("Tendrel gi thog lay road done, kadrinchey Tendrel!", IN_PERIOD) != []


def test_leetspeak_keeps_spans_and_leaves_other_digits() -> None:
    prepared = deleet(prepare("v0te f0r 4 roads 2pm"))
    assert prepared.norm == "vote for 4 roads 2pm"
    assert len(prepared.norm) == len(prepared.original)
    assert deleet(prepare("no digits")).norm == "no digits"
