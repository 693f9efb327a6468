"""The demo's inbox: saved replies, tags, assignments, closed conversations and SLA states."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.channels.models import Conversation, ConversationStatus
from civicloop.demo import DEMO_PASSWORD, DemoWorld
from civicloop.inbox.models import ConversationSla, ConversationTag, SavedReply
from tests.factories import csrf_from


@pytest.mark.slow  # the first test to ask for the demo seeds it (see the demo fixture)
def test_the_demo_inbox_is_lived_in_and_its_pages_render(demo: DemoWorld, db: Session, client: TestClient) -> None:
    count = db.scalar(select(func.count(Conversation.id))) or 0
    assert count > 10
    assert db.scalar(select(func.count(ConversationSla.conversation_id))) == count
    assert db.scalar(select(func.count(SavedReply.id))) == 12
    assert (db.scalar(select(func.count()).select_from(ConversationTag)) or 0) > 0
    closed = db.scalar(select(func.count(Conversation.id)).where(Conversation.status == ConversationStatus.closed))
    assigned = db.scalar(select(func.count(Conversation.id)).where(Conversation.assignee_id.is_not(None)))
    assert (closed or 0) > 0 and (assigned or 0) > 0
    token = csrf_from(client.get("/login").text)
    client.post("/login", data={"email": "officer@thromde.example", "password": DEMO_PASSWORD, "csrf_token": token})
    listed = client.get("/api/v1/inbox/conversations", params={"status": "all"}).json()
    assert listed["total"] > 0
    first = listed["items"][0]["id"]
    for path in ["/inbox", f"/inbox/{first}", "/inbox-saved-replies", "/notifications", "/metrics", "/calendar"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.slow
def test_the_demos_five_citizens_on_one_post_are_five_conversations_and_one_is_answered(
    demo: DemoWorld, db: Session, client: TestClient
) -> None:
    from civicloop.channels.models import Message
    from civicloop.demo.channels import BUSY_COMMENTS

    post_ref = db.scalars(select(Conversation.post_ref).where(Conversation.post_ref.like("%_demo-resurfacing"))).first()
    under = db.scalars(
        select(Conversation).where(Conversation.post_ref == post_ref, Conversation.external_ref != post_ref)
    ).all()
    assert len(under) == len(BUSY_COMMENTS) == 5
    rows = [db.get(ConversationSla, c.id) for c in under]
    answered = [r for r in rows if r is not None and r.first_response_at is not None]
    waiting = [r for r in rows if r is not None and r.first_response_at is None and r.response_started_at is not None]
    assert (len(answered), len(waiting)) == (1, 4)
    kinley = db.scalars(select(Message).where(Message.text.like("Will the buses still stop%"))).one()
    assert answered[0].conversation_id == kinley.conversation_id
    token = csrf_from(client.get("/login").text)
    client.post("/login", data={"email": "officer@thromde.example", "password": DEMO_PASSWORD, "csrf_token": token})
    html = client.get(f"/inbox/{kinley.conversation_id}/post").text
    assert "5 citizen conversations under this post; 4 waiting" in html
