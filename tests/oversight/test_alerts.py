"""Alerts end to end: messages in, a spike raised once, mailed once to the right people, then handled."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.audit.models import AuditEntry
from civicloop.auth import service as officials
from civicloop.channels.models import Direction
from civicloop.consultations.models import ConsultationConversation, LinkSource
from civicloop.kit.clock import FixedClock, set_clock
from civicloop.oversight import aggregates, alerts, tasks
from civicloop.oversight.models import Alert, AlertKind, AlertState
from tests.factories import create_account, create_agency, create_official, csrf_from, login
from tests.oversight.builders import bulk_messages, bus_stop_consultation, message
from tests.oversight.conftest import Inbox

NOW = datetime(2026, 3, 4, 5, 30, tzinfo=UTC)  # 11:30 in Thimphu, a Wednesday
ZONE = "Asia/Thimphu"


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(NOW)
    restore = set_clock(fixed)
    yield fixed
    restore()


@pytest.fixture
def world(db: Session) -> dict[str, object]:
    thromde, punakha = create_agency(db, "THROMDE"), create_agency(db, "PUNAKHA")
    create_agency(db, "DOIM")
    people = {
        "head": create_official(db, "agency_head@THROMDE", email="head@thromde.example"),
        "officer": create_official(db, "officer@THROMDE", email="officer@thromde.example"),
        "other_head": create_official(db, "agency_head@PUNAKHA", email="head@punakha.example"),
        "admin": create_official(db, "national_admin@DOIM", email="admin@doim.example"),
        # People who never sign in here get no password: hashing one costs a few hundred milliseconds.
        **{
            key: officials.create_official_with_roles(
                db, actor=None, email=email, name=key, password=None, roles=[role]
            )
            for key, role, email in (
                ("itadmin", "agency_admin@THROMDE", "itadmin@thromde.example"),
                ("analyst", "analyst@THROMDE", "analyst@thromde.example"),
                ("responsible", "officer@THROMDE", "pages@thromde.example"),
            )
        },
    }
    page = create_account(db, thromde, "facebook", name="Thimphu Thromde Page")
    page.responsible_official_id = people["responsible"].id
    quiet = create_account(db, punakha, "facebook", name="Punakha Page")
    db.commit()
    return {"thromde": thromde, "punakha": punakha, "page": page, "quiet": quiet, **people}


def _fresh(db: Session, alert_id: int) -> Alert | None:
    """The alert as the jobs left it: end the test's read snapshot first (SQLite keeps one per transaction)."""
    db.commit()
    return db.get(Alert, alert_id, populate_existing=True)


def _steady_week(db: Session, account: OfficialAccount, per_hour: int = 2) -> None:
    """A week of ordinary traffic before NOW - 1 h: ``per_hour`` citizen messages every hour."""
    rows = []
    for hour in range(2, 24 * 7 + 2):
        for n in range(per_hour):
            rows.append((account, NOW - timedelta(hours=hour, minutes=10 + n), Direction.inbound, f"week-{hour % 30}"))
    bulk_messages(db, rows)
    db.commit()


def _burst(
    db: Session, account: OfficialAccount, count: int, minutes: int = 50, now: datetime = NOW, one_by_one: bool = False
) -> None:
    """``count`` citizen messages spread over the ``minutes`` before ``now``; ``one_by_one`` sends each through
    channels' ``record_inbound`` (and every domain's hooks), as live messages arrive."""
    times = [now - timedelta(seconds=minutes * 60 * (n + 1) / (count + 1)) for n in range(count)]
    if one_by_one:
        for n, at in enumerate(times):
            message(db, account, at, thread=f"bus-stop-{n % 5}", citizen=f"c{n}")
    else:
        rows = [(account, at, Direction.inbound, f"bus-stop-{now:%H%M}-{n % 5}") for n, at in enumerate(times)]
        bulk_messages(db, rows)
    db.commit()


