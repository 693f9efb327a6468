"""Round 11 of issue 14, personal data and markings: rules by the shape of the sentence for what the tenth
held-out set (set j) showed missing or held wrongly, with wordings written here (other people, numbers and
words than that set's texts) and clean look-alikes.

Personal data: a passport number labelled in brackets ("passport (no. …)"), a romanised birth word ("kye
tshe"), a treatment a person is on ("on ART", "on dialysis"), a person named by a role only one person holds
("the hostel cook", ཐབ་མ); a staff badge shaped like a passport is the institution's number, and a published
landline is the same number with or without its country code and trunk zero.

Markings: a marking word said of a document ("the secret draft …", "top secret minutes", "classified
question-paper review"); news relayed from an internal group or chat; a subjectless tag that it is not
public yet; a pre-release document; romanised and Dzongkha "not announced to the public"; a stamp set aside
by the writer ("just a formality, so here it is"); a code name's word alone where its progress is reported.
Passing: a marking asked about and answered no, a joke with laughter and nothing official named, a form's
'confidential' box, a Dzongkha heading with a vote named after its colon still held.
"""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext
from tests.guidelines.evaluation import held

CONTEXT = CheckContext(
    reference_formats=("INV########",),
    public_contacts=("+975-2-321456", "17112233", "info@health.gov.bt"),
)


