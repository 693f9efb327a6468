"""Answers from the public form and from social media, and the conversations linked to a consultation.

A citizen message counts for a consultation when its conversation is linked to it: automatically when it is
a comment or reply under the consultation's announcement post, or when it quotes the consultation's code,
link or hashtag; by hand when an officer links the conversation from the inbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.channels import hooks
from civicloop.channels.models import Conversation, ConversationKind, Direction, Message
from civicloop.consultations import queries, service
from civicloop.consultations.models import (
    Answer,
    Audience,
    Consultation,
    ConsultationConversation,
    ConsultationStatus,
    LinkSource,
    Question,
    QuestionKind,
    Response,
)
from civicloop.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_
from civicloop.publishing.models import Post, PostPurpose

MAX_TEXT = 5000
ALREADY_ANSWERED = "you have already answered this survey; each civil servant answers once"
FORM_CHANNEL = "form"
LINKABLE = frozenset({ConsultationStatus.open, ConsultationStatus.closed})
# "option B", "design b", "Option-C": a vote between design options written in a comment.
VOTE_RE = re.compile(r"\b(?:option|design)[\s\-:#]*([A-Za-z])\b", re.IGNORECASE)
# What the public form tells a citizen, in the form's language (the catalogs); filled in after translation.
NOT_OPEN = N_("This consultation is not open for answers.")
PLEASE_ANSWER = N_("Please answer “%(question)s”.")
ANSWER_TOO_LONG = N_("The answer to “%(question)s” is longer than %(limit)s characters.")
RATING = N_("The answer to “%(question)s” is a rating from 1 to 5.")
NOT_AN_OPTION = N_("“%(value)s” is not one of the options of “%(question)s”.")
ONE_OPTION = N_("Choose only one option for “%(question)s”.")
COMMENT_TOO_LONG = N_("The comment is longer than %(limit)s characters.")
NOTHING = N_("Answer at least one question or write a comment.")


def accepts_answers(consultation: Consultation) -> bool:
    now = utcnow()
    return (
        consultation.status is ConsultationStatus.open
        and (consultation.opens_at is None or consultation.opens_at <= now)
        and (consultation.closes_at is None or now < consultation.closes_at)
    )


def audience_names(session: Session, consultation: Consultation) -> list[str]:
    """The agencies whose civil servants a survey is for (empty for a consultation of citizens)."""
    if consultation.audience is not Audience.civil_servants:
        return []
    agencies = (session.get(Agency, agency_id) for agency_id in consultation.audience_agency_ids)
    return [agency.name for agency in agencies if agency is not None]


def answered_by(session: Session, consultation: Consultation, official_id: int) -> Response | None:
    return session.scalar(
        select(Response).where(Response.consultation_id == consultation.id, Response.official_id == official_id)
    )


def check_respondent(session: Session, consultation: Consultation, respondent: Actor | None) -> int | None:
    """The official answering a survey of civil servants, or why they may not; None for citizens' consultations."""
    if consultation.audience is not Audience.civil_servants:
        return None
    names = ", ".join(audience_names(session, consultation))
    if respondent is None:
        raise Unauthenticated(f"this survey is for civil servants of {names}: sign in with your CivicLoop login")
    if not set(consultation.audience_agency_ids) & {m.agency_id for m in respondent.official.memberships}:
        raise Forbidden(f"this survey is for civil servants of {names}; your login belongs to none of them")
    if answered_by(session, consultation, respondent.id) is not None:
        raise Conflict(ALREADY_ANSWERED)
    return respondent.id


def _answer_for(question: Question, values: list[str], lang: str = i18n.DEFAULT) -> Answer:
    """One question's answer from the submitted values, or Invalid naming the question (in ``lang``)."""
    name = i18n.localized(question, "prompt", lang).text[:80]

    def refuse(message: str, **values: object) -> Invalid:
        return Invalid(i18n.translate(lang, message) % {"question": name, **values})

    if question.kind is QuestionKind.free_text:
        text = values[0]
        if len(text) > MAX_TEXT:
            raise refuse(ANSWER_TOO_LONG, limit=f"{MAX_TEXT:,}")
        return Answer(question_id=question.id, text=text)
    if question.kind is QuestionKind.rating:
        if values[0] not in {"1", "2", "3", "4", "5"}:
            raise refuse(RATING)
        return Answer(question_id=question.id, rating=int(values[0]))
    unknown = [v for v in values if v not in question.options]
    if unknown:
        raise refuse(NOT_AN_OPTION, value=unknown[0][:40])
    if question.kind is not QuestionKind.multiple_choice and len(values) > 1:
        raise refuse(ONE_OPTION)
    return Answer(question_id=question.id, choices=list(dict.fromkeys(values)))


