"""Round 11 of issue 14, taking sides: the classes the tenth held-out set (set "j") showed missing or
wrongly held, written afresh with other parties, names and wordings than that set's texts, each with
clean look-alikes: staff sent to a side's event with the agency's means (the means in the next
sentence), a side's material shown on the agency's notice board; two parties' symbols compared with no
name; one unnamed party set against "the other" that only talks; a chance asked for the pronoun that
stands for a named candidate; a party hinted at by a colour and a choice ("pick 🧡 😉") with "I won't say
anything"; the account speaking as a party ("our party's pledge"); a favour for those "who stood with
us"; credit as a gift from a party; a party's one-word short name that is a person's or a troupe's name."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party
from tests.guidelines.evaluation import held
from tests.guidelines.rules import side_rules

PARTIES = (
    Party(
        name="Druk Norden Tshogpa",
        abbreviation="DNR",
        name_dz="འབྲུག་ནོར་ལྡན་ཚོགས་པ",
        other_names=("Norden", "ནོར་ལྡན་ཚོགས་པ", "indigo", "💙"),
        slogans=("Forward Together",),
    ),
    Party(
        name="Bhutan Sherig Party",
        abbreviation="BSR",
        name_dz="འབྲུག་ཤེས་རིག་ཚོགས་པ",
        other_names=("Sherig", "ཤེས་རིག་ཚོགས་པ", "amber", "💛"),
        slogans=("Light for All",),
    ),
)
CANDIDATES = (("candidates", "Ugyen Tshering Wangmo"),)
CONTEXT = CheckContext(parties=PARTIES, extra_terms=CANDIDATES)
IN_PERIOD = CheckContext(parties=PARTIES, extra_terms=CANDIDATES, election=ElectionPhase.period)


@pytest.mark.parametrize(
    ("text", "context"),
    [
        # Staff sent to a side's event, the agency's means in the same sentence or the next.
        (
            "Gewog staff are requested to attend the Norden rally on Friday. Transport from the office vehicle pool.",
            CONTEXT,
        ),
        ("Lopen tshu Friday Norden gi tshogdu lu jo dgo. Office gi bolero 7am lu yoe.", CONTEXT),
        ("All teachers must attend the Sherig Party meet-the-people event; the office bus leaves at 9.", CONTEXT),
        # A side's material shown with the agency's means.
        ("Wardens: put the opposition party's manifesto on every hostel notice board this week.", CONTEXT),
        # Two parties' symbols compared, no name.
        ("Compare them yourselves: 💙 vs 💛. Only one of them delivers on roads.", CONTEXT),
        ("💙 lay le bay mi, 💛 kha rkyang rang. Compare bay.", CONTEXT),
        # One unnamed party against the other.
        ("One party fixed the farm roads, the other only talks. Decide wisely, parents.", IN_PERIOD),
        ("I won't name names, but one side built the clinic and the other just makes promises.", CONTEXT),
        # A chance asked for the pronoun that stands for a named side.
        ("Norden candidate Ugyen visited the school today. Give him a chance this time 💙", IN_PERIOD),
        ("BSR candidate di gewog lu jon yi. Khong lu chance chi ter nang.", IN_PERIOD),
        # A hint by colour and a choice.
        ("Not saying anything, but on the 9th pick 💛 😉", IN_PERIOD),
        ("Ga chi yang ma zer, 9 tshe lu 💙 choose bay 😉", IN_PERIOD),
        # The account speaking as a party.
        ("Please forward our party's health pledge to your contacts.", CONTEXT),
        ("The new road plan is my party's idea and we will finish it.", CONTEXT),
        # A favour for those who stood with "us".
        ("New blankets go first to the villages that stood with us in the last election.", CONTEXT),
        ("Households who voted for us get priority for the water connections.", CONTEXT),
        # Credit for a public service as a party's gift.
        ("Free textbooks for every child, a gift from the Sherig Party family 💛", CONTEXT),
    ],
)
def test_round_11_sides_are_held(text: str, context: CheckContext) -> None:
    assert side_rules(text, context), text


@pytest.mark.parametrize(
    ("text", "context"),
    [
        # Means and events with no side, or a side's event with no means, or a fact with a notice board.
        (
            "Staff are requested to attend the disaster drill on Friday. Transport from the office vehicle pool.",
            CONTEXT,
        ),
        ("Norden posters were put up at the bus shelter; please use the notice boards for your notices.", CONTEXT),
        ("The office printer is under repair this week; the Norden rally is on Friday.", CONTEXT),
        # Symbols in a neutral list, or "vs" in a fixture.
        ("Football final: Paro vs Thimphu 💙💛, kick-off 3 pm.", CONTEXT),
        ("Ballot symbols for the reference of voters: 💙 DNR, 💛 BSR.", CONTEXT),
        # "One ... the other" with no talk.
        ("One party filed its nomination today and the other will file tomorrow.", IN_PERIOD),
        # "our party" as a celebration.
        ("Our party for the retiring drivers is on Friday at 5 pm, all staff welcome.", CONTEXT),
        # A favour with no side.
        ("Blankets go first to the villages that were hit hardest by the flood.", CONTEXT),
        # A gift from a country.
        ("Free textbooks for every child, a gift from the people of Japan.", CONTEXT),
    ],
)
def test_round_11_look_alikes_pass(text: str, context: CheckContext) -> None:
    assert side_rules(text, context) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "Well done to the Norden Dance Group of Punakha for the Tshechu performance! 💃",
        "Lopen Norden la lu Best Teacher award! 👏",
        "Congratulations to Aum Sherig on her retirement after 30 years of service.",
        "The Sherig Hotel in Bumthang is closed for renovation this week.",
    ],
)
def test_a_short_name_that_is_a_persons_or_a_groups_name_is_no_side(text: str) -> None:
    assert side_rules(text, IN_PERIOD) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "Well done to the Norden Party volunteers! 💙",
        "Lopen tshu, vote Norden on the 9th!",
    ],
)
def test_the_same_short_name_as_a_party_is_still_a_side(text: str) -> None:
    assert side_rules(text, IN_PERIOD), text
    assert "taking_sides" in held(text, IN_PERIOD), text
