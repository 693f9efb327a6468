"""Ten parallel requests with one Idempotency-Key get the first message back, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from civicloop.auth import service as auth_service
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.kit.http import tls_context
from tests.channels.outbound.conftest import Scene, clock, scene, sim, simulator_server

__all__ = ["clock", "scene", "sim", "simulator_server"]

PARALLEL = 10


def test_parallel_requests_with_one_idempotency_key_create_one_message(scene: Scene, live_server: str) -> None:
    token = auth_service.create_api_token(scene.db, actor=scene.actor, name="tests")
    comment = scene.comment()
    scene.db.commit()
    body = {
        "account_id": scene.facebook.id,
        "kind": "reply",
        "text": "Fixed tonight.",
        "in_reply_to_message_id": comment.id,
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "reply-norzin-lam"}
    # A token's first use records it (a row write that would line the requests up by itself); use it once.
    assert httpx.get(f"{live_server}/api/v1/me", headers=headers).status_code == 200
    barrier = threading.Barrier(PARALLEL)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=live_server, timeout=60, verify=tls_context()) as http:
            barrier.wait()
            answers.append(http.post("/api/v1/outbound", json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201] * PARALLEL, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert scene.db.scalar(select(func.count()).select_from(OutboundMessage)) == 1
    assert len(scene.sim.calls("facebook.comments")) == 1
