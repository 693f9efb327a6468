"""A conversation is one citizen's thread: comments filed per top-level comment from Facebook's documented
webhook payloads, answered several at once from the post view through the simulated Graph API, refused
clearly when a comment is gone or closed to replies, and transferred between agencies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from civicloop.audit.models import AuditEntry
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.base import EventItem
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.models import Conversation, Message
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.service import record_inbound
from civicloop.config import get_settings
from civicloop.errors import Conflict
from civicloop.inbox import clocks, metrics, posts, queries, service, transfers
from civicloop.inbox.models import ConversationSla
from civicloop.kit.timezones import zone
from civicloop.oversight import aggregates, responses
from civicloop.oversight.models import AccountDay, AccountMonth, ResponseDay
from civicloop.oversight.periods import Period
from tests.channels.outbound.conftest import PAGE, Scene
from tests.factories import create_agency, create_official, csrf_from, login

POST = f"{PAGE}_918273645512"
CITIZENS = [
    ("7395028461937201", "Karma Wangchuk", "The streetlight at the Norzin Lam circle is out."),
    ("7395028461937202", "Pema Choden", "When will the Changlam footpath open?"),
    ("7395028461937203", "Sonam Dorji", "Water has been off in Motithang since morning."),
    ("7395028461937204", "Dechen Wangmo", "Please add a bench at the bus stop."),
    ("7395028461937205", "Tashi Phuntsho", "The drain near the vegetable market overflows."),
]


def comment(scene: Scene, number: int, who: str, name: str, text: str, *, parent: str | None = None, verb: str = "add"):  # type: ignore[no-untyped-def]
    """A comment as Meta's ``feed`` webhook documents it, parsed by the Facebook provider and stored."""
    comment_id = f"918273645512_12039485{number:02d}"
    value = {
        "from": {"id": who, "name": name},
        "post": {"id": POST, "permalink_url": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7"},
        "message": text,
        "post_id": POST,
        "comment_id": comment_id,
        "created_time": int(scene.clock.now().timestamp()),
        "item": "comment",
        "parent_id": parent or POST,
        "verb": verb,
    }
    body = {
        "object": "page",
        "entry": [{"id": PAGE, "time": 1767585604, "changes": [{"field": "feed", "value": value}]}],
    }
    event = EventItem("feed.comment", comment_id, PAGE, json.dumps(body).encode())
    if verb == "add":
        facebook_graph(scene.sim).comment(PAGE, comment_id, post_id=POST, from_id=who, message=text, parent_id=parent)
    for fact in registry.parser("facebook").parse(event):
        record_inbound(scene.db, account=scene.facebook, inbound=fact)
    scene.db.commit()
    return comment_id


def five_citizens(scene: Scene) -> list[str]:
    ids = [comment(scene, n, who, name, text) for n, (who, name, text) in enumerate(CITIZENS)]
    scene.clock.advance(minutes=5)
    # Another citizen answering Karma joins Karma's conversation; it starts none of its own.
    comment(scene, 9, "7395028461937299", "Ugyen Tshering", "Same at the other end.", parent=ids[0])
    return ids


def conversation_ids(scene: Scene, comment_ids: list[str]) -> list[int]:
    found = dict(
        scene.db.execute(
            select(Message.external_id, Message.conversation_id).where(Message.external_id.in_(comment_ids))
        ).all()
    )
    return [found[c] for c in comment_ids]


def test_five_citizens_are_five_conversations_answered_from_the_post_view(scene: Scene) -> None:
    ids = five_citizens(scene)
    convs = conversation_ids(scene, ids)
    assert len(set(convs)) == 5
    reply = scene.db.scalars(select(Message).where(Message.text == "Same at the other end.")).one()
    assert reply.conversation_id == convs[0]
    clocks.sweep(scene.db, now=scene.clock.now())
    scene.db.commit()

    post = posts.post_of(scene.db, actor=scene.actor, conversation_id=convs[2])
    assert [t.conversation.id for t in post.threads] == convs
    assert post.waiting == 5
    assert post.threads[0].messages == 2 and post.threads[0].author == "Karma Wangchuk"

    # Dechen deleted her comment on Facebook; Tashi's comment no longer takes replies.
    comment(scene, 3, *CITIZENS[3][:2], "", verb="remove")
    facebook_graph(scene.sim).objects[ids[4]].can_comment = False
    chosen = [convs[0], convs[1], convs[3], convs[4]]
    text = "Dear {citizen_name}, thank you: we have passed this to the team."
    outcomes = posts.reply_to_many(
        scene.db, actor=scene.actor, conversation_ids=chosen, text=text, idempotency_key="k1"
    )
    scene.db.commit()  # the send jobs run after commit
    by_id = {o.conversation_id: o for o in outcomes}
    assert [by_id[c].status for c in chosen] == ["queued", "queued", "refused", "queued"]
    assert "deleted on Facebook" in by_id[convs[3]].message

    # Each reply went to its own comment (Graph API /{comment-id}/comments), with the citizen's own name.
    calls = scene.sim.calls("facebook.comments")
    assert sorted(c.path.rsplit("/", 2)[-2] for c in calls) == sorted([ids[0], ids[1], ids[4]])
    answered = {o.parent_id: o.message for o in facebook_graph(scene.sim).page_comments_by(PAGE)}
    assert answered == {
        ids[0]: "Dear Karma Wangchuk, thank you: we have passed this to the team.",
        ids[1]: "Dear Pema Choden, thank you: we have passed this to the team.",
    }
    scene.db.rollback()
    closed = scene.db.scalars(select(OutboundMessage).where(OutboundMessage.conversation_id == convs[4])).one()
    assert closed.status is OutboundStatus.failed
    assert "no longer accepts a reply there" in (closed.last_error or "")

    # The same form again (a double submit) sends nothing twice.
    again = posts.reply_to_many(scene.db, actor=scene.actor, conversation_ids=chosen, text=text, idempotency_key="k1")
    scene.db.commit()
    assert len(scene.sim.calls("facebook.comments")) == 3
    assert [o.status for o in again if o.conversation_id != convs[3]] == ["queued", "queued", "queued"]
    assert scene.db.scalar(select(func.count()).select_from(OutboundMessage)) == 3

    # Two citizens answered, three waiting; the figures count citizens, not posts.
    scene.db.expire_all()  # the send jobs wrote in their own sessions
    clocks.sweep(scene.db, now=scene.clock.now())
    scene.db.commit()
    post = posts.post_of(scene.db, actor=scene.actor, conversation_id=convs[0])
    assert post.waiting == 3  # Sonam, Dechen (her comment is gone) and Tashi (replies turned off)
    start = scene.clock.now() - timedelta(days=1)
    total = metrics.response_metrics(
        scene.db, scope=metrics.Scope({scene.agency.id}), start=start, end=scene.clock.now() + timedelta(hours=1)
    ).total
    assert (total.conversations, total.responded, total.within_target) == (5, 2, 2)
    assert total.response_rate == 0.4 and total.within_target_share == 0.4


def officer_of(scene: Scene, email: str) -> Actor:
    official = scene.db.scalars(select(Official).where(Official.email == email)).one()
    return Actor.of(official)


def test_a_transfer_hands_the_thread_to_the_other_agency_and_the_clock_goes_on(scene: Scene) -> None:
    health = create_agency(scene.db, "HEALTH", name="Ministry of Health")
    create_official(scene.db, "officer@HEALTH", email="officer@health.example")
    scene.db.commit()
    (first,) = conversation_ids(scene, [comment(scene, 1, *CITIZENS[2])])
    clocks.sweep(scene.db, now=scene.clock.now())
    scene.db.commit()
    began = scene.db.get(ConversationSla, first)
    assert began is not None and began.first_citizen_at is not None
    waited_since = began.first_citizen_at

    with pytest.raises(Exception, match="note"):
        transfers.transfer(scene.db, actor=scene.actor, conversation_id=first, to_agency_id=health.id, note=" ")
    scene.db.rollback()
    transfers.transfer(
        scene.db, actor=scene.actor, conversation_id=first, to_agency_id=health.id, note="Water supply is yours."
    )
    scene.db.commit()

    # The officer who opened it before the transfer is told, and nothing is sent.
    with pytest.raises(Conflict, match="transferred to Ministry of Health"):
        transfers.check_still_ours(scene.db, actor=scene.actor, conversation_id=first)
    outcome = posts.reply_to_many(scene.db, actor=scene.actor, conversation_ids=[first], text="Hi", idempotency_key="t")
    assert outcome[0].status == "refused" and "transferred" in outcome[0].message

    # The receiving agency sees it in its inbox with its history, and answers on the comment.
    other = officer_of(scene, "officer@health.example")
    listed = queries.list_conversations(scene.db, actor=other, filters=queries.Filters())
    assert [r.conversation.id for r in listed.rows] == [first]
    detail = queries.detail(scene.db, service.get_conversation(scene.db, actor=other, conversation_id=first))
    assert [i.message.text for i in detail.items] == [CITIZENS[2][2]]
    sla = scene.db.get(ConversationSla, first)
    assert sla is not None and sla.agency_id == health.id
    assert sla.first_citizen_at == waited_since and sla.first_response_at is None  # a transfer is no answer
    scene.clock.advance(minutes=30)
    service.reply(scene.db, actor=other, conversation_id=first, text="The Ministry of Health here: we are on it.")
    scene.db.commit()
    assert [c.path.rsplit("/", 2)[-2] for c in scene.sim.calls("facebook.comments")] == [
        scene.db.get(Conversation, first).external_ref  # type: ignore[union-attr]
    ]

    # Figures: the conversation is the holder's; the sender counts it as transferred out.
    clocks.sweep(scene.db, now=scene.clock.now())
    scene.db.commit()
    start, end = scene.clock.now() - timedelta(days=1), scene.clock.now() + timedelta(hours=1)
    ours = metrics.response_metrics(scene.db, scope=metrics.Scope({scene.agency.id}), start=start, end=end).total
    theirs = metrics.response_metrics(scene.db, scope=metrics.Scope({health.id}), start=start, end=end).total
    assert (ours.conversations, theirs.conversations, theirs.responded) == (0, 1, 1)
    assert transfers.transferred_out(scene.db, agency_ids=None, start=start, end=end) == {scene.agency.id: 1}
    audited = scene.db.scalars(select(AuditEntry.agency_id).where(AuditEntry.action == "conversation.transfer")).all()
    assert sorted(audited) == sorted([scene.agency.id, health.id])


def test_the_post_and_transfer_forms_explain_bad_input_and_keep_agencies_apart(
    scene: Scene, client: TestClient
) -> None:
    ids = five_citizens(scene)
    convs = conversation_ids(scene, ids)
    health = create_agency(scene.db, "HEALTH", name="Ministry of Health")
    stranger = create_official(scene.db, "officer@HEALTH", email="officer@health.example")
    scene.db.commit()
    login(client, stranger)
    assert client.get(f"/inbox/{convs[0]}/post").status_code == 404  # another agency's post
    client.cookies.clear()
    login(client, scene.officer)
    page = client.get(f"/inbox/{convs[0]}/post")
    assert page.status_code == 200 and "5 citizen conversations under this post; 5 waiting" in page.text
    token = csrf_from(page.text)
    nothing = client.post(
        f"/inbox/{convs[0]}/post/reply", data={"csrf_token": token, "text": "Hi", "idempotency_key": "a"}
    )
    assert nothing.status_code == 422 and "choose at least one conversation" in nothing.text
    forged = client.post(
        f"/inbox/{convs[0]}/post/reply",
        data={"csrf_token": token, "text": "Hi", "conversation_ids": ["x1"], "idempotency_key": "a"},
    )
    assert forged.status_code == 422 and "not valid" in forged.text
    assert (
        client.post(f"/inbox/{convs[0]}/transfer", data={"to_agency_id": str(health.id), "note": "x"}).status_code
        == 403
    )
    token = csrf_from(client.get(f"/inbox/{convs[0]}").text)
    refused = client.post(
        f"/inbox/{convs[0]}/transfer",
        data={"csrf_token": token, "to_agency_id": "", "note": "x"},
        follow_redirects=True,
    )
    assert "choose the agency to transfer it to" in refused.text
    moved = client.post(
        f"/inbox/{convs[0]}/transfer",
        data={"csrf_token": token, "to_agency_id": str(health.id), "note": "About a hospital ward."},
        follow_redirects=True,
    )
    assert moved.status_code == 200 and "is now the other agency" in moved.text
    late = client.post(f"/inbox/{convs[0]}/reply", data={"csrf_token": token, "text": "On it."}, follow_redirects=True)
    assert "transferred to Ministry of Health meanwhile" in late.text
    assert scene.db.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def _figures(scene: Scene) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    days = scene.db.execute(
        select(AccountDay.day, AccountDay.account_id, AccountDay.agency_id, AccountDay.messages_in,
               AccountDay.messages_out, AccountDay.conversations_new)
    )  # fmt: skip
    months = scene.db.execute(
        select(AccountMonth.month, AccountMonth.account_id, AccountMonth.agency_id, AccountMonth.messages_in,
               AccountMonth.conversations_new)
    )  # fmt: skip
    answers = scene.db.execute(
        select(ResponseDay.day, ResponseDay.agency_id, ResponseDay.conversations, ResponseDay.responded)
    )
    return {tuple(r) for r in days}, {tuple(r) for r in months}, {tuple(r) for r in answers}


def test_a_transfer_weeks_later_moves_the_daily_figures_of_both_agencies_at_once(scene: Scene) -> None:
    health = create_agency(scene.db, "HEALTH", name="Ministry of Health")
    scene.db.commit()
    # Two citizens under one post; the one about water goes to Health three weeks later.
    karma, sonam = conversation_ids(scene, [comment(scene, 1, *CITIZENS[0]), comment(scene, 2, *CITIZENS[2])])
    clocks.sweep(scene.db, now=scene.clock.now())
    zone_name = get_settings().timezone
    began = scene.clock.now().astimezone(zone(zone_name)).date()
    everything = Period(began - timedelta(days=1), began + timedelta(days=30))

    def recount() -> None:
        aggregates.rebuild(
            scene.db, agency_days={(a, d) for a in (scene.agency.id, health.id) for d in everything.each_day()},
            zone_name=zone_name, now=scene.clock.now(),
        )  # fmt: skip
        responses.rebuild(scene.db, period=everything, zone_name=zone_name)

    recount()
    scene.db.commit()
    scene.clock.advance(days=21)  # beyond the 14 days the five-minute refresh recounts
    transfers.transfer(scene.db, actor=scene.actor, conversation_id=sonam, to_agency_id=health.id, note="Water.")
    scene.db.commit()

    days, months, answers = _figures(scene)
    page = scene.facebook.id
    assert (began, page, scene.agency.id, 1, 0, 1) in days and (began, page, health.id, 1, 0, 1) in days
    assert {(a, n) for d, a, n, _ in answers if d == began} == {(scene.agency.id, 1), (health.id, 1)}
    assert {(m[2], m[4]) for m in months} == {(scene.agency.id, 1), (health.id, 1)}
    # Exactly what a recount of every day from the messages and SLA rows gives.
    recount()
    assert _figures(scene) == (days, months, answers)
    assert karma != sonam
