"""Round 7 of issue 14, taking sides: the shapes the sixth held-out set (set "f") showed missing or
wrongly held, written afresh with other parties, names and wordings than that set's texts, each with
its clean look-alike: a party's symbols derived from its configured names ("marigold" of "marigold
party") and their Dzongkha colours, a symbol written with a party word, a party's Dzongkha short name,
candidates imported without a Dzongkha form recognised in Dzongkha script, the title Dasho (དྲག་ཤོས)
before a name, ཁ་ཐུག "against", Dzongkha attack words, letters spelt out one by one, votes in a contest,
romanised recall frames, "this lot", and a nickname inside a longer proper name."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party
from tests.guidelines.evaluation import held
from tests.guidelines.rules import side_rules

PARTIES = (
    Party(
        name="Druk Semshu Tshogpa",
        abbreviation="DSM",
        name_dz="འབྲུག་སེམས་ཤུ་ཚོགས་པ",
        other_names=("Semshu", "marigold party", "the Marigolds", "🌼", "violet team"),
    ),
    Party(name="Bhutan Rangzhin Party", abbreviation="BRP", name_dz="མི་སེར་རང་བཞིན་ཚོགས་པ", other_names=("maroon",)),
)
CANDIDATES = (("candidates", "Dasho Sangay Wangmo"), ("candidates", "Kinley Tshewang"))
CONTEXT = CheckContext(parties=PARTIES, extra_terms=CANDIDATES)
IN_PERIOD = CheckContext(parties=PARTIES, extra_terms=CANDIDATES, election=ElectionPhase.period)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # A symbol derived from a configured name with a party word, asked votes for.
        ("Vote marigold this time, friends!", "political.canvassing"),
        ("Vote violet on polling day.", "political.canvassing"),
        # A party's colour in Dzongkha (maroon, དམར་སྨུག), asked votes for.
        ("དམར་སྨུག་ལུ་ ཚོགས་རྒྱན་བཙུགས་གནང་།", "political.canvassing"),
        # A party's Dzongkha short name (སེམས་ཤུ of འབྲུག་སེམས་ཤུ་ཚོགས་པ), asked votes for.
        ("སེམས་ཤུ་ལུ་ ཚོགས་རྒྱན་བཙུགས་གནང་།", "political.canvassing"),
        # A symbol with a party word is a side whatever the text: mocked here.
        ("The marigold brigade only turns up in election years 🙄", "political.attack"),
        # Letters spelt out one by one.
        ("V.O.T.E  S.E.M.S.H.U", "political.canvassing"),
        ("v o t e b r p", "political.canvassing"),
        # Romanised Dzongkha: "at the ballot box, remember who built this bridge".
        ("Ballot box kha lu, zam di ga gi zo yi ga dren pa zhag 😉", "political.canvassing"),
        ("At the polling booth, remember who fixed this canal 😉", "political.canvassing"),
        # Dzongkha: "the opposition party is the people's enemy".
        ("འགལ་ཟླ་ཚོགས་པ་འདི་ མི་སེར་གྱི་ དགྲ་བོ་ཨིན།", "political.attack"),
        # A candidate imported without a Dzongkha name, in Dzongkha script: "… deceives the farmers".
        ("སངས་རྒྱས་དབང་མོ་གིས་ ཞིང་པ་ཚུ་ བསླུ་བྲིད་འབད་དོ།", "political.attack"),
        ("ཀུན་ལེགས་ཚེ་དབང་ འོས་མི་ཡག་ཤོས་ཨིན།", "political.endorsement"),
        # "It is only the Semshu party that works for farmers."
        ("ཞིང་པ་ཚུ་གི་དོན་ལུ་ ལཱ་འབད་མི་ སེམས་ཤུ་ཚོགས་པ་ཁོ་ན་ཨིན།", "political.comparison"),
        # ཁ་ཐུག as the opposition: a case particle follows it.
        ("ཁ་ཐུག་གིས་ ལོ་ལྔ་ནང་ ལཱ་ག་ནི་ཡང་ མ་འབད།", "political.endorsement"),
        # "Our staff took part in the Semshu party's convention 👏".
        ("སེམས་ཤུ་ཚོགས་པའི་ ཚོགས་ཆེན་ནང་ ང་བཅས་ཀྱི་ ལས་བྱེད་ཚུ་ མཉམ་འབྲེལ་འབད་ཡི། 👏", "political.endorsement"),
    ],
)
def test_the_sixth_sets_missing_shapes_are_held_by_a_rule(text: str, rule: str) -> None:
    assert rule in side_rules(text, IN_PERIOD), text
    assert "taking_sides" in held(text, IN_PERIOD), text


@pytest.mark.parametrize(
    "text",
    [
        # The same words where no side is asked for.
        "The marigold garlands for the tshechu are ready at the dzong.",
        "Our violet tulips won first prize at the flower show.",
        "དམར་སྨུག་གི་ གོ་ལ་ གྱོན་ཏེ་ ཚེས་བཅུ་ལུ་ འོང་།",
        # Letters that are initials, not a name spelt out.
        "Bring your I.D. and the N.O.C. to the counter.",
        "Please read the S.O.P. for the A.S.F. outbreak before Monday.",
        # A vote in a contest or a consultation.
        "Which logo option do you like? Comment lu vote bay, ga gi design di dga'?",
        "#BestYakBhutan contest lu vote bay! Ga gi yak di gyalo?",
        # The ballot box in an election notice.
        "Polling booths open at 8 am; carry your VPIC to the polling station.",
        # "This lot" is a batch as often as a government: it is no side.
        "This lot of vaccines failed the cold-chain test and was destroyed.",
        "This lot has failed the cold-chain test.",
        # "It is staff only; farmers are not to come."
        "ལས་བྱེད་ཁོ་ན་ཨིན། ཞིང་པ་ཚུ་ མ་འོང་།",
        # "Disease is the enemy of cattle."
        "ནད་ཡམ་འདི་ ཕྱུགས་ཚུ་གི་ དགྲ་བོ་ཨིན།",
        # The title Dasho before a candidate's name is no praise: "Chhoekhor's candidates: Dasho Sangay
        # Wangmo (DSM) and Kinley Tshewang (BRP)."
        "ཆོས་འཁོར་གི་ འོས་མི་ཚུ། དྲག་ཤོས་ སངས་རྒྱས་དབང་མོ (DSM) དང་ ཀུན་ལེགས་ཚེ་དབང (BRP)།",
        # ཁ་ཐུག "against": "the programme of vaccination against cattle disease starts on the 5th".
        "ཕྱུགས་ནད་ཁ་ཐུག་ སྨན་ཁབ་ བཀལ་ནིའི་ ལས་འཆར་ ཚེས་ ༥ ལས་ འགོ་བཙུགས་འོང་།",
        # "Two offices took part together in the vaccination."
        "ལས་ཁུངས་གཉིས་ མཉམ་འབྲེལ་འབད་དེ་ སྨན་ཁབ་ བཀལ་ཡི།",
        # A party's Dzongkha short name that is an everyday word (རང་བཞིན of མི་སེར་རང་བཞིན་ཚོགས་པ), far from
        # the vote in an election period: "voting is the natural duty of citizens".
        "ཚོགས་རྒྱན་བཙུགས་ནི་འདི་ མི་སེར་ཚུ་གི་ རང་བཞིན་གྱི་ འགན་ཁུར་ཨིན།",
        # A camp is also a vet camp: a symbol with "camp" is no name by itself.
        "Our staff volunteered at the maroon camp for stray dogs this weekend. Come along!",
        # A candidate in Dzongkha script in a plain fact, in an election period: "Kinley Tshewang opened
        # the vet hospital" (the learned model is not told of names spelt from the given-name table).
        "ཀུན་ལེགས་ཚེ་དབང་གིས་ ཕྱུགས་སྨན་ཁང་ ཁ་ཕྱེ་ཡི།",
        # A nickname inside a longer proper name.
        "Congratulations to the winners of the Marigolds of Paro art prize!",
    ],
)
def test_their_look_alikes_take_no_side(text: str) -> None:
    assert not side_rules(text, IN_PERIOD), text
    assert "taking_sides" not in held(text, IN_PERIOD), text


def test_against_a_disease_is_not_the_opposition() -> None:
    # "Thanks to all who supported the vaccine against bird flu" (outside an election period).
    text = "བྱ་ནད་ཁ་ཐུག་ སྨན་ཁབ་ལུ་ རྒྱབ་སྐྱོར་འབད་མི་ ཚུ་ལུ་ བཀའ་དྲིན་ཆེ།"
    assert not side_rules(text, CONTEXT) and "taking_sides" not in held(text, CONTEXT)


def test_a_title_before_a_name_is_no_praise_but_the_same_word_after_a_noun_is() -> None:
    assert not side_rules("ཆོས་འཁོར་གི་ འོས་མི་ཚུ། དྲག་ཤོས་ སངས་རྒྱས་དབང་མོ (DSM) དང་ ཀུན་ལེགས་ཚེ་དབང (BRP)།", CONTEXT)
    assert "political.endorsement" in side_rules("DSM ཚོགས་པ་དྲག་ཤོས་ཨིན།", CONTEXT)


def test_a_nickname_is_still_a_side_outside_a_longer_name() -> None:
    assert "political.endorsement" in side_rules("Congratulations to the Marigolds on a great campaign!", CONTEXT)