def _raise_spike(db: Session, world: dict) -> int:
    _steady_week(db, world["page"])
    _burst(db, world["page"], 30)
    (alert_id,) = tasks.refresh_and_evaluate()
    return alert_id


def test_a_burst_of_citizen_messages_raises_one_spike_alert(db: Session, world: dict, clock: FixedClock) -> None:
    page = world["page"]
    _steady_week(db, page)
    _burst(db, page, 30, one_by_one=True)
    new_ids = tasks.refresh_and_evaluate()
    assert len(new_ids) == 1
    alert = db.get(Alert, new_ids[0])
    assert alert is not None
    assert alert.kind is AlertKind.message_spike and alert.subject_id == page.id
    assert alert.agency_id == world["thromde"].id
    assert "30 messages in the last hour; usually 2.0 per hour" in alert.detail
    assert alert.state is AlertState.open and alert.active


def test_the_same_spike_is_not_raised_again_while_it_lasts(db: Session, world: dict, clock: FixedClock) -> None:
    page = world["page"]
    _steady_week(db, page)
    _burst(db, page, 30)
    first = tasks.refresh_and_evaluate()
    clock.advance(minutes=5)
    _burst(db, page, 10, minutes=3, now=clock.now())
    again = tasks.refresh_and_evaluate()
    assert len(first) == 1 and again == []
    db.commit()  # end the test's read snapshot (SQLite) to see what the jobs committed
    rows = db.scalars(select(Alert).execution_options(populate_existing=True)).all()
    assert len(rows) == 1
    assert rows[0].last_seen_at == NOW + timedelta(minutes=5)
    assert rows[0].value == 40


def test_a_quiet_hour_clears_the_alert_and_a_day_later_the_system_resolves_it(
    db: Session, world: dict, clock: FixedClock
) -> None:
    alert_id = _raise_spike(db, world)
    clock.advance(hours=2)
    tasks.refresh_and_evaluate()
    alert = _fresh(db, alert_id)
    assert alert is not None and not alert.active and alert.state is AlertState.open
    clock.advance(hours=25)
    raised = tasks.refresh_and_evaluate()  # a day without the usual hourly traffic: the page went silent
    assert [_fresh(db, i).kind for i in raised] == [AlertKind.account_silent]  # type: ignore[union-attr]
    alert = _fresh(db, alert_id)
    assert alert is not None and alert.state is AlertState.resolved
    assert alert.open_key is None and "resolved by the system" in alert.resolution


def test_the_new_alert_is_mailed_once_to_the_agencys_people_and_no_one_else(
    db: Session, world: dict, clock: FixedClock, smtp_server: Inbox
) -> None:
    alert_id = _raise_spike(db, world)
    clock.advance(minutes=5)
    tasks.refresh_and_evaluate()
    assert len(smtp_server.messages) == 1, "the same alert must be mailed once"
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "[CivicLoop] Spike of citizen messages on Thimphu Thromde Page"
    assert sorted(smtp_server.envelopes[0]) == [
        "head@thromde.example",
        "officer@thromde.example",
        "pages@thromde.example",
    ]
    body = mail.get_payload(decode=True).decode()
    assert "30 messages in the last hour" in body and f"/oversight/alerts/{alert_id}" in body
    assert smtp_server.logins == ["civicloop"]
    alert = _fresh(db, alert_id)
    assert alert is not None and alert.notified_at == NOW and len(alert.notified_to) == 3


def test_without_smtp_nothing_is_sent_and_the_alert_says_so(db: Session, world: dict, clock: FixedClock) -> None:
    alert_id = _raise_spike(db, world)
    alert = _fresh(db, alert_id)
    assert alert is not None and alert.notified_at is None


