"""Every reply path against the simulated platform APIs over real HTTP."""

from __future__ import annotations

import pytest

from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.models import Conversation, ConversationKind
from civicloop.channels.outbound import send as outbound_send
from civicloop.channels.outbound.models import OutboundStatus
from civicloop.channels.outbound.service import create_outbound, reply_window
from civicloop.channels.simulator.state import Fault
from civicloop.channels.wechat.simulator import wechat_api
from civicloop.channels.x.outbound import weighted_length
from civicloop.channels.x.simulator import x_api
from civicloop.errors import Forbidden, Invalid, NotFound
from tests.channels.outbound.conftest import FB_TOKEN, PAGE, X_USER, Scene
from tests.factories import create_agency, create_official


def test_a_facebook_comment_reply_is_posted_once_and_stored_in_the_thread(scene: Scene) -> None:
    comment = scene.comment()
    row = scene.send(
        scene.facebook,
        "Thank you, a crew is on its way.",
        in_reply_to_message_id=comment.id,
    )
    scene.db.commit()  # the send job runs after commit
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent, row.last_error
    assert row.route == "facebook_comment"
    calls = scene.sim.calls("facebook.comments")
    assert len(calls) == 1
    assert calls[0].path == f"/facebook/v25.0/{comment.external_id}/comments"
    assert calls[0].body == {"message": "Thank you, a crew is on its way.", "access_token": FB_TOKEN}
    replies = facebook_graph(scene.sim).page_comments_by(PAGE)
    assert [r.id for r in replies] == [row.external_id]
    stored = scene.messages_out()
    assert [(m.external_id, m.conversation_id, m.text) for m in stored] == [
        (row.external_id, comment.conversation_id, "Thank you, a crew is on its way.")
    ]
    assert scene.conversation(comment).last_agency_message_at == scene.clock.now()


def test_a_reply_to_a_reply_answers_the_top_level_comment(scene: Scene) -> None:
    top = scene.comment()
    facebook_graph(scene.sim).comment(
        PAGE, "900001_700002", post_id=f"{PAGE}_900001", from_id="5550002", message="Same here"
    )
    reply = scene.inbound(
        scene.facebook,
        ConversationKind.comment_thread,
        f"{PAGE}_900001",
        "900001_700002",
        "Same here",
        citizen="5550002",
        reply_to=top.external_id,
    )
    row = scene.send(scene.facebook, "We have logged both reports.", in_reply_to_message_id=reply.id)
    assert row.status is OutboundStatus.sent
    assert scene.sim.calls("facebook.comments")[0].path.endswith(f"/{top.external_id}/comments")


def test_a_messenger_reply_inside_24_hours_is_sent_as_response(scene: Scene) -> None:
    message = scene.messenger()
    scene.clock.advance(hours=23)
    row = scene.send(scene.facebook, "Sundays every 30 minutes from 07:00.", conversation_id=message.conversation_id)
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent, row.last_error
    body = scene.sim.calls("facebook.messages")[0].body
    assert body["recipient"] == {"id": "7000123"} and body["messaging_type"] == "RESPONSE"
    assert body["message"]["text"] == "Sundays every 30 minutes from 07:00."
    assert row.external_id == facebook_graph(scene.sim).objects[row.external_id].id


def test_the_messenger_window_is_checked_before_queueing_and_by_the_platform(scene: Scene) -> None:
    message = scene.messenger()
    conversation = scene.conversation(message)
    scene.clock.advance(hours=25)
    window = reply_window(scene.db, conversation)
    assert not window.open and "24 hours" in window.reason
    with pytest.raises(Invalid, match="24 hours"):
        create_outbound(
            scene.db,
            actor=scene.actor,
            account_id=scene.facebook.id,
            kind="reply",
            text="Sorry for the delay.",
            conversation_id=conversation.id,
        )
    assert scene.sim.calls("facebook.messages") == []
    # Queued inside the window, retried after it closed: the platform refuses and that is final.
    scene.db.rollback()
    scene.clock.advance(hours=-2)
    scene.sim.inject("facebook.messages", Fault(status=503))
    row = scene.send(scene.facebook, "Sorry for the delay.", conversation_id=conversation.id)
    assert scene.row(row.id).status is OutboundStatus.queued
    scene.clock.advance(hours=2)
    assert outbound_send.deliver(row.id) is OutboundStatus.failed
    assert "24-hour window has closed" in (scene.row(row.id).last_error or "")
    assert [c.status for c in scene.sim.calls("facebook.messages")] == [503, 400]


def test_an_x_reply_is_signed_with_oauth1_and_threads_under_the_mention(scene: Scene) -> None:
    mention = scene.mention()
    row = scene.send(
        scene.x, "Thanks, we have asked the contractor to clear it today.", in_reply_to_message_id=mention.id
    )
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent, row.last_error
    call = scene.sim.calls("x.tweets")[0]
    assert call.status == 201
    assert call.headers["authorization"].startswith("OAuth ") and "oauth_signature=" in call.headers["authorization"]
    assert call.body == {
        "text": "Thanks, we have asked the contractor to clear it today.",
        "reply": {"in_reply_to_tweet_id": "1860000000000000001"},
    }
    tweet = x_api(scene.sim).tweets[row.external_id or ""]
    assert tweet.author_id == X_USER and tweet.in_reply_to == "1860000000000000001"


