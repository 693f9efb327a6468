"""Honest figures: each citizen's comment is a conversation, "within target" is a share of every conversation that
needed an answer, and the scorecard, national ranking, transparency page and open data agree with one another and
with a direct recount from the messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.channels.models import Direction, Message
from civicloop.config import get_settings
from civicloop.inbox import clocks, metrics
from civicloop.kit.timezones import zone
from civicloop.oversight import aggregates, public, responses
from civicloop.oversight.periods import Period, local_today
from tests.factories import create_account, create_agency, create_official, login
from tests.oversight.builders import message

NOW = datetime.now(UTC).replace(microsecond=0)
# Each agency: ten citizens comment under one post; how many it answered within minutes, and how many a week later.
PLAN = {"HALF": (5, 0), "FEW": (1, 0), "LATE": (0, 10)}


def _zone() -> str:
    return get_settings().timezone


def _period() -> Period:
    today = local_today(NOW, _zone())
    return Period(today - timedelta(days=29), today)


def _tuesday_morning() -> datetime:
    """A Tuesday 10:00 in the office's time zone, 9 to 15 days ago: office hours, inside the period."""
    local = NOW.astimezone(zone(_zone())) - timedelta(days=9)
    while local.weekday() != 1:
        local -= timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0)


@pytest.fixture
def agencies(db: Session) -> dict[str, Agency]:
    made = {code: create_agency(db, code, name=f"{code.title()} Agency") for code in PLAN}
    create_agency(db, "DOIM", name="Department of Information and Media")
    asked = _tuesday_morning()
    for code, (prompt, late) in PLAN.items():
        page = create_account(db, made[code], "facebook")
        for n in range(10):
            # One post, ten citizens: each top-level comment is its own conversation (its own thread ref).
            thread = f"{code}-post-comment-{n}"
            message(db, page, asked + timedelta(minutes=n), thread=thread, citizen=f"{code}-citizen-{n}")
            if n < prompt:
                reply_at = asked + timedelta(minutes=n + 20)
            elif n < prompt + late:
                reply_at = asked + timedelta(days=7, minutes=n)
            else:
                continue
            message(db, page, reply_at, direction=Direction.outbound, thread=thread, text="Thank you, noted.")
    db.commit()
    clocks.sweep(db, now=NOW, limit=1000)
    db.commit()
    responses.rebuild(db, period=_period(), zone_name=_zone())
    aggregates.refresh(db, zone_name=_zone(), now=NOW)
    db.commit()
    return made


def recount(db: Session, agency: Agency) -> tuple[int, int, int]:
    """(conversations, answered, answered within the 4-hour target) straight from the messages: every answer
    here is given in office hours on the day, or a week later."""
    rows = db.execute(
        select(Message.conversation_id, Message.direction, Message.created_at).where(Message.agency_id == agency.id)
    ).all()
    asked: dict[int, datetime] = {}
    answered: dict[int, datetime] = {}
    for cid, direction, at in rows:
        if direction is Direction.inbound:
            asked[cid] = min(asked.get(cid, at), at)
        else:
            answered[cid] = min(answered.get(cid, at), at)
    replied = [cid for cid in asked if cid in answered and answered[cid] >= asked[cid]]
    within = [cid for cid in replied if answered[cid] - asked[cid] < timedelta(hours=4)]
    return len(asked), len(replied), len(within)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1)


def test_every_page_agrees_with_a_direct_recount_and_unanswered_citizens_count_against(
    db: Session, client: TestClient, agencies: dict[str, Agency]
) -> None:
    start, end = _period().bounds(_zone())
    login(client, create_official(db, "auditor@DOIM"))
    ranking = {r["agency"]: r for r in client.get("/oversight?table=ranking&format=json").json()["rows"]}
    transparency = {r["code"]: r for r in public.transparency(db, _period()).table.rows}
    opened = client.get(f"/transparency/open-data.json?{_period().query()}").json()
    for code, agency in agencies.items():
        conversations, replied, within = recount(db, agency)
        assert conversations == 10  # ten citizens, ten conversations — not one per post
        assert (replied, within) == (sum(PLAN[code]), PLAN[code][0])
        m = metrics.response_metrics(db, scope=metrics.Scope({agency.id}), start=start, end=end).total
        assert (m.conversations, m.responded, m.within_target) == (conversations, replied, within)
        assert m.within_target_share is not None and m.response_rate is not None
        assert m.within_target_share <= m.response_rate
        card = client.get(f"/api/v1/oversight/agencies/{agency.id}/scorecard").json()
        figures = {f["key"]: f["value"] for f in card["figures"]}
        expected = (_pct(replied, conversations), _pct(within, conversations))
        assert (figures["response_rate"], figures["within_target"]) == expected
        row = ranking[agency.name]
        assert (row["conversations"], row["response_rate"], row["within_target"]) == (conversations, *expected)
        shown = transparency[code]
        assert (shown["conversations"], shown["response_rate"], shown["within_target"]) == (conversations, *expected)
        months = [r for r in opened["monthly"] if r["agency_code"] == code]
        assert sum(r["measured_conversations"] for r in months) == conversations
        assert sum(r["responded"] for r in months) == replied
        assert sum(r["within_target"] for r in months) == within
    # Answering all ten a week late is not better than answering five on time; answering one on time is better
    # than none, and the definition says unanswered citizens count against the agency.
    order = sorted((r["responsiveness_rank"], name) for name, r in ranking.items() if r["responsiveness_rank"])
    assert [name for _, name in order] == ["Half Agency", "Few Agency", "Late Agency"]
    assert "counts against the agency" in client.get("/oversight").text
    page = client.get(f"/oversight/agencies/{agencies['FEW'].id}").text
    assert "never more than the response rate" in page
