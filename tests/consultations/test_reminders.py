"""Reminders timed by the agency's office calendar: the last-chance post and notices before closing, and the
reminder to publish the report after closing; emails go through a real SMTP server on loopback."""

from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations import reminders, schedule, service
from civicloop.notifications.models import Notification
from civicloop.publishing.models import Post
from civicloop.sla import service as sla
from tests.channels.outbound.test_email import Inbox, smtp_server
from tests.consultations.conftest import Scene, make_consultation

__all__ = ["smtp_server"]

CONTACT = "planning@thromde.example"


def _notices(db: Session, kind: str) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.kind == kind)))


def test_before_closing_a_last_chance_post_and_notices_go_out_once_in_office_hours(
    db: Session, scene: Scene, smtp_server: Inbox
) -> None:
    # The scene's clock stands at Monday 2 March 2026, 10:00 in Thimphu; office hours are 09:00–17:00.
    closes_at = scene.clock.now() + timedelta(days=1, hours=2)
    consultation = make_consultation(db, scene, closes_at=closes_at, contact_email=CONTACT)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    assert reminders.remind_due(db) == [], "7 office hours today and 3 tomorrow are still left"
    scene.clock.advance(hours=8)  # 18:00: within one office day of closing, but the office is shut
    assert reminders.remind_due(db) == [], "nobody is at work to answer what a reminder brings"
    scene.clock.advance(hours=15, minutes=30)  # Tuesday 09:30
    assert reminders.remind_due(db) == [consultation.id]
    db.commit()
    texts = db.scalars(select(Post.text).where(Post.consultation_id == consultation.id).order_by(Post.id)).all()
    assert len(texts) == 2 and texts[1].split("\n\n")[2].startswith("Last chance: tell us what you think by")
    (notice,) = _notices(db, "consultation_closing")
    assert notice.official_id == scene.officer.id and notice.url == f"/consultations/{consultation.id}"
    assert notice.agency_id == scene.agency.id
    assert notice.title == f"“{consultation.title}” closes for answers on Tuesday 03 March 2026 12:00"
    assert sorted(smtp_server.envelopes) == sorted([[CONTACT], [scene.officer.email]])
    contact_mail = next(m for m in smtp_server.messages if m["To"] == CONTACT)
    subject = str(make_header(decode_header(contact_mail["Subject"])))
    assert subject.replace("\n ", " ") == f"[CivicLoop] {notice.title}"
    assert f"/c/{consultation.code}" in str(contact_mail.get_payload())
    assert reminders.remind_due(db) == [], "only once"


def test_the_report_reminder_counts_office_days_and_skips_closures(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    service.close(db, actor=scene.actor, consultation_id=consultation.id)  # Monday 2 March, 10:00
    sla.add_closure(db, actor=None, scope="agency", agency_id=scene.agency.id, day=date(2026, 3, 4), name="Office move")
    db.commit()
    # 7 office hours on Monday, 8 on Tuesday, none on Wednesday (closed), 8 each on Thursday, Friday and
    # Monday 9 March: 39 hours. The fortieth ends on Tuesday 10 March at 10:00 in Thimphu.
    scene.clock.at = datetime(2026, 3, 9, 10, 59, tzinfo=UTC)  # Monday 16:59
    assert reminders.remind_report_due(db) == []
    scene.clock.at = datetime(2026, 3, 10, 3, 59, tzinfo=UTC)  # Tuesday 09:59
    assert reminders.remind_report_due(db) == []
    scene.clock.at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # Tuesday 10:00
    assert reminders.remind_report_due(db) == [consultation.id]
    db.commit()
    (notice,) = _notices(db, "consultation_report")
    assert notice.title == f"Publish the report of “{consultation.title}”"
    assert "closed on Monday 02 March 2026 10:00" in notice.body
    scene.clock.advance(days=1)
    assert reminders.remind_report_due(db) == [], "only once"
    assert schedule.advance(db)["report_reminded"] == []
