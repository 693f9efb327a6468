"""Round 10 of issue 14, personal data and markings: rules by the shape of the sentence for what the ninth
held-out set (set i) showed missing, with wordings written here (other people, numbers and words than that
set's texts) and clean look-alikes. Health: a person picked out of a count or listed after a colon in a
sentence of figures, a Dzongkha disease spelt from English (any word before ནད), a test result named by
its abbreviation, and "he" pointing back at someone introduced as nobody in particular. A birth date with
the month abbreviated between dashes; a passport number by its shape beside a name."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext
from tests.guidelines.evaluation import held

CONTEXT = CheckContext(reference_formats=("INV########",))


@pytest.mark.parametrize(
    "text",
    [
        # a person picked out of a count, or listed after a colon, in a sentence of figures or a service
        "Malaria: 5 cases this week in Gelephu, among them our driver Tshering 🙏",
        "Typhoid cases rose to 9, including Ap Dorji from the store section.",
        "Scrub typhus figures for the week: 12 cases, one of them is Lopen Kinley from block B.",
        "TB positive from the school screening: Dechen, Karma, Pema W. Please see the nurse.",
        "Results of the camp screening, hepatitis positive: Sonam, Yeshi and Tashi L.",
        # a Dzongkha disease written from its English name, beside a name
        "ཨ་ཞང་ རྡོ་རྗེ་ མ་ལེ་རི་ཡ་ནད་ཕོག་སྟེ་ སྨན་ཁང་ནང་ཡོད།",
        "ང་བཅས་ཀྱི་ ཨོ་རྒྱན་ལུ་ ཀོ་ཝིཌ་ནད་ཕོག་ཡི། སྨོན་ལམ་འབད་གནང་།",
        "ཨམ་ ཡང་ཅན་ ཊའི་ཕཌ་ནད་ཀྱི་ སྨན་བཅོས་འབད་དོ།",
        # a test result named by an abbreviation or an acronym
        "Karma Wangdi is HIV positive and has started treatment.",
        "Our accountant Deki came back COVID-19 positive this morning.",
        "Lopen Sangay Hep C positive, pls arrange leave",
        # a birth date with the month abbreviated between dashes or dots
        "Ap Tandin Wangchuk (born 03-Feb-1950) receives the senior citizen card today.",
        "Nominee: Dorji Om, b. 21.Sep.1987, Mongar",
        "DOB of Ap Chencho: 04-Mar-1961",
        # a passport number by its shape beside a name
        "Visa list: Karma Tenzin P01234567, Sonam Choden PB7654321",
        "Please book the flight for Dasho Penjor, K08876543, returning on the 14th.",
    ],
)
def test_personal_data_in_new_shapes_is_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # figures and services with nobody picked out
        "Dengue: 14 new cases this week, including 3 in Rangjung. Clear standing water.",
        "Free screening for hepatitis B: Monday, Tuesday and Wednesday at the BHU.",
        "Malaria cases fell by 20% among children this year.",
        # a disease word in Dzongkha with nobody named, a campaign against it, an animal's disease
        "ཌེང་གི་ནད་ ཁ་ཐུག་ སྦྱོང་བརྡར་ ཟླ་ཝ་ ༣ པའི་ནང་ འབད་འོང་།",
        "ཕག་པའི་ནད་ ASF གི་ གྱངས་ཁ་ ཞིབ་འཚོལ་ ཁོ་ནའི་དོན་ལུ།",
        "ནད་ཡམས་ཀྱི་ སྐབས་ མི་མང་ཚུ་ ཁྱིམ་ནང་ སྡོད་དགོ།",
        # "positive" and "negative" that are no test result
        "Be positive, Karma, the results come out next week!",
        "Stay Positive: the new road opens in spring.",
        # someone introduced as nobody in particular
        "A farmer from Lingmethang was airlifted to Thimphu yesterday; he is recovering well.",
        "An 80-year-old woman was treated for a fractured hip after a fall; she is stable.",
        # dates and codes that are no birth date or passport
        "The office opened on 12-Jun-1998 and moved in 2005.",
        "Invoice INV00871234 for Dorji's stationery order is paid.",
        "Order no. A1234567 for Tashi is ready at the counter.",
        "Flight KB1234567 leaves Paro at 9.",
        "Tashi, your ticket number is T12345678 for the draw.",
    ],
)
def test_look_alikes_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # "Confidential" heading a line with whatever item it marks
        "Confidential appraisal: Tshering Yangzom, rated below expectations for 2026.",
        "🔒 Confidential — disciplinary case: the driver of BP-1-A4521",
        # a marking word said of a document, 'in-confidence' among them
        "Attaching the in-confidence evaluation of the three bidders.",
        "Sharing the restricted terms of reference for the audit, don't ask where from",
        "Here is the confidential agenda for Monday's HR committee 👀",
        # the record of a closed meeting shared
        "Notes from the closed-door meeting of the tender committee below 👇",
        "Photos of today's in camera sitting, enjoy",
        # "do not forward" ended by an emoji
        "plz don't share 🤫 list of officers due for transfer",
        # a banner framed by the same symbol
        "🚫 staff group only, not to be shared 🚫 the DT meeting moved the budget to roads",
        "‼️ not for the media ‼️ the bridge inspection failed",
        # a Dzongkha heading of the restriction shape, and silence asked until an announcement
        "ནང་འཁོད་བཀག་ཆ་ཅན། ལས་བྱེད་ཚུ་གི་ སྤོ་བཤུད་ཐོ།",
        "གྲོས་ཆོད་ གསར་བཏོན་མ་འབད་ཚུན་ ཁ་རོག་སྡོད་གནང་།",
        "Keep quiet about this until the minister announces it: the new fees are Nu 500.",
        "Stay mum till it is officially announced, but the DT chair is leaving.",
        # "your" in another phrase before the marking: a marked text sent to the reader
        "For your information, the confidential report says the bridge failed.",
        "As per your request, here is the classified annex.",
        "In-confidence: staff appraisal scores for Q3",
        # a Dzongkha heading followed, in its own sentence, by a mention of the vote
        "གསང་བ། ཚོགས་རྒྱན་གྱི་ཧེ་མ་ ལས་བྱེད་ ལྔ་ སྤོ་བཤུད་འབད་དགོ།",
    ],
)
def test_markings_in_new_shapes_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # a reporting line or a service called confidential
        "Confidential helpline: call 1098 any time, day or night.",
        "Confidential counselling: every Tuesday at the youth centre.",
        # a closed meeting announced, not its record shared
        "The National Council will hold an in-camera sitting on Friday.",
        # the reader's own things promised to stay confidential, English and romanised
        "Your complaint stays confidential and only the grievance officer reads it.",
        "Khyed kyi ming confidential bay dhö, mi zhen lu ma lab",
        "Chö gi details confidential ein, nga tshu gi share ma bay",
        # a symbol twice without a restriction, and 'quiet' without 'until'
        "🌸 not far from the dzong, the new park opens 🌸",
        "Please keep quiet in the library.",
        "Keep quiet until the bell rings, class.",
        "སློབ་དཔོན་ མ་ལྷོད་ཚུན་ ཁ་རོག་སྡོད།",
        "The DT will meet in camera on Friday to discuss the budget.",
        "⭐ not for profit ⭐ community clean-up on Saturday",
        "ཆོས་ཚན་ནང་ ཁ་རོག་སྡོད་གནང་།",
        # the Dzongkha ballot is secret
        "ཚོགས་རྒྱན་ གསང་བ་ཨིན། མི་གཞན་ལུ་ སླབ་མི་དགོ།",
    ],
)
def test_markings_talked_about_and_look_alikes_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text


TERMS = CheckContext(agency_terms=("Kuenphen Ledger", "Dungkar Shell", "Operation Blue Pine"))


@pytest.mark.parametrize(
    "text",
    [
        "ཀུན་ཕན་ལེ་ཇར་གྱི་ ཡིག་ཆ་ ཚར་ཡི།",
        "ལཱ་ དུང་དཀར་ ཤེལ་ ལུ་ བཏང་ཡི།",
        "Dungkar Shell ko ghi ngultrum ga dem chi mo?",
    ],
)
def test_an_agency_term_written_in_the_other_script_is_held(text: str) -> None:
    assert "marking" in held(text, TERMS), text


@pytest.mark.parametrize(
    "text",
    [
        # a part of a name alone, or a short name whose sounds are ordinary words
        "ཀུན་ཕན་ ཚོགས་པ་གི་ ལཱ་ ཚར་ཡི།",
        "དུང་དཀར་ རྫོང་ཁག་ལུ་ ལམ་ གསརཔ་ བཟོ་ནི།",
        "བུ་ལུ་ པ་ཡིན་ ཤིང་ ཚུ་ བཙུགས་ཡི།",
        # the syllables of a name split by a shad
        "དུང་དཀར། ཤེལ་ཁང་ ལེགས་ཤོམ་ཅིག་ཡོད།",
    ],
)
def test_look_alikes_of_an_agency_term_pass(text: str) -> None:
    assert "marking" not in held(text, TERMS), text
