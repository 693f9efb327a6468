"""Round 3 of issue 14: the learned taking-sides model beside the rules, and the rule shapes the second
held-out set showed missing (home addresses, grouped mobiles, support across sentences, symbol
comparisons, markings used as adjectives or abbreviated)."""

from __future__ import annotations

import json

import pytest

from civicloop.guidelines import CheckContext, check
from civicloop.guidelines.checker import rulebook
from civicloop.guidelines.lexicons import data_text
from civicloop.guidelines.sides_model import CANDIDATE, PARTY, features, shipped_model, words_of
from civicloop.guidelines.text import prepare

CANDIDATES = CheckContext(extra_terms=(("candidates", "Ngawang Pelzang"), ("candidates", "Yeshi Choden Tamang")))


def _rules(text: str, context: CheckContext | None = None, *, learned: bool = True) -> list[tuple[str, str]]:
    context = context or CheckContext()
    book = rulebook(context.extra_terms, context.removed_terms, context.parties)
    return [(f.rule_id, text[f.start : f.end]) for f in book.check(text, context, learned=learned)]


def test_a_learned_finding_names_its_guideline_how_to_fix_and_the_words_that_weighed_most() -> None:
    text = "Who else but the ruling party has ever delivered for us? Think hard next month, friends."
    assert not [r for r, _ in _rules(text, learned=False) if r.startswith("political.")]
    [finding] = [f for f in check(text) if f.rule_id == "political.learned"]
    assert finding.severity.value == "high" and finding.guideline.startswith("Social media policy")
    assert "Rewrite the words" in finding.suggestion
    assert "The words that weighed most: “" in finding.explanation
    named = finding.explanation.split("weighed most: ")[1].rstrip(".").split(", ")
    assert 1 <= len(named) <= 3 and all(w.strip("“”") in text for w in named)


def test_the_model_does_not_speak_when_a_rule_already_holds_and_passes_neutral_notices() -> None:
    assert not [r for r, _ in _rules("Vote for DPT on Tuesday!") if r == "political.learned"]
    for text in (
        "The ECB has announced the results: PDP won 30 seats and DNT 17.",
        "Polling is on 9 January. Carry your voter photo ID card to the polling station.",
        "The DPT vaccine booster is due at 18 months.",
        "Please support the blood donation drive at the national referral hospital this Saturday.",
    ):
        assert not [r for r, _ in _rules(text) if r.startswith("political.") and r != "political.party"], text


def test_names_reach_the_model_as_placeholders_so_any_deployments_parties_count() -> None:
    text = "Ngawang Pelzang and DPT"
    prepared = prepare(text)
    forms = [w.form for w in words_of(prepared, rulebook(CANDIDATES.extra_terms).named_sides(prepared))]
    assert forms == [CANDIDATE, "and", PARTY]
    occurrences = [f for f, _ in features(words_of(prepared, []), False)]
    assert "w:ngawang" in occurrences and "b:ngawang pelzang" in occurrences and "c: ng" in occurrences


def test_the_shipped_model_says_how_it_was_trained_and_never_on_the_held_out_set() -> None:
    data = json.loads(data_text("sides_model.json"))
    assert data["trained_on"] == [
        "labelled",
        "tuning-round1",
        "tuning-round2",
        "tuning-round3",
        "tuning-round4",
        "tuning-round5",
        "tuning-round6",  # the sixth held-out set, "f", tuning data since round 7
        "tuning-round7",  # the seventh held-out set, "g", tuning data since round 8
        "tuning-round8",  # the eighth held-out set, "h", tuning data since round 9
        "tuning-round9",  # the ninth held-out set, "i", tuning data since round 10
    ]
    assert 0 < data["threshold"] < 1 and data["seed"] == 14
    model = shipped_model()
    assert model is not None and model.threshold == data["threshold"]


def test_support_carried_across_sentences_and_symbol_comparisons_are_taking_sides() -> None:
    rules = _rules("Ngawang Pelzang got my village its farm road. He has my vote.", CANDIDATES, learned=False)
    assert ("political.canvassing", "He has my vote") in rules
    assert ("political.endorsement", "Support her") in _rules(
        "Yeshi Choden Tamang is the voice Samtse needs. Support her!", CANDIDATES, learned=False
    )
    assert ("political.comparison", "PDP > DNT") in _rules("PDP > DNT. simple.", learned=False)
    assert ("political.canvassing", "anyone but DPT") in _rules("anyone but DPT this time tbh", learned=False)
    # A pronoun after a name is a side only when votes or support are asked for it.
    for text, mention in (
        ("Yeshi Choden Tamang visited the school. She thanked the teachers.", "political.candidate"),
        ("DPT members visited the depot. They asked staff to support the blood drive.", "political.party"),
        ("Ngawang Pelzang filed his nomination. His papers were accepted.", "political.candidate"),
    ):
        assert [r for r, _ in _rules(text, CANDIDATES, learned=False) if r.startswith("political.")] == [mention]


