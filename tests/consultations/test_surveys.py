"""A survey of civil servants of chosen agencies: answered by their officials through their login, once each;
others are refused with the reason; results per question for the agency."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations import queries, results, service, staff_opinion
from civicloop.consultations.models import Consultation, QuestionKind, Response
from civicloop.consultations.schemas import QuestionIn
from tests.consultations.conftest import Scene, make_consultation
from tests.factories import create_agency, create_official, csrf_from, login


def _survey(db: Session, scene: Scene) -> Consultation:
    questions = [
        QuestionIn(kind=QuestionKind.single_choice, prompt="Has it helped your work?", options=["Yes", "No"]),
        QuestionIn(kind=QuestionKind.free_text, prompt="How?"),
    ]
    survey = make_consultation(
        db,
        scene,
        accounts=False,
        design=False,
        title="Has opening social media in offices helped your work?",
        kind="survey",
        audience="civil_servants",
        audience_agency_ids=[scene.agency.id],
        questions=questions,
    )
    service.open_now(db, actor=scene.actor, consultation_id=survey.id)
    db.commit()
    return survey


def test_only_officials_of_the_chosen_agencies_answer_once_each(db: Session, client: TestClient, scene: Scene) -> None:
    survey = _survey(db, scene)
    choice, free = queries.questions_of(db, survey.id)
    page = f"/c/{survey.code}"

    def answer(helped: str):  # type: ignore[no-untyped-def]
        token = csrf_from(client.get("/login").text)  # any page carries the session's token
        data = {f"q{choice.id}": helped, f"q{free.id}": "Faster answers to <b>citizens</b>", "csrf_token": token}
        return client.post(page, data=data, follow_redirects=False)

    anonymous = client.get(page)
    assert "Sign in to answer" in anonymous.text and f'href="/login?next=/c/{survey.code}"' in anonymous.text
    assert 'name="csrf_token"' not in anonymous.text.split('id="answer"')[1], "no form is offered"
    refused = answer("Yes")
    assert refused.status_code == 401 and "sign in with your CivicLoop login" in refused.text

    health = create_agency(db, "MOH", name="Ministry of Health")
    outsider = create_official(db, f"officer@{health.code}", email="nurse@health.example")
    analyst = create_official(db, f"analyst@{scene.agency.code}", email="analyst@thromde.example")
    db.commit()
    login(client, outsider)
    assert "your login belongs to none of them" in client.get(page).text
    not_theirs = answer("No")
    assert not_theirs.status_code == 403 and "civil servants of Thimphu Thromde" in not_theirs.text

    client.cookies.clear()
    login(client, analyst)
    first = answer("Yes")
    assert first.status_code == 303, first.text
    assert "already answered" in client.get(page).text
    again = answer("No")
    assert again.status_code == 409 and "each civil servant answers once" in again.text
    client.cookies.clear()
    login(client, scene.officer)
    assert answer("No").status_code == 303

    db.rollback()  # see the requests' commits
    respondents = db.scalars(select(Response.official_id).where(Response.consultation_id == survey.id)).all()
    assert sorted(respondents) == sorted([analyst.id, scene.officer.id])
    computed = results.compute(db, survey)
    helped = {o.label: (o.count, o.percent) for o in computed.questions[0].options}
    assert computed.total == 2 and helped == {"Yes": (1, 50.0), "No": (1, 50.0)}
    results_page = client.get(f"/consultations/{survey.id}/results").text
    assert "Has it helped your work?" in results_page and "&lt;b&gt;citizens&lt;/b&gt;" in results_page

    # The office-access usage report shows what the agency's staff said beside their use of social media.
    usage = client.get(f"/access/reports?agency_id={scene.agency.id}").text
    panel = usage.split("What staff say")[1]
    assert "2 answers from staff" in panel and "Has it helped your work? Yes 50 %, No 50 %." in panel
    assert f'href="/consultations/{survey.id}/results"' in panel
    assert staff_opinion.latest_staff_survey(db, health.id, scene.clock.now().date()) is None  # not asked


def test_a_message_quoting_a_civil_servants_survey_is_not_counted(db: Session, scene: Scene) -> None:
    survey = _survey(db, scene)
    scene.x_dm(f"About {survey.code}: yes it helped")
    assert results.compute(db, survey).total == 0, "a citizen's message cannot stand for an official's answer"
