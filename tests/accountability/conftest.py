"""Accountability tests reuse the outbound scene (every platform, the simulator over HTTP, a still clock)
and the consultation helper: the bus-stop consultation, answered on each channel, closed and reported."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from civicloop.accountability import service
from civicloop.accountability.models import Commitment
from civicloop.accountability.schemas import CommitmentIn
from civicloop.consultations import report
from civicloop.consultations import service as consultations
from civicloop.consultations.models import Consultation
from civicloop.consultations.schemas import ReportSectionIn
from tests.consultations.conftest import Scene, clock, make_consultation, scene, sim, simulator_server

__all__ = ["Scene", "clock", "published_with_participants", "scene", "sim", "simulator_server"]


def published_with_participants(db: Session, scene: Scene) -> tuple[Consultation, Commitment]:
    """Four citizens took part: a Facebook comment, an X mention, a WeChat message and a Messenger message
    (the same Messenger citizen also commented twice, and hears once); the report is published."""
    consultation = make_consultation(db, scene)
    consultations.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    code = consultation.code
    scene.comment(f"{code}: option B, and a roof please")
    scene.mention(f"@ThimphuThromde {code}: option A please, with a bench")
    scene.wechat_text(f"{code}: 需要照明")
    scene.messenger(f"{code}: the stop floods when it rains")
    scene.messenger(f"{code}: and it needs a light")
    consultations.close(db, actor=scene.actor, consultation_id=consultation.id)
    section = report.add_section(
        db,
        actor=scene.actor,
        consultation_id=consultation.id,
        data=ReportSectionIn(heading="Rain", you_said="It floods.", we_did="We raise the platform."),
    )
    report.publish(db, actor=scene.actor, consultation_id=consultation.id)
    commitment = service.create_commitment(
        db,
        actor=scene.actor,
        consultation_id=consultation.id,
        data=CommitmentIn(
            title="Raise the bus stop platform above the flood line",
            division="Urban Planning Division",
            due_on=date(2026, 4, 30),
            section_id=section.id,
            themes=["flooding"],
        ),
    )
    db.commit()
    return consultation, commitment
