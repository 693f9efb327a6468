"""Round 4 of issue 14: the shapes the third held-out set showed missing, written afresh (other names,
places and wordings than that set's texts) with their look-alikes: health details tied to a person,
homes placed without a number, odd phone groupings, Dzongkha markings, markings talked about rather
than used, parties' events and campaign recruiting, sides by a short name."""

from __future__ import annotations

import pytest

from civicloop.guidelines import CheckContext, ElectionPhase, Party, check
from civicloop.guidelines.checker import rulebook
from civicloop.guidelines.redact import redact_text
from civicloop.guidelines.text import prepare

PARTIES = (
    Party(name="Druk Chhoetse Tshogpa", abbreviation="DCT", name_dz="འབྲུག་ཆོས་རྩེ་ཚོགས་པ"),
    Party(name="Gakyid Namdrol Tshogpa", abbreviation="GNT"),
)
CONTEXT = CheckContext(parties=PARTIES, extra_terms=(("candidates", "Sonam Lhendrup Dukpa"),))


def _rules(text: str, context: CheckContext = CONTEXT, *, learned: bool = True) -> list[str]:
    book = rulebook(context.extra_terms, context.removed_terms, context.parties)
    return [f.rule_id for f in book.check(text, context, learned=learned)]


@pytest.mark.parametrize(
    "text",
    [
        "Our accountant Tshering Yangzom has been diagnosed with breast cancer; please keep her in your prayers.",
        "Lab result for Ugyen Tenzin: hepatitis C positive, follow-up next week.",
        "Ap Sangay of Lingmethang is on dialysis twice a week, so his land case is postponed.",
        "Karma (diabetes) and Pema (hypertension) will skip the hike.",
        "ནད་པ་ བསོད་ནམས་ གློ་ཚད་ཐོན་ཡི། ཁོ་ སྨན་ཁང་ནང་ཡོད།",
    ],
)
def test_health_details_tied_to_a_person_are_personal_data(text: str) -> None:
    assert "personal.health" in _rules(text, learned=False), text


@pytest.mark.parametrize(
    "text",
    [
        "Free TB screening at the Gelephu hospital this week for everyone over 15.",
        "World Diabetes Day: a free check-up camp for all residents on Saturday.",
        "Dr. Kinley, our cancer specialist, will give a talk on prevention.",
        "Cancer cases rose by 4% last year, the annual health bulletin shows.",
    ],
)
def test_health_services_and_statistics_are_not_personal_data(text: str) -> None:
    assert "personal.health" not in _rules(text, learned=False), text


def test_a_health_finding_explains_the_guideline_and_how_to_fix_it_and_redaction_hides_it() -> None:
    text = "Our driver Dorji tested positive for HIV last month."
    finding = next(f for f in check(text, context=CONTEXT) if f.rule_id == "personal.health")
    assert finding.severity.value == "high" and "personal data" in finding.guideline
    assert "stigma" in finding.explanation and "Remove the condition" in finding.suggestion
    assert "[health details]" in redact_text(text)


def test_a_home_placed_without_its_number_is_personal_data_when_tied_to_a_person() -> None:
    for text in (
        "The complaint came from Aum Deki, the house just behind the Changangkha school.",
        "Thank Dasho Wangdi at his home in Dewathang, near the old bazaar.",
        "Meet her at her house behind the BOD office.",
        "ཨ་ཞང་ ཚེ་རིང་ ལྷ་ཁང་གི་ འཁྲིས་ཁར་ ཁྱིམ་ཡོད།",
    ):
        assert "personal.home_address" in _rules(text, learned=False), text
    for text in (
        "The new clinic is the building right behind the dzong.",
        "Our office is next to the old post office in Kanglung.",
        "Dasho visited Ap Tshering at his home in Radhi after the flood.",
    ):
        assert "personal.home_address" not in _rules(text, learned=False), text


def test_mobiles_written_digit_by_digit_or_grouped_oddly_after_the_country_code() -> None:
    for text in (
        "Reach Sonam on 1 7 6 0 3 3 2 8 for the keys.",
        "ཁ་པར་ ༧ ༧ ༦ ༠ ༣ ༣ ༢ ༨ ལུ་ འབྲེལ་བ་འཐབ།",
        "Her number is +975 77 6 033 28.",
    ):
        assert "personal.mobile" in _rules(text, learned=False), text
    for text in ("The meeting is on 17.11.2025 at 10 am.", "We planted 17 7 year old trees."):
        assert "personal.mobile" not in _rules(text, learned=False), text


