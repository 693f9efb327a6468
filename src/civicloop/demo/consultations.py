"""Consultations in the demo: the Norzin Lam bus stop (open, answered on the form and all three platforms)
and a survey of civil servants that is closed with its "you said, we did" report published.

Everything goes through the product's services; time is moved with the injectable clock so that the
answers are spread over the days the consultation has been open. The design pictures are drawn here.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.service import record_inbound
from civicloop.consultations import answers, queries, report, service, themes, translation
from civicloop.consultations.models import Audience, Consultation, ConsultationKind, QuestionKind
from civicloop.consultations.schemas import ConsultationCreate, QuestionIn, ReportIn, ReportSectionIn
from civicloop.demo import dzongkha
from civicloop.demo.foundation import DemoWorld, demo_email
from civicloop.kit import i18n
from civicloop.kit.clock import FixedClock, set_clock, utcnow
from civicloop.publishing.models import Post

RGB = tuple[int, int, int]
SKY, ROAD, WOOD, ROOF_RED, GLASS, INK = (
    (205, 228, 247),
    (120, 120, 120),
    (150, 100, 60),
    (170, 40, 40),
    (150, 200, 220),
    (30, 30, 30),
)
# A 5×7 bitmap of the three letters drawn on the pictures.
LETTERS = {
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "B": ["11110", "10001", "10001", "11110", "10001", "10001", "11110"],
    "C": ["01111", "10000", "10000", "10000", "10000", "10000", "01111"],
}
DESIGNS = {
    "A": "Design A: a simple steel shelter with a flat roof and one bench",
    "B": "Design B: a wooden shelter with a traditional Bhutanese roof, two benches and a map",
    "C": "Design C: a glass shelter with a long roof, lighting and a timetable screen",
}
# Citizens' own words on what a planner needs to hear (shelter, seats, light, access, the site and its
# traffic, thanks), in English, Dzongkha and a mix of both, as comments arrive on a real consultation.
FORM_COMMENTS = [
    "Please make the roof long enough to keep the rain off people waiting in the monsoon.",
    "The shelter must be deep, when it rains sideways the old one is useless.",
    "A proper roof please, we stand in the rain for twenty minutes every morning.",
    "The roof should cover the whole queue, not just the bench.",
    "Make the shelter bigger, at rush hour half of us wait outside in the rain.",
    "Benches for older people, please, my mother cannot stand for long.",
    "More seats please, there is only one small bench for fifty people.",
    "Wooden benches are warmer to sit on than steel in winter.",
    "Put a seat for pregnant women and the elderly.",
    "Lights at night: the stop near the Clock Tower is very dark after 7 pm.",
    "Good lighting please, women do not feel safe waiting there in the evening.",
    "A street light at the stop, it is pitch dark in winter evenings.",
    "Solar lights would keep it bright even during power cuts.",
    "A ramp for wheelchairs and no high step up to the shelter.",
    "Think of blind people: tactile paving to the bus door would help.",
    "The kerb is too high for my grandfather to climb into the bus.",
    "Space for a pram and a wheelchair inside the shelter, please.",
    "The stop is too close to the junction, buses block the traffic on Norzin Lam.",
    "Move the stop a little away from the crossing, taxis park there and cars cannot pass.",
    "Buses stopping on the road cause a traffic jam every morning, build a bay for them.",
    "The location is dangerous, children cross the busy road to reach it.",
    "Thank you for asking us before building, this is how it should be done.",
    "Thank you Thromde for listening to the people, we appreciate it.",
    "Great to be consulted, thanks to the planning team.",
    "ཆར་པ་ རྐྱབ་པའི་སྐབས་ བཱསི་ སྒུག་སའི་ཁར་ ཐོག་ཁེབས་ ཆེ་བ་ཅིག་ དགོཔ་ཨིན།",
    "མཚན་མོ་ བཱསི་ སྒུག་ས་ ནག་ཚུབ་ཨིན། གློག་མེ་ བཙུགས་གནང་།",
    "རྒས་པ་ཚུ་གི་དོན་ལུ་ སྡོད་ཁྲི་ ལེ་ཤ་ དགོཔ་ཨིན།",
    "བཀའ་དྲིན་ཆེ། མི་སེར་ལུ་ དྲི་བ་ དྲིས་མི་འདི་ ལེགས་ཤོམ་ཨིན།",
    "Roof ཐོག་ཁེབས་ ཆེ་བ་ཅིག་ དགོ། ཆར་པ་ rain ནང་ shelter ཆུང་བས།",
    "Lights གློག་མེ་ དགོ། stop འདི་ མཚན་མོ་ night ལུ་ dark ནག་ཚུབ་ཨིན།",
    "Benches སྡོད་ཁྲི་ for རྒས་པ་ཚུ། more seats please.",
    "Thank you, བཀའ་དྲིན་ཆེ་ for asking us.",
    "Seats སྡོད་ཁྲི་ for old people རྒས་པ་ please.",
    "Thanks བཀའ་དྲིན་ཆེ། good consultation.",
]
PLATFORM_COMMENTS = [
    "I prefer option B, it looks like it belongs in Thimphu.",
    "Option C has lights, that matters most in winter evenings.",
    "Design B please, with a bench for the elderly.",
    "Whatever you choose, make the roof cover the whole queue.",
    "option A is cheapest, spend the rest on more buses",
    "Please think about wheelchair users when you build it.",
    "B! The traditional roof is beautiful.",
    "Will there be a timetable at the stop? Option C shows one.",
    "The shelter must keep out the rain and the wind, the old one does neither.",
    "A bigger roof, we get soaked waiting for the bus.",
    "Seats! I am 70 and I stand for half an hour.",
    "Not enough benches at any stop in town.",
    "Bright lights please, it is scary at night.",
    "It is so dark there after sunset, add a light.",
    "Wheelchair ramp and low kerb, please.",
    "Accessible for disabled people and prams, please.",
    "Buses block Norzin Lam traffic when they stop, make a lay-by.",
    "The stop causes a traffic jam near the crossing every morning.",
    "Thanks for asking the public, well done Thromde.",
    "Thank you for this consultation.",
    "སྡོད་ཁྲི་ མང་ཤོས་ བཙུགས་གནང་།",
    "གློག་མེ་ མེད་པ་ལས་ མཚན་མོ་ འཇིགས་སུ་ཡོདཔ་ཨིན།",
    "Bus stop ལུ་ light གློག་མེ་ དགོ། night མཚན་མོ་ ནག་ཚུབ།",
    "ཐོག་ཁེབས་ roof ཆེ་བ་ please, ཆར་པ་ནང་ rain wet.",
]
# A copy-pasted campaign, as analysis should find it.
CAMPAIGN = "Save the old Norzin Lam bus stop mural, it is part of our town's heritage and must stay."


@contextmanager
def _at(moment: datetime) -> Iterator[FixedClock]:
    clock = FixedClock(moment)
    restore = set_clock(clock)
    try:
        yield clock
    finally:
        restore()


def png(label: str, width: int = 480, height: int = 320) -> bytes:
    """A small picture of design option ``label``: sky, road, posts, a roof of the option's shape, the letter."""
    pixels = [[SKY] * width for _ in range(height)]

    def box(x0: int, y0: int, x1: int, y1: int, color: RGB) -> None:
        for y in range(max(0, y0), min(height, y1)):
            row = pixels[y]
            for x in range(max(0, x0), min(width, x1)):
                row[x] = color

    box(0, 260, width, height, ROAD)
    posts = {"A": (ROAD, 110, 370), "B": (WOOD, 120, 360), "C": ((90, 90, 110), 80, 400)}[label]
    box(posts[1], 140, posts[1] + 10, 260, posts[0])
    box(posts[2] - 10, 140, posts[2], 260, posts[0])
    box(posts[1] + 20, 215, posts[2] - 20, 225, WOOD)  # bench
    if label == "A":
        box(90, 125, 390, 140, (110, 110, 120))
    elif label == "B":
        for step in range(30):  # a sloped, layered roof
            box(80 + step * 3, 140 - step * 2, 400 - step * 3, 142 - step * 2, ROOF_RED)
    else:
        box(60, 120, 420, 132, (60, 60, 80))
        box(90, 140, 390, 200, GLASS)
        box(230, 100, 250, 120, (250, 220, 90))  # the lamp
    for row_index, bits in enumerate(LETTERS[label]):
        for col_index, bit in enumerate(bits):
            if bit == "1":
                box(20 + col_index * 8, 20 + row_index * 8, 28 + col_index * 8, 28 + row_index * 8, INK)
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _actor(session: Session, world: DemoWorld, role: str, code: str) -> Actor:
    official = world.officials[demo_email(role, code)]
    session.refresh(official)
    return Actor.of(official)