@pytest.mark.parametrize(
    "text",
    [
        # a passport number labelled in brackets, or one letter and six digits after the word
        "Dear Ugyen, the passport (no. K552190) you left at the counter is ready for pickup.",
        "Sangay's passport (C774120) has been sent to the embassy with the visa form.",
        "Passport (number: A120934) of Ms. Tshomo is with the HR section.",
        # a romanised birth word before a date
        "Sonam Wangmo gi kyetshe 12-08-2011, admission form lu bri dey",
        "Student Karma Yeshi, kye tshe 2009-11-04, transfer certificate ready.",
        "Tandin gi kyey tshe 5/6/2012 in, form lu correction bay",
        # a treatment a named person is on
        "Follow-up list: Dechen Wangmo (on ARVs since March) and Kinley.",
        "Lopen Tashi is on dialysis three times a week, please adjust his timetable.",
        "Please note Aum Pema is on insulin and needs her lunch on time.",
        # a person named by a role one person holds, with an illness
        "Our hostel warden has been diagnosed with hepatitis and is on leave.",
        "The Babesa depot driver tested positive for TB; his route is suspended.",
        "ཁྱིམ་ཚང་གི་ ཐབ་མ་ལུ་ ཊི་བི་ནད་ ཕོག་ནུག",
    ],
)
def test_personal_data_in_new_shapes_is_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # a passport-shaped staff, badge or roll number
        "Welcome aboard Kinley Dorji, staff badge E20260031, reporting to Admin.",
        "Tshering Yangzom, employee no. M20180442, is the new focal person for RTI.",
        "Roll P20250117 Pema Choden: collect your hall ticket at the office.",
        # a published landline, written with a trunk zero or in Tibetan digits
        "Call our office on 02-321456 for appointments.",
        "གཞུང་ཁ་པར་ ༠༢-༣༢༡༤༥༦ ལུ་ འབྲེལ་བ་འཐབ་གནང་།",
        # treatments and roles with nobody in particular
        "Free ART and counselling services are available at every district hospital.",
        "Art on display: students' paintings at the town hall until Friday.",
        "A cook at one of the Thimphu schools was found to have TB; the kitchen has been disinfected.",
        "Dialysis services at the national referral hospital now run on Saturdays too.",
        # romanised "kye tshe" with no date
        "Kye tshe certificate form ga ra office lu ya",
    ],
)
def test_personal_look_alikes_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # a marking word said of a document
        "Attaching the secret draft of the Land Pooling review, sections 2 and 3 only.",
        "Top secret minutes from yesterday's board meeting below 👇",
        "Heads up: the classified exam-paper audit flagged three repeats.",
        "Here is the secret shortlist for the principal posts, don't tell anyone.",
        # news relayed from an internal group, chat or meeting
        "Heard from our internal staff chat: bus fares go up by 20% in July.",
        "From the internal management group — two divisions will merge next quarter.",
        "Internal Telegram group lay: exam fees yar bay ni in",
        "ལས་ཁུངས་ ནང་འཁོད་ ཁ་སླབ་ལས: ཟླ་བ་ ༧ པ་ལས་ ལམ་འགྲུལ་གྱི་ གླ་ཆ་ ཡར་འཕར་འོང་།",
        # a subjectless tag: not public yet
        "The Cabinet approved the new parking fees yesterday. Not official yet!",
        "Two schools in Haa will be merged next year — not announced yet 🤫",
        "Transfers list for teachers is final. Nothing public yet.",
        # a pre-release document
        "Sharing the pre-release copy of the census figures for your reading.",
        "Advance copy of the audit report attached, please don't quote.",
        # romanised or Dzongkha "not (yet) announced to the public"
        "Bus fare increase approve bay yi, mi mang lu ma sgrag pay.",
        "ཁྲལ་འབབ་ གསརཔ་ བཙུགས་ནི་ཨིན། ད་ལྟོ་ མི་མང་ལུ་ མ་བསྒྲགས།",
        # a stamp set aside by the writer
        "The 'confidential' label on this memo is only a formality, so here it is.",
        # a Dzongkha heading with a vote named after its colon
        "གསང་བ: ཚོགས་རྒྱན་གྱི་ ཉིན་མ་ ལས་བྱེད་པ་ཚུ་གི་ ལཱ་གི་ ཐོ་ཡིག།",
    ],
)
def test_markings_in_new_shapes_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # asked and answered no
        "Confidential? Nope, the tender results are on our website for everyone.",
        "Is this list restricted? No — please share it with every parent.",
        # a joke with laughter and nothing official named
        "Top secret: the best momo in town is at our canteen 😂",
        "Classified info: tea break is at 11 lol",
        # a form's field, or a promise
        "The 'confidential' field on the complaint form only hides your name from the public.",
        "Tick the 'restricted' box if you do not want your photo on our page.",
        # an office's own update, with a subject, telling people to wait
        "The results are not yet public; we will post them here on Friday.",
        "Not public yet? The list goes up on the notice board at 3 pm.",
        # internal groups mentioned, nothing relayed from them
        "Staff, please join our internal WhatsApp group for duty rosters.",
        # secret in its ordinary senses
        "The secret ballot protects every voter's choice.",
        "There is no secret list: every name is on the public notice board.",
        "Our secret to clean streets? You! Thank you, Thimphu.",
        # a draft put out for comments
        "The unpublished draft guidelines are open for comments until 30 June.",
    ],
)
def test_markings_talked_about_and_look_alikes_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text


TERMS = CheckContext(agency_terms=("Project Garuda Wing", "Operation Norbu", "Project Tsenden"))


@pytest.mark.parametrize(
    "text",
    [
        "Quick update on Tsenden: the site survey is done.",
        "Norbu phase 2 starts on Monday, all hands please.",
        "The Garuda Wing team meets at 10 in the small hall.",
        "Tsenden got the green light from the Secretary today.",
    ],
)
def test_a_code_name_without_its_kind_word_is_held_where_its_progress_is_reported(text: str) -> None:
    assert "marking" in held(text, TERMS), text


@pytest.mark.parametrize(
    "text",
    [
        "Tsenden trees line the road to the dzong.",
        "Norbu won the archery match on Sunday.",
        "An update on tsenden planting along the river: 200 saplings so far.",
        "Thank you, Norbu, for the lovely photos!",
    ],
)
def test_a_code_names_ordinary_word_passes(text: str) -> None:
    assert "marking" not in held(text, TERMS), text
