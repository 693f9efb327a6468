"""Round 6 of issue 14: the shapes the fifth held-out set showed missing, written afresh (other parties,
names, numbers and wordings than that set's texts) with their look-alikes: citizen IDs written any way
at all, mobiles spelt out away from the phone word, Dzongkha health words, dates and passports, markings
confessed or written in Dzongkha, nicknames without their article where the text is political,
meet-the-candidate events at the office, and the false holds (a marking lifted, a confidential
reporting line, a Dzongkha hoax warning, both benches supporting a bill)."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party, check
from tests.guidelines.evaluation import held

PARTIES = (
    Party(
        name="Druk Sonam Tshogpa",
        abbreviation="DST",
        name_dz="འབྲུག་བསོད་ནམས་ཚོགས་པ",
        other_names=("the Ravens", "the Lemons", "lemon", "🍋"),
    ),
    Party(name="Bhutan Norbu Party", abbreviation="BNP", name_dz="མི་སེར་ནོར་བུ་ཚོགས་པ"),
)
CONTEXT = CheckContext(
    parties=PARTIES,
    extra_terms=(("candidates", "Pema Dorji Lhamo"),),
    reference_formats=("WR-####-#####",),
)
IN_PERIOD = CheckContext(
    parties=PARTIES,
    extra_terms=CONTEXT.extra_terms,
    reference_formats=CONTEXT.reference_formats,
    election=ElectionPhase.period,
)


@pytest.mark.parametrize(
    "text",
    [
        "CID10705001234 - the applicant must bring the original land deed.",
        "Applicant ID 107.050.012.34: please collect your card.",
        "Lost card of Dechen: 1 0 7 0 5 0 0 1 2 3 4, hand it in at the counter.",
        "Ticket holder 1070 500 1234 won the raffle.",
        "Permit holder ID ༡༠༧ ༠༥ ༠༠༡ ༢༣༤ has not paid.",
        "Card no. 19805001234 was found near the bus stand.",
        "For the tanker, ring Aum Dechen on one seven eight eight two two three three.",
        "Aum Dechen lu one seven eight eight two two three three lu phone bay.",
        "ཨ་ཞང་ཀརྨ་ གློ་ནད་ཕོག་སྟེ་ སྨན་ཁང་ནང་ ཡོད།",
        "ཨཔ་ཚེ་རིང་ སྐྱེས་ཚེས་ ༡༢ ཟླ་༧ ༡༩༨༠ ལུ་ སྐྱེས་ཡི།",
        "Passport No. PC 1234567 of Ms. Dechen is needed for the visa.",
        "ཚེ་རིང་གི་ ཕྱི་ལམ་ལག་ཁྱེར་ཨང་ PC1234567 ཕྱིར་སློག་འབད།",
        "She underwent surgery last week; wish Aum Dechen a fast recovery.",
        "Mr. Wangdi's home is Plot 12C, Changzamtog, behind the school.",
    ],
)
def test_personal_data_in_the_fifth_sets_ways_is_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Your reference WR-2025-10705 is approved.",
        "Total budget: Nu 10705001234 for the year.",
        "Nu 10,705,001,234 was spent on the highway.",
        "Call our helpline 1 1 2 5 0 for help.",
        "Our toll-free line is 1800 1234 567.",
        "Your CID number has 11 digits; bring it to the counter.",
        "Seven seven teams took part in the archery tournament.",
        "The hospital's new surgery wing opens on Monday.",
        "Pregnant women get free check-ups at the BHU every Tuesday.",
        "Plot 12 at Babesa is allotted to the new school.",
    ],
)
def test_their_personal_look_alikes_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


def test_a_declared_format_still_excuses_an_eleven_digit_reference() -> None:
    assert "personal_data" in held("Ref 10705001234 is ready.", CONTEXT)
    declared = CheckContext(parties=PARTIES, reference_formats=("1##########",))
    assert "personal_data" not in held("Ref 10705001234 is ready.", declared)


@pytest.mark.parametrize(
    "text",
    [
        "The tender file was marked secret but the bidders deserve to see the scores.",
        "It was stamped CONFIDENTIAL, but here are the new fares anyway.",
        "Depot design leaked? We can confirm it has six bays.",
        "classified docs but whatever, the bridge rating is D",
        "Embargoed till Monday but here's the gist: fares drop 10%.",
        "confidential zer mi marking yoe ruang, staff ga shes dgo",
        "གཞུང་གི་ལག་ལེན་ཁོ་ནའི་དོན་ལུ། ལྷན་ཚོགས་ཀྱི་ གྲོས་ཆོད་ མཉམ་སྦྲགས།",
        "མི་སེར་ལུ་ ཁྱབ་སྤེལ་མ་འབད་ཚུན་ ལམ་གྱི་འཆར་གཞི་ ལྟ་སྟོན་འབད་དོ།",
        "ཕྱི་ཁར་ ཐོན་ཡོད་པའི་ སྙན་ཞུ་ ལྷག",
        "གཞན་ལུ་ མ་གཏང་། ནང་འཁོད་ཡིག་ཆ་ མཉམ་སྦྲགས།",
        "Sharing this although it's meant for internal use: the bus fares rise in June.",
        "Strictly internal - staff transfer list attached.",
        "Got this from a friend in the ministry – don't ask how. The new tax rates are below.",
    ],
)
def test_markings_confessed_or_in_dzongkha_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "The audit was CONFIDENTIAL until this morning's release; it is now public on our website.",
        "Report corruption to the commission's confidential hotline 1064.",
        "ཟུར་ཟ་ཡོད་པ་ཅིན་ གསང་བའི་ཁ་པར་ ༡༠༦༤ ལུ་ སྙན་ཞུ་འབད།",
        "ལམ་ཁྲལ་ མེདཔ་བཏང་ཡི་ ཟེར་མི་ བརྫུན་མའི་འཕྲིན་ཡིག་ གཞན་ལུ་ མ་གཏང་།",
        "Documents marked confidential must be stored in the locked cabinet.",
        "The results are not public yet; the ECB will announce them at 5 pm.",
    ],
)
def test_markings_lifted_reporting_lines_and_hoaxes_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text


@pytest.mark.parametrize("context", [CONTEXT, IN_PERIOD])
@pytest.mark.parametrize(
    "text",
    [
        "Ravens gi manifesto ga copy-paste in mo? chi yang mindu 🤔",
        "Lemons lu vote bay mi ga chi 'ong dey?",
        "Meet-the-candidate lunch with Pema Dorji Lhamo in our conference hall, 1 PM. All staff welcome!",
        "Our driver Kinley is now DST coordinator for Paro – contact him for party membership.",
        "འགལ་ཟླ་ཚོགས་པ་གིས་ ཁ་ཉེས་བཀལ་ནི་མ་གཏོགས་ ག་ནི་ཡང་ མི་ཤེས།",
    ],
)
def test_sides_taken_in_the_fifth_sets_ways_are_held(text: str, context: CheckContext) -> None:
    assert "taking_sides" in held(text, context), text


@pytest.mark.parametrize("context", [CONTEXT, IN_PERIOD])
@pytest.mark.parametrize(
    "text",
    [
        "Ravens were seen nesting on the dzong roof.",
        "Lemons are cheap at the Centenary Market this week.",
        "You are welcome to drop by our office for the water meter forms.",
        "In Parliament, both the opposition and the ruling party supported the Water Bill.",
    ],
)
def test_their_look_alikes_pass(text: str, context: CheckContext) -> None:
    assert "taking_sides" not in held(text, context), text


def test_findings_keep_explaining_the_guideline_and_the_fix() -> None:
    for text in (
        "CID10705001234 is on the form.",
        "It was stamped CONFIDENTIAL, but here are the new fares anyway.",
        "Lemons lu vote bay mi ga chi 'ong dey?",
    ):
        findings = check(text, context=CONTEXT)
        assert findings, text
        for finding in findings:
            assert finding.guideline and finding.explanation and finding.suggestion, finding


def test_a_sides_name_alone_is_no_stance_for_the_learned_model() -> None:
    context = CheckContext(extra_terms=(("candidates", "Dechen Yangki Dorji"),), election=ElectionPhase.period)
    findings = check("Dechen Yangki Dorji booked the Babesa hall.", context=context)
    assert [f.rule_id for f in findings] == ["political.candidate"]
