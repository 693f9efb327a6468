"""Posts to several accounts at once, the outgoing-review gate, and the JSON API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from civicloop.auth import service as auth_service
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.outbound.models import OutboundStatus
from civicloop.channels.outbound.service import create_posts, enqueue_send
from civicloop.channels.simulator.state import Fault
from civicloop.channels.wechat.simulator import wechat_api
from civicloop.channels.x.simulator import x_api
from civicloop.config import get_settings
from civicloop.errors import Invalid
from tests.channels.outbound.conftest import PAGE, WX_APPID, X_USER, Scene

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_one_post_goes_to_every_account_with_a_result_for_each(scene: Scene) -> None:
    scene.sim.inject("x.tweets", Fault(status=503))
    rows = create_posts(
        scene.db,
        actor=scene.actor,
        account_ids=[scene.facebook.id, scene.x.id, scene.wechat.id],
        text="Norzin Lam is closed for resurfacing on Saturday 09:00–17:00.",
    )
    scene.db.commit()
    assert len({r.batch_key for r in rows}) == 1
    results = {scene.row(r.id).route.value: scene.row(r.id).status for r in rows}
    assert results == {
        "facebook_post": OutboundStatus.sent,
        "x_post": OutboundStatus.queued,
        "wechat_mass": OutboundStatus.sent,
    }
    assert [c.body["message"] for c in scene.sim.calls("facebook.feed")] == [rows[0].text]
    assert [m["content"] for m in wechat_api(scene.sim).mass] == [rows[0].text]
    scene.clock.advance(minutes=1)
    from civicloop.channels.outbound import send as outbound_send

    assert outbound_send.deliver(rows[1].id) is OutboundStatus.sent
    assert [t.text for t in x_api(scene.sim).tweets.values() if t.author_id == X_USER] == [rows[0].text]


def test_a_post_that_does_not_fit_one_account_stops_the_batch_with_the_reason(scene: Scene) -> None:
    with pytest.raises(Invalid, match=f"account {scene.x.id}: the text is 20 weighted characters too long"):
        create_posts(scene.db, actor=scene.actor, account_ids=[scene.facebook.id, scene.x.id], text="a" * 300)
    assert scene.sim.requests == []


def test_a_post_with_an_image_is_uploaded_to_each_platform(scene: Scene) -> None:
    uploads = get_settings().data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    image = uploads / "0123456789abcdef0123456789abcdef.png"
    image.write_bytes(PNG)
    rows = create_posts(
        scene.db,
        actor=scene.actor,
        account_ids=[scene.facebook.id, scene.x.id],
        text="The new Motithang bus stop design.",
        image_path=str(image),
    )
    scene.db.commit()
    assert [scene.row(r.id).status for r in rows] == [OutboundStatus.sent, OutboundStatus.sent]
    assert len(scene.sim.calls("facebook.photos")) == 1 and len(scene.sim.calls("x.media")) == 1
    tweet = next(t for t in x_api(scene.sim).tweets.values() if t.author_id == X_USER)
    assert len(tweet.media_ids) == 1
    with pytest.raises(Invalid, match="uploaded to this server"):
        create_posts(scene.db, actor=scene.actor, account_ids=[scene.facebook.id], text="x", image_path="/etc/passwd")


def test_the_guidelines_gate_runs_before_anything_is_queued(scene: Scene) -> None:
    comment = scene.comment()
    with pytest.raises(Invalid, match="classification marking"):
        scene.send(scene.facebook, "The CONFIDENTIAL budget says yes.", in_reply_to_message_id=comment.id)
    held = scene.send(
        scene.facebook, "Thanks, we found CID 11208004567 in our records.", in_reply_to_message_id=comment.id
    )
    assert held.status is OutboundStatus.held
    assert scene.sim.requests == []
    enqueue_send(scene.db, held.id)  # what the guidelines' approval does
    scene.db.commit()
    assert scene.row(held.id).status is OutboundStatus.sent
    assert len(scene.sim.calls("facebook.comments")) == 1


def _api(scene: Scene, client: TestClient) -> dict[str, str]:
    token = auth_service.create_api_token(scene.db, actor=scene.actor, name="tests")
    scene.db.commit()
    return {"authorization": f"Bearer {token}"}


def test_the_api_creates_a_reply_once_per_idempotency_key_and_reports_its_state(
    scene: Scene, client: TestClient
) -> None:
    headers = _api(scene, client)
    comment = scene.comment()
    body = {
        "account_id": scene.facebook.id,
        "kind": "reply",
        "text": "Fixed tonight.",
        "in_reply_to_message_id": comment.id,
    }
    first = client.post("/api/v1/outbound", json=body, headers={**headers, "idempotency-key": "reply-42"})
    again = client.post("/api/v1/outbound", json=body, headers={**headers, "idempotency-key": "reply-42"})
    assert first.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    state = client.get(f"/api/v1/outbound/{first.json()['id']}", headers=headers).json()
    assert state["status"] == "sent" and state["external_id"] == facebook_graph(scene.sim).page_comments_by(PAGE)[0].id
    assert len(scene.sim.calls("facebook.comments")) == 1
    refused = client.post("/api/v1/outbound", json={**body, "text": "x" * 9000}, headers=headers)
    assert refused.status_code == 422 and "too long" in refused.json()["error"]["message"]
    window = client.get(f"/api/v1/outbound/window/{comment.conversation_id}", headers=headers).json()
    assert window == {"open": True, "closes_at": None, "reason": ""}


def test_the_api_posts_a_batch_and_retries_a_failure(scene: Scene, client: TestClient) -> None:
    headers = _api(scene, client)
    scene.sim.inject("wechat.mass_send", Fault(status=200, body={"errcode": 45028, "errmsg": "has no masssend quota"}))
    created = client.post(
        "/api/v1/outbound/batch",
        headers=headers,
        json={"account_ids": [scene.facebook.id, scene.wechat.id], "text": "Clean-up day on Sunday."},
    )
    assert created.status_code == 201, created.text
    batch = created.json()
    listed = client.get("/api/v1/outbound", params={"batch_key": batch["batch_key"]}, headers=headers).json()
    statuses = {item["route"]: (item["status"], item["last_error"]) for item in listed}
    assert statuses["facebook_post"] == ("sent", None)
    assert statuses["wechat_mass"][0] == "failed" and "45028" in statuses["wechat_mass"][1]
    failed = next(item for item in listed if item["route"] == "wechat_mass")
    retried = client.post(f"/api/v1/outbound/{failed['id']}/retry", headers=headers)
    assert retried.status_code == 200, retried.text
    assert client.get(f"/api/v1/outbound/{failed['id']}", headers=headers).json()["status"] == "sent"
    assert len(wechat_api(scene.sim).mass) == 1 and wechat_api(scene.sim).mass[0]["app_id"] == WX_APPID
    assert client.post(f"/api/v1/outbound/{failed['id']}/retry", headers=headers).status_code == 409


def test_nothing_is_sent_and_nothing_starts_without_a_before_send_review(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from civicloop.channels.outbound import hooks
    from civicloop.main import create_app

    monkeypatch.setattr(hooks, "BEFORE_SEND", [])
    with pytest.raises(hooks.NoReviewRegistered):
        create_posts(scene.db, actor=scene.actor, account_ids=[scene.facebook.id], text="Roads reopen at noon.")
    with pytest.raises(hooks.NoReviewRegistered):
        create_app()
