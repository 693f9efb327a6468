"""Guidelines in the demo: an agency's confidential terms and public contacts, a candidate list,
two months of findings, a post held for the Thromde head's approval and one the head rejected."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.outbound.service import create_outbound
from civicloop.demo.foundation import DemoWorld, demo_email
from civicloop.guidelines import service
from civicloop.guidelines.models import Approval, GuidelineReview, ReviewFinding
from civicloop.kit.clock import utcnow

# Fictional names: the real list is kept by national oversight for each election.
CANDIDATES = ["Kelzang Tobgyel", "Dechen Yangki Dorji"]
HISTORY = [
    ("THROMDE", "reply", "Pema, call our engineer Dawa on 17654321 about the leak."),
    ("THROMDE", "reply", "The Changzamtok bus stop will be repaired by 15 March; budget Nu. 2,450,000."),
    ("THROMDE", "reply", "Can't you read? The office is closed on Saturdays."),
    ("THROMDE", "post", "Water supply to Motithang is interrupted on 12 April from 10 am to 3 pm."),
    ("THROMDE", "reply", "Your email sonam.d88@gmail.com has been added to the notification list."),
    ("MOIT", "post", "Per letter MoIT/DoR/ADM-05/2024/1234 the Hejo bridge closes for 3 weeks."),
    ("MOIT", "reply", "DNT members visited the bus terminal today."),
    ("MOIT", "reply", "Honestly, the government's new policy is a disaster for small vendors."),
    ("PUNAKHA", "reply", "Karma Dema (DOB: 1990-07-23) is listed as the tenant."),
    ("PUNAKHA", "post", "The Punakha Tshechu starts on 17 February; 12 extra buses will run."),
    ("THROMDE", "reply", "Thank you for the photos, a team will clear the drain tomorrow."),
    ("MOIT", "reply", "Refund of Nu. 12,500 paid into account no. 200123456 of Mr. Wangdi."),
]


def _actor(session: Session, world: DemoWorld, role: str, code: str) -> Actor:
    official = world.officials[demo_email(role, code)]
    session.refresh(official)
    return Actor.of(official)


def seed_guidelines(session: Session, world: DemoWorld) -> None:
    admin = _actor(session, world, "national_admin", "DOIM")
    thromde = world.agencies["THROMDE"]
    for name in CANDIDATES:
        service.add_term(session, actor=admin, lexicon="candidates", term=name)
    head = _actor(session, world, "agency_head", "THROMDE")
    service.add_term(session, actor=head, lexicon="agency_terms", term="Project Zhungdra", agency_id=thromde.id)
    for contact in ("02-322245", "feedback@thimphucity.bt"):
        service.add_term(session, actor=head, lexicon="public_contacts", term=contact, agency_id=thromde.id)

    now = utcnow()
    for index, (code, kind, text) in enumerate(HISTORY * 3):
        officer = _actor(session, world, "officer", code)
        review = service.review_outgoing(
            session, actor=officer, agency_id=world.agencies[code].id, text=text, kind=kind
        )
        # Spread the history over the last two months so the charts have a shape.
        when = now - timedelta(days=(index * 5) % 58 + 1, hours=index % 7)
        assert review.review_id is not None
        session.execute(update(GuidelineReview).where(GuidelineReview.id == review.review_id).values(created_at=when))
        session.execute(
            update(ReviewFinding).where(ReviewFinding.review_id == review.review_id).values(created_at=when)
        )

    officer = _actor(session, world, "officer", "THROMDE")
    page = world.first_account("THROMDE", lambda spec: spec.post is not None)
    rejected = create_outbound(
        session,
        actor=officer,
        account_id=page.id,
        kind="post",
        text="Thank you Babesa! Vote for Kelzang Tobgyel, who got your footpath built.",
    )
    approval = session.scalars(select(Approval).where(Approval.outbound_id == rejected.id)).one()
    service.decide(
        session,
        actor=head,
        approval_id=approval.id,
        approve=False,
        reason="Official pages never endorse candidates. Thank residents without naming anyone.",
    )
    create_outbound(
        session,
        actor=officer,
        account_id=page.id,
        kind="post",
        text="Congratulations to Sonam Choden (CID 11208004567) of Babesa, winner of the clean neighbourhood award!",
    )
