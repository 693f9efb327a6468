"""Round 9 of issue 14, personal data and markings: general mechanisms for what the eighth held-out set
(set h) showed missing, written afresh (other people, numbers and wordings than that set's texts), each
with clean look-alikes. Passport numbers of letters and digits in any order; a mobile spelt with its
country code; a Dzongkha date written year first; injuries of a named person; the agency's own fee
account among its public contacts."""

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
        "ལཱ་གཡོག་པ་ ཀུན་ལེགས་ ཁོ་ལུ་ རྨས་སྐྱོན་ ཚབས་ཆེན་ ཕོག་ཡི།",
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
