from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.channels.models import ConversationKind
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.consultations import answers, queries, results, schedule, service
from civicloop.consultations.models import ConsultationStatus, QuestionKind
from civicloop.consultations.schemas import ConsultationCreate, ConsultationUpdate, QuestionIn
from civicloop.errors import Conflict, Forbidden, Invalid
from civicloop.publishing.models import Post, PostPurpose
from tests.consultations.conftest import Scene, make_consultation
from tests.factories import create_account, create_agency, create_official


def test_a_closing_date_in_the_past_is_refused_with_the_date(db: Session, scene: Scene) -> None:
    past = scene.clock.now() - timedelta(hours=1)
    with pytest.raises(Invalid, match=r"closing date .* is in the past"):
        make_consultation(db, scene, closes_at=past)


@pytest.mark.parametrize("options", [[], ["only one"], ["same", " same "]])
def test_a_choice_question_without_two_options_is_refused(db: Session, scene: Scene, options: list[str]) -> None:
    consultation = make_consultation(db, scene)
    question = QuestionIn(kind=QuestionKind.single_choice, prompt="Where?", options=options)
    with pytest.raises(Invalid, match="needs at least two options"):
        service.add_question(db, actor=scene.actor, consultation_id=consultation.id, data=question)


def test_announcing_on_another_agencys_account_is_refused(db: Session, scene: Scene) -> None:
    other = create_agency(db, "MOH", name="Ministry of Health")
    foreign = create_account(db, other, external_id="moh-page")
    with pytest.raises(Invalid, match="not one of your agency's accounts"):
        make_consultation(db, scene, accounts=False, account_ids=[foreign.id])


def test_announcing_on_the_web_form_or_a_paused_account_is_refused(db: Session, scene: Scene) -> None:
    with pytest.raises(Invalid, match="Web form account: it receives feedback but cannot carry posts"):
        make_consultation(db, scene, accounts=False, account_ids=[scene.web.id])


def test_an_auditor_cannot_create_a_consultation(db: Session, scene: Scene) -> None:
    from civicloop.auth.scope import Actor

    auditor = create_official(db, "auditor@THROMDE")
    data = ConsultationCreate(agency_id=scene.agency.id, title="t", summary="s")
    with pytest.raises(Forbidden):
        service.create(db, actor=Actor.of(auditor), data=data)


def test_it_cannot_open_until_every_design_option_has_a_picture(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene, design=False)
    service.add_question(
        db,
        actor=scene.actor,
        consultation_id=consultation.id,
        data=QuestionIn(kind=QuestionKind.design_option, prompt="Which?", options=["a", "b"]),
    )
    with pytest.raises(Invalid, match=r"upload the picture of design option\(s\) A, B"):
        service.open_now(db, actor=scene.actor, consultation_id=consultation.id)


def test_opening_announces_on_every_chosen_account_and_everything_is_audited(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    post = db.scalars(select(Post).where(Post.consultation_id == consultation.id)).one()
    assert post.purpose is PostPurpose.announcement
    outbound = db.scalars(select(OutboundMessage).where(OutboundMessage.batch_key == post.batch_key)).all()
    assert {o.account_id for o in outbound} == {scene.facebook.id, scene.x.id, scene.wechat.id}
    x_text = next(o.text for o in outbound if o.account_id == scene.x.id)
    assert f"/c/{consultation.code}" in x_text and "#NorzinBusStop" in x_text
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(consultation.id))))
    assert {"consultation.create", "consultation.attachment_add", "consultation.open"} <= actions
    with pytest.raises(Conflict, match="already open"):
        service.open_now(db, actor=scene.actor, consultation_id=consultation.id)


def test_while_open_only_the_closing_date_moves(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    with pytest.raises(Conflict, match="only its closing date"):
        service.update(db, actor=scene.actor, consultation_id=consultation.id, data=ConsultationUpdate(title="New"))
    later = scene.clock.now() + timedelta(days=30)
    service.update(db, actor=scene.actor, consultation_id=consultation.id, data=ConsultationUpdate(closes_at=later))
    assert consultation.closes_at == later


def test_the_scheduler_opens_and_closes_on_time(db: Session, scene: Scene) -> None:
    now = scene.clock.now()
    consultation = make_consultation(db, scene, accounts=False, opens_at=now + timedelta(days=1))
    service.schedule(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    assert schedule.advance(db) == {"opened": [], "closed": [], "failed": [], "reminded": [], "report_reminded": []}
    scene.clock.advance(days=1, minutes=1)
    assert schedule.advance(db)["opened"] == [consultation.id]
    scene.clock.advance(days=14)
    assert schedule.advance(db)["closed"] == [consultation.id]
    assert consultation.status is ConsultationStatus.closed


def test_a_scheduled_consultation_whose_closing_date_passed_goes_back_to_draft(db: Session, scene: Scene) -> None:
    now = scene.clock.now()
    consultation = make_consultation(
        db, scene, accounts=False, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=2)
    )
    service.schedule(db, actor=scene.actor, consultation_id=consultation.id)
    scene.clock.advance(hours=3)
    assert schedule.advance(db)["failed"] == [consultation.id]
    assert consultation.status is ConsultationStatus.draft


def test_form_answers_are_validated_and_counted(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    design, rating, free = queries.questions_of(db, consultation.id)
    with pytest.raises(Invalid, match="not one of the options"):
        answers.submit_form(db, consultation=consultation, values={design.id: ["D"]})
    with pytest.raises(Invalid, match="rating from 1 to 5"):
        answers.submit_form(db, consultation=consultation, values={rating.id: ["9"]})
    with pytest.raises(Invalid, match="at least one question"):
        answers.submit_form(db, consultation=consultation, values={})
    answers.submit_form(db, consultation=consultation, values={design.id: ["B"], rating.id: ["2"], free.id: ["A roof"]})
    answers.submit_form(db, consultation=consultation, values={design.id: ["B"], rating.id: ["4"]})
    computed = results.compute(db, consultation)
    assert computed.total == 2
    by_label = {o.label: (o.count, o.percent) for o in computed.questions[0].options}
    assert by_label == {"A": (0, 0.0), "B": (2, 100.0), "C": (0, 0.0)}
    assert computed.questions[1].average == 3.0
    assert [t.text for t in computed.texts()] == ["A roof"]


def test_answers_are_refused_once_closed(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    service.close(db, actor=scene.actor, consultation_id=consultation.id)
    with pytest.raises(Conflict, match="not open for answers"):
        answers.submit_form(db, consultation=consultation, values={}, comment="late")


def test_comments_under_the_announcement_and_messages_quoting_the_code_are_linked(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    post_id = db.scalars(
        select(OutboundMessage.external_id).where(OutboundMessage.account_id == scene.facebook.id)
    ).one()
    assert post_id, "the simulator gave the announcement a post id"
    scene.inbound(scene.facebook, ConversationKind.comment_thread, post_id, "c1", "I prefer option B, it has a roof")
    scene.inbound(scene.facebook, ConversationKind.comment_thread, post_id, "c2", "Nice, but where are the benches?")
    scene.wechat_text(f"About {consultation.code.lower()}: please keep the old tree")
    scene.x_dm("#norzinbusstop design C looks modern")
    scene.messenger("When does the Changzamtog bus run on Sunday?")
    computed = results.compute(db, consultation)
    assert computed.by_channel == {"Facebook": 2, "WeChat": 1, "X": 1}
    votes = {o.label: o.count for o in computed.questions[0].options}
    assert votes == {"A": 0, "B": 1, "C": 1}
    assert len(answers.message_ids_for(db, consultation.id)) == 4
