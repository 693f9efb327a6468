"""Fixtures of the oversight tests: a real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from civicloop.config import reset_settings
from tests.conftest import free_port

USER, PASSWORD = "civicloop", "mail-secret"


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK"


def _authenticator(inbox: Inbox):  # type: ignore[no-untyped-def]
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == USER and data.password.decode() == PASSWORD
        if ok:
            inbox.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    """Serve SMTP with login on a free port and point CIVICLOOP_SMTP_URL at it for this test."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticator(inbox), auth_require_tls=False
    )
    controller.start()
    previous = os.environ.get("CIVICLOOP_SMTP_URL")
    os.environ["CIVICLOOP_SMTP_URL"] = f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}"
    reset_settings()
    try:
        yield inbox
    finally:
        controller.stop()
        if previous is None:
            os.environ.pop("CIVICLOOP_SMTP_URL", None)
        else:
            os.environ["CIVICLOOP_SMTP_URL"] = previous
        reset_settings()
