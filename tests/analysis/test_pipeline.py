"""The pure pipeline on generated feedback with planted themes and campaigns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from civicloop.analysis import embed, sentiment
from civicloop.analysis.dedup import find_duplicates
from civicloop.analysis.embed import stand_in_vectors
from civicloop.analysis.labels import describe
from civicloop.analysis.learn import ari as adjusted_rand_score
from civicloop.analysis.normalize import detect_language, normalize
from civicloop.analysis.pipeline import OTHER_ID, AnalysisOptions, AnalysisResult, _quotes, analyse
from civicloop.errors import Invalid
from tests.analysis import questions
from tests.analysis.corpus import generate

CORPUS = generate()


def keep(text: str) -> str:
    return text.replace("Pema", "[name]")


@pytest.fixture(scope="module")
def fast_result():  # type: ignore[no-untyped-def]
    return analyse(
        CORPUS.texts, CORPUS.ids, created=CORPUS.created, channels=CORPUS.channels, embedder="fast", redact=keep
    )


def test_normalize_strips_links_mentions_and_boilerplate() -> None:
    text = "Sent from my iPhone\n@Thromde the #BusStop https://t.co/x1 leaks\nSee translation"
    assert normalize(text) == "the busstop leaks"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The drain on Norzin Lam is blocked again", "en"),
        ("ལམ་འདི་ལུ་ཆུ་མེད།", "dz"),
        ("Der Bus kommt heute wieder nicht pünktlich an", "other"),
        ("", "other"),
    ],
)
def test_language_by_script_and_words(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_exact_and_near_duplicates_group_but_different_texts_do_not() -> None:
    base = "please withdraw the proposed parking fee increase in the town centre it hurts small shops"
    texts = [base, base.upper(), base.replace("small", "little"), "the bus shelter at hejo has no roof at all"]
    duplicates = find_duplicates([normalize(t) for t in texts])
    assert duplicates.group[0] == duplicates.group[1] == duplicates.group[2]
    assert duplicates.group[3] != duplicates.group[0]
    assert list(duplicates.sizes) == [3, 1]


def test_campaigns_found_with_count_channels_and_arrival(fast_result) -> None:  # type: ignore[no-untyped-def]
    planted = {n: [i for i, c in enumerate(CORPUS.campaign) if c == n] for n in (1, 2)}
    found = fast_result.campaigns
    assert len(found) == 2
    for campaign in found:
        members = set(campaign.members.tolist())
        best = max(planted.values(), key=lambda rows: len(members & set(rows)))
        recall = len(members & set(best)) / len(best)
        precision = len(members & set(best)) / len(members)
        assert recall >= 0.9 and precision == 1.0
        times = [CORPUS.created[i] for i in members]
        assert campaign.first_seen == min(times) and campaign.last_seen == max(times)
        assert set(campaign.channels) <= {"facebook", "x", "wechat", "web"} and campaign.channels
    # The mail-merge letter is shown once, redacted by the given function.
    letter = next(c for c in found if c.text.startswith("Dear"))
    assert "Pema" not in letter.text


def test_campaign_members_count_once_in_theme_size(fast_result) -> None:  # type: ignore[no-untyped-def]
    data = fast_result.to_json()
    assert sum(t["raw_size"] for t in data["themes"]) == len(CORPUS.texts)
    assert sum(t["size"] for t in data["themes"]) == fast_result.unique < len(CORPUS.texts) - 50


def test_json_has_the_documented_shape_and_every_row(fast_result) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(fast_result.to_json()))
    assert set(data) == {"themes", "campaigns", "questions", "assignments", "run"}
    assert set(data["assignments"]) == set(CORPUS.ids)
    theme_ids = {t["id"] for t in data["themes"]}
    assert set(data["assignments"].values()) <= theme_ids
    for theme in data["themes"]:
        assert {"id", "label", "keywords", "size", "raw_size", "sentiment", "quotes", "example"} <= set(theme)
        assert set(theme["sentiment"]) == {"positive", "neutral", "negative"}
        if theme["id"] != OTHER_ID and theme["size"] >= 3:
            assert 3 <= len(theme["quotes"]) <= 5
    assert {"id", "size", "text", "first_seen", "last_seen"} <= set(data["campaigns"][0])
    assert data["run"]["embedder"] == "fast" and data["run"]["messages"] == len(CORPUS.texts)
    assert "tfidf" in data["run"]["model"]


def test_fast_embedder_recovers_planted_themes(fast_result) -> None:  # type: ignore[no-untyped-def]
    # TF-IDF sees each theme's three phrasings as partly separate topics: a lower bar than quality.
    assert adjusted_rand_score(CORPUS.themes, fast_result.theme_of_row) >= 0.4
    assert 4 <= len(fast_result.themes) <= 30


def test_praise_and_complaints_get_their_sentiment(fast_result) -> None:  # type: ignore[no-untyped-def]
    rows = np.array(fast_result.sentiment_of_row)
    planted = np.array(CORPUS.themes)
    assert (rows[planted == "praise"] == "positive").mean() > 0.9
    assert (rows[planted == "water"] == "negative").mean() > 0.9


def test_same_seed_same_result_and_quotes_come_from_the_theme() -> None:
    first = analyse(CORPUS.texts, CORPUS.ids, seed=3, embedder="fast", redact=keep).to_json()
    second = analyse(CORPUS.texts, CORPUS.ids, seed=3, embedder="fast", redact=keep).to_json()
    first["run"].pop("seconds"), second["run"].pop("seconds")
    assert first == second


def test_fit_on_a_sample_assigns_every_message() -> None:
    options = AnalysisOptions(sample_size=120)
    result = analyse(CORPUS.texts, CORPUS.ids, options=options, embedder="fast", redact=keep)
    assert len(result.theme_of_row) == len(CORPUS.texts)
    assert adjusted_rand_score(CORPUS.themes, result.theme_of_row) >= 0.3


def test_a_few_dozen_short_comments_still_get_themes() -> None:
    """Few texts, few shared words: the tree's largest leap is at its bottom, where every group is too small."""
    small = generate(per_theme=3, campaign_size=10, seed=5)
    result = analyse(small.texts, small.ids, embedder="fast", redact=keep)
    real = [theme for theme in result.themes if theme.id != OTHER_ID]
    assert len(real) >= 2 and sum(theme.size for theme in real) >= result.unique / 2


