"""Where this domain meets others at start-up: a comment hidden or shown again on the platform itself
(``channels.hooks.ON_PLATFORM_MODERATION``) joins the record of moderation and the public log.

A page administrator may hide a comment on the platform itself, without CivicLoop. The platform says so in a webhook,
but not who did it nor why: the record keeps that it happened, when, and that no ground was given, so the
public log counts it (as "no ground given") instead of leaving a hidden comment out of the figures.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.channels import hooks as channel_hooks
from civicloop.channels import registry
from civicloop.channels.base import Action
from civicloop.channels.models import Message
from civicloop.channels.moderation import Operation
from civicloop.moderation.models import ModerationAction

ON_PLATFORM = "on the platform"  # by_label of an action taken on the platform, outside CivicLoop


def record_platform_moderation(session: Session, message: Message, action: Action) -> None:
    operation = Operation.hide if action is Action.hide else Operation.unhide
    done = "hidden" if operation is Operation.hide else "shown again"
    row = ModerationAction.on(
        message,
        operation,
        ground=None,
        by_label=ON_PLATFORM,
        applied=True,
        platform_summary=f"{done} on {registry.label(message.platform)} itself, outside CivicLoop: the platform "
        "reported it but not who did it nor why",
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=None,
        action=f"moderation.{operation.value}",
        target_type="message",
        target_id=message.id,
        agency_id=message.agency_id,
        after={"moderation_action_id": row.id, "ground": None, "on_platform": True},
    )


if record_platform_moderation not in channel_hooks.ON_PLATFORM_MODERATION:
    channel_hooks.ON_PLATFORM_MODERATION.append(record_platform_moderation)
