"""Response metrics on a small seeded data set, checked against values worked out by hand."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.models import ConversationStatus
from civicloop.inbox import clocks
from civicloop.inbox import service as inbox
from civicloop.inbox.metrics import Scope, percentile, response_metrics
from civicloop.kit.clock import FixedClock
from civicloop.sla import service as sla_service
from tests.factories import create_account, create_agency, create_official, login
from tests.inbox.builders import agency_says, at, citizen_says, clock

__all__ = ["clock"]

MONDAY, WEDNESDAY = at("2026-03-02 00:00"), at("2026-03-04 00:00")


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([70, 5, 45, 20], 0.5) == 32.5  # between 20 and 45
    assert percentile([70, 5, 45, 20], 0.9) == 62.5  # rank 2.7: 45 + 0.7 × 25


def seed(db: Session, clock: FixedClock) -> dict[str, object]:
    """Targets: first response 60 office minutes, resolution 600. Office hours Mon–Fri 09:00–17:00.

    #  account   assignee   citizen            agency             first response
    1  facebook  Pema       Mon 09:00          Mon 09:20          20 min, within
    2  facebook  Pema       Mon 09:30          Mon 10:40          70 min, missed (1 breach)
    3  facebook  Kinley     Mon 16:30          Tue 09:15          30 + 15 = 45 min, within
    4  x         Kinley     Mon 10:00          Mon 10:05           5 min, within; then closed
    5  x         —          Mon 11:00          —                  unanswered, due Mon 12:00: missed (1 breach)
    6  x         —          Tue 09:20          —                  unanswered, 10 min used: not missed yet, not within
    7  facebook  —          Fri 27 Feb 10:00   —                  before the range: not counted (backlog only)
    Now: Tuesday 3 March 09:30.
    """
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    facebook = create_account(db, agency, "facebook", name="Thromde Page")
    x = create_account(db, agency, "x", name="@ThimphuThromde")
    pema = Actor.of(create_official(db, "officer@THROMDE", name="Pema"))
    kinley = Actor.of(create_official(db, "officer@THROMDE", name="Kinley"))
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=60, resolution=600)
    db.commit()
    plan = [
        (facebook, pema, "2026-03-02 09:00", "2026-03-02 09:20"),
        (facebook, pema, "2026-03-02 09:30", "2026-03-02 10:40"),
        (facebook, kinley, "2026-03-02 16:30", "2026-03-03 09:15"),
        (x, kinley, "2026-03-02 10:00", "2026-03-02 10:05"),
        (x, None, "2026-03-02 11:00", None),
        (x, None, "2026-03-03 09:20", None),
        (facebook, None, "2026-02-27 10:00", None),
    ]
    ids = []
    for n, (account, assignee, asked, answered) in enumerate(plan, start=1):
        clock.at = at(asked)
        message = citizen_says(db, account, at(asked), ref=f"thread-{n}", who=f"citizen-{n}")
        ids.append(message.conversation_id)
        if assignee is not None:
            inbox.assign(db, actor=assignee, conversation_id=message.conversation_id, assignee_id=assignee.id)
            db.commit()
        if answered is not None:
            agency_says(db, account, at(answered), ref=f"thread-{n}")
    clock.at = at("2026-03-02 10:06")
    inbox.set_status(db, actor=kinley, conversation_id=ids[3], status=ConversationStatus.closed)
    db.commit()
    clock.at = at("2026-03-03 09:30")
    clocks.sweep(db)
    db.commit()
    return {"agency": agency, "facebook": facebook, "x": x, "pema": pema, "kinley": kinley, "ids": ids}


def test_metrics_match_the_hand_computed_values(db: Session, clock: FixedClock) -> None:
    world = seed(db, clock)
    agency = world["agency"]
    report = response_metrics(
        db,
        scope=Scope({agency.id}),
        start=MONDAY,
        end=WEDNESDAY,
        group_by="account",
        now=clock.at,  # type: ignore[attr-defined]
    )
    assert report.total.to_json() == {
        "conversations": 6,
        "responded": 4,
        "response_rate": 0.6667,
        "median_first_response_minutes": 32.5,
        "p90_first_response_minutes": 62.5,
        "within_target": 3,
        "missed_target": 2,
        # Of all six conversations: #6, not answered yet, is not within target either (3 of 6, not 3 of 5).
        "within_target_share": 0.5,
        "breaches": 2,
    }
    by_account = {g.label: g.metrics.to_json() for g in report.groups}
    assert by_account["Thromde Page"] == {
        "conversations": 3,
        "responded": 3,
        "response_rate": 1.0,
        "median_first_response_minutes": 45,
        "p90_first_response_minutes": 65.0,  # rank 1.8 of [20, 45, 70]: 45 + 0.8 × 25
        "within_target": 2,
        "missed_target": 1,
        "within_target_share": 0.6667,
        "breaches": 1,
    }
    assert by_account["@ThimphuThromde"]["conversations"] == 3
    assert by_account["@ThimphuThromde"]["median_first_response_minutes"] == 5
    assert by_account["@ThimphuThromde"]["within_target_share"] == 0.3333  # #4 of #4, #5 and #6
    # Open now: #5 waited 22.5 h, #6 10 min, #7 since Friday (4 days); #1–#3 answered; #4 closed.
    assert report.backlog == {
        "under 4 hours": 1,
        "4 to 24 hours": 1,
        "1 to 3 days": 0,
        "3 to 7 days": 1,
        "over 7 days": 0,
        "answered, not closed": 3,
    }
    by_official = response_metrics(
        db,
        scope=Scope({agency.id}),
        start=MONDAY,
        end=WEDNESDAY,
        group_by="official",
        now=clock.at,  # type: ignore[attr-defined]
    )
    counts = {g.label: (g.metrics.conversations, g.metrics.median_first_response_minutes) for g in by_official.groups}
    assert counts == {"Pema": (2, 45.0), "Kinley": (2, 25.0), "unassigned": (2, None)}
    x_only = response_metrics(db, scope=Scope({agency.id}, channel="x"), start=MONDAY, end=WEDNESDAY, now=clock.at)
    assert (x_only.total.conversations, x_only.total.breaches) == (3, 1)
    monday_only = response_metrics(db, scope=Scope({agency.id}), start=MONDAY, end=at("2026-03-03 00:00"))
    assert monday_only.total.conversations == 5


def test_metrics_api_and_page(db: Session, client: TestClient, clock: FixedClock) -> None:
    world = seed(db, clock)
    agency = world["agency"]
    login(client, create_official(db, "agency_head@THROMDE"))
    params = {"agency_id": agency.id, "start": "2026-03-02", "end": "2026-03-03", "group_by": "channel"}  # type: ignore[attr-defined]
    data = client.get("/api/v1/sla/metrics", params=params).json()
    assert data["total"]["conversations"] == 6 and data["total"]["p90_first_response_minutes"] == 62.5
    assert {g["key"]: g["conversations"] for g in data["groups"]} == {"facebook": 3, "x": 3}
    html = client.get("/metrics", params=params).text
    assert "Median first response (office minutes)" in html and "<svg" in html
    assert "32.5" in html
    bad = client.get("/api/v1/sla/metrics", params={**params, "group_by": "planet"})
    assert bad.status_code == 422
    unknown = client.get("/api/v1/sla/metrics", params={**params, "channel": "_"})  # found by the fuzzer
    assert unknown.status_code == 422 and "unknown platform" in unknown.json()["error"]["message"]
    other = create_agency(db, "MOIT")
    assert client.get("/api/v1/sla/metrics", params={"agency_id": other.id}).status_code == 404


def test_a_range_that_ends_before_it_starts_is_refused(db: Session, client: TestClient) -> None:
    create_agency(db, "THROMDE")
    login(client, create_official(db, "officer@THROMDE"))
    response = client.get("/api/v1/sla/metrics", params={"start": "2026-03-02", "end": "2026-03-01"})
    assert response.status_code == 422 and "ends before it starts" in response.json()["error"]["message"]


def test_the_median_chart_draws_no_bar_for_a_group_without_answers(
    db: Session, client: TestClient, clock: FixedClock
) -> None:
    world = seed(db, clock)
    login(client, create_official(db, "agency_head@THROMDE"))
    params = {"agency_id": world["agency"].id, "start": "2026-03-02", "end": "2026-03-03", "group_by": "official"}  # type: ignore[attr-defined]
    html = client.get("/metrics", params=params).text
    median = html[html.index("<svg xmlns") : html.index("</svg>")]
    assert "Median first response (office minutes)" in median
    # Pema (20, 70 → 45) and Kinley (45, 5 → 25) answered; nobody answered the unassigned ones (5 and 6).
    bars = re.findall(r"<rect [^>]*><title>([^<]*)</title>", median)
    assert sorted(bars) == ["Kinley: 25 min", "Pema: 45 min"], median
    assert "0 min<" not in median and "no data" in median
