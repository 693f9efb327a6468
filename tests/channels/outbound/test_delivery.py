"""Retries with backoff on 5xx, timeouts and 429, and never a second copy after a crash or a retry."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from civicloop.agencies.models import AccountStatus
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.outbound import send as outbound_send
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.outbound.service import confirm_outbound, create_outbound, retry_outbound
from civicloop.channels.simulator.state import Fault
from civicloop.channels.wechat.simulator import wechat_api
from civicloop.channels.x.simulator import x_api
from civicloop.config import reset_settings
from tests.channels.outbound.conftest import PAGE, X_USER, Scene, no_answer


def _reply_to_comment(scene: Scene, text: str = "A crew is on its way.") -> OutboundMessage:
    comment = scene.comment()
    row = scene.send(scene.facebook, text, in_reply_to_message_id=comment.id)
    return scene.row(row.id)


def _wait(row: OutboundMessage, scene: Scene) -> float:
    assert row.next_attempt_at is not None
    return (row.next_attempt_at - scene.clock.now()).total_seconds()


def test_5xx_is_retried_with_growing_backoff_until_sent_once(scene: Scene) -> None:
    scene.sim.inject("facebook.comments", Fault(status=503), Fault(status=502))
    row = _reply_to_comment(scene)
    assert row.status is OutboundStatus.queued and row.attempts == 1
    first = _wait(row, scene)
    assert 1.5 <= first <= 2.5
    assert outbound_send.deliver(row.id) is None  # not due yet: nothing is called
    assert len(scene.sim.calls("facebook.comments")) == 1
    scene.clock.advance(seconds=first)
    assert outbound_send.deliver(row.id) is OutboundStatus.queued
    second = _wait(scene.row(row.id), scene)
    assert 3.0 <= second <= 5.0
    scene.clock.advance(seconds=second)
    assert outbound_send.deliver(row.id) is OutboundStatus.sent
    # A 5xx may hide a comment that was created: each retry looked before posting again.
    assert [c.status for c in scene.sim.calls("facebook.comments")] == [503, 502, 200]
    assert len(scene.sim.calls("facebook.comments_list")) == 2
    assert len(facebook_graph(scene.sim).page_comments_by(PAGE)) == 1


def test_a_lost_response_is_found_on_the_platform_instead_of_posting_twice(scene: Scene) -> None:
    scene.sim.inject("facebook.comments", Fault(status=500, after=True))
    row = _reply_to_comment(scene)
    assert row.status is OutboundStatus.queued
    created = facebook_graph(scene.sim).page_comments_by(PAGE)
    assert len(created) == 1  # the platform did create it; only the answer was lost
    scene.clock.advance(minutes=1)
    assert outbound_send.deliver(row.id) is OutboundStatus.sent
    row = scene.row(row.id)
    assert row.external_id == created[0].id
    assert len(scene.sim.calls("facebook.comments")) == 1
    assert len(facebook_graph(scene.sim).page_comments_by(PAGE)) == 1
    assert [m.external_id for m in scene.messages_out()] == [created[0].id]


def test_a_timeout_after_the_post_was_made_does_not_repeat_it(scene: Scene) -> None:
    mention = scene.mention()
    with no_answer(scene.sim, "x.tweets", after=True):
        row = scene.send(scene.x, "We are sending someone today.", in_reply_to_message_id=mention.id)
    row = scene.row(row.id)
    assert row.status is OutboundStatus.queued and "no answer" in (row.last_error or "")
    scene.clock.advance(minutes=1)
    assert outbound_send.deliver(row.id) is OutboundStatus.sent
    ours = [t for t in x_api(scene.sim).tweets.values() if t.author_id == X_USER]
    assert len(ours) == 1 and scene.row(row.id).external_id == ours[0].id
    assert len(scene.sim.calls("x.user_tweets")) == 1


def test_429_waits_until_the_rate_limit_resets(scene: Scene) -> None:
    mention = scene.mention()
    reset_at = int(scene.clock.now().timestamp()) + 600
    scene.sim.inject("x.tweets", Fault.rate_limited(reset_at=reset_at))
    row = scene.send(scene.x, "On it.", in_reply_to_message_id=mention.id)
    row = scene.row(row.id)
    assert row.status is OutboundStatus.queued
    assert row.next_attempt_at is not None and int(row.next_attempt_at.timestamp()) == reset_at + 1
    scene.clock.advance(seconds=599)
    assert outbound_send.deliver(row.id) is None
    scene.clock.advance(seconds=2)
    assert outbound_send.deliver(row.id) is OutboundStatus.sent
    # A 429 means nothing was created: no look-up before the retry.
    assert [c.status for c in scene.sim.calls("x.tweets")] == [429, 201]
    assert scene.sim.calls("x.user_tweets") == []


def test_the_simulated_x_limit_answers_429_with_headers_and_retry_after_is_honoured(scene: Scene) -> None:
    x_api(scene.sim).limits["x.tweets"] = (1, 900)
    mention = scene.mention()
    first = scene.send(scene.x, "One", in_reply_to_message_id=mention.id)
    second = scene.send(scene.x, "Two", in_reply_to_message_id=mention.id)
    assert scene.row(first.id).status is OutboundStatus.sent
    limited = scene.sim.calls("x.tweets")[1]
    assert limited.status == 429
    assert scene.row(second.id).next_attempt_at == scene.clock.now() + timedelta(seconds=901)
    comment = scene.comment()
    scene.sim.inject("facebook.comments", Fault(status=429, headers={"retry-after": "30"}))
    third = scene.send(scene.facebook, "Three", in_reply_to_message_id=comment.id)
    assert scene.row(third.id).next_attempt_at == scene.clock.now() + timedelta(seconds=30)


def test_a_worker_killed_after_the_call_leaves_a_row_that_is_checked_not_resent(scene: Scene) -> None:
    comment = scene.comment()
    scene.sim.inject("facebook.comments", Fault(status=503))  # keeps the create-time job from sending
    row = scene.send(scene.facebook, "Crew dispatched.", in_reply_to_message_id=comment.id)
    scene.clock.advance(minutes=1)
    # A worker claims the row and makes the call, then dies before recording the result.
    claimed = outbound_send.claim(row.id)
    assert claimed is not None
    with outbound_send.http_client() as http:
        assert outbound_send.attempt(claimed, http).sent is not None
    assert scene.row(row.id).status is OutboundStatus.sending
    assert outbound_send.deliver(row.id) is None  # another job for the same row does nothing
    assert outbound_send.sweep().requeued == 0  # not stale yet
    scene.clock.advance(minutes=6)
    result = outbound_send.sweep()  # the periodic sweeper; jobs run immediately in tests
    assert result.requeued == 1
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent
    assert len(facebook_graph(scene.sim).page_comments_by(PAGE)) == 1
    assert [c.status for c in scene.sim.calls("facebook.comments")] == [503, 200]


def test_a_worker_killed_before_the_call_sends_once_after_the_check(scene: Scene) -> None:
    comment = scene.comment()
    scene.sim.inject("facebook.comments", Fault(status=503))
    row = scene.send(scene.facebook, "Crew dispatched.", in_reply_to_message_id=comment.id)
    scene.clock.advance(minutes=1)
    assert outbound_send.claim(row.id) is not None  # ... and the worker dies right here
    scene.clock.advance(minutes=6)
    assert outbound_send.sweep().requeued == 1
    assert scene.row(row.id).status is OutboundStatus.sent
    assert len(scene.sim.calls("facebook.comments_list")) >= 1
    assert len(facebook_graph(scene.sim).page_comments_by(PAGE)) == 1


def test_two_jobs_for_the_same_row_at_once_send_one_copy(scene: Scene) -> None:
    scene.sim.inject("facebook.comments", Fault(status=503))
    row = _reply_to_comment(scene)
    scene.clock.advance(minutes=1)
    scene.sim.inject("facebook.comments", Fault(status=200, delay=0.3, after=True, body={"id": "ignored"}))
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(outbound_send.deliver(row.id))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(facebook_graph(scene.sim).page_comments_by(PAGE)) == 1
    assert sorted(str(r) for r in results).count("None") == 3


def test_an_interrupted_wechat_reply_is_unconfirmed_until_an_official_decides(scene: Scene) -> None:
    message = scene.wechat_text()
    with no_answer(scene.sim, "wechat.send", after=True):
        row = scene.send(scene.wechat, "我们已经派人去了。", conversation_id=message.conversation_id)
    scene.clock.advance(minutes=1)
    assert outbound_send.deliver(row.id) is OutboundStatus.unconfirmed
    assert "WeChat cannot list" in (scene.row(row.id).last_error or "")
    assert len(wechat_api(scene.sim).sent) == 1 and len(scene.sim.calls("wechat.send")) == 1
    confirmed = confirm_outbound(scene.db, actor=scene.actor, outbound_id=row.id)
    scene.db.commit()
    assert confirmed.status is OutboundStatus.sent
    # The other decision: the official looked, found nothing, and sends it again.
    with no_answer(scene.sim, "wechat.send"):
        again = scene.send(scene.wechat, "Second note.", conversation_id=message.conversation_id)
    scene.clock.advance(minutes=1)
    assert outbound_send.deliver(again.id) is OutboundStatus.unconfirmed
    assert scene.row(again.id).status is OutboundStatus.unconfirmed  # as the job left it
    retry_outbound(scene.db, actor=scene.actor, outbound_id=again.id)
    scene.db.commit()
    assert scene.row(again.id).status is OutboundStatus.sent
    assert [s["content"] for s in wechat_api(scene.sim).sent] == ["我们已经派人去了。", "Second note."]


def test_an_expired_wechat_token_is_refreshed_and_the_reply_sent(scene: Scene) -> None:
    message = scene.wechat_text()
    first = scene.send(scene.wechat, "One", conversation_id=message.conversation_id)
    assert scene.row(first.id).status is OutboundStatus.sent
    wechat_api(scene.sim).expire_tokens()  # the cache still believes it has an hour and more
    second = scene.send(scene.wechat, "Two", conversation_id=message.conversation_id)
    assert scene.row(second.id).status is OutboundStatus.sent, scene.row(second.id).last_error
    sends = scene.sim.calls("wechat.send")
    assert len(scene.sim.calls("wechat.token")) == 2
    assert [s["content"] for s in wechat_api(scene.sim).sent] == ["One", "Two"]
    assert sends[1].query["access_token"] != sends[2].query["access_token"]
    # Near its expiry the cached token is replaced before use, not after a refusal.
    scene.clock.advance(seconds=7200 - 300)
    scene.wechat_text("again")
    third = scene.send(scene.wechat, "Three", conversation_id=message.conversation_id)
    assert scene.row(third.id).status is OutboundStatus.sent
    assert len(scene.sim.calls("wechat.token")) == 3 and len(scene.sim.calls("wechat.send")) == 4


def test_attempts_run_out_and_a_closed_window_is_final(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICLOOP_OUTBOUND_MAX_ATTEMPTS", "2")
    reset_settings()
    mention = scene.mention()
    scene.sim.inject("x.tweets", Fault(status=429), Fault(status=429))
    row = scene.send(scene.x, "Soon.", in_reply_to_message_id=mention.id)
    scene.clock.advance(minutes=20)
    assert outbound_send.deliver(row.id) is OutboundStatus.failed
    assert "gave up after 2 attempts" in (scene.row(row.id).last_error or "")
    message = scene.wechat_text()
    scene.clock.advance(hours=47)
    row = create_outbound(
        scene.db,
        actor=scene.actor,
        account_id=scene.wechat.id,
        kind="reply",
        text="Late",
        conversation_id=message.conversation_id,
    )
    scene.db.flush()
    wechat_api(scene.sim).windows[("wx7h40de00e5f6", "oTh1mphu0001")].last_message_at -= timedelta(hours=2)
    scene.db.commit()
    row = scene.row(row.id)
    assert row.status is OutboundStatus.failed and "48-hour window" in (row.last_error or "")
    assert row.attempts == 1
    # A queued message for an account paused meanwhile is not sent.
    comment = scene.comment()
    scene.sim.inject("facebook.comments", Fault(status=429))
    queued = scene.send(scene.facebook, "Noted.", in_reply_to_message_id=comment.id)
    scene.facebook.status = AccountStatus.paused
    scene.db.commit()
    scene.clock.advance(minutes=2)
    assert outbound_send.deliver(queued.id) is None
    assert (scene.row(queued.id).status, scene.row(queued.id).last_error) == (
        OutboundStatus.failed,
        "the account is paused",
    )
    assert len(scene.sim.calls("facebook.comments")) == 1