def test_wrong_x_tokens_fail_permanently_with_the_platforms_reason(scene: Scene) -> None:
    mention = scene.mention()
    scene.x.credentials = {**scene.x.credentials, "access_token_secret": "not-the-secret"}
    scene.db.commit()
    row = scene.send(scene.x, "Thanks for telling us.", in_reply_to_message_id=mention.id)
    row = scene.row(row.id)
    assert row.status is OutboundStatus.failed
    assert "401" in (row.last_error or "") and "X tokens" in (row.last_error or "")
    assert len(scene.sim.calls("x.tweets")) == 1


def test_an_x_reply_over_280_weighted_characters_is_refused_before_queueing(scene: Scene) -> None:
    mention = scene.mention()
    text = "谢" * 141  # CJK weighs 2: 282
    assert weighted_length(text) == 282
    with pytest.raises(Invalid, match="2 weighted characters too long"):
        create_outbound(
            scene.db,
            actor=scene.actor,
            account_id=scene.x.id,
            kind="reply",
            text=text,
            in_reply_to_message_id=mention.id,
        )
    dzongkha = "ཐིམ་ཕུ་" * 40  # Tibetan script weighs 1: 280 fits
    assert weighted_length(dzongkha) == 280
    row = scene.send(scene.x, dzongkha, in_reply_to_message_id=mention.id)
    assert scene.row(row.id).status is OutboundStatus.sent


def test_an_x_dm_reply_goes_to_the_citizen(scene: Scene) -> None:
    dm = scene.x_dm()
    row = scene.send(scene.x, "Yes: pay.thimphucity.bt accepts card and mBoB.", conversation_id=dm.conversation_id)
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent, row.last_error
    assert row.route == "x_dm" and row.recipient == "9000002"
    assert scene.sim.calls("x.dm")[0].path == "/x/2/dm_conversations/with/9000002/messages"
    assert [d.text for d in x_api(scene.sim).dms if d.sender_id == X_USER] == [
        "Yes: pay.thimphucity.bt accepts card and mBoB."
    ]


def test_a_wechat_reply_fetches_a_token_once_and_reuses_it(scene: Scene) -> None:
    message = scene.wechat_text()
    for text in ("我们已经通知了水务部门。", "Repair crew arrives by 14:00."):
        row = scene.send(scene.wechat, text, conversation_id=message.conversation_id)
        assert scene.row(row.id).status is OutboundStatus.sent, scene.row(row.id).last_error
    assert len(scene.sim.calls("wechat.token")) == 1
    assert [s["content"] for s in wechat_api(scene.sim).sent] == [
        "我们已经通知了水务部门。",
        "Repair crew arrives by 14:00.",
    ]
    raw = scene.sim.calls("wechat.send")[0]
    assert raw.body["touser"] == "oTh1mphu0001" and raw.body["msgtype"] == "text"


def test_wechat_window_and_quota_close_replies(scene: Scene) -> None:
    message = scene.wechat_text()
    conversation = scene.conversation(message)
    for n in range(5):
        create_outbound(
            scene.db,
            actor=scene.actor,
            account_id=scene.wechat.id,
            kind="reply",
            text=f"Update {n}",
            conversation_id=conversation.id,
        )
        scene.db.commit()
    window = reply_window(scene.db, conversation)
    assert not window.open and "5 replies" in window.reason
    assert len(wechat_api(scene.sim).sent) == 5
    scene.clock.advance(minutes=5)
    scene.wechat_text("还是漏水")  # the citizen writes again: a new window and quota
    assert reply_window(scene.db, scene.conversation(message)).open
    scene.clock.advance(hours=49)
    assert "48 hours" in reply_window(scene.db, scene.conversation(message)).reason


def test_only_officials_with_a_sending_role_in_the_agency_may_reply(scene: Scene) -> None:
    from civicloop.auth.scope import Actor

    comment = scene.comment()
    analyst = Actor.of(create_official(scene.db, "analyst@THROMDE"))
    with pytest.raises(Forbidden):
        create_outbound(
            scene.db,
            actor=analyst,
            account_id=scene.facebook.id,
            kind="reply",
            text="Hi",
            in_reply_to_message_id=comment.id,
        )
    create_agency(scene.db, "PUNAKHA")
    outsider = Actor.of(create_official(scene.db, "officer@PUNAKHA"))
    with pytest.raises(NotFound):
        create_outbound(
            scene.db,
            actor=outsider,
            account_id=scene.facebook.id,
            kind="reply",
            text="Hi",
            in_reply_to_message_id=comment.id,
        )
    assert scene.sim.requests == []


def test_a_reply_needs_a_channel_back_to_the_citizen(scene: Scene) -> None:
    # An anonymous web-form citizen is answered on their status page; a web form has no feed to post on.
    anonymous = scene.form(email=None)
    row = create_outbound(
        scene.db,
        actor=scene.actor,
        account_id=scene.web.id,
        kind="reply",
        text="Thanks",
        conversation_id=anonymous.conversation_id,
    )
    assert row.recipient is None and row.target == scene.db.get(Conversation, anonymous.conversation_id).external_ref  # type: ignore[union-attr]
    with pytest.raises(Invalid, match="no feed"):
        create_outbound(scene.db, actor=scene.actor, account_id=scene.web.id, kind="post", text="News")