def test_an_account_quiet_for_days_after_a_steady_rhythm_is_reported_silent(
    db: Session, world: dict, clock: FixedClock
) -> None:
    page = world["page"]
    rows = []
    for day in range(4, 20):  # office hours for two weeks, then nothing for the last three days
        for hour in range(9, 17):
            at = (NOW - timedelta(days=day)).replace(hour=hour - 6, minute=15)
            rows.append((page, at, Direction.inbound, f"d{day}"))
    bulk_messages(db, rows)
    page.last_event_at = NOW - timedelta(days=4)
    db.commit()
    result = alerts.silent_accounts(db, NOW)
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    result = alerts.silent_accounts(db, NOW)
    assert [s.subject_id for s in result.signals] == [page.id]
    assert "usual longest pause is 16 hours" in result.signals[0].detection.explanation


def test_an_expiring_token_raises_an_alert_for_the_agency_admin(
    db: Session, world: dict, clock: FixedClock, smtp_server: Inbox
) -> None:
    page = world["page"]
    page.token_expires_at = NOW + timedelta(days=3)
    db.commit()
    (alert_id,) = tasks.refresh_and_evaluate()
    alert = db.get(Alert, alert_id)
    assert alert is not None and alert.kind is AlertKind.token_expiring
    assert sorted(smtp_server.envelopes[0]) == ["itadmin@thromde.example", "pages@thromde.example"]


def test_a_token_civicloop_renews_itself_never_alerts(db: Session, world: dict, clock: FixedClock) -> None:
    # What channels.outbound.send.access_token records after fetching WeChat's two-hour token: an expiry
    # "in 0 days" that comes back every two hours, and that no official can or needs to act on.
    wechat = create_account(db, world["thromde"], "wechat", name="Thromde WeChat")
    wechat.token_expires_at = NOW + timedelta(hours=2)
    world["page"].token_expires_at = NOW + timedelta(days=3)
    db.commit()
    signals = alerts.expiring_tokens(db, NOW).signals
    assert [s.subject_id for s in signals] == [world["page"].id], "only the token an official must renew"
    tasks.refresh_and_evaluate()
    db.rollback()
    kinds = {(a.kind, a.subject_id) for a in db.scalars(select(Alert))}
    assert (AlertKind.token_expiring, wechat.id) not in kinds
    assert (AlertKind.token_expiring, world["page"].id) in kinds


# Who may see and change an alert is decided in Python: checking it on one database is enough.
ROLES_ONLY_ON_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _post(client: TestClient, path: str, data: dict[str, str] | None = None) -> int:
    token = csrf_from(client.get("/oversight/alerts").text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False).status_code


def test_the_agency_head_acknowledges_then_resolves_and_both_are_audited(
    db: Session, client: TestClient, world: dict, clock: FixedClock
) -> None:
    alert_id = _raise_spike(db, world)
    login(client, world["head"])
    page = client.get(f"/oversight/alerts/{alert_id}")
    assert page.status_code == 200 and "30 messages in the last hour" in page.text
    assert _post(client, f"/oversight/alerts/{alert_id}/acknowledge") == 303
    assert _post(client, f"/oversight/alerts/{alert_id}/resolve", {"note": "Answered the bus-stop thread"}) == 303
    alert = _fresh(db, alert_id)
    assert alert is not None and alert.state is AlertState.resolved
    assert alert.resolution == "Answered the bus-stop thread" and alert.open_key is None
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "alert").order_by(AuditEntry.seq)
    ).all()
    assert actions == ["alert.acknowledge", "alert.resolve"]


def test_after_resolution_a_new_occurrence_is_a_new_alert(db: Session, world: dict, clock: FixedClock) -> None:
    alert_id = _raise_spike(db, world)
    head = world["head"]
    from civicloop.auth.scope import Actor

    alerts.resolve(db, actor=Actor.of(head), alert_id=alert_id, note="", now=NOW)
    db.commit()
    clock.advance(minutes=5)
    _burst(db, world["page"], 12, minutes=4, now=clock.now())
    again = tasks.refresh_and_evaluate()
    assert len(again) == 1 and again[0] != alert_id


