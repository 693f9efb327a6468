"""The rules suggest hiding only for what the policy names — another person's personal data, known scam
links, one person's repeated text — and never for a viewpoint: no comment in a set of sharp criticism of
agencies and the government (English, Dzongkha, romanised, mixed) is suggested for hiding."""

from __future__ import annotations

import pytest

from civicloop.moderation.policy import Ground
from civicloop.moderation.rules import REPEATS, suggest

CRITICISM = [
    "The Thromde is completely useless. Three months and the streetlight on Norzin Lam is still out!",
    "Shame on the Ministry of Health. Patients wait 6 hours at JDWNRH while officials get VIP treatment.",
    "This government is corrupt and incompetent. The minister should resign today.",
    "Your new bus stop design is ugly, expensive and a total waste of taxpayers' money.",
    "Stop lying to us. You promised the road to Babesa would be fixed by 2024. It is 2026.",
    "I disagree with the new tobacco policy. It punishes small shopkeepers and helps nobody.",
    "Why does the Thromde only listen to rich people in Motithang? The rest of us pay tax too.",
    "Disgraceful. The water supply in Changzamtog has been cut for 5 days and nobody answers the phone.",
    "The ministry's policy on mining is a disaster for the environment and for the villagers of Pemagatshel.",
    "Officials spend money on new Prados while schools in Trashigang have no teachers. Pathetic!",
    "These consultations are a sham: you decided before asking us.",
    "Total failure of leadership. Vote them out in the next election.",
    "I am angry. My building permit has been stuck for 11 months. Is anyone even working there?",
    "WORST SERVICE EVER!!! Fix the potholes on Chang Lam!!!",
    "གཞུང་གིས་ ལཱ་ག་ནི་ཡང་ མ་འབད་བས། ངེད་ཚུ་ལུ་ ཆུ་མེདཔ་ཉིནམ་ ༥ ཐལ་ཡི།",
    "ལམ་འདི་ ལོ་ ༣ གི་རིང་ ཉམས་བཅོས་མ་འབད་བར་ཡོད། འགན་འཁུར་ཅན་ཚུ་ ཕྱིར་འཐེན་འབད་དགོ།",
    "Thromde gi lam di gadi ya ma bay, nga tshu gi tax lu khe mey.",
    "Ministry ya chap chap, policy di ngo ma tsho. Minister resign bay dgo!",
    "The police did nothing when I reported the theft. Useless and lazy.",
    "You are ignoring the farmers of Punakha. The rice price policy ruined us.",
]


@pytest.mark.parametrize("text", CRITICISM)
def test_criticism_of_government_is_never_suggested_for_hiding(text: str) -> None:
    assert suggest(text) == []
    # Said again and again by many people it is a campaign, not spam: only one person's repeats count.
    assert suggest(text, repeats=REPEATS - 1) == []


def test_another_persons_id_or_phone_is_suggested_as_personal_data() -> None:
    (found,) = suggest("The officer who took the bribe is Dorji, CID 11512003456, phone 17123456")
    assert found.ground is Ground.personal_data and found.rule == "personal_data"
    assert "citizenship ID" in found.reason and "mobile number" in found.reason
    assert suggest("Email the culprit at pema.dorji@gmail.com")[0].ground is Ground.personal_data


def test_a_known_scam_link_is_suggested_as_spam_and_an_ordinary_link_is_not() -> None:
    (found,) = suggest("Claim your prize now: https://login.druk-lottery-winner.com/claim?id=7")
    assert (found.ground, found.rule) == (Ground.spam, "scam_link")
    assert "druk-lottery-winner.com" in found.reason
    assert suggest("Read the budget at https://www.mof.gov.bt/budget and see how wasteful it is") == []
    assert suggest("not-druk-lottery-winner.company.example is fine") == []


def test_one_persons_repeated_text_is_suggested_as_spam() -> None:
    (found,) = suggest("Follow my page for free data!", repeats=REPEATS)
    assert (found.ground, found.rule) == (Ground.spam, "repeated_text")
