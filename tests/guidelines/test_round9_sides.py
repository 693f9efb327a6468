"""Round 9 of issue 14, taking sides: the classes the eighth held-out set (set "h") showed missing or
wrongly held, written afresh with other parties, names and wordings than that set's texts, each with
clean look-alikes: the agency favouring one side's people (a favour given first or only to a party's
supporters or registered households), staff sent to a side's event (the office car, tickets, "tell X
if you're coming"), attacks and predictions outside the word lists ("spreading lies", "should
apologise", "while X talks, real work…", "mark my words"), readers sent to a side's person for its
posters ("Call X"), a candidate written in Dzongkha script
from the syllable table, and a Dzongkha cue that is part of a side's name (ངོ་རྒོལ in ངོ་རྒོལ་ཚོགས་པ)."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party
from tests.guidelines.rules import side_rules

PARTIES = (
    Party(
        name="Druk Phuensum Tshogpa",
        abbreviation="DPST",
        name_dz="འབྲུག་ཕུན་སུམ་ཚོགས་པ",
        other_names=("Phuensum", "🌼"),
    ),
    Party(name="Bhutan Kuenrab Party", abbreviation="BKP", name_dz="འབྲུག་ཀུན་རབ་ཚོགས་པ", other_names=("Kuenrab",)),
)
CANDIDATES = (("candidates", "Yangchen Dolkar"), ("candidates", "Sherab Dendup"))
CONTEXT = CheckContext(parties=PARTIES, extra_terms=CANDIDATES)
IN_PERIOD = CheckContext(parties=PARTIES, extra_terms=CANDIDATES, election=ElectionPhase.period)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # The agency favouring one side's people: a follower of a named side and a favour in one sentence.
        ("Families registered with the Kuenrab office will get preference in the irrigation quota.", "endorsement"),
        ("BKP card holders in our section may leave early on Thursday for their meeting.", "endorsement"),
        ("Seedlings go to DPST supporters this week; everyone else can collect in March.", "endorsement"),
        ("DPST gi gyabkor pa tshu lu fertiliser subsidy ngama ra thob ong.", "endorsement"),
        ("Kuenrab supporters lu office leave approve bay yi, others cover duty.", "endorsement"),
        ("Members of the Kuenrab party get a 20% discount at our nursery this month.", "endorsement"),
        ("BKP card holders can skip the queue for grazing permits.", "endorsement"),
        ("ཕུན་སུམ་ཚོགས་པ་ལུ་ མིང་ཐོ་བཀོད་མི་ཚུ་ལུ་ ས་ཆ་ སྔོན་མ་བྱིན་འོང་།", "endorsement"),
        # Staff sent to a side's event: transport, tickets, a reply asked for.
        ("BKP rally at the town hall on Sunday 10am. Tell Pema if you're coming.", "mobilising"),
        ("Kuenrab dinner on Friday, tickets Nu 300 at the front desk.", "mobilising"),
        ("Pool car at 8 for anyone going to the DPST convention, see Karma.", "mobilising"),
        ("DPST gi rally Sunday lu, office bolero 8am lu, confirm bay.", "mobilising"),
        ("ཕུན་སུམ་ཚོགས་པའི་ ཚོགས་འདུ་ ཚེས་ ༡༢ ལུ་ཡོདཔ་ལས་ ལས་བྱེད་ག་ར་ འོང་གནང་།", "mobilising"),
        # Readers sent to a side's person for its material.
        ("Want DPST flyers for your shop? Ring Sherab Dendup.", "mobilising"),
        ("BKP banner dgo mi tshu Yangchen Dolkar lu phone bay.", "mobilising"),
        # Attacks and predictions in words outside the lists.
        ("BKP keeps telling lies about the dam.", "attack"),
        ("Sherab Dendup should apologise to the farmers of Gasa.", "attack"),
        ("While Phuensum keeps promising roads, the real work is done by the gewog.", "attack"),
        ("While the BKP debates slogans, actual rangers patrol the park.", "attack"),
        ("While BKP posts selfies, the real firefighters are on the ridge.", "attack"),
        ("DPST will sweep the polls in the south, mark my words.", "endorsement"),
        ("Kuenrab heading for a landslide victory 🌼", "endorsement"),
        # A candidate in Dzongkha script, spelt from the syllable table.
        ("དབྱངས་ཅན་སྒྲོལ་དཀར་ལུ་ རྒྱབ་སྐྱོར་འབད།", "endorsement"),
    ],
)
def test_held(text: str, rule: str) -> None:
    assert f"political.{rule}" in side_rules(text, CONTEXT)


@pytest.mark.parametrize(
    "text",
    [
        # A favour refused, or no side's people named: the rule recalled, or a plain allotment.
        "Party supporters get no special leave; the rules apply to DPST and BKP alike.",
        "DPST members raised the priority of flood relief in parliament.",
        "Timber allotment priority goes to households hit by the floods, whatever their party.",
        "Supporters of clean rivers can register for the cleanup; priority to schools.",
        # A side's event with no one sent to it.
        "The BKP rally on Sunday closes Norzin Lam from 9am; buses will take the bypass.",
        "Kuenrab dinner held in Paro last night, the ECB observed it.",
        # A side's material with no one sent to its people.
        "Yangchen Dolkar called to ask about the BKP poster rules.",
        "BKP posters must come down by Friday; call 1010 for help.",
        # Everyday words that the new cues share.
        "A landslide blocked the road near the BKP office; use the bypass.",
        "DPST volunteers will sweep the Clock Tower square on Sunday.",
        "The lake lies above the DPST office road.",
        # "While" and "real" or "actual" with no belittling: the side is not doing anything in the present.
        "While the DPST convention was on, the actual rainfall in Paro reached 40 mm.",
        "While Sherab Dendup was away, the actual work on the bridge went on as planned.",
        "While DPST and BKP debated the bill, the real estate office stayed open.",
        # Two parties discussing a law, in Dzongkha: the opposition named, no stance taken.
        "ངོ་རྒོལ་ཚོགས་པ་དང་ འབྲུག་ཕུན་སུམ་ཚོགས་པའི་ འཐུས་མི་ཚུ་གིས་ ཆུ་ཁྲིམས་ སྐོར་ལས་ གྲོས་བསྡུར་འབད་ཡི།",
        # The candidate's name in Dzongkha in a neutral fact.
        "དབྱངས་ཅན་སྒྲོལ་དཀར་གིས་ ཐོ་བཀོད་ ཕུལ་ཡི།",
    ],
)
def test_not_held(text: str) -> None:
    assert side_rules(text, CONTEXT) == []
