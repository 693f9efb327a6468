"""Round 10 of issue 14, taking sides: the classes the ninth held-out set (set "i") showed missing or
wrongly held, written afresh with other parties, names and wordings than that set's texts, each with
clean look-alikes, by the shape of the sentence rather than set "i"'s words: a party's short name or
slogan that is an everyday word or phrase (a party only where the text is about politics); the agency's
power used for a side (a decision explained by a vote or by whom someone helps, a side's people served
first, the agency's means spent on a side's event); a party hinted at by its emoji ("you know who",
"I won't say the name", a wink in a text about voting); support asked for a candidate written in
Dzongkha script through a pronoun (ཁོ་ལུ་ རྒྱབ་སྐྱོར་འབད་གནང)."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party
from tests.guidelines.evaluation import held
from tests.guidelines.rules import side_rules

PARTIES = (
    Party(
        name="Druk Semkyid Tshogpa",
        abbreviation="DSK",
        name_dz="འབྲུག་སེམས་སྐྱིད་ཚོགས་པ",
        other_names=("Semkyid", "སེམས་སྐྱིད་", "🌈"),
        slogans=("Happy Hearts",),
    ),
    Party(
        name="Bhutan Samdrup Party",
        abbreviation="BSP",
        name_dz="འབྲུག་བསམ་འགྲུབ་ཚོགས་པ",
        other_names=("Samdrup", "བསམ་འགྲུབ་", "🦚"),
        slogans=("Step by Step",),
    ),
)
CANDIDATES = (("candidates", "Pelden Wangchuk"), ("candidates", "Chimi Yangzom"))
CONTEXT = CheckContext(parties=PARTIES, extra_terms=CANDIDATES)
IN_PERIOD = CheckContext(parties=PARTIES, extra_terms=CANDIDATES, election=ElectionPhase.period)


@pytest.mark.parametrize(
    "text",
    [
        # The everyday word or phrase, no politics around it.
        "སེམས་སྐྱིད་དང་ལྡན་པའི་ ལོ་གསར་ལེགས་ཤོམ་ཅིག་ ཆ་མཉམ་ལུ་ སྨོན་ལམ་ཞུ།",
        # The learned model is given only the names the rules read as sides (round 11): not this wish.
        "བསམ་འགྲུབ་པའི་ ལོ་ལེགས་ཤོམ་ཅིག་ ཞུ། 🙏",
        "Happy hearts make happy homes: great work by the counsellors at the family clinic.",
        "We fixed the canal step by step, well done to the whole gewog!",
        "Staff worked with semkyid and patience all week, kadrinchey la",
        "Kids lu semkyid thog lay painting class di amazing ga!",
    ],
)
def test_an_everyday_word_that_is_also_a_short_name_is_no_side(text: str) -> None:
    assert side_rules(text, IN_PERIOD) == [], text
    assert "taking_sides" not in held(text, CONTEXT), text


@pytest.mark.parametrize(
    ("text", "context"),
    [
        # The same short names and slogans where the text is about politics.
        ("སེམས་སྐྱིད་ལུ་ ཚོགས་རྒྱན་བཙུགས་གནང་།", CONTEXT),
        ("Happy Hearts! Vote Semkyid on the 9th 🌈", CONTEXT),
        ("Step by Step 🦚 — that is how we will win this election!", IN_PERIOD),
        ("Staff joining the Step by Step rally can leave early, great turnout expected!", IN_PERIOD),
        ("semkyid ga vote bay, best party!", IN_PERIOD),
    ],
)
def test_a_short_name_in_a_political_text_is_a_side(text: str, context: CheckContext) -> None:
    assert side_rules(text, context), text


@pytest.mark.parametrize(
    "text",
    [
        # A decision about a person or a place explained by how people voted.
        "Your chiwog's bridge was sanctioned because you voted the right way. Don't forget it.",
        "The Dramedtse water scheme got approved since the village voted for us last time.",
        "Khaling households were granted the timber permits as they voted correctly.",
        # A decision about a person, and whom they help or support.
        "Transfer the forest guard to Lunana, he has been helping the Samdrup campaign.",
        "Promote Dawa before the poll, she works for DSK in her village.",
        "Teacher Pema Gasa lay transfer ab, Samdrup lu support ab dey.",
        "སློབ་དཔོན་དེ་ སེམས་སྐྱིད་ཚོགས་པ་ལུ་ རྒྱབ་སྐྱོར་འབདཝ་ལས་ སྤོ་བཤུད་འབད།",
        # A side's people served first.
        "Samdrup supporters get the seedlings first; the rest next month.",
        "BSP voters lu fertiliser dangpa ra bjin.",
        "སེམས་སྐྱིད་ཚོགས་པའི་ཚོགས་མི་ཚུ་ལུ་ ཕྱུགས་སྨན་ཧེ་མ་སྤྲོད།",
        # The agency's means spent on a side's event or material.
        "Print the DSK posters on the dzongkhag photocopier tonight.",
        "Take the pool vehicle to the Samdrup rally at Bajo, fuel from the office account.",
        "Office printer lay Semkyid leaflets print ab.",
    ],
)
def test_the_agency_s_power_used_for_a_side_is_held(text: str) -> None:
    assert side_rules(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Hostel approvals do not depend on how any gewog voted.",
        "The bridge was sanctioned regardless of how your chiwog voted.",
        "The teacher was transferred to Gasa because she asked for it.",
        "Transfer orders for 12 teachers are out; they helped run the exams well.",
        "Staff are reminded not to use the office printer for DSK or BSP posters.",
        "Seedlings go first to households whose crops failed in the hailstorm.",
        "BSP supporters were the first to reach the ground, the returning officer said.",
        "Pool vehicles are available for the health camp in Bajo; fuel is paid by the hospital.",
        "གཞུང་ཞབས་ཚུ་གིས་ ཚོགས་པ་ག་ལུ་ཡང་ རྒྱབ་སྐྱོར་འབད་ནི་མེད།",
        "Approved: the list of staff who voted by postal ballot is on the notice board.",
    ],
)
def test_decisions_orders_and_means_with_no_side_favoured_pass(text: str) -> None:
    assert side_rules(text, IN_PERIOD) == [], text


@pytest.mark.parametrize(
    "text",
    [
        # In an election period, a party shown by its emoji and the reader told they know which, or winked at.
        "Bajo folks, you know who to pick on the 9th 🦚",
        "🌈🌈 I won't say the name, but you all know 😉",
        "Ballot day is Tuesday. Press the button next to the 🦚 😉",
        "ང་གིས་ མིང་མི་སླབ། 🌈 ཤེས་ཡོདཔ་ཨིན།",
        "Ming ma lab, 🦚 she yoe ga? 😜",
    ],
)
def test_a_side_hinted_at_by_its_emoji_is_held(text: str) -> None:
    assert "political.canvassing" in side_rules(text, IN_PERIOD), text


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for the lovely 🌈 drawings, kids! 😉",
        "You know who to call when the water stops: 1199 🦚",
        "Polling stations open at 9 am; carry your VPIC 😉",
        "🦚 spotted near the dzong 😉 vote for your favourite photo in our contest!",
    ],
)
def test_an_emoji_and_a_wink_with_no_hint_of_a_vote_pass(text: str) -> None:
    assert side_rules(text, IN_PERIOD) == [], text


NAMED_IN_ENGLISH = CheckContext(
    parties=PARTIES, extra_terms=(("candidates", "Lobzang Tshultrim"), *CANDIDATES), election=ElectionPhase.period
)


@pytest.mark.parametrize(
    "text",
    [
        # A candidate imported in English, written in Dzongkha script, then "please support him/her".
        "འོས་མི་ དཔལ་ལྡན་དབང་ཕྱུག་ ལཱ་ལེགས་ཤོམ་འབདཝ་ཨིན། ཁོ་ལུ་ རྒྱབ་སྐྱོར་འབད་གནང་།",
        "འཆི་མེད་གཡང་འཛོམས་ ཚོགས་འདུ་ནང་ ལྷོད་ཡི། ཁོ་མོ་ལུ་ རྒྱབ་སྐྱོར་འབད།",
        "བློ་བཟང་ཚུལ་ཁྲིམས་ ཞིང་པ་ཚུ་གི་དོན་ལུ་ ལཱ་འབདཝ་ཨིན། ཁོང་ལུ་ རྒྱབ་སྐྱོར་ཞུ།",
    ],
)
def test_support_asked_for_a_candidate_written_in_dzongkha_is_held(text: str) -> None:
    assert side_rules(text, NAMED_IN_ENGLISH), text


@pytest.mark.parametrize(
    "text",
    [
        "དཔལ་ལྡན་དབང་ཕྱུག་ ཚོགས་འདུ་ནང་ ལྷོད་ཡི། ཁོ་གིས་ ཞིང་པ་ཚུ་ལུ་ རྒྱབ་སྐྱོར་འབད་ནི་ཨིན་ཟེར་ སླབ་ཅི།",
        "དཔལ་ལྡན་དབང་ཕྱུག་ སྨན་ཁང་ལུ་ ལྷོད་ཡི། ཁོང་ལུ་ རྒྱབ་སྐྱོར་འབད་མི་ ཞབས་ཏོག་པ་ཚུ་ལུ་ བཀྲིན་ཆེ།",
    ],
)
def test_support_reported_or_thanked_for_passes(text: str) -> None:
    assert side_rules(text, NAMED_IN_ENGLISH) == [], text


def test_a_dzongkha_support_its_verb_negates_is_no_side() -> None:
    # "In the election period civil servants will not support the party": a rule recalled.
    assert side_rules("བཙག་འཐུའི་སྐབས་ ལས་བྱེད་ཚུ་གིས་ སེམས་སྐྱིད་ཚོགས་པ་ལུ་ རྒྱབ་སྐྱོར་འབད་ནི་མེད།", IN_PERIOD) == []
    assert side_rules("བཙག་འཐུའི་སྐབས་ ལས་བྱེད་ཚུ་གིས་ སེམས་སྐྱིད་ཚོགས་པ་ལུ་ རྒྱབ་སྐྱོར་འབད།", IN_PERIOD) != []
