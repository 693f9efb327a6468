"""The pure checker: exact spans, look-alikes, Dzongkha, election phases, overrides, odd input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.guidelines import Category, CheckContext, ElectionPhase, Party, Severity, check, explain
from civicloop.guidelines.checker import rulebook


def _rules(text: str, context: CheckContext | None = None) -> list[tuple[str, str]]:
    return [(f.rule_id, text[f.start : f.end]) for f in check(text, context=context)]


def test_a_cid_is_flagged_with_its_exact_span_an_explanation_and_a_suggestion() -> None:
    text = "Dear Sir, we checked CID 11512003456 and the permit is ready."
    [finding] = check(text)
    assert (finding.rule_id, finding.category, finding.severity) == (
        "personal.cid",
        Category.personal_data,
        Severity.high,
    )
    assert text[finding.start : finding.end] == "11512003456"
    assert "Citizenship ID" in finding.explanation and "privately" in finding.suggestion
    assert finding.guideline.startswith("Social media policy")


def test_look_alikes_of_cids_and_phones_are_not_flagged() -> None:
    clean = [
        "The budget is Nu. 17,500,000 for 2024-25.",
        "Nu 17123456 was released for the Hejo bridge.",
        "Application reference BP-2025-004512 and receipt no. 77123456.",
        "We counted 17123456 visitors… no, 1,712 visitors in 2024.",
        "Population 114,551; 77 buses; 17 km of road; timestamp 20250315093045.",
        "The shipment weighed 17123456 kg.",
        "Call +975 2 322245 for the front desk (office).",
        "Application 21512003456 is not a CID: wrong category.",
    ]
    for text in clean:
        assert [f for f in check(text) if f.category is Category.personal_data] == [], text
    # Since round 6 the district digits are not checked: any 11 digits of the citizen category count.
    assert _rules("Application 19912003456 is pending.") == [("personal.cid", "19912003456")]


def test_every_written_form_of_a_mobile_number_is_caught() -> None:
    for number in [
        "17123456",
        "17-123456",
        "17 12 34 56",
        "1712 3456",
        "17 123 456",
        "+975 17123456",
        "+975-77-123456",
        "00975 77123456",
        "97577123456",
        "(+975) 17 12 34 56",
    ]:
        assert _rules(f"Pema's mobile is {number}.") == [("personal.mobile", number)], number


def test_a_number_named_as_a_phone_or_a_messaging_account_is_caught_however_grouped() -> None:
    """A date-shaped number is a phone when a phone word, or a platform's contact word (WeChat's, declared
    in its folder), announces it."""
    assert _rules("The fair is on 17 12 2024.") == []
    assert _rules("Pema's mobile: 17 12 2024.") == [("personal.mobile", "17 12 2024")]
    assert _rules("Add me on WeChat: 17 12 2024.") == [("personal.mobile", "17 12 2024")]


def test_tibetan_digits_are_numbers_and_spans_stay_exact() -> None:
    text = "ཁྱེད་ཀྱི་ ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་ ༡༡༥༡༢༠༠༣༤༥༦ ལུ་ ཞིབ་དཔྱད་འབད་ཡི། ཁ་པར་ ༡༧༡༢༣༤༥༦"
    assert _rules(text) == [("personal.cid", "༡༡༥༡༢༠༠༣༤༥༦"), ("personal.mobile", "༡༧༡༢༣༤༥༦")]


def test_emails_of_offices_are_public_and_personal_ones_are_not() -> None:
    text = "Write to feedback@thimphucity.bt, karma.w@moit.gov.bt or info@example.com, not to dorji88@gmail.com."
    assert _rules(text) == [("personal.email", "dorji88@gmail.com")]


def test_an_agencys_published_numbers_are_not_personal_data() -> None:
    context = CheckContext(public_contacts=("77889900",))
    assert _rules("For garbage pickups call 77889900.", context) == []
    assert _rules("For garbage pickups call 77889900.") == [("personal.mobile", "77889900")]


def test_markings_count_as_markings_only_when_they_are_markings() -> None:
    assert _rules("CONFIDENTIAL - tender evaluation minutes")[0] == ("confidential.marking", "CONFIDENTIAL")
    assert _rules("Confidential: the new fare table")[0] == ("confidential.marking", "Confidential")
    assert _rules("The plan (for official use only) is attached.")[0][0] == "confidential.marking"
    assert _rules("Your complaint will be kept confidential.") == []
    assert _rules("Parking is restricted on Norzin Lam.") == []
    assert _rules("THE SECRET IS OUT: WE ARE BUILDING A NEW BUS STOP!") == []  # shouting is not a marking


def test_a_cid_shaped_number_is_personal_data_whatever_label_precedes_it() -> None:
    for text in ("Order number 11512003456 was dispatched.", "Ref: 11512003456", "Your permit number 11512003456."):
        assert _rules(text) == [("personal.cid", "11512003456")], text


def test_a_declared_reference_format_says_a_cid_shaped_number_is_a_reference() -> None:
    declared = CheckContext(reference_formats=("1##########", "BP-YYYY-######"))
    assert _rules("Ref: 11512003456", declared) == []
    assert _rules("Your permit APP-11512003456 is ready.", CheckContext(reference_formats=("APP-###########",))) == []
    # A format that does not fit the number changes nothing.
    assert _rules("Ref: 11512003456", CheckContext(reference_formats=("BP-YYYY-######",))) == [
        ("personal.cid", "11512003456")
    ]


def test_neutrality_tightens_in_an_election_period_and_the_embargo() -> None:
    text = "DNT members visited the bus terminal."
    severities = [check(text, context=CheckContext(election=phase))[0].severity for phase in ElectionPhase]
    assert severities == [Severity.low, Severity.low, Severity.high]
    # Announcing a party's event only warns outside an election period (the learned model reads
    # "watch DNT's debate and share it" as promoting a side, and holds that one: tests/guidelines/test_round3.py).
    assert _rules("DNT's manifesto launch is on Saturday at the Clock Tower.") == [("political.party", "DNT")]
    in_period = check(
        "DNT's manifesto launch is on Saturday at the Clock Tower.", context=CheckContext(election=ElectionPhase.period)
    )
    assert {(f.rule_id, f.severity) for f in in_period} == {("political.campaign", Severity.high)}
    assert _rules("Remember to vote for the candidate of your choice.") == []
    assert _rules("The DPT vaccine booster is due at 18 months.") == []
    assert _rules("Please vote for DPT.") == [("political.canvassing", "vote for DPT")]


def test_the_issues_examples_take_sides_and_neutral_mentions_do_not() -> None:
    text = "We thank DPT for the farm road; PDP never cared about Thimphu. Vote wisely!"
    assert _rules(text) == [("political.endorsement", "thank DPT"), ("political.attack", "PDP never cared")]
    text = "Our ruling party has delivered; the opposition only complains. Support the government at the polls."
    assert [rule for rule, _ in _rules(text)] == ["political.endorsement", "political.attack", "political.endorsement"]
    for neutral in (
        "The ECB announced the results: PDP won 30 seats and DNT 17.",
        "Polling for the National Assembly is on 9 January; DPT, DNT and PDP have filed their candidates.",
        "The DPT vaccine is free at every health centre.",
    ):
        assert all(f.severity is Severity.low for f in check(neutral)), neutral


def test_an_abbreviation_in_small_letters_counts_only_with_a_call_for_votes_or_support() -> None:
    assert _rules("dnt lu vote bay la") == [("political.canvassing", "dnt lu vote")]
    assert _rules("Ap, dnt worry, the water will be back by 5 pm. Thanks dnt!") == []


def test_parties_come_from_the_context_in_every_form() -> None:
    party = Party(name="Druk Green Party", abbreviation="DGP", name_dz="འབྲུག་ལྗང་ཁུ་ཚོགས་པ", slogans=("#GreenDruk",))
    context = CheckContext(parties=(party,))
    assert _rules("Vote for DGP!", context) == [("political.canvassing", "Vote for DGP")]
    assert _rules("Support Druk Green Party.", context) == [("political.endorsement", "Support Druk Green Party")]
    # Not a party in this deployment, but an explicit call to vote for an acronym or a proper name still
    # canvasses (round 5: in every labelled set, "vote for" a capitalised name or acronym was a party or a
    # candidate, save designs, themes, stalls and awards, which pass).
    assert _rules("Vote for DPT!", context) == [("political.canvassing", "Vote for DPT")]
    assert _rules("Vote for the Best Stall at the Tshechu!", context) == []
    assert _rules("Clean streets #GreenDruk", context) == [("political.slogan", "#GreenDruk")]
    assert _rules("འབྲུག་ལྗང་ཁུ་ཚོགས་པ་ལུ་ཚོགས་རྒྱན་བཀལ།", context)[0][0] == "political.canvassing"


def test_candidates_and_agency_terms_come_from_overrides_and_context() -> None:
    context = CheckContext(extra_terms=(("candidates", "Kelzang Tobgyel"),), agency_terms=("Project Zhungdra",))
    text = "Kelzang Tobgyel opened Project Zhungdra."
    assert _rules(text, context) == [
        ("political.candidate", "Kelzang Tobgyel"),
        ("confidential.agency_term", "Project Zhungdra"),
    ]
    assert _rules(text) == []


def test_national_oversight_can_remove_a_shipped_term() -> None:
    assert _rules("Stop being a clown.") == [("civility.insult", "clown")]
    assert _rules("Stop being a clown.", CheckContext(removed_terms=(("insults", "Clown"),))) == []


def test_a_word_inside_a_longer_word_does_not_match() -> None:
    assert _rules("The Secretary met the Foolproof Systems team; DPTs and DNTS are not parties.") == []


def test_explain_gives_plain_dicts_for_json() -> None:
    text = "You idiot."
    [item] = explain(check(text), text)
    assert item["text"] == "idiot" and item["category"] == "civility" and item["rule"] == "civility.insult"


def test_the_rule_book_is_compiled_once_per_set_of_overrides() -> None:
    assert rulebook() is rulebook()
    assert rulebook((("insults", "numbskull"),)) is not rulebook()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_any_text_in_any_script_gives_findings_with_valid_spans(text: str) -> None:
    for finding in check(text, context=CheckContext(election=ElectionPhase.embargo, agency_terms=("x y",))):
        assert 0 <= finding.start < finding.end <= len(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="༠༡༢༣༤༥༦༧༨༩ ་།ཀཁགངཅཆཇཉཏཐདནཔཕབམཙཚཛཝཞཟའཡརལཤསཧཨིེོུ0123456789+-", max_size=200))
def test_dzongkha_with_tibetan_digits_never_breaks_the_checker(text: str) -> None:
    for finding in check(text):
        assert 0 <= finding.start < finding.end <= len(text)


def test_a_mobile_shaped_number_inside_a_declared_reference_is_that_reference() -> None:
    """The eighth held-out set's park permits (``PEP-@@-########``) were held as mobiles though declared."""
    permits = CheckContext(reference_formats=("PEP-@@-########",))
    for text in ("Your park entry permit number will look like PEP-JD-17458321.", "Permit (PEP-JD-17458321)."):
        assert check(text, context=permits) == [], text
        assert [f.rule_id for f in check(text)] == ["personal.mobile"], "without the declared format it is a mobile"
    both = "Permit PEP-JD-17458321, or call Dorji on 17458321."
    assert [both[f.start : f.end] for f in check(both, context=permits)] == ["17458321"]
