"""Round 7 of issue 14, personal data and markings: general mechanisms for what the sixth held-out set
showed missing, written afresh (other projects, names, numbers and wordings than that set's texts), each
with clean look-alikes. Markings spelt out or disguised letter by letter; headings ended by any separator
(a bar, a slash, an emoji, the Dzongkha shad) or led by a symbol; a marking the writer admits and sets
aside ("it's confidential, but …"); Dzongkha imperatives "do not send / spread / tell outside" in any of
their forms and "for official work only"; a leak with words between it and the document; a confidential
project's name in another order, case or as a hashtag; organ conditions ("liver disease", Dzongkha
མཆིན་པའི་ནད) and transplants tied to a person; a mobile written digit by digit with dashes or dots; an
institution's landline; and the false holds (Dzongkha གསང་བ as the ordinary noun, a scam warning)."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, check
from civicloop.guidelines.checker import term_variants
from tests.guidelines.evaluation import held

CONTEXT = CheckContext(
    agency_terms=("Project Snow Lion", "Operation Dragon Gate", "Tashi Ledger"),
    public_contacts=("02-333444",),
)


def rules(text: str) -> set[str]:
    return {f.rule_id for f in check(text, context=CONTEXT)}


@pytest.mark.parametrize(
    "text",
    [
        # spelt out or disguised: emphasis, like capitals
        "s e c r e t  tender rates for the Gelephu school block",
        "C.O.N.F.I.D.E.N.T.I.A.L - new transfer list below",
        "r-e-s-t-r-i-c-t-e-d memo on the bus fare review",
        "CONF1DENTIAL: revised water tariff attached",
        "the con\u200bfidential draft of the tariff, have a look",
        # headings ended by a bar, a slash, an emoji, or led by a symbol
        "Secret | Final | school merger list 2027",
        "CONFIDENTIAL / DRAFT - pay revision table",
        "🔒 Confidential 🔒 staff appraisal results below",
        "[INTERNAL] draft bus fare table for 2027",
        "INTERNAL | staff rota for the tshechu week",
        # a marking admitted and set aside
        "This is confidential, but the new fees start in March.",
        "It's restricted, but people should know the bridge is unsafe.",
        "Classified yin ruang, new bus routes ogi lu.",
        "Restricted in dey la, but fee list attach bay yi",
        "Confidentially, the minister has already signed the fee order.",
        # do not forward / share, romanised politeness and a "but"
        "Pls dont share la, tender results attached.",
        "Don't share this outside la, new leave rules attached.",
        "Please don't forward, but here is the board's decision on fares.",
        # a leak with words between it and the document
        "A colleague leaked the final teacher posting list to me last night.",
        "Someone leaked our internal audit findings, read them here.",
        # confessions in other words
        "Keep this between us: the Thimphu depot closes in May.",
        "The bypass alignment (we're not supposed to talk about it yet) moves 300 m east.",
        "Not for the public eye: draft fee hike figures.",
        # a marking set aside in its sentence, whoever the subject
        "Not for circulation yet, but here are the new school fees.",
        "The DG said keep this confidential, though honestly people should know.",
        "An internal memo, but the public deserves it: canteen prices double.",
        # a heading line: a marking word, a document word, a separator
        "Secret staff list: transfers to Gasa and Lhuentse",
        "Sensitive briefing note - hydropower tariff review",
        "Classified info: the new highway alignment moves east.",
        # a few plain wordings more, and "marked …" opening the sentence
        "The secret report from the ministry says two schools will close.",
        "Privileged and confidential - legal advice on the land case.",
        "Please treat as confidential: the merger plan for two divisions.",
        "Still under wraps, but the new airport route is Paro to Bumthang.",
        'Marked "restricted" but sharing anyway: the flood risk map.',
    ],
)
def test_markings_written_in_other_ways_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text
    assert "confidential.marking" in rules(text), text


@pytest.mark.parametrize(
    "text",
    [
        # Dzongkha headings ended by the shad, "-ཅན" adjectives, "for official work only"
        "ཚད་འཛིན་ཅན། ལས་བྱེད་ སོར་བསྒྱུར་གྱི་ ཐོ་ མཉམ་སྦྲགས།",
        "གསང་བ། སློབ་གྲྭ་ མཉམ་སྡེབ་ཀྱི་ ཐོ།",
        "གསང་བ་ ལས་བྱེད་ སོར་བསྒྱུར་གྱི་ ཐོ་ མཉམ་སྦྲགས།",
        "འདི་ གསང་བ་ཨིན་རུང་ མི་མང་གིས་ ཤེས་དགོ།",
        "གཞུང་གི་ལཱ་ཁོ་ནའི་དོན་ལུ། ལམ་གསརཔ་གི་ འཆར་གཞི།",
        "ཡིག་ཆ་འདི་ ནང་འཁོད་ཁོ་ན་ཨིན།",
        "ནང་འཁོད་ཀྱི་དོན་ལུ་རྐྱངམ་ཅིག། ལྷན་ཚོགས་ཀྱི་གྲོས་ཆོད།",
        # Dzongkha "do not send / spread / tell outside" in its several forms
        "ཕྱིར་ བཏང་ནི་མ་འབད། ལས་བསྐོ་གི་ གྲུབ་འབྲས།",
        "མི་གཞན་ལུ་ སླབ་མི་ཆོག ཚོང་ཁང་ བསྡམས་ནིའི་ ཐོ།",
        "ཕྱི་ཁར་ ཁྱབ་སྤེལ་མ་འབད། ལས་བྱེད་ཐོ་ མཉམ་སྦྲགས།",
        "མི་མང་ལུ་ མ་བཏོན། གླ་ཆ་གསརཔ་ ཟུར་སྦྲགས།",
        # a restriction set aside by རུང (although), a document that came out (leaked)
        "ནང་འཁོད་ཀྱི་ ཡིག་ཆ་ཨིན་རུང་ ཁྱེད་ཚུ་གིས་ ཤེས་དགོ། གླ་ཆ་ ཡར་སེང་འབད་འོང་།",
        "བཀག་ཆ་ཅན་ ཟེར་ ཐམ་ཀ་ཡོད་རུང་ འདི་ལུ་ བལྟ།",
        "ཕྱིར་ཐོན་བྱུང་བའི་ ལས་བསྐོ་གི་ གྲུབ་འབྲས་ འདི་ཨིན།",
        "ཁྱེད་ཀྱིས་ ཕྱི་ཁར་ མ་སྤེལ། ལས་བྱེད་ སོར་བསྒྱུར་གྱི་ ཐོ།",
        "ཕྱི་ཁར་ སྤེལ་ནི་མི་ཆོག། ལས་བྱེད་ཐོ་ ཟུར་སྦྲགས།",
        "ལས་ཁུངས་ཀྱི་ ནང་འཁོད་ཡིག་ཆ་ ཕྱི་ཁར་ ཐོན་ཡི། ལྟ་གནང་།",
    ],
)
def test_dzongkha_markings_by_their_shape_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "The snow lion project starts in Haa next month.",
        "Dragon Gate operation briefing tomorrow at 10.",
        "#ProjectSnowLion is a go!",
        "the tashi ledger numbers look good this quarter",
        "#TashiLedger numbers are out",
    ],
)
def test_confidential_project_names_in_another_order_or_case_are_held(text: str) -> None:
    assert "confidential.agency_term" in rules(text), text
    assert "marking" in held(text, CONTEXT), text


def test_a_project_name_gets_its_kind_word_at_either_end_and_as_a_hashtag() -> None:
    assert term_variants("Project Snow Lion") == [
        "Project Snow Lion",
        "Snow Lion Project",
        "ProjectSnowLion",
        "SnowLionProject",
    ]
    assert term_variants("Dragon Gate Review") == [
        "Dragon Gate Review",
        "Review Dragon Gate",
        "DragonGateReview",
        "ReviewDragonGate",
    ]
    # no kind word: only the run-together form is added (also for a hyphenated code); Dzongkha: nothing
    assert term_variants("Tashi Ledger") == ["Tashi Ledger", "TashiLedger"]
    assert term_variants("DRUKPATH-X") == ["DRUKPATH-X", "DRUKPATHX"]
    assert term_variants("ཙན་དན་ལས་འཆར") == ["ཙན་དན་ལས་འཆར"]


@pytest.mark.parametrize(
    "text",
    [
        # ordinary words that look like markings
        "Your complaint is confidential, but we may need to call you for details.",
        "Parking is restricted near the dzong during the tshechu.",
        "Access to the server room is restricted to IT staff.",
        "The secret to a good harvest is healthy soil.",
        "Secret Santa at the office on Friday! 🎅",
        "Internal roads in the town will be resurfaced next week.",
        "Internal: lifts out of service on floor 3, please use the stairs.",
        "Internal audit report - 2025 edition now on our website.",
        "The road is classified as a national highway, but the dzongkhag maintains it.",
        "It's classified as a heritage site, but visitors are welcome.",
        "SECRET RECIPE: ema datshi the Paro way!",
        "Please don't share this post if you are a civil servant in an election period.",
        "ཚོགས་རྒྱན་ གསང་བ་ཨིན་རུང་ ཁྱེད་ཀྱིས་ ངོ་སྤྲོད་ལག་ཁྱེར་ འབག་དགོ།",
        "ཁྱེད་ཀྱི་ གནས་ཚུལ་ ཕྱི་ཁར་ མ་སྤེལ་ནི་ ང་བཅས་ཀྱི་ འགན་ཁག་ཨིན།",
        "གྲུབ་འབྲས་ ཕྱིར་ཐོན་བྱུང་བའི་ སློབ་ཕྲུག་ཚུ་ལུ་ བཀྲ་ཤིས་བདེ་ལེགས།",
        "You can report corruption confidentially through the ACC website.",
        "A water pipe leaked near the school and the repair plan is ready.",
        "Do not share your OTP with anyone, including our staff.",
        "Please don't share photos of patients in the group.",
        # warnings about scams and hoaxes
        "Beware of scam messages offering free land for your CID. Do not forward them.",
        "Fraud alert: a message asks for your bank PIN. Don't share it, don't forward it.",
        # Dzongkha: the secret of …, a promise, the vote
        "ཞིང་ལཱ་ལེགས་ཤོམ་ འབད་ནིའི་ གསང་བ་ ག་ཅི་སྨོ?",
        "ཁྱེད་ཀྱི་ མིང་ གསང་བ་སྦེ་ བཞག་འོང་།",
        "ཚོགས་རྒྱན་འདི་ གསང་བ་ཨིན།",
        "ཁྱེད་ཀྱི་གནས་ཚུལ་ གཞུང་གི་ལཱ་ཁོ་ནའི་དོན་ལུ་ ལག་ལེན་འཐབ་འོང་།",
        "ཁྱེད་ཀྱི་ སྒེར་གྱི་ གནས་ཚུལ་ཚུ་ ཕྱི་ཁར་ སྤེལ་ནི་མེད།",
        # a project's words without the project
        "Snow lions are the national symbol on our flag.",
        "The dragon gate at the dzong is being repainted.",
        # headings that name no document, a marking set aside for the reader
        "Classified ads: see page 5 of Kuensel.",
        "Secret Santa: draw your names on Friday!",
        "Hot off the press: our annual report is now online.",
        "The DRAFT rules are open for public comment until 30 June.",
        "Privileged to host the Prime Minister at the dzong today.",
        "The confidential nature of your complaint is protected by law.",
        "Your identity stays confidential, but we may call you for details.",
        "ཚོགས་རྒྱན་ གསང་བ་སྦེ་ བཙུགས་རུང་ གྲལ་ཐིག་ནང་ ལོག་མ་འགྱོ།",
        # spaced letters that spell nothing marked
        "Vote counts: a b c d options are on the form.",
    ],
)
def test_their_look_alikes_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Get well soon Aum Sonam, she is recovering from a liver transplant.",
        "Ap Dorji is in ICU after a heart operation.",
        "Our driver Kinley has kidney failure and needs dialysis twice a week.",
        "Karma la kidney stones surgery bay de, pray for him.",
        "ཨཔ་ རྡོ་རྗེ་ མཁལ་མའི་ནད་ལུ་ བཅོས་ཐབས་འབད་དོ་ཡོདཔ་ཨིན།",
        "ཨམ་ ཀརྨ་ གློ་བ་ནད་ ཕོག་སྟེ་ ལཱ་ལུ་ མ་འོང་།",
        "Private number of the vet: 1.7.8.8.9.9.0.0",
        "His cell is 7-7-1-2-3-4-5-6, call after 6.",
        "Aum Dema said to call her at home on 08-271234.",
        "Ap Namgay had a bone marrow transplant in Delhi; he is doing well.",
        "Aum Dema is off for a knee replacement.",
        "Send the form to pema.dorji [at] gmail [dot] com.",
        "Her email: dechen_w (at) yahoo (dot) com",
        "Email me: karma77 at yahoo dot com",
    ],
)
def test_personal_data_in_other_ways_is_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "World Kidney Day: free kidney disease screening at JDWNRH.",
        "Liver disease awareness talk on Friday for all staff.",
        "Heart transplant programmes are not yet available in Bhutan.",
        "ཁྱི་ཚུ་ལུ་ ཁྱི་ཤུ་ནད་ སྨན་ཁབ་ རིན་མེད་སྦེ་ བཀྲམ་འོང་།",
        "Emergency line of the Gelephu hospital: 06-251234",
        "Mongar school landline 04-641234 ein.",
        "Trashigang BHU reception: 04-521199 (24 hours)",
        "Results: 1-7-2024 to 8-7-2024, 3-4 cases a day.",
        # paddy is transplanted: "transplant" alone is no health word
        "Write to info [at] livestock [dot] gov [dot] bt for permits.",
        "Visit us at kuenselonline.com for the notice.",
        "Ap Dorji transplanted his paddy yesterday with the new machine.",
        "Aum Pema la paddy transplant bay yi, good harvest la.",
    ],
)
def test_their_personal_look_alikes_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


def test_a_spelt_out_marking_is_found_where_it_is_written() -> None:
    text = "Note: s e c r e t  plan attached"
    findings = [f for f in check(text) if f.rule_id == "confidential.marking"]
    assert [text[f.start : f.end] for f in findings] == ["s e c r e t"]