def submit_form(
    session: Session,
    *,
    consultation: Consultation,
    values: Mapping[int, list[str]],
    comment: str = "",
    language: str | None = None,
    respondent: Actor | None = None,
) -> Response:
    """Store one submission of the public form; every problem is reported in one clear message.

    A survey of civil servants takes answers only from officials of its agencies, one each (``respondent``
    is the signed-in official); a consultation of citizens ignores who is signed in.
    """
    lang = i18n.supported(language) or i18n.DEFAULT
    if not accepts_answers(consultation):
        raise Conflict(i18n.translate(lang, NOT_OPEN))
    official_id = check_respondent(session, consultation, respondent)
    answers, problems = [], []
    for question in queries.questions_of(session, consultation.id):
        given = [v.strip() for v in values.get(question.id, []) if v and v.strip()]
        if not given:
            if question.required:
                prompt = i18n.localized(question, "prompt", lang).text[:80]
                problems.append(i18n.translate(lang, PLEASE_ANSWER) % {"question": prompt})
            continue
        try:
            answers.append(_answer_for(question, given, lang))
        except Invalid as exc:
            problems.append(exc.message)
    comment = comment.strip()
    if len(comment) > MAX_TEXT:
        problems.append(i18n.translate(lang, COMMENT_TOO_LONG) % {"limit": f"{MAX_TEXT:,}"})
    if problems:
        raise Invalid(" ".join(problems))
    if not answers and not comment:
        raise Invalid(i18n.translate(lang, NOTHING))
    response = Response(
        agency_id=consultation.agency_id,
        consultation_id=consultation.id,
        channel=FORM_CHANNEL,
        comment=comment,
        language=language,
        submitted_at=utcnow(),
        official_id=official_id,
    )
    session.add(response)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same official answering twice at the same moment
        raise Conflict(ALREADY_ANSWERED) from exc
    for answer in answers:
        answer.response_id = response.id
        session.add(answer)
    session.flush()
    return response


def design_vote(text: str, question: Question) -> str | None:
    """The one design option a comment names ("I prefer option B"), if it names exactly one."""
    named = {m.group(1).upper() for m in VOTE_RE.finditer(text)} & set(question.options)
    return named.pop() if len(named) == 1 else None


def record_message(session: Session, *, consultation: Consultation, message: Message) -> Response | None:
    """Count one citizen message as a response (once); a named design option counts as a vote."""
    if message.direction is not Direction.inbound:
        return None
    existing = session.scalar(
        select(Response).where(Response.consultation_id == consultation.id, Response.message_id == message.id)
    )
    if existing is not None:
        return existing
    response = Response(
        agency_id=consultation.agency_id,
        consultation_id=consultation.id,
        channel=message.platform,
        message_id=message.id,
        conversation_id=message.conversation_id,
        comment=message.text,
        language=message.language,
        submitted_at=message.created_at,
    )
    session.add(response)
    session.flush()
    design_questions = [
        q for q in queries.questions_of(session, consultation.id) if q.kind is QuestionKind.design_option
    ]
    if len(design_questions) == 1:
        vote = design_vote(message.text, design_questions[0])
        if vote is not None:
            session.add(Answer(response_id=response.id, question_id=design_questions[0].id, choices=[vote]))
            session.flush()
    return response


def mentions(consultation: Consultation, text: str) -> bool:
    """Does the text quote the consultation's code, public link or hashtag?"""
    patterns = [rf"(?<![A-Za-z0-9]){re.escape(consultation.code)}(?![A-Za-z0-9])"]
    if consultation.hashtag:
        patterns.append(rf"#{re.escape(consultation.hashtag)}(?![A-Za-z0-9_])")
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def announcement_ids(session: Session, consultation_id: int) -> set[str]:
    """Platform ids of the consultation's announcement posts, once they were sent."""
    from civicloop.channels.outbound.models import OutboundMessage

    batch_keys = select(Post.batch_key).where(
        Post.consultation_id == consultation_id, Post.purpose == PostPurpose.announcement
    )
    return set(
        session.scalars(
            select(OutboundMessage.external_id).where(
                OutboundMessage.batch_key.in_(batch_keys), OutboundMessage.external_id.is_not(None)
            )
        )
    )


def _link(
    session: Session, consultation: Consultation, conversation_id: int, source: LinkSource, actor: Actor | None
) -> bool:
    exists = session.get(ConsultationConversation, (consultation.id, conversation_id))
    if exists is not None:
        return False
    session.add(
        ConsultationConversation(
            consultation_id=consultation.id,
            conversation_id=conversation_id,
            source=source,
            linked_by_id=actor.id if actor else None,
        )
    )
    session.flush()
    return True


def on_message(session: Session, message: Message) -> None:
    """channels.hooks.ON_MESSAGE: count a new citizen message for every open consultation it belongs to."""
    if message.direction is not Direction.inbound:
        return
    open_ones = session.scalars(
        select(Consultation).where(
            Consultation.agency_id == message.agency_id, Consultation.status == ConsultationStatus.open
        )
    ).all()
    if not open_ones:
        return
    conversation = session.get(Conversation, message.conversation_id)
    if conversation is None:
        return
    linked = set(
        session.scalars(
            select(ConsultationConversation.consultation_id).where(
                ConsultationConversation.conversation_id == conversation.id
            )
        )
    )
    for consultation in open_ones:
        if consultation.id not in linked:
            if consultation.audience is Audience.civil_servants:
                continue  # a survey of civil servants counts signed-in answers only, one per official
            source = _auto_source(session, consultation, conversation, message)
            if source is None:
                continue
            _link(session, consultation, conversation.id, source, None)
        record_message(session, consultation=consultation, message=message)


