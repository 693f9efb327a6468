"""Commitments in the demo: the first round of the Norzin Lam bus-stop consultation ("what must change
first?", three months ago), its published "you said, we did" report, and the commitments Thimphu
Thromde made in it, with a back-dated timeline: one done, one in progress with a photo, one overdue and
one dropped with its public reason. Citizens took part on the city's social accounts, so changing a
commitment's status in the demo tells them on their own channels. Also one open promise in a reply.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.accountability import service, translation
from civicloop.accountability.models import CommitmentStatus
from civicloop.accountability.schemas import CommitmentIn, Photo, UpdateIn
from civicloop.agencies.models import OfficialAccount
from civicloop.consultations import queries as consultation_queries
from civicloop.consultations import report
from civicloop.consultations import service as consultations
from civicloop.consultations.models import Consultation, QuestionKind
from civicloop.consultations.schemas import ConsultationCreate, QuestionIn, ReportIn, ReportSectionIn
from civicloop.demo import dzongkha
from civicloop.demo.consultations import _actor, _at, _citizen_message, _mark_sent, png, save_dzongkha
from civicloop.demo.foundation import DemoWorld
from civicloop.kit.clock import utcnow

TITLE = "Norzin Lam bus stop, first round: what must change first?"
COMMENTS = [
    "The stop floods every time it rains, we stand in water.",
    "There is no light at night, it feels unsafe.",
    "Please put the bus timetable at the stop.",
    "Move the stop closer to the Clock Tower.",
    "Water pools in front of the shelter after rain.",
    "A light and a roof please.",
]
# (title, division, due in days from today, history: (days ago, status, progress, note))
COMMITMENTS: list[tuple[str, str, int, list[tuple[int, CommitmentStatus, int, str]]]] = [
    (
        "Publish the bus timetable at every stop on Norzin Lam",
        "Public Transport Division",
        -40,
        [
            (60, CommitmentStatus.in_progress, 50, "Timetables printed."),
            (45, CommitmentStatus.done, 100, "Up at all 12 stops."),
        ],
    ),
    (
        "Raise the platform of the Clock Tower stop above the flood line",
        "Urban Planning Division",
        45,
        [(30, CommitmentStatus.in_progress, 40, "Drainage laid; the platform is being raised.")],
    ),
    ("Light the 12 bus stops on Norzin Lam", "Thimphu Thromde Electrical Section", -10, []),
    (
        "Move the stop 50 m towards the Clock Tower",
        "Urban Planning Division",
        60,
        [(20, CommitmentStatus.dropped, 0, "The traffic study showed the new place would block the junction.")],
    ),
]


def _first_round(session: Session, world: DemoWorld) -> Consultation:
    analyst = _actor(session, world, "analyst", "THROMDE")
    # The accounts the current (design) round is announced on, in the same order.
    second_round = session.scalars(select(Consultation).where(Consultation.hashtag == "NorzinBusStop")).one()
    ids = consultation_queries.account_ids_of(session, second_round.id)
    accounts = list(
        session.scalars(select(OfficialAccount).where(OfficialAccount.id.in_(ids)).order_by(OfficialAccount.id))
    )
    opened = utcnow() - timedelta(days=100)
    with _at(opened - timedelta(days=1)):
        consultation = consultations.create(
            session,
            actor=analyst,
            data=ConsultationCreate(
                agency_id=accounts[0].agency_id,
                title=TITLE,
                summary="Before we design a new bus stop: what is wrong with the stop opposite the Clock Tower?",
                closes_at=opened + timedelta(days=14),
                hashtag="NorzinBusStop1",
                contact_name="Sangay Tshomo, Urban Planning Division",
                account_ids=[a.id for a in accounts],
                questions=[QuestionIn(kind=QuestionKind.free_text, prompt="What must change first?")],
            ),
        )
    with _at(opened):
        consultations.open_now(session, actor=analyst, consultation_id=consultation.id)
        posts = _mark_sent(session, consultation, opened)
    for n, text in enumerate(COMMENTS * 2):
        account = accounts[n % 3]
        at = opened + timedelta(hours=5 + 9 * n)
        with _at(at):
            _citizen_message(session, account, posts.get(account.id, ""), 500 + n, f"{consultation.code}: {text}", at)
    with _at(opened + timedelta(days=15)):
        consultations.close(session, actor=analyst, consultation_id=consultation.id)
        report.save_report(
            session,
            actor=analyst,
            consultation_id=consultation.id,
            data=ReportIn(
                report_intro="Thank you: 12 of you wrote to us on our social media accounts.",
                decision="We fix flooding, light and timetables first, and consult on the design of a new stop.",
            ),
        )
        for heading, said, did in [
            ("Flooding", "The stop floods when it rains.", "We raise the platform and lay drainage."),
            ("Light and information", "No light at night; no timetable.", "We light the stops and post timetables."),
            ("The place of the stop", "Move it closer to the Clock Tower.", "We study moving it 50 m."),
        ]:
            report.add_section(
                session,
                actor=analyst,
                consultation_id=consultation.id,
                data=ReportSectionIn(heading=heading, you_said=said, we_did=did),
            )
        # Its Dzongkha version, written before the report is published (then its text is final).
        save_dzongkha(
            session,
            analyst,
            consultation.id,
            dzongkha.FIRST_ROUND,
            dzongkha.FIRST_ROUND_QUESTIONS,
            sections=dzongkha.FIRST_ROUND_SECTIONS,
        )
        report.publish(session, actor=analyst, consultation_id=consultation.id)
    return consultation


def seed_accountability(session: Session, world: DemoWorld) -> None:
    consultation = _first_round(session, world)
    analyst = _actor(session, world, "analyst", "THROMDE")
    sections = report.sections_of(session, consultation.id)
    today = utcnow().date()
    made = utcnow() - timedelta(days=84)
    for n, (title, division, due_in, history) in enumerate(COMMITMENTS):
        with _at(made):
            commitment = service.create_commitment(
                session,
                actor=analyst,
                consultation_id=consultation.id,
                data=CommitmentIn(
                    title=title,
                    division=division,
                    due_on=today + timedelta(days=due_in),
                    section_id=sections[min(n, len(sections) - 1)].id,
                ),
            )
        updates: dict[int, dict[str, str]] = {}
        for days_ago, status, progress, note in history:
            photo = Photo(filename="platform.png", data=png("B")) if status is CommitmentStatus.in_progress else None
            with _at(utcnow() - timedelta(days=days_ago)):
                update = service.add_update(
                    session,
                    actor=analyst,
                    commitment_id=commitment.id,
                    data=UpdateIn(status=status, progress=progress, note=note, photo_alt="Work at the stop"),
                    photo=photo,
                    notify=False,
                )
            updates[update.id] = {
                "note": dzongkha.UPDATE_NOTES[note],
                "photo_alt": dzongkha.PHOTO_ALT["Work at the stop"],
            }
        # Written in Dzongkha too, as an official does on the commitment's "Dzongkha version" page.
        texts = dict(dzongkha.COMMITMENTS[title])
        if history and history[-1][1] is CommitmentStatus.dropped:
            texts["dropped_reason"] = dzongkha.UPDATE_NOTES[history[-1][3]]
        translation.save(session, actor=analyst, commitment_id=commitment.id, lang="dz", values=texts, updates=updates)
