"""Rules for commitments, their updates and notices, citizens' opt-out, and promises in replies.

Never commits: the request, job or CLI command does. Notices go out from a job after the update
commits, one per participant per status change, through ``channels.outbound.create_outbound`` (which
applies the platform's reply window and the guidelines gate like any reply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.accountability import lexicon, queries
from civicloop.accountability.models import (
    Commitment,
    CommitmentNotice,
    CommitmentStatus,
    CommitmentUpdate,
    OptOut,
    Promise,
    PromiseStatus,
)
from civicloop.accountability.schemas import CommitmentIn, Photo, UpdateIn
from civicloop.agencies.models import Agency
from civicloop.audit import service as audit
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels.models import Conversation, Direction, Message
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage
from civicloop.channels.outbound.service import SENDING_ROLES, create_outbound
from civicloop.config import get_settings
from civicloop.consultations.models import Consultation, ConsultationStatus, ReportSection, Response
from civicloop.errors import AppError, Conflict, Invalid
from civicloop.kit import i18n, uploads
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_
from civicloop.notifications.service import notify
from civicloop.sla.calendar import calendar_for

NOTIFY_JOB = "civicloop.accountability.tasks.notify_participants"
COMMITMENT_FIELDS = ["title", "division", "due_on", "status", "progress", "dropped_reason"]
STATUS_WORDS = {
    CommitmentStatus.planned: "planned",
    CommitmentStatus.in_progress: "in progress",
    CommitmentStatus.done: "done",
    CommitmentStatus.dropped: "dropped",
}
# A citizen's whole message, in English or Dzongkha ("stop", "བཀག"), opts them out of updates.
STOP_WORDS = re.compile(r"^\s*(stop|unsubscribe|བཀག|མཚམས་འཇོག)\s*[.!།]?\s*$", re.IGNORECASE)


def _record(session: Session, actor: Actor, action: str, row: Commitment | Promise, kind: str, **changes: Any) -> None:
    audit.record(
        session,
        actor=actor.official,
        action=action,
        target_type=kind,
        target_id=row.id,
        agency_id=row.agency_id,
        **changes,
    )


# -- commitments -----------------------------------------------------------------------------------

CREATED_NOTE = N_("Commitment made in the consultation's report.")


def create_commitment(session: Session, *, actor: Actor, consultation_id: int, data: CommitmentIn) -> Commitment:
    """A commitment from a published report's decision or one of its "we did" sections."""
    consultation = actor.fetch(session, Consultation, consultation_id, what="consultation", roles=())
    if consultation.status is not ConsultationStatus.published:
        raise Conflict("commitments come from a published “you said, we did” report; publish the report first")
    if data.section_id is not None:
        section = session.get(ReportSection, data.section_id)
        if section is None or section.consultation_id != consultation.id:
            raise Invalid("that report section is not in this consultation", field="section_id")
    response_ids = sorted(set(data.response_ids))
    if response_ids:
        found = set(
            session.scalars(
                select(Response.id).where(Response.id.in_(response_ids), Response.consultation_id == consultation.id)
            )
        )
        if found != set(response_ids):
            raise Invalid("some of the linked comments are not answers to this consultation", field="response_ids")
    commitment = Commitment(
        agency_id=consultation.agency_id,
        consultation_id=consultation.id,
        section_id=data.section_id,
        title=data.title.strip(),
        description=data.description.strip(),
        division=data.division.strip(),
        due_on=data.due_on,
        status=CommitmentStatus.planned,
        progress=0,
        themes=[t.strip() for t in data.themes if t.strip()],
        response_ids=response_ids,
        created_by_id=actor.id,
    )
    session.add(commitment)
    session.flush()
    session.add(
        CommitmentUpdate(
            agency_id=commitment.agency_id,
            commitment_id=commitment.id,
            at=utcnow(),
            status=CommitmentStatus.planned,
            progress=0,
            note=CREATED_NOTE,
            # The timeline's first entry is the product's words, so it comes in every language of the catalogs.
            translations={
                lang: {"note": i18n.translate(lang, CREATED_NOTE)} for lang in i18n.LANGUAGES if lang != i18n.DEFAULT
            },
            author_id=actor.id,
        )
    )
    session.flush()
    _record(
        session,
        actor,
        "commitment.create",
        commitment,
        "commitment",
        after=audit.snapshot(commitment, COMMITMENT_FIELDS),
    )
    return commitment