def _auto_source(
    session: Session, consultation: Consultation, conversation: Conversation, message: Message
) -> LinkSource | None:
    if conversation.kind is ConversationKind.comment_thread:
        posts = announcement_ids(session, consultation.id)
        under = (conversation.post_ref, conversation.external_ref, message.reply_to_external_id)
        if posts and any(ref in posts for ref in under if ref):
            return LinkSource.reply
    if mentions(consultation, message.text):
        return LinkSource.reference
    return None


def _conversation_for(session: Session, actor: Actor, consultation: Consultation, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not actor.can_view(conversation.agency_id):
        raise NotFound("conversation not found")
    if conversation.agency_id != consultation.agency_id:
        raise Invalid("the conversation belongs to another agency than the consultation")
    return conversation


def link(session: Session, *, actor: Actor, consultation_id: int, conversation_id: int) -> int:
    """Link a conversation by hand; its citizen messages since the opening count. Returns how many were added."""
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    if consultation.status not in LINKABLE:
        raise Conflict(f"the consultation is {consultation.status.value}; link conversations while open or closed")
    conversation = _conversation_for(session, actor, consultation, conversation_id)
    if not _link(session, consultation, conversation.id, LinkSource.manual, actor):
        raise Conflict("this conversation is already linked to the consultation")
    query = select(Message).where(Message.conversation_id == conversation.id, Message.direction == Direction.inbound)
    if consultation.opened_at is not None:
        query = query.where(Message.created_at >= consultation.opened_at)
    if consultation.closed_at is not None:
        query = query.where(Message.created_at <= consultation.closed_at)
    added = 0
    for message in session.scalars(query.order_by(Message.created_at)):
        before = session.scalar(
            select(Response.id).where(Response.consultation_id == consultation.id, Response.message_id == message.id)
        )
        record_message(session, consultation=consultation, message=message)
        added += before is None
    service.record(
        session, actor, "consultation.link", consultation, after={"conversation_id": conversation.id, "added": added}
    )
    return added


def unlink(session: Session, *, actor: Actor, consultation_id: int, conversation_id: int) -> int:
    """Unlink a conversation; its messages stop counting. Returns how many responses were removed."""
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    if consultation.status not in LINKABLE:
        raise Conflict(f"the consultation is {consultation.status.value}; its answers are final")
    existing = session.get(ConsultationConversation, (consultation.id, conversation_id))
    if existing is None:
        raise NotFound("this conversation is not linked to the consultation")
    session.delete(existing)
    removed = session.execute(
        delete(Response).where(
            Response.consultation_id == consultation.id,
            Response.conversation_id == conversation_id,
            Response.message_id.is_not(None),
        )
    )
    session.flush()
    count = int(getattr(removed, "rowcount", 0) or 0)
    service.record(
        session,
        actor,
        "consultation.unlink",
        consultation,
        after={"conversation_id": conversation_id, "removed": count},
    )
    return count


def message_ids_for(session: Session, consultation_id: int) -> list[int]:
    """Ids of the citizen messages counted as answers to the consultation (for analysis)."""
    return list(
        session.scalars(
            select(Response.message_id)
            .where(Response.consultation_id == consultation_id, Response.message_id.is_not(None))
            .order_by(Response.message_id)
        )
    )


@dataclass(frozen=True)
class LinkControl:
    conversation_id: int
    linked: list[tuple[Consultation, LinkSource]]
    linkable: list[Consultation]


def link_control(session: Session, *, actor: Actor, conversation_id: int) -> LinkControl:
    """What the inbox shows beside a conversation: its consultations, and the ones it could be linked to."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not actor.can_view(conversation.agency_id):
        raise NotFound("conversation not found")
    linked_rows = session.execute(
        select(Consultation, ConsultationConversation.source)
        .join(ConsultationConversation, ConsultationConversation.consultation_id == Consultation.id)
        .where(ConsultationConversation.conversation_id == conversation.id)
        .order_by(Consultation.title)
    ).all()
    linked = [(c, source) for c, source in linked_rows]
    linked_ids = {c.id for c, _ in linked}
    candidates = session.scalars(
        select(Consultation)
        .where(Consultation.agency_id == conversation.agency_id, Consultation.status.in_(LINKABLE))
        .order_by(Consultation.title)
    ).all()
    return LinkControl(conversation.id, linked, [c for c in candidates if c.id not in linked_ids])


# Registered on import: the web app, the worker (through the job registry) and the CLI all import this module.
if on_message not in hooks.ON_MESSAGE:
    hooks.ON_MESSAGE.append(on_message)
