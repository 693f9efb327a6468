"""The read side: JSON API scoped to the official's agencies, and the ``messages``/``events`` commands."""

from __future__ import annotations

import json
import subprocess

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import RawEvent
from tests.channels.conftest import World, deliver, messages
from tests.conftest import run_civicloop
from tests.factories import create_official, login


def _deliver_some(client: TestClient, world: World) -> None:
    for name in ("facebook/comment__added.json", "facebook/comment__edited.json", "facebook/batch__mixed_pages.json"):
        assert deliver(client, world, name).status_code == 200


def test_api_lists_only_the_officials_agency_and_shows_edit_history(
    client: TestClient, db: Session, world: World
) -> None:
    _deliver_some(client, world)
    login(client, create_official(db, "officer@THROMDE"))
    listed = client.get("/api/v1/messages").json()
    assert [m["external_id"] for m in listed] == ["918273645512_1203948576", "918273645512_1203949001"]
    first = listed[0]
    assert (first["platform"], first["direction"], first["state"], first["contact"]) == (
        "facebook",
        "in",
        "edited",
        "Karma Wangchuk",
    )
    conversations = client.get("/api/v1/conversations").json()
    # Two citizens' top-level comments on one post: two conversations under the same post.
    assert [c["kind"] for c in conversations] == ["comment_thread", "comment_thread"]
    assert len({c["post_ref"] for c in conversations}) == 1
    edited = next(c for c in conversations if c["external_ref"] == "918273645512_1203948576")
    detail = client.get(f"/api/v1/conversations/{edited['id']}").json()
    revisions = [[r["text"][:15] for r in m["revisions"]] for m in detail["messages"]]
    assert revisions == [["The streetlight"]]
    health_message = next(m for m in messages(db) if m.agency_id == world.health.id)
    assert client.get(f"/api/v1/conversations/{health_message.conversation_id}").status_code == 404
    assert client.get(f"/api/v1/messages?agency_id={world.health.id}").status_code == 404
    assert client.get("/api/v1/messages?since=2026-01-05T14:00:00").json()[0]["external_id"].endswith("1203949001")
    assert client.get("/api/v1/messages?since=yesterday").status_code == 422


def test_api_needs_a_signed_in_official(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/messages").status_code == 401
    assert client.get("/api/v1/conversations").status_code == 401


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_civicloop(*args)  # in this process: the process boundary is tested in tests/foundation/test_cli.py


def test_cli_lists_messages_and_replays_an_event(client: TestClient, db: Session, world: World) -> None:
    _deliver_some(client, world)
    listed = _cli("messages", "list", "--agency", "MOH", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert list(rows[0]) == [
        "id",
        "platform",
        "external_id",
        "direction",
        "contact",
        "text",
        "created_at",
        "conversation_id",
        "state",
    ]
    assert [(r["external_id"], r["direction"], r["state"]) for r in rows] == [
        ("m_SGVhbHRoLWZsdS1jbGluaWMtMDEwNQ", "in", "received")
    ]
    since = _cli("messages", "list", "--agency", "THROMDE", "--since", "2026-01-05T14:00:00+06:00", "--json")
    assert [r["external_id"] for r in json.loads(since.stdout)] == ["918273645512_1203949001"]
    db.rollback()
    event = db.scalars(select(RawEvent).order_by(RawEvent.id)).first()
    assert event is not None
    replayed = _cli("events", "replay", str(event.id), "--json")
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout) == {"event_id": event.id, "messages_created": 0, "error": None}
    missing = _cli("events", "replay", "999999")
    assert (missing.returncode, missing.stderr.strip()) == (2, "error: no raw event 999999")
    unknown = _cli("messages", "list", "--agency", "NOPE")
    assert unknown.returncode == 2 and "no agency" in unknown.stderr