def add_update(
    session: Session,
    *,
    actor: Actor,
    commitment_id: int,
    data: UpdateIn,
    photo: Photo | None = None,
    notify: bool = True,
) -> CommitmentUpdate:
    """A dated progress entry. A change of status tells the participants (from a job, after commit)
    unless ``notify`` is off (the demo's back-dated history, which happened before anyone could hear)."""
    commitment = actor.fetch(session, Commitment, commitment_id, what="commitment", roles=())
    note = data.note.strip()
    if data.status is CommitmentStatus.dropped and not note:
        raise Invalid("say publicly why the commitment is dropped", field="note")
    progress = 100 if data.status is CommitmentStatus.done else data.progress
    changed = data.status is not commitment.status
    if not changed and progress == commitment.progress and not note and photo is None:
        raise Invalid("nothing changed: give a new status, progress, a note or a photo", field="note")
    before = audit.snapshot(commitment, COMMITMENT_FIELDS)
    stored = uploads.store(photo.data, filename=photo.filename, images_only=True) if photo is not None else None
    update = CommitmentUpdate(
        agency_id=commitment.agency_id,
        commitment_id=commitment.id,
        at=utcnow(),
        status=data.status,
        status_changed=changed,
        progress=progress,
        note=note,
        photo_name=stored.stored_name if stored else None,
        photo_alt=data.photo_alt.strip(),
        author_id=actor.id,
    )
    commitment.status, commitment.progress = data.status, progress
    commitment.dropped_reason = note if data.status is CommitmentStatus.dropped else ""
    session.add(update)
    session.flush()
    _record(
        session,
        actor,
        "commitment.update",
        commitment,
        "commitment",
        before=before,
        after={**audit.snapshot(commitment, COMMITMENT_FIELDS), "update_id": update.id, "notify": changed and notify},
    )
    if changed and notify:
        jobs.after_commit(session, NOTIFY_JOB, update.id)
    return update


def notice_text(agency: Agency, commitment: Commitment, update: CommitmentUpdate) -> str:
    """Short enough for a post on X (280) with the link: the title is cut, never the link."""
    title = commitment.title if len(commitment.title) <= 80 else commitment.title[:79] + "…"
    url = f"{get_settings().base_url.rstrip('/')}/commitments/{commitment.id}"
    return (
        f"{agency.name}: “{title}”, which came from a consultation you took part in, is now "
        f"{STATUS_WORDS[update.status]}. Details: {url} — reply STOP for no more updates."
    )


def notify_participants(session: Session, *, update_id: int) -> dict[str, int]:
    """Tell everyone who took part in the consultation, under their own latest message: once per
    participant (a citizen with several comments hears once) and once per update (a replayed job
    finds the rows it wrote)."""
    update = session.get(CommitmentUpdate, update_id)
    if update is None or not update.status_changed:
        return {}
    commitment = session.get(Commitment, update.commitment_id)
    agency = session.get(Agency, update.agency_id)
    assert commitment is not None and agency is not None  # foreign keys
    text = notice_text(agency, commitment, update)
    done = set(session.scalars(select(CommitmentNotice.participant).where(CommitmentNotice.update_id == update.id)))
    opted_out = queries.opted_out(session, agency_id=agency.id)
    counts = {"sent": 0, "refused": 0, "opted_out": 0}
    for participant, message in queries.participants(session, consultation_id=commitment.consultation_id).items():
        if participant in done:
            continue
        notice = CommitmentNotice(
            agency_id=agency.id, update_id=update.id, participant=participant, message_id=message.id
        )
        if message.contact_id in opted_out:
            notice.outcome = "opted_out"
        else:
            try:
                with session.begin_nested():
                    outbound = create_outbound(
                        session,
                        actor=None,
                        account_id=message.account_id,
                        kind=OutboundKind.reply,
                        text=text,
                        conversation_id=message.conversation_id,
                        in_reply_to_message_id=message.id,
                    )
                notice.outbound_id, notice.outcome = outbound.id, "sent"
            except AppError as exc:
                # A closed messaging window, no email address, a guidelines block: recorded, not fatal.
                notice.outcome, notice.reason = "refused", exc.message[:300]
        counts[notice.outcome] += 1
        session.add(notice)
        session.flush()
    audit.record(
        session,
        actor=None,
        action="commitment.notify",
        target_type="commitment",
        target_id=commitment.id,
        agency_id=agency.id,
        after={"update_id": update.id, **counts},
    )
    return counts


def stop_updates(session: Session, message: Message) -> None:
    """channels.hooks.ON_MESSAGE: a citizen who writes just "STOP" hears no more commitment updates."""
    if message.direction is not Direction.inbound or not STOP_WORDS.match(message.text or ""):
        return
    if message.contact_id is None or session.get(OptOut, message.contact_id) is not None:
        return
    row = OptOut(agency_id=message.agency_id, contact_id=message.contact_id, at=utcnow())
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=None,
        action="commitment.opt_out",
        target_type="contact",
        target_id=row.contact_id,
        agency_id=row.agency_id,
        after={"message_id": message.id},
    )


# -- promises --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    outbound: OutboundMessage
    found: lexicon.Found
    due_at: datetime