def test_tiny_and_empty_inputs_do_not_fail() -> None:
    assert analyse([], [], redact=keep).to_json()["assignments"] == {}
    result = analyse(["road broken", "road broken", "thanks"], ["a", "b", "c"], redact=keep)
    assert set(result.to_json()["assignments"]) == {"a", "b", "c"}


def test_mismatched_columns_are_refused() -> None:
    with pytest.raises(Invalid):
        analyse(["a", "b"], ["1"], redact=keep)
    with pytest.raises(Invalid):
        analyse(["a", "b"], ["1", "1"], redact=keep)


def test_labels_are_phrases_from_the_theme_never_words_found_in_most_texts_numbers_or_markup() -> None:
    roof = [
        "The bus stop needs a bigger roof, we get wet in the rain at 7 pm.",
        "A bigger roof at the bus stop please, the rain soaks us XXXX.",
        "Bus stop 12: bigger roof please, <b>the rain</b> comes in.",
        "The roof is too small at the bus stop, rain everywhere.",
    ]
    seats = [
        "The bus stop has no benches for old people, 7 pm is a long wait.",
        "More benches for old people at the bus stop, XXXX.",
        "Benches for old people please, at the bus stop there is one seat.",
    ]
    described = describe([roof, seats])
    assert [words.label for words in described] == ["Bigger roof", "Benches for old people"]
    for words in described:
        assert 2 <= len(words.label.split()) <= 6
        every = " ".join(words.keywords).split()
        # "bus", "stop" are in every text; numbers, redaction marks and tags tell nothing.
        assert not {"bus", "stop", "7", "pm", "12", "xxxx", "b"} & set(every), words.keywords