def test_a_home_address_tied_to_a_person_is_personal_data_and_an_office_address_is_not() -> None:
    held = {
        "Learner licence issued to Ugyen Dorji, residing at house no. 7, Dechencholing.": "house no. 7",
        "The complainant, Mr Ugyen Tshering of House No. 24, Changzamtog, will be visited.": "House No. 24",
        "The vehicle is registered to Nima Lhamo, Flat 3B, Building 12, Olakha.": "Flat 3B",
        "ཚེ་རིང་ཡང་འཛོམས་ཀྱི་ སྡོད་ས་ ཐིམ་ཕུ་ ཁྱིམ་ཨང་ ༢༤ ཨིན།": "ཁྱིམ་ཨང་ ༢༤",
    }
    for text, span in held.items():
        assert ("personal.home_address", span) in _rules(text), text
    for text in (
        "Our office has moved to Building 12, Olakha, next to the post office.",
        "A flat 10 per cent discount applies to all renewals this month.",
        "House numbers will be painted on every building in Babesa by March 2027.",
    ):
        assert not [r for r, _ in _rules(text) if r == "personal.home_address"], text


def test_mobiles_grouped_two_two_four_are_found_and_dates_are_not() -> None:
    for text, number in (
        ("Reach the instructor Dorji at +975-17-88-2231.", "+975-17-88-2231"),
        ("For the carpool group contact Chimi on 77-12-3456.", "77-12-3456"),
        ("ལམ་སྟོན་པ་ རྡོ་རྗེ་ ལུ་ +975 17 88 2231 ལུ་ ཁ་པར་གཏང་།", "+975 17 88 2231"),
    ):
        assert ("personal.mobile", number) in _rules(text), text
    for text in ("The office reopens on 17-12-2024.", "Renewals close 17 11 2026 at noon."):
        assert not [r for r, _ in _rules(text) if r.startswith("personal.")], text


def test_markings_as_adjectives_and_abbreviated_are_markings_and_reassurance_is_not() -> None:
    for text in (
        "Confidential staff circular No. 12: no leave will be granted during the audit.",
        "The classified tender evaluation shows the lowest-scoring company still won.",
        "pls dont forward: ministry plans to merge RSTA regional offices in 2027",
        "Leaked staff survey: 70% of our staff are unhappy with the transfer policy.",
    ):
        assert [r for r, _ in _rules(text) if r == "confidential.marking"], text
    for text in (
        "Your feedback goes through our confidential helpline and is never shared.",
        "Please don't forward unverified messages about the results; check ecb.bt.",
        "Browse the classified ads section for second-hand vehicles.",
        "ཚོགས་རྒྱན་འདི་ གསང་བ་ཨིན། ཚོགས་རྒྱན་བཙུགས་སའི་ནང་ པར་ མ་བཏབ།",
        "The leaking pipe at the bus terminal was fixed this morning.",
    ):
        assert not [r for r, _ in _rules(text) if r.startswith("confidential.")], text


def test_an_election_period_is_a_feature_the_model_reads() -> None:
    prepared = prepare("Come to the rally")
    assert ("p:period", 0) in features(words_of(prepared, []), True)
    assert all(f != "p:period" for f, _ in features(words_of(prepared, []), False))


def test_the_model_is_not_asked_about_texts_with_nothing_political_in_them() -> None:
    # With no side, vote, election or campaign word the model has nothing to weigh; its bias alone
    # held short replies ("Fixed tonight." at 0.84) before this gate.
    for text in ("Fixed tonight.", "Done.", "Thank you, we will look into it.", "ok"):
        assert _rules(text) == [], text


@pytest.mark.xfail(
    reason="round 10 chooses the threshold for precision >= 0.95 on every left-out set (0.68); this text "
    "scores 0.67, so only the campaign rule (in an election period) holds it now",
    strict=True,
)
def test_promoting_one_partys_event_is_held_by_the_model_outside_an_election_period() -> None:
    # The independent sets label promoting one party's event as taking sides; the campaign rule only
    # counts it in an election period, the model learned it from those texts.
    assert [r for r, _ in _rules("Watch DNT's live debate tonight and share it.")] == ["political.learned"]