def proposal(session: Session, *, actor: Actor, conversation_id: int) -> Proposal | None:
    """The newest reply by an official in the conversation that promises something with a time and
    has not been confirmed or dismissed yet."""
    conversation = actor.fetch(session, Conversation, conversation_id, what="conversation")
    for outbound in queries.undecided_replies(session, conversation_id=conversation.id):
        found = lexicon.find(outbound.text)
        if found is not None:
            due = lexicon.due_at(calendar_for(session, conversation.agency_id), outbound.created_at, found)
            return Proposal(outbound, found, due)
    return None


def _reply_of(session: Session, actor: Actor, outbound_id: int) -> tuple[OutboundMessage, Conversation]:
    outbound = actor.fetch(session, OutboundMessage, outbound_id, what="reply", roles=SENDING_ROLES)
    if outbound.kind is not OutboundKind.reply or outbound.conversation_id is None:
        raise Invalid("only a reply in a conversation can hold a promise")
    if session.scalar(select(Promise.id).where(Promise.outbound_id == outbound.id)) is not None:
        raise Conflict("this reply's promise was already confirmed or dismissed")
    conversation = session.get(Conversation, outbound.conversation_id)
    assert conversation is not None  # foreign key
    return outbound, conversation


def decide_promise(session: Session, *, actor: Actor, outbound_id: int, confirm: bool) -> Promise:
    """Confirm the proposed promise (it is then tracked until kept) or dismiss it (never proposed again)."""
    outbound, conversation = _reply_of(session, actor, outbound_id)
    found = lexicon.find(outbound.text)
    if found is None:
        raise Invalid("this reply promises nothing with a time")
    promise = Promise(
        agency_id=outbound.agency_id,
        conversation_id=conversation.id,
        outbound_id=outbound.id,
        phrase=found.phrase[:120],
        excerpt=found.excerpt,
        due_at=lexicon.due_at(calendar_for(session, conversation.agency_id), outbound.created_at, found),
        status=PromiseStatus.open if confirm else PromiseStatus.dismissed,
        assignee_id=conversation.assignee_id or outbound.created_by_id or actor.id,
        decided_by_id=actor.id,
        created_at=utcnow(),
    )
    session.add(promise)
    session.flush()
    _record(
        session,
        actor,
        "promise.confirm" if confirm else "promise.dismiss",
        promise,
        "promise",
        after={"phrase": promise.phrase, "due_at": promise.due_at.isoformat(), "outbound_id": outbound.id},
    )
    return promise


def keep_promise(session: Session, *, actor: Actor, promise_id: int, note: str, follow_up: str = "") -> Promise:
    """Close a promise as kept, with a note for the record; ``follow_up`` is also sent to the citizen."""
    promise = actor.fetch(session, Promise, promise_id, what="promise", roles=SENDING_ROLES)
    if promise.status is not PromiseStatus.open:
        raise Conflict(f"this promise is {promise.status.value}, not open")
    if not note.strip():
        raise Invalid("say what was done", field="note")
    if follow_up.strip():
        conversation = session.get(Conversation, promise.conversation_id)
        assert conversation is not None  # foreign key
        create_outbound(
            session,
            actor=actor,
            account_id=conversation.account_id,
            kind=OutboundKind.reply,
            text=follow_up,
            conversation_id=conversation.id,
        )
    promise.status, promise.kept_at, promise.kept_note = PromiseStatus.kept, utcnow(), note.strip()
    session.flush()
    _record(
        session,
        actor,
        "promise.keep",
        promise,
        "promise",
        after={
            "kept_at": promise.kept_at.isoformat(),
            "on_time": promise.kept_at <= promise.due_at,
            "follow_up": bool(follow_up.strip()),
        },
    )
    return promise


REMIND_BEFORE = timedelta(days=1)


def remind_due(session: Session, *, now: datetime | None = None) -> int:
    """Remind each open promise's assignee once when it is due within a day, and once when it is missed."""
    now = now or utcnow()
    sent = 0
    for promise in queries.open_promises_due_by(session, moment=now + REMIND_BEFORE):
        official = session.get(Official, promise.assignee_id) if promise.assignee_id else None
        conversation = session.get(Conversation, promise.conversation_id)
        if official is None or conversation is None:
            continue
        missed = promise.due_at <= now
        created = notify(
            session,
            official=official,
            conversation=conversation,
            kind="promise_missed" if missed else "promise_due",
            key=str(promise.id),
            title=("Missed promise: " if missed else "Promise due soon: ") + f"“{promise.phrase}”",
            body=f"{promise.excerpt}\nDue {promise.due_at.isoformat(timespec='minutes')}. "
            "Close it as kept with a note on the conversation page.",
        )
        sent += created is not None
    return sent
