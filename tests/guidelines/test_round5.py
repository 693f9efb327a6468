"""Round 5 of issue 14: the shapes the fourth held-out set showed missing, written afresh (other parties,
names and wordings than that set's texts) with their look-alikes: a party's colours and emojis used as a
side, Dzongkha short names, hints and comparisons with no side named, sarcasm, recruiting in other words,
an explicit call to vote for a name nobody configured, citizen-ID shapes after a reference label, mobiles
spelt in words, markings confessed in a sentence, and the false holds (hoax warnings, a pupil who shares
a candidate's name)."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party, check
from tests.guidelines.evaluation import held

PARTIES = (
    Party(
        name="Druk Lhaksam Tshogpa",
        abbreviation="DLT",
        name_dz="འབྲུག་ལྷག་བསམ་ཚོགས་པ",
        other_names=("the Peacocks", "Peacock party", "purple", "💜", "🦚"),
    ),
    Party(name="Bhutan Rigzhung Party", abbreviation="BRP", name_dz="མི་སེར་རིག་གཞུང་ཚོགས་པ"),
)
CONTEXT = CheckContext(
    parties=PARTIES,
    extra_terms=(("candidates", "Kezang Choden Wangdi"),),
    reference_formats=("LP-####-######",),
)
IN_PERIOD = CheckContext(
    parties=PARTIES,
    extra_terms=CONTEXT.extra_terms,
    reference_formats=CONTEXT.reference_formats,
    election=ElectionPhase.period,
)


@pytest.mark.parametrize("context", [CONTEXT, IN_PERIOD])
@pytest.mark.parametrize(
    "text",
    [
        "Vote purple on the 14th! 💜",
        "Support 💜 at the polls, everyone.",
        "Vote for RPX! They fixed our roads.",
        "Vote for Dorji Wangmo Lhendup, the only one who listens.",
        "Don't let the Peacock people fool you again.",
        "ལྷག་བསམ་ཚོགས་པ་གིས་ ང་བཅས་ མགོ་སྐོར་ མ་བཅུག",
        "ངོ་རྒོལ་ཚོགས་པ་གིས་ ལོ་ ༥ ནང་ ཅི་ཡང་ མ་འབད།",
        "The bridge finally opened. You know who to thank on poll day.",
        "Before you cast your vote, compare: 12 clinics under the last government, 30 now.",
        "School fees under the previous government: doubled. Now: free. Draw your own conclusions.",
        "The opposition says the new fares are too high? Sure, let's walk everywhere then 🙄",
        "Want to help the DLT campaign in Haa? Ring Sonam tonight.",
        "The DLT youth wing needs drivers for Sunday's convoy to Paro. Fuel paid.",
        "ལྷག་བསམ་ཚོགས་པའི་ ཚོགས་ཆེན་ ནངས་པ་ ཡོད། ག་ར་ འབྱོན་གནང་།",
    ],
)
def test_sides_taken_in_the_fourth_sets_ways_are_held(text: str, context: CheckContext) -> None:
    assert "taking_sides" in held(text, context), text


@pytest.mark.parametrize("context", [CONTEXT, IN_PERIOD])
@pytest.mark.parametrize(
    "text",
    [
        "Thank you all for your support during the clean-up week 💜",
        "The purple jacaranda trees on Norzin Lam are in bloom.",
        "Vote for your favourite bus shelter design on our page until Friday.",
        "Vote for the Best Stall at the Paro Tshechu before 5 pm.",
        "Vote for the Cleanest Village award: nominations close on the 20th.",
        "Congratulations to Kezang Choden Wangdi of Class VIII for the best road safety essay!",
        "The opposition to the new parking fee came from shopkeepers.",
        "You know the rules: helmets on, always.",
        "Eyes rolling at the traffic again 🙄 leave early, folks.",
        "Our team needs drivers for the staff trip to Punakha. Fuel paid.",
    ],
)
def test_their_look_alikes_pass(text: str, context: CheckContext) -> None:
    assert "taking_sides" not in held(text, context), text


@pytest.mark.parametrize(
    "text",
    [
        "Permit no 1 10 02 00 45 67 approved for the Bumthang route.",
        "Ref 1-12-04-005678 is missing a photograph.",
        "File no. 112040-05678: please collect your licence.",
        "Driver Sonam (mobile seventeen-sixty-two, thirty-one, fifty-four) will meet you at the gate.",
        "His mobile: double seven, one two, three four, five six.",
        "ཞུ་ཡིག་ཨང་ ༡༡༢ ༠༤ ༠༠༥ ༦༧༨ ཁྱེད་ཀྱི་ ཞུ་བ་ ངོས་ལེན་འབད་ཡི།",
        "བསོད་ནམས་ (ཁྱིམ་ཨང་ ༧ ལམ་ ༢ ཆང་གཞི་) ལུ་ ཡི་གུ་ བསྐྱལ་ཡི།",
        "ཚེ་རིང་གི་ དངུལ་ཁང་རྩིས་ཁྲ་ཨང་ ༢༠༡༩༨༧༦༥༤ ནང་ དངུལ་ བཏང་ཡི།",
    ],
)
def test_personal_data_in_the_fourth_sets_ways_is_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Your permit LP-2026-004512 is approved.",
        "Amount due: Nu. 1 10 02 00 45 67 is not a fee anyone pays.",
        "Call our helpline seventeen seventy on weekdays.",
    ],
)
def test_declared_references_amounts_and_public_numbers_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


def test_a_reference_label_does_not_excuse_a_citizen_id_but_a_declared_format_does() -> None:
    assert "personal_data" in held("Ref 1-10-02-004567", CONTEXT)
    declared = CheckContext(parties=PARTIES, reference_formats=("#-##-##-######",))
    assert "personal_data" not in held("Ref 1-10-02-004567", declared)


@pytest.mark.parametrize(
    "text",
    [
        "It's classified, but you should all know: the ring road will be tolled from March.",
        "Keep this confidential, but the new bus passes will be free for students.",
        "This is an internal memo, not meant for the public, but here it is: night shifts end.",
        "Secret list: staff to be transferred next month.",
        "You didn't hear this from me, but the fare rise is 20% from July.",
        "restricted doc attached, bid scores for the depot tender",
        "ནང་འཁོད་ཡི་གུ་ཨིན་ མི་མང་གི་དོན་ལུ་ མེན་རུང་ སླབ་ནི: ལཱ་ཡུན་ བསྐྱར་བཅོས་འབད་འོང་།",
        "གཞན་ལུ་ མ་བསྐྱལ། ལྷན་ཚོགས་ཀྱི་ ཐག་གཅད་: ཁྲལ་ ཡར་སེང་འབད་འོང་།",
    ],
)
def test_markings_confessed_in_a_sentence_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Do not forward the message saying road tax is waived this month. It is a hoax.",
        "Please do not share the fake notice about licence fees; it is not from us.",
        "The internal memo template is on the intranet.",
    ],
)
def test_hoax_warnings_and_talk_about_memos_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text


def test_findings_keep_explaining_the_guideline_and_the_fix() -> None:
    for text in ("Vote for RPX on Tuesday!", "Vote purple on the 14th! 💜", "Permit no 1 10 02 00 45 67"):
        findings = check(text, context=CONTEXT)
        assert findings, text
        for finding in findings:
            assert finding.guideline and finding.explanation and finding.suggestion, finding
