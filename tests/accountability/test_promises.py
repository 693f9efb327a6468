from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.accountability import lexicon, service
from civicloop.accountability.models import Promise, PromiseStatus
from civicloop.audit.models import AuditEntry
from civicloop.errors import Conflict, Invalid
from civicloop.inbox import service as inbox
from civicloop.notifications.models import Notification
from civicloop.sla.calendar import OfficeCalendar, calendar_for
from tests.accountability.conftest import Scene
from tests.factories import create_agency, create_official, csrf_from, login

# Thursday 15 April 2027, 10:00 in Thimphu; Friday 16 April is a public holiday (Zhabdrung's death anniversary).
THURSDAY = datetime(2027, 4, 15, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "phrase", "kind"),
    [
        ("We will fix the streetlight by Friday.", "by Friday", "weekday"),
        ("A crew will come tomorrow morning.", "tomorrow", "day+1"),
        ("We'll replace it within two weeks.", "within two weeks", "weeks"),
        ("It will be repaired within 3 working days.", "within 3 working days", "office_days"),
        ("The new timetable will be out next month.", "next month", "month_end+1"),
        ("ཟླ་བ་ཤུལ་མ་ ལཱ་འབད་འོང་།", "ཟླ་བ་ཤུལ་མ", "month_end+1"),
        ("ང་བཅས་ཀྱིས་ གཟའ་པ་སངས་ ནང་ བཟོ་འོང་།", "གཟའ་པ་སངས", "weekday"),
        ("nga tshos gza pa sangs la bzo gen", "gza pa sangs", "weekday"),
    ],
)
def test_the_lexicon_finds_promises_with_a_time(text: str, phrase: str, kind: str) -> None:
    found = lexicon.find(text)
    assert found is not None and (found.phrase, found.kind) == (phrase, kind)


def test_a_time_without_a_commitment_is_no_promise() -> None:
    assert lexicon.find("The office was closed on Friday. Thank you for writing.") is None
    assert lexicon.find("Thank you, we have noted it.") is None


def test_due_dates_follow_the_office_calendar() -> None:
    calendar = OfficeCalendar()  # Monday to Friday 9 to 5, Bhutan's public holidays, Asia/Thimphu

    def due(text: str) -> datetime:
        found = lexicon.find(text)
        assert found is not None
        return lexicon.due_at(calendar, THURSDAY, found).astimezone(calendar.zone)

    assert calendar.public_holiday(date(2027, 4, 16)) is not None
    assert due("We will fix it by Friday.") == datetime(2027, 4, 19, 17, 0, tzinfo=calendar.zone)
    assert due("We will fix it tomorrow.").date() == date(2027, 4, 19), "tomorrow is the holiday"
    assert due("We will fix it within 2 working days.").date() == date(2027, 4, 20)
    assert due("We will fix it within two weeks.").date() == date(2027, 4, 29)
    assert due("We will fix it next week.").date() == date(2027, 4, 23)
    assert due("We will fix it next month.").date() == date(2027, 5, 31)