def _mark_sent(session: Session, consultation: Consultation, at: datetime) -> dict[int, str]:
    """The demo has no live platforms while it is seeded: its announcements are recorded as sent."""
    ids: dict[int, str] = {}
    batches = select(Post.batch_key).where(Post.consultation_id == consultation.id)
    rows = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.status == OutboundStatus.queued, OutboundMessage.batch_key.in_(batches)
        )
    ).all()
    for number, row in enumerate(rows, 1):
        account = session.get(OfficialAccount, row.account_id)
        assert account is not None
        demo = registry.spec(account.platform).demo
        if demo is not None and demo.sent_post is not None:
            external, permalink = demo.sent_post(account.external_id, consultation.id, number)
        else:
            external, permalink = f"demo-{account.platform}-{consultation.id}-{number}", None
        row.status, row.external_id, row.sent_at, row.attempts = OutboundStatus.sent, external, at, 1
        row.permalink = permalink
        ids[account.id] = external
    session.flush()
    return ids


def _answers_by_message(account: OfficialAccount) -> bool:
    demo = registry.spec(account.platform).demo
    return demo is not None and demo.answers_by_message


def _citizen_message(session: Session, account: OfficialAccount, post_id: str, n: int, text: str, at: datetime) -> None:
    """A citizen's comment under the announcement, or a message to the account where citizens answer so."""
    person = f"demo-citizen-{account.platform}-{n}"
    if _answers_by_message(account):
        kind, ref, reply_to = ConversationKind.direct, f"oDemo{n:04d}Thimphu", None
    else:
        kind, ref, reply_to = ConversationKind.comment_thread, f"demo-{account.platform}-{post_id}-{n}", post_id
    inbound = Inbound(
        action=Action.message,
        account_ref=account.external_id,
        conversation_kind=kind,
        conversation_ref=ref,
        post_ref=post_id if kind is ConversationKind.comment_thread else None,
        created_at=at,
        external_id=f"demo-{account.platform}-{post_id}-{n}",
        contact=ContactRef(person, f"Citizen {n}"),
        text=text,
        reply_to_external_id=reply_to,
    )
    record_inbound(session, account=account, inbound=inbound)


