"""On the demo's own data: every comment's moderation page renders for the city's officer (each platform
says what it offers), the head's appeals and policy pages render, and the public pages show an empty log."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import Conversation, ConversationKind, Direction, Message
from civicloop.demo import DEMO_PASSWORD, DemoWorld
from tests.factories import csrf_from


def _sign_in(client: TestClient, email: str) -> None:
    token = csrf_from(client.get("/login").text)
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})


@pytest.mark.slow  # the first test to ask for the demo seeds it (see the demo fixture)
def test_the_demo_comments_can_be_moderated_and_the_pages_render(
    demo: DemoWorld, db: Session, client: TestClient
) -> None:
    agency = demo.agencies["THROMDE"]
    comments = db.scalars(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.agency_id == agency.id,
            Message.direction == Direction.inbound,
            Conversation.kind == ConversationKind.comment_thread,
        )
    ).all()
    platforms = {m.platform for m in comments}
    assert {"facebook", "x"} <= platforms, platforms
    _sign_in(client, "officer@thromde.example")
    seen: dict[str, str] = {}
    for message in comments:
        html = client.get(f"/moderation/messages/{message.id}").text
        assert "Moderate a comment" in html, message.id
        seen.setdefault(message.platform, html)
    assert "Hide on Facebook" in seen["facebook"] and "Hide on X" in seen["x"]
    if "telegram" in seen:
        assert "Hide on" not in seen["telegram"] and "for the agency head alone" in seen["telegram"]
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    _sign_in(client, "head@thromde.example")
    assert "No appeal is waiting." in client.get("/moderation/appeals").text
    assert "Only the agency head may hide comments" in client.get(f"/moderation/policy/{agency.id}").text
    assert "No comment was hidden or deleted in this period." in client.get("/transparency/moderation").text