@ROLES_ONLY_ON_SQLITE
@pytest.mark.parametrize(
    ("who", "seen", "action", "answer"),
    [("officer", 200, "acknowledge", 403), ("other_head", 404, "resolve", 404)],
    ids=["officers see their agency's alerts but cannot change them", "another agency's head cannot even see it"],
)
def test_who_sees_an_alert_and_who_may_change_it(
    db: Session, client: TestClient, world: dict, clock: FixedClock, who: str, seen: int, action: str, answer: int
) -> None:
    alert_id = _raise_spike(db, world)
    login(client, world[who])
    assert client.get(f"/oversight/alerts/{alert_id}").status_code == seen
    listed = "Thimphu Thromde Page" in client.get("/oversight/alerts?state=all").text
    assert listed is (seen == 200)
    assert _post(client, f"/oversight/alerts/{alert_id}/{action}") == answer


@ROLES_ONLY_ON_SQLITE
def test_the_national_admin_sees_and_may_resolve_every_alert(
    db: Session, client: TestClient, world: dict, clock: FixedClock
) -> None:
    alert_id = _raise_spike(db, world)
    login(client, world["admin"])
    listing = client.get("/oversight/alerts")
    assert "Spike of citizen messages on Thimphu Thromde Page" in listing.text
    exported = client.get("/oversight/alerts?table=alerts&format=json").json()
    assert [row["id"] for row in exported["rows"]] == [alert_id]
    assert _post(client, f"/oversight/alerts/{alert_id}/resolve") == 303


def test_a_jump_in_negative_messages_raises_a_negative_spike(db: Session, world: dict, clock: FixedClock) -> None:
    page = world["page"]
    usual = [(page, NOW - timedelta(hours=h, minutes=5), Direction.inbound, f"n{h % 9}") for h in range(7, 24 * 13)]
    bulk_messages(db, usual, text="Thank you for the new footpath, it is wonderful.")
    complaints = [(a, at - timedelta(minutes=1), d, f"complaint-{th}") for a, at, d, th in usual[::8]]
    bulk_messages(db, complaints, text="The garbage was not collected again, this is terrible.")
    angry = [(page, NOW - timedelta(minutes=10 * n + 5), Direction.inbound, f"angry-{n}") for n in range(18)]
    bulk_messages(db, angry, text="The new bus stop is useless and ugly, a terrible waste of money.")
    db.commit()
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    found = alerts.negative_spikes(db, NOW)
    assert [(s.kind, s.subject_id) for s in found.signals] == [(AlertKind.negative_spike, page.id)]
    assert "were negative in the last 6 hours" in found.signals[0].detection.explanation


def test_an_open_consultation_gets_its_own_spike_alert(db: Session, world: dict, clock: FixedClock) -> None:
    page = world["page"]
    consultation = bus_stop_consultation(db, world["thromde"], NOW, published=False)
    rows = [(page, NOW - timedelta(hours=h, minutes=20), Direction.inbound, "bus-thread") for h in range(2, 24 * 7, 3)]
    rows += [(page, NOW - timedelta(minutes=2 * n + 1), Direction.inbound, "bus-thread") for n in range(25)]
    threads = bulk_messages(db, rows, text="Please add a roof to the bus stop.")
    db.add(
        ConsultationConversation(
            consultation_id=consultation.id, conversation_id=threads[(page.id, "bus-thread")], source=LinkSource.manual
        )
    )
    db.commit()
    aggregates.refresh(db, zone_name=ZONE, now=NOW)
    found = alerts.consultation_spikes(db, NOW)
    spikes = [s for s in found.signals if s.kind is AlertKind.message_spike]
    assert [(s.subject_type, s.subject_id) for s in spikes] == [("consultation", consultation.id)]
    assert "25 messages and answers in the last hour" in spikes[0].detection.explanation