@pytest.mark.parametrize(
    "text",
    [
        "ཕྱིར་བསྐྱར་གཏང་མ་འབད། ལས་ཁུངས་ཀྱི་ ཟིན་བྲིས་ འོག་ལུ་ཡོད།",
        "བཀག་ཆ་ཅན་གྱི་ སྙན་ཞུ་ འདི་ཨིན།",
        "ཉིན་བཅད་: ཟླ་བ་ ༣ པའི་ ཚེས་ ༡ མ་ཚུན་ སྤེལ་ནི་མེད།",
        "Classified annex on the hydropower deal, key numbers below.",
        "Secret la, the board minutes are attached.",
        "Here are the restricted tender estimates for the bridge.",
    ],
)
def test_markings_in_dzongkha_romanised_and_as_adjectives_are_held(text: str) -> None:
    assert "confidential.marking" in _rules(text, learned=False), text


@pytest.mark.parametrize(
    "text",
    [
        "Reports of a leaked exam paper are false; the papers were sealed until the exam.",
        "Workshop for records staff: how to store and handle SECRET and CONFIDENTIAL documents.",
        "The Protection of Classified Information Act comes into force in July.",
        "ཁྱེད་ཀྱི་ སྒེར་གྱི་ གནས་ཚུལ་ མི་མང་ལུ་ སྤེལ་ནི་མེད། ཉེན་སྲུང་འབད་འོང་།",
        "Entry to the dzong courtyard is restricted to the list of invited guests.",
        "ཁྱོད་ཀྱི་ཚོགས་རྒྱན་ གསང་བའི་ཚོགས་རྒྱན་ཨིན།",
    ],
)
def test_markings_talked_about_rather_than_used_are_not_held(text: str) -> None:
    assert "confidential.marking" not in _rules(text, learned=False), text


@pytest.mark.parametrize(
    "text",
    [
        "The DCT youth rally is at Changlimithang on Saturday. Come along with your friends!",
        "We need volunteers for the Sonam Lhendrup Dukpa team in Trongsa; sign up by message.",
        "Reminder: the Dasho's campaign dinner is at 7 pm, attendance is appreciated.",
        "Please share the GNT manifesto video with your family.",
        "GNT གི་ འཛོམས་འདུ་ ཚེས་ ༥ ལུ་ཡོད། ག་ར་ བྱོན་གནང་།",
    ],
)
def test_promoting_a_partys_event_or_recruiting_for_a_campaign_is_held_outside_a_period(text: str) -> None:
    assert "political.mobilising" in _rules(text, learned=False), text


@pytest.mark.parametrize(
    "text",
    [
        "Traffic will be diverted near the DCT rally venue on Saturday; use the Babesa road.",
        "Civil servants: do not share GNT posts or posters from your official accounts.",
        "Volunteers needed for the cleaning campaign at the river; come along on Sunday!",
        "Come and join the archery team practice at Changlimithang.",
    ],
)
def test_events_mentioned_for_practical_reasons_and_non_party_events_are_not_mobilising(text: str) -> None:
    assert "political.mobilising" not in _rules(text, learned=False), text


def test_a_side_by_its_short_name_or_a_candidates_surname_is_a_side() -> None:
    book = rulebook(CONTEXT.extra_terms, CONTEXT.removed_terms, CONTEXT.parties)
    for text, short in (("Team Chhoetse all the way!", "Chhoetse"), ("Dukpa's team has no vision.", "Dukpa")):
        assert [text[a:b] for a, b, _ in book.named_sides(prepare(text))] == [short], text
    assert "political.attack" in _rules("Dukpa's team has no vision at all.", learned=False)
    assert "political.slogan" in _rules("#ChhoetseForAll", learned=False)
    assert not book.named_sides(prepare("Team Druk won the final."))


def test_the_opposition_in_dzongkha_and_the_same_people_are_sides() -> None:
    for text in (
        "ཕྱོགས་འགལ་ཚོགས་པ་གིས་ ག་ནི་ཡང་མ་འབད།",
        "The same people did nothing for five years.",
    ):
        assert any(r.startswith("political.") for r in _rules(text, learned=False)), text


def test_the_model_stays_silent_on_votes_and_teams_with_no_side_in_them() -> None:
    for text in (
        "Staff, vote for the design of the new office logo in the poll below!",
        "ང་བཅས་ཀྱི་ སྡེ་ཚན་གྱིས་ མདའ་རྩེད་ནང་ རྒྱལ་ཁ་ཐོབ་ཡི།",
        "Your ballot is secret: nobody can see whom you voted for.",
    ):
        assert not [r for r in _rules(text) if r.startswith("political.")], text


def test_in_an_election_period_the_same_invitations_still_hold() -> None:
    period = CheckContext(parties=PARTIES, election=ElectionPhase.period)
    assert "political.mobilising" in _rules("Free bus to the DCT convention, seats still available!", period)
