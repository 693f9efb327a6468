"""Replies to web-form citizens go out by email, through a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from civicloop.channels.outbound.models import OutboundStatus
from civicloop.channels.web.status import status_path
from civicloop.config import reset_settings
from tests.channels.outbound.conftest import Scene
from tests.conftest import free_port


@dataclass
class Inbox:
    """What a real SMTP server on loopback (aiosmtpd) received."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CIVICLOOP_SMTP_URL", f"smtp://127.0.0.1:{port}")
    reset_settings()
    yield inbox
    controller.stop()
    # The next test must not find this (stopped) server in the cached settings.
    monkeypatch.undo()
    reset_settings()


def test_a_form_reply_is_emailed_to_the_address_the_citizen_left(scene: Scene, smtp_server: Inbox) -> None:
    feedback = scene.form()
    row = scene.send(
        scene.web, "Thank you. A shelter is in next year's plan.", conversation_id=feedback.conversation_id
    )
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent, row.last_error
    assert row.route == "email" and row.recipient == "karma@example.bt"
    [mail] = smtp_server.messages
    assert smtp_server.envelopes == [["karma@example.bt"]]
    subject = str(make_header(decode_header(mail["Subject"])))
    # English, then the same in Dzongkha: the form does not say which the citizen reads.
    assert subject.startswith("Re: your feedback to Thimphu Thromde (reference FB-7K3M9Q)")
    assert "ཁྱོད་ཀྱི་བསམ་འཆར་གྱི་ལན།" in subject
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert body.startswith("Thank you. A shelter is in next year's plan.\n")
    assert status_path("FB-7K3M9Q") in body  # the citizen can read the conversation and answer there
    assert [m.external_id for m in scene.messages_out()] == [f"email:{row.idempotency_key}"]


def test_without_smtp_a_form_reply_is_delivered_on_the_status_page(scene: Scene) -> None:
    feedback = scene.form()
    row = scene.send(scene.web, "Thanks", conversation_id=feedback.conversation_id)
    row = scene.row(row.id)
    assert row.status is OutboundStatus.sent and row.route == "email"
    assert [m.external_id for m in scene.messages_out()] == [f"page:{row.idempotency_key}"]