def _bus_stop(session: Session, world: DemoWorld, rng: random.Random) -> Consultation:
    now = utcnow()
    opened = now - timedelta(days=6)
    agency = world.agencies["THROMDE"]
    analyst = _actor(session, world, "analyst", "THROMDE")
    # The city's accounts that take posts and have scripted scenes (three: two take comments).
    accounts = world.accounts_of("THROMDE", lambda spec: spec.demo is not None and spec.post is not None)
    with _at(opened - timedelta(days=1)):
        consultation = service.create(
            session,
            actor=analyst,
            data=ConsultationCreate(
                agency_id=agency.id,
                title="Model bus stop on Norzin Lam: tell us before we build it",
                summary=(
                    "Thimphu Thromde will build a new model bus stop on Norzin Lam and then use its design across "
                    "the city. Here are three designs. Tell us which one works for you, and what a bus stop must have."
                ),
                body_markdown=(
                    "## Why a new bus stop\nThe stop opposite the Clock Tower serves more than 2,000 passengers a day. "
                    "Its shelter is too small, it has no light and water pools in front of it.\n\n"
                    "## What we plan\n- Build the chosen design on Norzin Lam in the spring\n"
                    "- Use the same design for 40 stops over three years\n\n"
                    "| Design | Cost estimate (Nu.) | Build time |\n|---|---|---|\n"
                    "| A | 450,000 | 3 weeks |\n| B | 780,000 | 6 weeks |\n| C | 1,150,000 | 5 weeks |"
                ),
                closes_at=now + timedelta(days=15),
                hashtag="NorzinBusStop",
                contact_name="Sangay Tshomo, Urban Planning Division",
                contact_email="planning@thimphucity.example",
                contact_phone="+975 2 333 444",
                account_ids=[a.id for a in accounts],
                questions=[
                    QuestionIn(
                        kind=QuestionKind.design_option,
                        prompt="Which design do you prefer?",
                        options=list("ABC"),
                        required=True,
                    ),
                    QuestionIn(
                        kind=QuestionKind.rating,
                        prompt="How good is the bus stop there today? (1–5)",
                        scale_low="very poor",
                        scale_high="very good",
                    ),
                    QuestionIn(
                        kind=QuestionKind.multiple_choice,
                        prompt="What must every bus stop have?",
                        options=["Roof", "Benches", "Lighting", "Timetable", "Ramp for wheelchairs", "Dustbin"],
                    ),
                    QuestionIn(kind=QuestionKind.free_text, prompt="What else should we know before we build it?"),
                ],
            ),
        )
        for label, alt in DESIGNS.items():
            service.add_attachment(
                session,
                actor=analyst,
                consultation_id=consultation.id,
                filename=f"bus-stop-design-{label}.png",
                data=png(label),
                alt_text=alt,
                option_label=label,
            )
        captions = {a.option_label: a.id for a in queries.attachments_of(session, consultation.id)}
        save_dzongkha(
            session,
            analyst,
            consultation.id,
            dzongkha.BUS_STOP,
            dzongkha.BUS_STOP_QUESTIONS,
            attachments={captions[label]: {"alt_text": text} for label, text in dzongkha.DESIGN_CAPTIONS.items()},
        )
    with _at(opened):
        service.open_now(session, actor=analyst, consultation_id=consultation.id)
        posts = _mark_sent(session, consultation, opened)
    questions = queries.questions_of(session, consultation.id)
    design, rating, needs, free = questions
    comments = iter(rng.sample(FORM_COMMENTS, len(FORM_COMMENTS)) * 2)
    for n in range(42):
        at = opened + timedelta(minutes=rng.randint(30, 6 * 24 * 60 - 30))
        with _at(at):
            values = {
                design.id: ["BABCBBCBAC"[n % 10]],  # half for B, three in ten for C
                rating.id: [str(rng.choices(range(1, 6), weights=(4, 5, 3, 1, 1))[0])],
                needs.id: rng.sample(needs.options, rng.randint(1, 3)),
            }
            if n % 4 != 3:
                values[free.id] = [next(comments)]
            answers.submit_form(
                session, consultation=consultation, values=values, language=rng.choice(["en", "en", "dz"])
            )
    remarks = rng.sample(PLATFORM_COMMENTS, len(PLATFORM_COMMENTS)) * 2
    for n in range(36):
        account = accounts[n % len(accounts)]
        at = opened + timedelta(minutes=rng.randint(30, 6 * 24 * 60 - 30))
        text = remarks[n]
        if _answers_by_message(account):
            text = f"{consultation.code}: {text}"
        with _at(at):
            _citizen_message(session, account, posts.get(account.id, ""), n, text, at)
    commenters = [a for a in accounts if not _answers_by_message(a)]
    for n in range(12):
        account = commenters[n % len(commenters)]
        with _at(opened + timedelta(days=3, minutes=7 * n)):
            _citizen_message(session, account, posts[account.id], 100 + n, CAMPAIGN, utcnow())
    themes.refresh(session, consultation)
    return consultation


