"""Golden summaries of what a provider makes of a fixture: the split events and the parsed facts.

The expected summaries are data: ``<platform>/golden.json``, one entry per fixture file.
"""

from __future__ import annotations

import json
from typing import Any

from civicloop.channels.base import Inbound, Parser
from tests.channels.conftest import HERE, fixture_bytes


def fact(inbound: Inbound) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "action": inbound.action.value,
        "account": inbound.account_ref,
        "direction": inbound.direction.value,
        "id": inbound.external_id,
        "conversation": f"{inbound.conversation_kind.value}:{inbound.conversation_ref}",
        "at": inbound.created_at.isoformat() if inbound.created_at else None,
        "text": inbound.text,
    }
    if inbound.contact is not None:
        summary["contact"] = [inbound.contact.platform_user_id, inbound.contact.display_name, inbound.contact.handle]
    optional = {
        "reply_to": inbound.reply_to_external_id,
        "thread_parent": inbound.thread_parent_external_id,
        "attachments": [dict(a) for a in inbound.attachments],
        "permalink": inbound.permalink,
        "subject": inbound.subject,
    }
    summary.update({key: value for key, value in optional.items() if value})
    return summary


def golden(provider: Parser, name: str) -> dict[str, Any]:
    """``events``: [kind, dedup key, routed to, stored?] per event; ``facts``: what parsing the stored ones gives."""
    items = provider.events(fixture_bytes(name))
    stored = [item for item in items if item.kind in provider.HANDLERS]
    return {
        "events": [[item.kind, item.external_id, item.route_key, item.kind in provider.HANDLERS] for item in items],
        "facts": [fact(inbound) for item in stored for inbound in provider.parse(item)],
    }


def expected(platform: str) -> dict[str, Any]:
    """The golden summaries of ``platform``'s fixtures, by fixture file name."""
    document: dict[str, Any] = json.loads((HERE / platform / "golden.json").read_text())
    return document