def test_a_reply_promising_a_fix_by_friday_before_a_holiday_is_due_on_monday(
    db: Session, client: TestClient, scene: Scene
) -> None:
    scene.clock.at = THURSDAY
    message = scene.messenger("The streetlight outside the Clock Tower is out.")
    calendar = calendar_for(db, scene.agency.id)
    assert calendar.public_holiday(date(2027, 4, 16)) is not None and not calendar.open_spans(date(2027, 4, 16))
    inbox.reply(db, actor=scene.actor, conversation_id=message.conversation_id, text="We will fix it by Friday.")
    db.commit()
    proposal = service.proposal(db, actor=scene.actor, conversation_id=message.conversation_id)
    assert proposal is not None and proposal.found.phrase == "by Friday"
    monday = datetime.combine(date(2027, 4, 19), time(), tzinfo=calendar.zone)
    close = monday.replace(hour=calendar.open_spans(monday.date())[-1][1] // 60)
    assert proposal.due_at == close.astimezone(UTC)

    login(client, scene.officer)
    prompt = client.get(f"/inbox/{message.conversation_id}/promises")
    assert "Track this promise" in prompt.text and "Monday 2027-04-19" in prompt.text
    conversation_page = client.get(f"/inbox/{message.conversation_id}")
    assert f'hx-get="/inbox/{message.conversation_id}/promises"' in conversation_page.text
    csrf = {"X-CSRF-Token": csrf_from(conversation_page.text)}
    path = f"/inbox/{message.conversation_id}/promises/{proposal.outbound.id}"
    assert client.post(f"{path}/maybe", headers=csrf).status_code == 404
    confirmed = client.post(f"{path}/confirm", headers=csrf)
    assert confirmed.status_code == 200 and "Track this promise" not in confirmed.text and "open" in confirmed.text
    db.rollback()
    promise = db.scalars(select(Promise)).one()
    assert promise.status is PromiseStatus.open and promise.assignee_id == scene.officer.id
    with pytest.raises(Conflict):
        service.decide_promise(db, actor=scene.actor, outbound_id=proposal.outbound.id, confirm=False)


def test_a_missed_promise_reminds_the_assignee_and_counts_on_the_scorecard_and_transparency_page(
    db: Session, client: TestClient, scene: Scene
) -> None:
    scene.clock.at = THURSDAY
    message = scene.messenger("The streetlight outside the Clock Tower is out.")
    outbound = inbox.reply(
        db, actor=scene.actor, conversation_id=message.conversation_id, text="We will fix it by Friday."
    )
    service.decide_promise(db, actor=scene.actor, outbound_id=outbound.id, confirm=True)
    db.commit()
    assert service.remind_due(db) == 0, "not due within a day yet"
    scene.clock.at = datetime(2027, 4, 18, 12, 0, tzinfo=UTC)  # Sunday: due Monday
    assert service.remind_due(db) == 1 and service.remind_due(db) == 0, "once"
    scene.clock.at = datetime(2027, 4, 20, 4, 0, tzinfo=UTC)  # Tuesday: missed
    assert service.remind_due(db) == 1
    db.commit()
    kinds = sorted(db.scalars(select(Notification.kind).where(Notification.official_id == scene.officer.id)))
    assert kinds == ["promise_due", "promise_missed"]

    period = "start=2027-04-01&end=2027-04-30"
    transparency = client.get(f"/transparency?{period}")
    assert "Missed promises" in transparency.text
    table = client.get(f"/transparency?{period}&table=responsiveness&format=json").json()
    assert [(r["code"], r["missed_promises"]) for r in table["rows"]] == [("THROMDE", 1)]
    head = create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    create_agency(db, "DOIM", name="Department of Information and Media")
    national = create_official(db, "auditor@DOIM", email="auditor@gov.example")
    db.commit()
    login(client, head)
    card = client.get(f"/oversight/agencies/{scene.agency.id}?{period}")
    assert card.status_code == 200 and "Missed promises" in card.text
    figures = client.get(f"/oversight/agencies/{scene.agency.id}?{period}&table=figures&format=json").json()
    assert {r["key"]: r["value"] for r in figures["rows"]}["missed_promises"] == 1
    client.cookies.clear()
    login(client, national)
    dashboard = client.get(f"/oversight?{period}&table=figures&format=json").json()
    assert {r["key"]: r["value"] for r in dashboard["rows"]}["missed_promises"] == 1

    promise = db.scalars(select(Promise)).one()
    with pytest.raises(Invalid, match="within 24 hours"):  # Messenger's window closed: keep it without a follow-up
        service.keep_promise(db, actor=scene.actor, promise_id=promise.id, note="Done.", follow_up="It is fixed now.")
    kept = service.keep_promise(db, actor=scene.actor, promise_id=promise.id, note="Bulb replaced.")
    db.commit()
    assert kept.status is PromiseStatus.kept and kept.kept_at is not None and kept.kept_at > kept.due_at
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("promise.%"))))
    assert actions == {"promise.confirm", "promise.keep"}
