import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations import report, results, themes
from civicloop.consultations.models import Consultation, ConsultationStatus, Response
from civicloop.demo import DemoWorld
from civicloop.demo.consultations import png


@pytest.mark.slow  # the first test to ask for the demo seeds it (see the demo fixture)
def test_the_demo_has_an_open_bus_stop_consultation_and_a_published_report(demo: DemoWorld, db: Session) -> None:
    by_title = {c.title: c for c in db.scalars(select(Consultation))}
    bus_stop = by_title["Model bus stop on Norzin Lam: tell us before we build it"]
    assert bus_stop.status is ConsultationStatus.open
    computed = results.compute(db, bus_stop)
    assert set(computed.by_channel) == {"Public page", "Facebook", "X", "WeChat"}
    votes = {o.label: o.count for o in computed.questions[0].options}
    assert votes["B"] > votes["A"] > 0, "form answers and comments naming an option both count"
    assert bus_stop.themes and bus_stop.themes["campaigns"], "analysis found the copy-pasted campaign"
    shown = themes.view(bus_stop)
    assert len(shown.themes) >= 2 and all(sum(t.sentiment.values()) > 0.99 for t in shown.themes)
    counted = sum(p["positive"] + p["neutral"] + p["negative"] for p in shown.sentiment_periods)
    assert shown.sentiment_periods and counted == shown.texts, "every text counted once over time"
    survey = by_title["Has opening social media in offices helped your work?"]
    published = report.public_report(db, code=survey.code)
    assert published.consultation.status is ConsultationStatus.published
    assert len(published.sections) == 3 and published.results.total == 18, "each demo official answered once"
    respondents = db.scalars(select(Response.official_id).where(Response.consultation_id == survey.id)).all()
    assert len(set(respondents)) == 18 and None not in respondents


def test_the_design_pictures_are_real_pngs() -> None:
    picture = png("B")
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and picture[12:16] == b"IHDR"
    assert png("A") != picture
