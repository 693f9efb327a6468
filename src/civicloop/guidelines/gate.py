"""The guidelines gate on channels' outbound messages, and the release of approved ones.

``gate_outbound`` is channels' before-send hook (``channels.outbound.hooks``, registered below). It
runs on every stored reply or post before anything is enqueued: a block refuses it, a hold leaves it
``held`` in the agency head's queue, a warning is recorded as sent despite the warning. ``release``
hands an approved text back to channels.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.scope import Actor
from civicloop.channels.outbound import hooks
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.outbound.service import check_text, enqueue_send
from civicloop.errors import Invalid
from civicloop.guidelines import service
from civicloop.guidelines.models import Approval, ApprovalStatus


def gate_outbound(session: Session, actor: Actor | None, outbound: OutboundMessage) -> service.Review:
    review = service.review_outgoing(
        session,
        actor=actor,
        agency_id=outbound.agency_id,
        text=outbound.text,
        kind=outbound.kind.value,
        outbound_id=outbound.id,
    )
    if review.action == "block":
        titles = ", ".join(dict.fromkeys(f.title.lower() for f in review.blocking()))
        raise Invalid(f"the guidelines do not allow sending this text: it contains {titles}", field="text")
    if review.action == "hold":
        outbound.status = OutboundStatus.held
        service.request_approval(
            session,
            actor=actor,
            review=review,
            agency_id=outbound.agency_id,
            kind=outbound.kind.value,
            outbound_id=outbound.id,
        )
    elif review.action == "warn" and review.review_id is not None:
        audit.record(
            session,
            actor=actor.official if actor else None,
            action="guidelines.override",
            target_type="guideline_review",
            target_id=review.review_id,
            agency_id=outbound.agency_id,
            after={"outbound_id": outbound.id, "note": "sent despite warnings"},
        )
    return review


def release(session: Session, *, approval: Approval) -> None:
    """Approved: the (possibly edited) text is queued for sending. Rejected: the row is marked rejected."""
    if approval.outbound_id is None:
        return
    row = session.get(OutboundMessage, approval.outbound_id)
    if row is None or row.status is not OutboundStatus.held:
        return
    if approval.status is ApprovalStatus.approved:
        row.text = check_text(row.route, approval.text)
        enqueue_send(session, row.id)
    else:
        row.status = OutboundStatus.rejected
        row.last_error = f"rejected by the agency head: {approval.reason}"


hooks.register(gate_outbound)
