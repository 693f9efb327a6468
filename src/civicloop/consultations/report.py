""" "You said, we did": the agency's response per theme or question, and its publication.

Publishing freezes the consultation (status ``published``), puts the public report up at ``/c/<code>``, and
optionally announces it on the same accounts and replies in each participant's thread with the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.analysis.schemas import ThemeSummary
from civicloop.auth.scope import Actor
from civicloop.channels.models import Direction, Message
from civicloop.consultations import queries, service, themes
from civicloop.consultations import results as results_mod
from civicloop.consultations.models import Consultation, ConsultationStatus, ReportSection, Response
from civicloop.consultations.schemas import ReportIn, ReportSectionIn, public_url
from civicloop.errors import AppError, Conflict, Invalid, NotFound
from civicloop.kit.clock import utcnow
from civicloop.publishing import lengths
from civicloop.publishing import service as publishing
from civicloop.publishing.models import PostPurpose

WRITABLE = frozenset({ConsultationStatus.closed})


@dataclass(frozen=True)
class PublishOutcome:
    announced: bool
    replies_sent: int
    replies_refused: int


@dataclass
class PublicReport:
    consultation: Consultation
    agency: Agency
    results: results_mod.Results
    themes: list[ThemeSummary]
    sections: list[ReportSection]


def sections_of(session: Session, consultation_id: int) -> list[ReportSection]:
    return list(
        session.scalars(
            select(ReportSection)
            .where(ReportSection.consultation_id == consultation_id)
            .order_by(ReportSection.position, ReportSection.id)
        )
    )


def _writable(session: Session, actor: Actor, consultation_id: int) -> Consultation:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    if consultation.status not in WRITABLE:
        raise Conflict(
            f"the consultation is {consultation.status.value}; "
            "the report is written after closing and before publishing"
        )
    return consultation


def save_report(session: Session, *, actor: Actor, consultation_id: int, data: ReportIn) -> Consultation:
    consultation = _writable(session, actor, consultation_id)
    consultation.report_intro, consultation.decision = data.report_intro.strip(), data.decision.strip()
    session.flush()
    service.record(
        session, actor, "consultation.report_edit", consultation, after={"decision": consultation.decision[:200]}
    )
    return consultation


def add_section(session: Session, *, actor: Actor, consultation_id: int, data: ReportSectionIn) -> ReportSection:
    consultation = _writable(session, actor, consultation_id)
    if not data.you_said.strip() and not data.we_did.strip():
        raise Invalid("write what people said, what the agency does about it, or both", field="we_did")
    position = session.scalar(
        select(func.coalesce(func.max(ReportSection.position), 0)).where(
            ReportSection.consultation_id == consultation.id
        )
    )
    section = ReportSection(
        agency_id=consultation.agency_id,
        consultation_id=consultation.id,
        position=int(position or 0) + 1,
        topic=data.topic.strip() or "general",
        heading=data.heading.strip(),
        you_said=data.you_said.strip(),
        we_did=data.we_did.strip(),
    )
    session.add(section)
    session.flush()
    service.record(session, actor, "consultation.report_section_add", consultation, after={"heading": section.heading})
    return section


def remove_section(session: Session, *, actor: Actor, consultation_id: int, section_id: int) -> None:
    consultation = _writable(session, actor, consultation_id)
    section = session.get(ReportSection, section_id)
    if section is None or section.consultation_id != consultation.id:
        raise NotFound("report section not found")
    session.delete(section)
    session.flush()
    service.record(
        session, actor, "consultation.report_section_remove", consultation, before={"heading": section.heading}
    )


def report_url(consultation: Consultation) -> str:
    return public_url(consultation) + "/report"


def publish(
    session: Session, *, actor: Actor, consultation_id: int, announce: bool = False, reply_to_participants: bool = False
) -> PublishOutcome:
    consultation = _writable(session, actor, consultation_id)
    if not sections_of(session, consultation.id) and not consultation.decision:
        raise Invalid("write the decision or at least one response to what people said before publishing")
    consultation.status, consultation.published_at = ConsultationStatus.published, utcnow()
    session.flush()
    service.record(
        session,
        actor,
        "consultation.publish",
        consultation,
        before={"status": "closed"},
        after={"status": "published", "announce": announce, "reply_to_participants": reply_to_participants},
    )
    announced = False
    account_ids = queries.account_ids_of(session, consultation.id)
    if announce and account_ids:
        url = report_url(consultation)
        text = (
            f"{consultation.title}: what you said and what we did.\n\n{consultation.decision}\n\nRead the report: {url}"
        )
        publishing.create_post(
            session,
            actor=actor,
            agency_id=consultation.agency_id,
            text=text.strip(),
            variants=lengths.short_variants(f"{consultation.title}: what you said and what we did", url),
            account_ids=account_ids,
            purpose=PostPurpose.report,
            consultation_id=consultation.id,
        )
        announced = True
    sent = refused = 0
    if reply_to_participants:
        sent, refused = _reply_to_participants(session, actor, consultation)
    return PublishOutcome(announced, sent, refused)


def _reply_to_participants(session: Session, actor: Actor, consultation: Consultation) -> tuple[int, int]:
    """One reply per linked conversation, under the participant's latest message, with the report link."""
    from civicloop.channels.outbound.service import create_outbound

    latest = session.execute(
        select(Response.conversation_id, func.max(Response.message_id))
        .where(Response.consultation_id == consultation.id, Response.message_id.is_not(None))
        .group_by(Response.conversation_id)
    ).all()
    text = (
        f"Thank you for taking part in “{consultation.title}”. "
        f"What you said and what we did: {report_url(consultation)}"
    )
    sent = refused = 0
    for conversation_id, message_id in latest:
        message = session.get(Message, message_id)
        if conversation_id is None or message is None or message.direction is not Direction.inbound:
            continue
        try:
            with session.begin_nested():
                # Sent as the system: the text is fixed and the publication is the official's audited act.
                create_outbound(
                    session,
                    actor=None,
                    account_id=message.account_id,
                    kind="reply",
                    text=text,
                    conversation_id=conversation_id,
                    in_reply_to_message_id=message.id,
                )
            sent += 1
        except AppError:
            # A closed reply window or a guidelines hold: counted and shown, not fatal.
            refused += 1
    return sent, refused


def public_report(session: Session, *, code: str) -> PublicReport:
    consultation = queries.get_public(session, code)
    if consultation.status is not ConsultationStatus.published:
        raise NotFound("the report of this consultation is not published yet")
    computed = results_mod.compute(session, consultation)
    agency = session.get(Agency, consultation.agency_id)
    assert agency is not None  # the foreign key guarantees it
    return PublicReport(
        consultation=consultation,
        agency=agency,
        results=computed,
        themes=themes.public_themes(consultation),
        sections=sections_of(session, consultation.id),
    )