def save_dzongkha(
    session: Session,
    actor: Actor,
    consultation_id: int,
    texts: dict[str, str],
    questions: Sequence[Mapping[str, str]],
    *,
    attachments: dict[int, dict[str, str]] | None = None,
    sections: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """The consultation's Dzongkha version, as an official writes it: ``questions`` in the consultation's order,
    ``sections`` by their English heading (written before the report is published, when its text becomes final)."""
    written = sections or {}
    translation.save(
        session,
        actor=actor,
        consultation_id=consultation_id,
        lang="dz",
        data=translation.Translation(
            consultation=texts,
            questions={
                q.id: dict(t) for q, t in zip(queries.questions_of(session, consultation_id), questions, strict=True)
            },
            attachments=attachments or {},
            sections={s.id: dict(written[s.heading]) for s in report.sections_of(session, consultation_id) if written},
        ),
    )


def _survey(session: Session, world: DemoWorld, rng: random.Random) -> Consultation:
    now = utcnow()
    opened, closed = now - timedelta(days=40), now - timedelta(days=12)
    oversight = _actor(session, world, "analyst", "DOIM")
    with _at(opened - timedelta(days=2)):
        survey = service.create(
            session,
            actor=oversight,
            data=ConsultationCreate(
                agency_id=world.agencies["DOIM"].id,
                title="Has opening social media in offices helped your work?",
                summary=(
                    "A year ago the ban on social media in government offices ended. This survey asks civil "
                    "servants whether access during office hours has helped them serve citizens."
                ),
                kind=ConsultationKind.survey,
                audience=Audience.civil_servants,
                audience_agency_ids=[a.id for a in world.agencies.values()],
                closes_at=closed,
                contact_name="Ugyen Tenzin, Department of Information and Media",
                questions=[
                    QuestionIn(
                        kind=QuestionKind.single_choice,
                        prompt="Has access to social media at work helped you serve citizens?",
                        options=["Yes, a lot", "Somewhat", "Not at all"],
                        required=True,
                    ),
                    QuestionIn(
                        kind=QuestionKind.rating,
                        prompt="How clear are the social media guidelines? (1–5)",
                        scale_low="not clear at all",
                        scale_high="perfectly clear",
                    ),
                    QuestionIn(kind=QuestionKind.free_text, prompt="What would help you most?"),
                ],
            ),
        )
    with _at(opened):
        service.open_now(session, actor=oversight, consultation_id=survey.id)
    helped, clarity, wish = queries.questions_of(session, survey.id)
    wishes = [
        "Training on how to answer angry comments politely.",
        "Faster approval from the head when a reply is held.",
        "Clear examples of what counts as confidential.",
        "A shared list of answers to common questions.",
    ]
    # Every demo official of the chosen agencies answers once, signed in (a survey of civil servants takes
    # answers only through their logins).
    audience = set(survey.audience_agency_ids)
    respondents = [o for o in world.officials.values() if {m.agency_id for m in o.memberships} & audience]
    for n, official in enumerate(respondents):
        with _at(opened + timedelta(minutes=rng.randint(10, 27 * 24 * 60))):
            values = {
                helped.id: [rng.choices(helped.options, weights=(5, 4, 1))[0]],
                clarity.id: [str(rng.choices(range(1, 6), weights=(1, 2, 4, 4, 2))[0])],
            }
            if n % 2 == 0:
                values[wish.id] = [rng.choice(wishes)]
            answers.submit_form(session, consultation=survey, values=values, respondent=Actor.of(official))
    with _at(closed):
        service.close(session, actor=oversight, consultation_id=survey.id)  # its themes: a job, after commit
    with _at(closed + timedelta(days=5)):
        report.save_report(
            session,
            actor=oversight,
            consultation_id=survey.id,
            data=ReportIn(
                report_intro=f"{len(respondents)} civil servants from four agencies answered in four weeks. Thank you.",
                decision=(
                    "Access stays open in office hours. The department will run guideline training in every "
                    "agency this year and publish a shared set of answers to common questions."
                ),
            ),
        )
        for heading, said, did in [
            (
                "Did it help?",
                "Nine in ten of you said access helped at least somewhat, mostly to answer citizens faster.",
                "Social media stays open in office hours; each agency head still decides on personal use.",
            ),
            (
                "Clearer guidelines",
                "Many asked for examples of what is confidential and how to reply to angry comments.",
                "Every warning in CivicLoop now explains the guideline; training starts next month.",
            ),
            (
                "Held replies",
                "Some of you waited too long for the head's approval of a held reply.",
                "Agency heads now get a daily reminder of held replies. We did not drop the approval step: "
                "it protects confidential information.",
            ),
        ]:
            report.add_section(
                session,
                actor=oversight,
                consultation_id=survey.id,
                data=ReportSectionIn(heading=heading, you_said=said, we_did=did),
            )
        # Its Dzongkha version, written before the report is published (then its text is final).
        count = i18n.digits(str(len(respondents)), "dz", native=True)
        save_dzongkha(
            session,
            oversight,
            survey.id,
            {**dzongkha.SURVEY, "report_intro": dzongkha.SURVEY["report_intro"].format(count=count)},
            dzongkha.SURVEY_QUESTIONS,
            sections=dzongkha.SURVEY_SECTIONS,
        )
        report.publish(session, actor=oversight, consultation_id=survey.id)
    return survey


def seed_consultations(session: Session, world: DemoWorld) -> None:
    rng = random.Random(7)  # noqa: S311 - demo data
    _survey(session, world, rng)
    _bus_stop(session, world, rng)
    session.flush()