def test_a_label_is_one_phrase_never_two_words_glued_and_in_the_script_most_of_its_messages_use() -> None:
    access = [
        "A ramp for the wheelchair, please.",
        "The kerb is too high for a wheelchair.",
        "Wheelchair access and a low kerb.",
        "My wheelchair cannot climb the step.",
    ]
    lights = [
        "Lights at night please, it is dark.",
        "The stop is dark at night, add lights.",
        "Bright lights please, dark at night.",
        "It is dark, we need lights.",
        "གློག་མེ་ མེད། མཚན་མོ་ ནག་ཚུབ།",
        "མཚན་མོ་ གློག་མེ་ དགོ།",
        "གློག་མེ་ བཙུགས།",
    ]
    seats = ["སྡོད་ཁྲི་ དགོ། རྒས་པ།", "རྒས་པ་ཚུ་ལུ་ སྡོད་ཁྲི།", "སྡོད་ཁྲི་ མང་ཤོས།", "More seats སྡོད་ཁྲི་ please."]
    described = describe([[normalize(t) for t in group] for group in (access, lights, seats)])
    # No phrase with one of its best words is shared by two messages: the best word said plainly, not
    # "Wheelchair and high" nor "The kerb" (a phrase never starts with "the").
    assert described[0].label == "About wheelchair"
    # Most of the lighting messages are in English, most of the seating ones in Dzongkha.
    assert described[1].label == "Dark at night" and described[2].label == "སྡོད་ཁྲི"
    assert "གློག་མེ" in described[1].keywords


def test_dzongkha_is_split_into_syllables_on_the_tsheg_and_tibetan_digits_are_digits() -> None:
    light = ["གློག་མེ་ མེད། མཚན་མོ་ ནག་ཚུབ།", "མཚན་མོ་ གློག་མེ་ དགོ། ༢༠༢༦", "གློག་མེ་ བཙུགས། མཚན་མོ་"]
    seats = ["སྡོད་ཁྲི་ དགོ། རྒས་པ། ༢༠༢༦", "རྒས་པ་ཚུ་ལུ་ སྡོད་ཁྲི།", "སྡོད་ཁྲི་ མང་ཤོས།"]
    assert normalize("༢༠༢༦") == "2026"
    described = describe([[normalize(t) for t in light], [normalize(t) for t in seats]])
    assert described[0].label in ("གློག་མེ", "མཚན་མོ") and described[1].label == "སྡོད་ཁྲི"
    assert not any("2026" in k for words in described for k in words.keywords)


def test_a_question_asked_over_days_is_a_frequent_question_and_a_burst_of_copies_a_campaign() -> None:
    start = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    question = "Where can I renew my trade licence?"
    texts = [question] * 20 + ["Save the old bus stop mural, it is part of our heritage."] * 12
    created = [start + timedelta(hours=9 * n) for n in range(20)] + [
        start + timedelta(days=3, minutes=7 * n) for n in range(12)
    ]
    texts += [f"Comment {n}: the road to Babesa needs repair near house {n}" for n in range(30)]
    created += [start + timedelta(hours=5 * n) for n in range(30)]
    ids = [str(n) for n in range(len(texts))]
    accounts = [f"citizen-{n}" for n in range(len(texts))]
    result = analyse(texts, ids, created=created, accounts=accounts, embedder="fast", redact=str)
    data = result.to_json()
    assert [(c["size"], c["text"]) for c in data["questions"]] == [(20, question)]
    assert [(c["size"], c["text"][:20]) for c in data["campaigns"]] == [(12, "Save the old bus sto")]
    # Asked twenty times within an hour, the same question is a coordinated campaign.
    burst = [start + timedelta(minutes=3 * n) for n in range(20)] + created[20:]
    again = analyse(texts, ids, created=burst, accounts=accounts, embedder="fast", redact=str).to_json()
    assert [c["size"] for c in again["campaigns"]] == [20, 12] and again["questions"] == []


