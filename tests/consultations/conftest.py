"""Consultation tests reuse the outbound scene: an agency with accounts on every platform, the platform
simulator served over HTTP (announcements really go out), and a clock that stands still."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from civicloop.consultations import service
from civicloop.consultations.models import Consultation, QuestionKind
from civicloop.consultations.schemas import ConsultationCreate, QuestionIn
from tests.channels.outbound.conftest import Scene, clock, scene, sim, simulator_server
from tests.consultations.crafted import plain_pdf

__all__ = ["Scene", "clock", "make_consultation", "scene", "sim", "simulator_server"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = plain_pdf()


def make_consultation(
    db: Session, scene: Scene, *, accounts: bool = True, design: bool = True, **overrides: object
) -> Consultation:
    """The bus-stop draft: three questions (design option A/B/C, rating, free text) and option pictures."""
    now = scene.clock.now()
    questions = [
        QuestionIn(kind=QuestionKind.design_option, prompt="Which design do you prefer?", options=["A", "B", "C"]),
        QuestionIn(kind=QuestionKind.rating, prompt="How good is the bus stop today?"),
        QuestionIn(kind=QuestionKind.free_text, prompt="What should the new bus stop have?"),
    ]
    fields: dict[str, object] = {
        "agency_id": scene.agency.id,
        "title": "Model bus stop on Norzin Lam: tell us before we build it",
        "summary": "Three designs for the new bus stop. Which one works for you?",
        "body_markdown": "## Why\nThe old shelter is too small.",
        "closes_at": now + timedelta(days=14),
        "hashtag": "NorzinBusStop",
        "contact_name": "Urban Planning Division",
        "account_ids": [scene.facebook.id, scene.x.id, scene.wechat.id] if accounts else [],
        "questions": questions if design else questions[1:],
    }
    data = ConsultationCreate.model_validate({**fields, **overrides})
    consultation = service.create(db, actor=scene.actor, data=data)
    if design:
        for label in "ABC":
            service.add_attachment(
                db,
                actor=scene.actor,
                consultation_id=consultation.id,
                filename=f"option-{label}.png",
                data=PNG,
                alt_text=f"Design {label}",
                option_label=label,
            )
    db.commit()
    return consultation
