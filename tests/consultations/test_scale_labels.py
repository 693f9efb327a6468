"""A rating question says what its ends mean in its own words; option pictures open full size (issue 15)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.consultations import service
from civicloop.consultations.models import QuestionKind
from civicloop.consultations.schemas import QuestionIn
from tests.consultations.conftest import Scene, make_consultation
from tests.factories import csrf_from, login


def test_a_rating_question_shows_its_own_scale_labels(db: Session, client: TestClient, scene: Scene) -> None:
    questions = [
        QuestionIn(kind=QuestionKind.design_option, prompt="Which design do you prefer?", options=["A", "B", "C"]),
        QuestionIn(
            kind=QuestionKind.rating,
            prompt="How likely are you to wait at the new stop?",
            scale_low="not at all likely",
            scale_high="very likely",
        ),
        QuestionIn(kind=QuestionKind.rating, prompt="Rate the old shelter"),
    ]
    consultation = make_consultation(db, scene, questions=questions)
    # An official adds one more through the page, with the labels the form offers.
    login(client, scene.officer)
    detail = client.get(f"/consultations/{consultation.id}")
    added = client.post(
        f"/consultations/{consultation.id}/questions",
        data={
            "kind": "rating",
            "prompt": "How safe does the crossing feel?",
            "scale_low": "very unsafe",
            "scale_high": "perfectly safe",
            "csrf_token": csrf_from(detail.text),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    public = client.get(f"/c/{consultation.code}").text
    assert "1 = not at all likely" in public and "5 = very likely" in public
    assert "1 = very unsafe" in public and "5 = perfectly safe" in public
    assert "very poor" not in public and "very good" not in public, "no fixed wording on every rating question"
    # Each design option's picture opens full size, with a link that says so.
    for attachment_label in "ABC":
        assert f'See it full size<span class="sr-only"> (Option {attachment_label})' in public
    assert public.count('class="enlarge"') == 3
    api = client.get(f"/api/v1/consultations/{consultation.id}").json()
    assert [(q["scale_low"], q["scale_high"]) for q in api["questions"] if q["kind"] == "rating"] == [
        ("not at all likely", "very likely"),
        ("", ""),
        ("very unsafe", "perfectly safe"),
    ]