def test_the_quality_embedder_runs_by_default_and_the_fast_one_stands_in_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = ["The roof of the bus stop leaks", "Please add benches", "Lights at night"] * 3
    ids = [str(n) for n in range(len(texts))]
    if embed.quality_installed():
        assert "all-MiniLM-L6-v2" in analyse(texts, ids, redact=str).model
    monkeypatch.setattr(embed, "QUALITY_MODULES", ("civicloop_no_such_module",))
    result = analyse(texts, ids, redact=str)
    assert result.embedder == "fast" and "the quality embedder is not installed" in result.model


def test_civic_sentiment_reads_requests_and_complaints_as_negative() -> None:
    complaints = [
        "Please fix the pothole on Norzin Lam",
        "When will the streetlight near the school be repaired?",
        "Still no water in Changzamtog for three days",
    ]
    assert [sentiment.vader_only(t) for t in complaints] != ["negative"] * 3
    assert sentiment.classify(complaints) == ["negative"] * 3
    assert sentiment.classify(["Thank you for the new footpath, great work!"]) == ["positive"]


def test_sentiment_over_time_counts_local_days_then_weeks_then_months() -> None:
    thimphu = ZoneInfo("Asia/Thimphu")  # UTC+6: 20:00 UTC is the next local day
    rows = [
        (datetime(2026, 3, 1, 17, 0, tzinfo=UTC), "negative"),
        (datetime(2026, 3, 1, 20, 0, tzinfo=UTC), "positive"),
        (datetime(2026, 3, 4, 9, 0, tzinfo=UTC), "negative"),
    ]
    unit, periods = sentiment.over_time(rows, thimphu)
    assert unit == "day"
    assert [(p.start.isoformat(), p.counts) for p in periods] == [
        ("2026-03-01", {"negative": 1}),
        ("2026-03-02", {"positive": 1}),
        ("2026-03-03", {}),  # a day with no message stays in the series
        ("2026-03-04", {"negative": 1}),
    ]
    assert periods[0].to_json() == {"start": "2026-03-01", "positive": 0, "neutral": 0, "negative": 1}
    weekly = sentiment.over_time([*rows, (datetime(2026, 4, 15, 3, 0, tzinfo=UTC), "neutral")], thimphu)
    assert weekly[0] == "week" and weekly[1][0].start.isoformat() == "2026-02-23"  # the Monday before 1 March
    assert all(p.start.weekday() == 0 for p in weekly[1]) and sum(sum(p.counts.values()) for p in weekly[1]) == 4
    monthly = sentiment.over_time([*rows, (datetime(2026, 12, 31, 3, 0, tzinfo=UTC), "neutral")], thimphu)
    assert monthly[0] == "month" and [p.start.month for p in monthly[1]] == list(range(3, 13))
    assert monthly[1][0].share("negative") == 2 / 3
    assert sentiment.over_time([], thimphu) == ("day", [])


@pytest.mark.slow
@pytest.mark.parametrize("sample_size", [20_000, 150])
def test_quality_embedder_recovers_planted_themes(quality_embedder: None, sample_size: int) -> None:
    """Every distinct text embedded by MiniLM, or only a sample of 150 and the rest by stand-in vectors."""

    def run() -> AnalysisResult:
        options = AnalysisOptions(sample_size=sample_size)
        return analyse(CORPUS.texts, CORPUS.ids, embedder="quality", redact=keep, options=options)

    result = run()
    assert adjusted_rand_score(CORPUS.themes, result.theme_of_row) >= 0.8
    assert "all-MiniLM-L6-v2" in result.model and "int8" in result.model
    assert result.embedded == min(sample_size, result.unique)
    assert ("the rest by ridge regression" in result.model) == (sample_size < result.unique)
    assert run().theme_of_row.tolist() == result.theme_of_row.tolist()


