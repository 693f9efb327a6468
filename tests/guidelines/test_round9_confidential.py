"""Round 9 of issue 14, personal data and markings: general mechanisms for what the eighth held-out set
(set h) showed missing, written afresh (other people, numbers and wordings than that set's texts), each
with clean look-alikes. Passport numbers of letters and digits in any order; a mobile spelt with its
country code; a Dzongkha date written year first; injuries of a named person; the agency's own fee
account among its public contacts. Markings by shape: an instruction to treat the text as restricted, a
heading with its authority or a negated audience, an unapproved draft, a text shared before its
announcement, Dzongkha and romanised "draft, don't spread" and "don't tell outside"; and markings talked
about (named as a stamp, taught in a lesson) or "do not spread" said of a rumour."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext
from tests.guidelines.evaluation import held

ACCOUNT = "Bhutan National Bank fee account 200456789"
CONTEXT = CheckContext(public_contacts=("info@forest.gov.bt", "17120120", ACCOUNT))


@pytest.mark.parametrize(
    "text",
    [
        # passport numbers of letters and digits in any order
        "Visiting researcher Ms. Ingrid Holm (passport no. 84P221907) joins the survey on Monday.",
        "Mr Okafor's passport A7T3K91M2 was left at the guest house reception.",
        "Dr Suzuki ghi passport 5XH208814 copy checkpost lu tang dgo",
        "ཕྱི་རྒྱལ་ཞིབ་འཚོལ་པ་ Ms. Holm གི་ ལམ་ཡིག་ཨང་ 84P221907 ཁ་བྱང་ལུ་ བཏང་།",
        # a mobile spelt with the country code first
        "Bookings: nine seven five, seven seven, one two, three four, five six (ask for Dorji)",
        "ring Pema on ninety-seven five seventeen eighty-eight twenty-one forty",
        # a Dzongkha date of birth written year first, in Tibetan digits
        "རྒྱལ་ཁ་ ཀུན་བཟང་ཆོས་སྒྲོན་ སྐྱེས་ཚེས་ ༢༠༡༠ ཟླ་ ༣ ཚེས་ ༡༧",
        "སྐྱེས་ཚེས་ ལོ་༢༠༠༨ ཟླ་༡༡ ཚེས་༥ ཡོད་པའི་ སློབ་ཕྲུག་ པདྨ་",
        # injuries of a named person, in other words than a diagnosis
        "Pray for Forester Ugyen Tshering: he suffered a head injury when the tree fell.",
        "Our guard Sangay was mauled by a bear near the camp and is now in Bumthang hospital.",
        "Kinga broke her leg during the census trek; she is resting at home.",
        # a home placed by a landmark, with a word describing the house
        "Dorji lives in the blue house behind Changzamtog school.",
        "ལཱ་གཡོག་པ་ ཀུན་ལེགས་ ཁོ་ལུ་ རྨས་སྐྱོན་ ཚབས་ཆེན་ ཕོག་ཡི།",
        "Get well soon, Ranger Dawa! He was bitten by a snake on patrol and is in Gelephu hospital.",
        "Forester Pema Yangzom is on a ventilator at JDWNRH after the smoke inhalation.",
        "ལཱ་གཡོག་པ་ རྡོ་རྗེ་ ཁོ་ སྦྲུལ་གྱིས་ ཁ་རྒྱབ་སྟེ་ སྨན་ཁང་ལུ་ བཏང་ཡི།",
        # other labels of a passport, another abbreviation of born, the Dzongkha month first
        "Ms. Chen's travel document no. E98812345 is with the front desk.",
        "PP No. 9KX33812 — Mr. Ivanov, checked in at the park office",
        "Junior winner Sonam Dema, b. 12/05/2010, from Bajo school",
        "སྐྱེས་ཚེས་ ཟླ་ ༥ ཚེས་ ༡༢ ལོ་ ༢༠༡༠ པདྨ་ཡང་ཅན་",
    ],
)
def test_personal_data_in_new_shapes_and_words_is_held(text: str) -> None:
    assert "personal_data" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        "Passport holders from SAARC countries need no visa for the park.",
        "The passport office moved to the 2nd floor of the old building.",
        "Nine five zero zero one two three four visitors came this year, a record.",
        "Report any injury at work to the safety officer within a day.",
        "First aid course for rangers: how to treat a head injury in the field.",
        "Head office opens at 9; leg-work for the census starts Monday.",
        "JDWNRH will hold a free eye camp on Saturday.",
        "Snake bite first aid: keep the limb still and go to the nearest BHU.",
        "Dog bite cases rose in 2025, says the health ministry.",
        "Karma admitted to the error in the fee table.",
        "Kinley from our office donated blood at JDWNRH today. Thank you!",
        "He said wildlife injuries to farmers fell by 20% this year.",
        "Please pray for the families; she said no one was seriously injured.",
        "Sangay's team carried the wounded deer to the vet.",
        "See pp 12-14 of the annual report; he wrote the foreword.",
        "The travel document requirements for tourists changed in 2024.",
        # the agency's own account: among its public contacts, or named as the agency's
        "Permit fees go into our Bhutan National Bank fee account, a/c 200456789.",
        "Pay the fee to BNB a/c 200456789 and bring the deposit slip.",
        "ཆོག་ཐམ་གྱི་ གླ་ཆ་ BNB རྩིས་ཐོ་ ༢༠༠༤༥༦༧༨༩ ལུ་ བཏང་།",
        "Pay the fees into the department's revenue account at Bank of Bhutan, a/c 300111222.",
    ],
)
def test_look_alikes_and_the_agencys_own_account_pass(text: str) -> None:
    assert "personal_data" not in held(text, CONTEXT), text


def test_a_persons_account_is_still_held_beside_the_agencys() -> None:
    assert "personal_data" in held("Send the refund to Dorji's personal BNB a/c 200999123.", CONTEXT)
    assert "personal_data" in held("Pay her private account 300111222 at our branch.", CONTEXT)


@pytest.mark.parametrize(
    "text",
    [
        # an instruction opening a sentence to treat the text as restricted
        "Please treat this as confidential: the revised DSA rates for field staff",
        "Handle as secret — list of informants in the poaching case",
        "Treat the attached as restricted, not for the public: range office transfers",
        # a marking heading a line with the authority it rests on
        "Strictly confidential as discussed: the merger of the two divisions",
        "Confidential as instructed by the Secretary: names shortlisted for the post",
        "Secret under the Official Secrets Act - list of informants",
        # a draft said not to be approved, heading a line
        "Draft — not final — tiger census numbers for the parks",
        "Draft (not yet cleared by the Secretary): new permit fees",
        "Unapproved draft: revised park boundary map",
        # a document named, then its restriction, as a label
        "Budget note, confidential — ceilings for 2027 are cut",
        "HR memo, restricted: promotions list for July",
        # secrecy confessed in other idioms
        "Between us, keep it hush: the Director is moving to the ministry",
        "This is hush-hush, but the fee waiver ends next week",
        "Off-record: the bridge tender was cancelled",
        # Dzongkha: a draft not to be spread, or not yet
        "ཟིན་བྲིས་ ད་ལྟོ་ མི་མང་ལུ་ མ་སྤེལ། ཤིང་ཆ་ གླ་ཚད་ གསརཔ་",
        "ཟིན་བྲིས་ཨིན་ བཀྲམ་ནི་ མ་འབད། ལས་བྱེད་ སྤོ་སོར་ ཐོ་",
        # romanised: spel said of documents, and "outside" / "to others" before a negated share or send
        "draft ing la, ma sphel — tiger count 2026",
        "ngachi division ghi draft ein, zhen lu ma tang, fee revision attached",
        "phi khar ma forward bay la, staff list attached",
        "mi mang lu ma lab, fee yar seng ong",
        # the bracketed restriction's shape (a negation, then an audience or a way of passing on) as a heading
        "Not for the media: the leopard was poisoned",
        "Not for outside eyes: rotation roster for guards",
        "Staff only, not to be shared — leave roster for Losar",
        # shared before its announcement, and said so
        "Before it's officially announced: the park will close for 3 months",
        "Ahead of the official announcement, here are the new permit fees.",
        "Sharing the minutes before they're tabled — the fee goes up.",
        # figures called unreleased, a text kept inside a group, a source not to be quoted
        "Sneak peek at the unreleased census figures 👀",
        "Please keep this within the office: new posting orders",
        "Don't quote me on this, but two rangers were suspended.",
        "Shared on a need-to-know basis: the audit findings on the timber depot",
        "FYI only – don't circulate beyond the team: new posting list",
        "Pls keep this among staff: fee hike next month",
        "Not cleared for release yet: the tiger census figures",
        "Insider info: the Director is being transferred",
        "Leaked to me by a friend in the ministry: the new fee table",
        # Dzongkha: asked to keep it secret (གནང, དགོ after "keep"), not promised
        "འདི་ གསང་བ་སྦེ་ བཞག་གནང་། ལས་བྱེད་ སྤོ་སོར་ ཐོ་ མཉམ་སྦྲགས།",
        "Sharing a confidential update: the merger is approved.",
        # Dzongkha: not to be told outside (future negative), kept inside the office only
        "ཕྱི་ཁར་ སླབ་ནི་མེད། ཤིང་ཆ་ གླ་ཚད་ ཡར་སེང་",
        "ལས་ཁུངས་ནང་ རྐྱངམ་ཅིག་ བཞག། ལས་བྱེད་ སྤོ་སོར་ ཐོ་",
    ],
)
def test_markings_in_new_wordings_are_held(text: str) -> None:
    assert "marking" in held(text, CONTEXT), text


@pytest.mark.parametrize(
    "text",
    [
        # a marking named as a stamp or label: talked about, not applied
        "Museum corner: the old 'TOP SECRET' seal from the 1960s survey office is on show this week.",
        "A 'Restricted' label on a public notice is an error; tell us at info@forest.gov.bt.",
        "ཤེས་ཡོན་ ཉིན་མ་: 'གསང་བ' ཐམ་ཀ་ ཡོད་པའི་ ཡིག་ཆ་ རྙིངམ་ཚུ་ མཛོད་ཁང་ནང་ སྟོན་ཡི།",
        # lessons on handling marked documents, the handling anywhere in the sentence
        "Workshop for clerks: filing and disposing of SECRET and RESTRICTED papers.",
        "Our webinar covers what a CONFIDENTIAL marking means and how to store marked files.",
        # promises, verbs and drafts out for comment
        "We will treat your complaint as confidential and reply within 7 days.",
        "Roads classified as per the 2022 schedule are listed below.",
        "The draft rules, not yet approved, are open for public comment until 30 June.",
        "Draft agenda: AGM on Friday at 10.",
        "Draft, not final: the tourism rules are online for public comment until 30 June.",
        # a heading's authority that is not a rule of secrecy describes the thing
        "Classified as per the IUCN list: the white-bellied heron is critically endangered.",
        "Restricted per the park rules: drones in the core zone.",
        "Sharing the good news before it is announced on BBS tonight: our park won the award!",
        "ཟིན་བྲིས་ འདི་ ལུ་ བསམ་འཆར་ བཏང་གནང་།",
        "Share the draft widely: public consultation on the park plan, comments by Friday.",
        # ordinary words
        "Notice, restricted parking: use the rear gate.",
        "Strictly confidential counselling is available for staff at the HR office.",
        "The hush of the forest at dawn is worth the trek.",
        "Off-road vehicles are restricted in the core zone.",
        # "do not spread" said of a rumour
        "Rumour ma spel bay la, the fee waiver message is fake.",
        "like, share ma bay, subscribe",
        # negations and announcements that restrict nothing, or only the reader's own codes
        "Do not share: your OTP is for you alone.",
        "Not to be missed: the tiger day festival this Saturday!",
        "Not for sale: seedlings are free at the nursery.",
        "Please share your views before the official release of the draft plan.",
        "The census report will be published before the official announcement of the new plan.",
        "The unreleased film will screen at the festival.",
        "Please keep this in mind: the office closes at 1 pm on Saturday.",
        "Keep it in the fridge: vaccines need 2-8°C.",
        "ཁྱེད་ཀྱི་ གནས་ཚུལ་ ཕྱི་ཁར་ སྤེལ་ནི་མེད།",
        "ཁྱེད་ཀྱི་ མིང་ གསང་བ་སྦེ་ བཞག་འོང་།",
        "ཁྱེད་ཀྱི་ མིང་ གསང་བ་སྦེ་ བཞག་དགོ།",
        "Keep it between the lines when you park.",
        "Keep this in the family album: photos from tiger day!",
        # ཕྱིར is also "back": forms will not be sent back
        "ཤོག་འཛིན་ ཕྱིར་ གཏང་ནི་མེད། ཆོག་ཐམ་ ཁ་ཐུག་ལས་ ལེན་གནང་།",
        "ལཱ་ཁོ་ན་ བཞག་སྟེ་ འཇམ་ཏོག་ཏོ་སྦེ་ སྡོད།",
    ],
)
def test_markings_talked_about_and_ordinary_words_pass(text: str) -> None:
    assert "marking" not in held(text, CONTEXT), text
