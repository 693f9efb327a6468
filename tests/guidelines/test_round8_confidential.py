"""Round 8 of issue 14, personal data and markings: general mechanisms for what the seventh held-out set
(set g) showed missing, written afresh (other projects, names, numbers and wordings than that set's texts),
each with clean look-alikes. Unicode digits and letters as NFKC reads them (mathematical bold and italic,
full-width);
numbers with the letter O for a zero; a citizen ID spelt in words; a licence number with a class code; a
Dzongkha person word with the indefinite ཅིག (nobody in particular); markings set off by quotes, dashes or
brackets, or given as a classification's value; words glued into a file name; a project's kind word
abbreviated ("op.", "proj"); romanised negated "release" and, after a marking word, "share"; and lessons
on handling marked documents (English, romanised, Dzongkha)."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext
from civicloop.guidelines.checker import abbreviated
from civicloop.guidelines.text import prepare
from tests.guidelines.evaluation import held

CONTEXT = CheckContext(agency_terms=("Operation Black Crane", "Project Dochula", "Yak Ledger"))


def test_mathematical_and_full_width_characters_are_read_as_plain_ones() -> None:
    assert prepare("𝟏𝟕 𝟐𝟑 𝟒𝟓 𝟔𝟕 ＣＯＮＦ").norm == "17 23 45 67 CONF"
    assert prepare("𝟕𝟕𝟏𝟐𝟑𝟒𝟓𝟔").norm == "77123456"
    assert prepare("𝐂𝐎𝐍𝐅𝐈𝐃𝐄𝐍𝐓𝐈𝐀𝐋 𝘴𝘦𝘤𝘳𝘦𝘵").norm == "CONFIDENTIAL secret"


@pytest.mark.parametrize(
    "text",
    [
        "Reach Sonam on 𝟏𝟕 𝟐𝟑 𝟒𝟓 𝟔𝟕 after 5 pm",
        "Pema's number: 𝟳𝟳𝟭𝟮𝟯𝟰𝟱𝟲",
        "ཨ་ཞང་གི་ཁ་པར་ ７７１２ ３４５６",
        "CID 11OO2OO3456 of the applicant is attached",
        "his id is 1o2o3o4o5o6",
        "call Pema on 17 O1 23 45 after lunch",
        "Tashi: l7 12 34 56",
        "citizen ID one-one-two-zero-three-oh-four-five-six-seven-eight, please verify",
        "Karma's CID is eleven two zero three four five six seven eight nine",
        "Driving licence No. P/HMV/2021/00873 of Dorji was found at the gate",
        "licence (T/LMV/2018/55123) belongs to the driver Ugyen",
    ],
)
def test_personal_numbers_in_other_digits_letters_and_words_are_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "COVID19 cases fell in 2O2O",
        "Room B2O, ground floor",
        "Room 10 O block, fine of Nu 1OO,OOO",
        "Vol I: 12345 copies printed; ISO 9001 since 2021",
        "one or two of the eleven students were absent",
        "ten, eleven, twelve: the classes that sit the exam",
        "Driving licence tests resume on Monday at the RSTA office",
        # a staff member unwell, nobody in particular: the office opens late
        "ལཱ་གཡོག་པ་ཅིག་ ན་ཚ་ཡོདཔ་ལས་ ཞབས་ཏོག་ ཆུ་ཚོད་ ༩ ལུ་ཕྱེ་འོང་།",
    ],
)
def test_look_alike_numbers_and_unnamed_people_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # set off by quotes, dashes, brackets, or the value of a classification
        'Sharing the "confidential" annex on the bridge audit',
        "Minutes v2 — restricted — for the finance committee",
        "Budget sheet -- secret -- revised figures inside",
        "[Security level: Secret] school closure list",
        "Classification: restricted. Transfer list for 2027.",
        "the audit memo (not for public) says the bridge is unsafe",
        "ཟིན་བྲིས་ (གསལ་བསྒྲགས་མ་འབད་) ལམ་ལུགས་ ༢༠༢༧",
        # in the bold or italic letters of social-media text generators
        "𝐂𝐎𝐍𝐅𝐈𝐃𝐄𝐍𝐓𝐈𝐀𝐋 - bridge audit findings",
        "𝗥𝗘𝗦𝗧𝗥𝗜𝗖𝗧𝗘𝗗: transfer list 2027",
        # a restriction in brackets or quotes: a negation, then an audience or a way of passing on
        "the tariff memo (not for the press) is below",
        "[pls don't forward] revised duty roster",
        "'not to be shared outside' - canteen tender scores",
        "ཟིན་བྲིས་ (བཀྲམ་ནི་མི་ཆོག) ཁྲལ་གྱི་ཚད་ ༢༠༢༧",
        "སྙན་ཞུ་ (མ་སྤེལ་) ལམ་གྱི་ཞིབ་དཔྱད།",
        # glued into a file name
        "see RESTRICTED_pay_revision_v2.xlsx attached",
        "uploading OperationBlackCrane_budget_final.pdf now",
        # the kind word abbreviated
        "op. black crane: 60% complete",
        "proj dochula tender shortlist below",
        # romanised negated release, and share after a marking word
        "policy draft ing, release ma bay: tariff 2027 below",
        "internal report ing, mi share la: road survey",
    ],
)
def test_markings_set_off_glued_abbreviated_or_negated_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Documents marked confidential must be stored in the locked cabinet.",
        "The 'secret' to good momos is the dough",
        "This road is not for public vehicles after 9 pm",
        "Party posts lu like, share ma bay. Civil servants apolitical dgo.",
        "Ming post mi bay, CID tsu comment nang ma post.",
        "Photos of the black crane festival are up",
        "training: RESTRICTED docs handle bay tang, Friday 2pm",
        "Refresher training on how to handle SECRET documents next week",
        "གསང་བ་དང་བཀག་ཆ་ཅན་གྱི་ཡིག་ཆ་ ལག་ལེན་འཐབ་ཐངས་ཀྱི་ སྦྱོང་བརྡར་ ཚེས་ ༡༢ ལུ།",
        "my_photo_final.jpg from the dochula trip",
        "Never share your OTP (do not share your PIN with anyone)",
        "Handicraft price list (not for sale: display only)",
        "ལྷ་ཁང་ནང་ (དུ་བ་ འཐེན་ནི་མ་འབད་) ཟེར་ བྱང་ཚིག་ བཙུགས་ཡོད།",
        "𝗖𝗼𝗻𝗴𝗿𝗮𝘁𝘂𝗹𝗮𝘁𝗶𝗼𝗻𝘀 to our 𝐫𝐞𝐬𝐭𝐫𝐢𝐜𝐭𝐞𝐝-area rangers on their award",
    ],
)
def test_markings_talked_about_or_words_alike_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text


def test_a_project_name_gets_its_kind_word_abbreviated_at_either_end() -> None:
    assert abbreviated("Operation Black Crane") == [
        "op Black Crane",
        "Black Crane op",
        "ops Black Crane",
        "Black Crane ops",
        "opn Black Crane",
        "Black Crane opn",
    ]
    assert abbreviated("Yak Ledger") == []