def test_the_quality_model_is_loaded_once_per_process_not_per_new_message(quality_embedder: None) -> None:
    """Each new message's theme is found by a fresh embedder (``load_embedder``): it must not reload the model."""
    first, second = embed.load_embedder("quality", b""), embed.load_embedder("quality", b"")
    assert first.session is second.session and first.tokenizer is second.tokenizer
    text = ["The bus stop at Changzamtog needs a roof."]
    assert np.array_equal(first.transform(text), second.transform(text))


def test_quotes_prefer_texts_the_model_embedded_over_stand_ins() -> None:
    originals = [f"The bus stop number {n} near the market needs a roof before the rains" for n in range(8)]
    members = np.arange(8)
    similarity = np.array([0.9, 0.95, 0.5, 0.99, 0.6, 0.7, 0.8, 0.4], dtype=np.float32)
    embedded = np.array([False, False, True, False, True, True, True, True])
    quotes = _quotes(members, similarity, embedded, originals, [normalize(text) for text in originals], redact=str)
    # Embedded rows by similarity (6, 5, 4, 2, 7); stand-ins only if five were not found.
    assert [int(q.split()[4]) for q in quotes] == [6, 5, 4, 2, 7]


def test_stand_in_vectors_follow_the_words_of_the_known_texts() -> None:
    known = ["the bus is late again", "bus stop has no roof", "water pipe burst", "no water since monday"]
    vectors = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32)
    guessed = stand_in_vectors(known, vectors, ["late bus at the stop", "the pipe has no water", "xyzzy"])
    assert guessed[0] @ [1, 0] > guessed[0] @ [0, 1]
    assert guessed[1] @ [0, 1] > guessed[1] @ [1, 0]
    assert np.allclose(np.linalg.norm(guessed, axis=1), 1.0, atol=1e-5)


def test_a_question_asked_in_many_wordings_is_one_frequent_question_and_look_alikes_stay_apart(
    quality_embedder: None,
) -> None:
    """The hand-written set of tests/analysis/questions.py: five questions asked in ten to twelve
    wordings each (each wording twice, over two weeks), two of them look-alikes of others ("renew my
    driving licence" beside "renew my trade licence", water cuts beside garbage days in the same
    place), single questions and statements on the same topics, and a copy-paste campaign."""
    start = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    texts: list[str] = []
    truth: list[str] = []
    for name, wordings in questions.GROUPS.items():
        texts += wordings * 2
        truth += [name] * (2 * len(wordings))
    for text in [*questions.SINGLE, *questions.STATEMENTS]:
        texts.append(text)
        truth.append("none")
    created = [start + timedelta(hours=7 * n) for n in range(len(texts))]
    letter = (
        "Dear Thromde, I, {name} of {place}, oppose the new parking fees on Norzin Lam. Shopkeepers and"
        " families cannot pay them every day and the street will empty. Please withdraw the fees now."
    )
    names = ["Karma", "Sonam", "Pema", "Dorji", "Tashi", "Kinley", "Ugyen", "Deki", "Choki", "Yeshi", "Nima", "Sangay"]
    for n, name in enumerate(names):
        texts.append(letter.format(name=name, place=["Babesa", "Motithang", "Changzamtog"][n % 3]))
        truth.append("campaign")
        created.append(start + timedelta(days=5, minutes=4 * n))
    ids = [str(n) for n in range(len(texts))]
    result = analyse(texts, ids, created=created, embedder="quality", redact=str)
    asked = [c for c in result.campaigns if c.kind == "question"]
    assert sorted(len(c.members) for c in [c for c in result.campaigns if c.kind == "campaign"]) == [len(names)]
    found = {}
    for faq in asked:
        groups = {truth[i] for i in faq.members.tolist()}
        assert len(groups) == 1 and groups <= set(questions.GROUPS), (faq.text, groups)
        found.setdefault(groups.pop(), []).append(len(faq.members))
    for name, wordings in questions.GROUPS.items():
        # Each question is one frequent question holding at least 80 % of the times it was asked.
        assert len(found.get(name, [])) == 1 and found[name][0] >= 0.8 * 2 * len(wordings), (name, found.get(name))
