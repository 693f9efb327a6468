"""YouTube comments polled from the simulated Data API: stored once through the webhook events' path,
incremental paging, the daily quota budget, refused credentials, and replies through comments.insert."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels import polling
from civicloop.channels.models import ChannelPoll, Conversation, ConversationKind, Direction, RawEvent
from civicloop.channels.outbound.models import OutboundStatus
from civicloop.channels.outbound.service import create_outbound
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Citizen
from civicloop.channels.youtube import simulator
from civicloop.config import reset_settings
from civicloop.demo import DemoWorld
from civicloop.kit.clock import utcnow
from civicloop.oversight.adoption import account_health
from civicloop.oversight.health import Level
from tests.channels.conftest import count, messages
from tests.factories import create_account, create_agency, create_official, login

CHANNEL = "UCq3Wd7Bv0sTtkY5oN2hRm8A"  # Thimphu Thromde
TOKEN = "ya29.a0AfB_thromde-youtube"
VIDEO = "d9Xq2LpR7sA"
LIST = "youtube.commentThreads.list"
# Threads a simulated page holds. The poller asks for YouTube's largest page (maxResults=100), which is a maximum:
# a page may hold fewer, and paging is what these tests are about, so small pages keep the comments few.
PAGE = 10


@dataclass
class Tube:
    account: OfficialAccount
    channel: simulator.Channel
    state: SimulatorState

    def comments(self, n: int) -> list[str]:
        citizens = [Citizen(i, f"Citizen {i}", f"citizen{i}") for i in range(n)]
        return [simulator.comment_on(self.state, self.channel, VIDEO, c, f"Question {c.number}") for c in citizens]

    def lists(self) -> int:
        return len(self.state.calls(LIST))


@pytest.fixture
def tube(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tube]:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(db, agency, "youtube", CHANNEL, {"access_token": TOKEN}, "Thimphu Thromde")
    db.commit()
    with SimulatorServer() as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        channel = simulator.add_channel(sim.state, CHANNEL, TOKEN)
        channel.page_limit = PAGE
        yield Tube(account, channel, sim.state)
    reset_settings()


def poll_state(db: Session, tube: Tube) -> ChannelPoll:
    db.rollback()
    state = db.scalars(select(ChannelPoll).where(ChannelPoll.account_id == tube.account.id)).one()
    return state


def test_new_comments_are_stored_and_processed_once(db: Session, tube: Tube) -> None:
    tube.comments(3)
    assert polling.poll_all() == 3
    found = messages(db, tube.account)
    assert sorted(m.text for m in found) == ["Question 0", "Question 1", "Question 2"]
    assert {m.direction for m in found} == {Direction.inbound}
    # Three top-level comments on one video: three conversations under it.
    assert len({m.conversation_id for m in found}) == 3
    conversation = db.get(Conversation, found[0].conversation_id)
    assert conversation is not None and (conversation.kind, conversation.external_ref, conversation.post_ref) == (
        ConversationKind.comment_thread,
        found[0].external_id,
        VIDEO,
    )
    # Polling again finds nothing new: the same comments are not stored twice.
    assert polling.poll_all() == 0
    assert count(db, RawEvent) == 3 and len(messages(db, tube.account)) == 3
    assert poll_state(db, tube).units == 2


def test_a_poll_stops_at_the_first_page_holding_a_comment_already_stored(db: Session, tube: Tube) -> None:
    tube.comments(PAGE + 5)
    assert polling.poll_all() == PAGE + 5
    assert tube.lists() == 2  # two pages
    assert {call.query["maxResults"] for call in tube.state.calls(LIST)} == {"100"}  # YouTube's largest page
    tube.comments(1)
    assert polling.poll_all() == 1
    assert tube.lists() == 3, "the newest page already reached the last poll: no further page is read"
    assert poll_state(db, tube).units == 3


def test_the_daily_budget_is_respected_and_its_exhaustion_said(
    db: Session, tube: Tube, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICLOOP_POLL_BUDGETS", '{"youtube": 2}')
    reset_settings()
    tube.comments(2 * PAGE + 5)
    assert polling.poll_all() == 2 * PAGE
    state = poll_state(db, tube)
    assert state.units == 2 and state.problem and "budget ran out" in state.problem
    assert polling.poll_all() == 0
    assert tube.lists() == 2, "no call once the day's budget is spent"
    state = poll_state(db, tube)
    assert state.problem == "today's YouTube quota budget of 2 units is spent; polling resumes tomorrow"


def test_refusals_of_the_api_are_reported_and_nothing_is_stored(db: Session, tube: Tube) -> None:
    tube.comments(2)
    tube.channel.quota_limit = 0  # the Google project's quota is used up (by other apps, say)
    assert polling.poll_all() == 0
    assert "daily quota for the project is used up" in (poll_state(db, tube).problem or "")
    tube.channel.quota_limit, tube.channel.token = simulator.DAILY_QUOTA, "ya29.another-token"
    assert polling.poll_all() == 0
    assert "renew the account's access_token" in (poll_state(db, tube).problem or "")
    assert count(db, RawEvent) == 0
    tube.channel.token = TOKEN
    assert polling.poll_all() == 2 and poll_state(db, tube).problem is None


def test_a_reply_goes_through_comments_insert_to_the_top_level_comment(db: Session, tube: Tube) -> None:
    (top,) = tube.comments(1)
    polling.poll_all()
    (question,) = messages(db, tube.account)
    actor = Actor.of(create_official(db, "officer@THROMDE", email="tashi@thromde.bt"))
    row = create_outbound(
        db,
        actor=actor,
        account_id=tube.account.id,
        kind="reply",
        text="Work starts on 4 January.",
        conversation_id=question.conversation_id,
    )
    db.commit()
    db.refresh(row)
    assert row.status is OutboundStatus.sent, row.last_error
    assert [(s["to"], s["text"]) for s in tube.channel.sent] == [(top, "Work starts on 4 January.")]
    assert row.external_id == tube.channel.sent[0]["id"]
    # The next poll sees the agency's own reply in the thread: it is kept once, as outgoing.
    polling.poll_all()
    found = messages(db, tube.account)
    assert [(m.direction, m.text) for m in found] == [
        (Direction.inbound, "Question 0"),
        (Direction.outbound, "Work starts on 4 January."),
    ]


def test_the_account_page_says_where_polling_stands(db: Session, client: TestClient, tube: Tube) -> None:
    login(client, create_official(db, "national_admin@THROMDE", email="admin@doim.example"))
    page = client.get(f"/accounts/{tube.account.id}").text
    assert "Not polled yet" in page and "none: CivicLoop polls the platform" in page
    assert "Refused webhook requests" not in page, "no webhook, no refusals to show"
    tube.channel.token = "ya29.revoked"
    polling.poll_all()
    page = client.get(f"/accounts/{tube.account.id}").text
    assert "1 of 5000" in page and "renew the account&#39;s access_token" in page


def test_oversight_shows_the_platform_health_check(db: Session, tube: Tube) -> None:
    tube.comments(1)
    polling.poll_all()
    db.rollback()
    (healthy,) = account_health(db, [tube.account], now=utcnow())
    assert healthy.level is Level.ok, healthy.reasons
    tube.channel.token = "ya29.revoked"
    polling.poll_all()
    db.rollback()
    (broken,) = account_health(db, [tube.account], now=utcnow())
    assert broken.level is Level.warning
    assert any(r.startswith("last poll: YouTube refused the access token") for r in broken.reasons), broken.reasons


def test_the_demo_has_citizens_commenting_on_the_city_channel(demo: DemoWorld, db: Session) -> None:
    found = messages(db, demo.accounts[("THROMDE", "youtube")])
    assert found and {m.direction for m in found} >= {Direction.inbound}
    assert all(m.raw_event_id is not None for m in found if m.direction is Direction.inbound), "stored as polled"


def test_reconciliation_recovers_what_a_poll_cut_short_left_behind(
    db: Session, tube: Tube, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    import httpx

    from civicloop.channels.reconcile.service import reconcile_account

    monkeypatch.setenv("CIVICLOOP_POLL_BUDGETS", '{"youtube": 1}')
    reset_settings()
    tube.comments(PAGE + 5)
    assert polling.poll_all() == PAGE, "the day's budget allowed one page"
    monkeypatch.setenv("CIVICLOOP_POLL_BUDGETS", '{"youtube": 100}')
    reset_settings()
    tube.comments(1)
    assert polling.poll_all() == 1, "a poll stops at the first comment already stored: the older 5 stay behind"
    account = db.get(OfficialAccount, tube.account.id)
    assert account is not None
    with httpx.Client(timeout=5) as http:
        outcome = reconcile_account(db, account, since=utcnow() - timedelta(hours=1), http=http, trigger="cli")
        db.commit()
        assert (outcome.fetched, outcome.recovered, outcome.problem) == (PAGE + 6, 5, None)
        assert len(messages(db, tube.account)) == PAGE + 6
        again = reconcile_account(db, account, since=utcnow() - timedelta(hours=1), http=http, trigger="cli")
        db.commit()
        assert again.recovered == 0
        tube.channel.token = "ya29.revoked"
        refused = reconcile_account(db, account, since=utcnow() - timedelta(hours=1), http=http, trigger="cli")
    assert refused.credentials_refused and "renew the account's access_token" in (refused.problem or "")
