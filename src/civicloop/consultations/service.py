"""Consultations: create and edit drafts, questions, attachments, and move them through their states.

draft → scheduled → open → closed → published (the report); every change is written to the audit log.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import Agency
from civicloop.audit import service as audit
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.config import get_settings
from civicloop.consultations import richtext
from civicloop.consultations.models import (
    Attachment,
    AttachmentKind,
    Audience,
    Consultation,
    ConsultationAccount,
    ConsultationKind,
    ConsultationStatus,
    Question,
    QuestionKind,
)
from civicloop.consultations.queries import EDITABLE, account_ids_of, attachments_of, get, questions_of
from civicloop.consultations.schemas import (
    AttachmentPublic,
    ConsultationCreate,
    ConsultationPublic,
    ConsultationUpdate,
    QuestionIn,
    QuestionPublic,
    public_url,
)
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.kit import uploads
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import local
from civicloop.publishing import lengths
from civicloop.publishing import service as publishing
from civicloop.publishing.models import PostPurpose

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
HASHTAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,62}$")
CHOICE_KINDS = frozenset({QuestionKind.single_choice, QuestionKind.multiple_choice, QuestionKind.design_option})
AUDIT_FIELDS = ["title", "status", "kind", "audience", "opens_at", "closes_at", "hashtag", "contact_name"]
MAX_ATTACHMENTS = 30
PartT = TypeVar("PartT", Question, Attachment)


def new_code(session: Session) -> str:
    """Six letters and digits without look-alikes (no O/0, I/1, L), at least one digit so it is not a word."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if (
            any(ch.isdigit() for ch in code)
            and session.scalar(select(Consultation.id).where(Consultation.code == code)) is None
        ):
            return code


def to_public(session: Session, consultation: Consultation) -> ConsultationPublic:
    return ConsultationPublic(
        id=consultation.id,
        agency_id=consultation.agency_id,
        code=consultation.code,
        title=consultation.title,
        summary=consultation.summary,
        body_html=consultation.body_html,
        kind=consultation.kind,
        audience=consultation.audience,
        audience_agency_ids=list(consultation.audience_agency_ids or []),
        status=consultation.status,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        hashtag=consultation.hashtag,
        contact_name=consultation.contact_name,
        contact_email=consultation.contact_email,
        contact_phone=consultation.contact_phone,
        public_url=public_url(consultation),
        account_ids=account_ids_of(session, consultation.id),
        questions=[QuestionPublic.model_validate(q) for q in questions_of(session, consultation.id)],
        attachments=[AttachmentPublic.of(consultation, a) for a in attachments_of(session, consultation.id)],
        opened_at=consultation.opened_at,
        closed_at=consultation.closed_at,
        published_at=consultation.published_at,
    )


def _check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    now = utcnow()
    if closes_at is not None and closes_at <= now:
        shown = local(closes_at, get_settings().timezone).strftime("%Y-%m-%d %H:%M")
        raise Invalid(f"the closing date {shown} is in the past; choose a date after today", field="closes_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise Invalid("the closing date must come after the opening date", field="closes_at")


def _check_audience(session: Session, audience: Audience, agency_ids: list[int]) -> list[int]:
    if audience is Audience.citizens:
        return []
    if not agency_ids:
        raise Invalid("a survey of civil servants needs the agencies whose staff it asks", field="audience_agency_ids")
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(agency_ids))))
    missing = sorted(set(agency_ids) - known)
    if missing:
        raise Invalid(f"unknown agency id(s) {', '.join(map(str, missing))}", field="audience_agency_ids")
    return sorted(known)


def _clean_hashtag(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    tag = value.strip().lstrip("#")
    if not HASHTAG_RE.match(tag):
        raise Invalid("a hashtag is 3–63 letters, digits or '_', starting with a letter", field="hashtag")
    return tag


def _set_accounts(session: Session, *, actor: Actor, consultation: Consultation, account_ids: list[int]) -> None:
    for account_id in dict.fromkeys(account_ids):
        publishing.usable_account(session, actor=actor, agency_id=consultation.agency_id, account_id=account_id)
    for link in session.scalars(
        select(ConsultationAccount).where(ConsultationAccount.consultation_id == consultation.id)
    ):
        session.delete(link)
    session.flush()
    for account_id in dict.fromkeys(account_ids):
        session.add(ConsultationAccount(consultation_id=consultation.id, account_id=account_id))
    session.flush()


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    consultation: Consultation,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One audit entry about the consultation (the snapshot of its main fields unless ``after`` is given)."""
    snapshot = after if after is not None else audit.snapshot(consultation, AUDIT_FIELDS)
    official = actor.official if actor else None
    audit.record(
        session,
        action=action,
        agency_id=consultation.agency_id,
        target_type="consultation",
        target_id=consultation.id,
        actor=official,
        before=before,
        after=snapshot,
    )


def create(session: Session, *, actor: Actor, data: ConsultationCreate) -> Consultation:
    actor.require(data.agency_id)
    _check_dates(data.opens_at, data.closes_at)
    consultation = Consultation(
        agency_id=data.agency_id,
        code=new_code(session),
        title=data.title.strip(),
        summary=data.summary.strip(),
        body_markdown=data.body_markdown,
        body_html=richtext.render(data.body_markdown),
        kind=data.kind,
        audience=data.audience,
        audience_agency_ids=_check_audience(session, data.audience, data.audience_agency_ids),
        status=ConsultationStatus.draft,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        hashtag=_clean_hashtag(data.hashtag),
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
        contact_phone=data.contact_phone.strip(),
        created_by_id=actor.id,
    )
    if not consultation.title or not consultation.summary:
        raise Invalid("a consultation needs a title and a plain-words summary", field="title")
    session.add(consultation)
    session.flush()
    _set_accounts(session, actor=actor, consultation=consultation, account_ids=data.account_ids)
    for question in data.questions:
        _add_question(session, consultation, question)
    record(session, actor, "consultation.create", consultation)
    return consultation


def _require_editable(consultation: Consultation) -> None:
    if consultation.status not in EDITABLE:
        raise Conflict(
            f"the consultation is {consultation.status.value}: its questions and documents can no longer change"
        )


def update(session: Session, *, actor: Actor, consultation_id: int, data: ConsultationUpdate) -> Consultation:
    consultation = get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    given = data.model_dump(exclude_unset=True)
    if consultation.status is ConsultationStatus.open:
        # While open only the closing date may move (e.g. extended on request); the rest is what people answer.
        if set(given) - {"closes_at"}:
            raise Conflict("the consultation is open: only its closing date can still change")
    elif consultation.status not in EDITABLE:
        raise Conflict(f"the consultation is {consultation.status.value} and can no longer be edited")
    before = audit.snapshot(consultation, AUDIT_FIELDS)
    opens_at = given.get("opens_at", consultation.opens_at)
    closes_at = given.get("closes_at", consultation.closes_at)
    if "opens_at" in given or "closes_at" in given:
        _check_dates(opens_at if consultation.status is not ConsultationStatus.open else None, closes_at)
    for name in ("title", "summary", "contact_name", "contact_email", "contact_phone"):
        if given.get(name) is not None:
            setattr(consultation, name, str(given[name]).strip())
    if "body_markdown" in given and data.body_markdown is not None:
        consultation.body_markdown = data.body_markdown
        consultation.body_html = richtext.render(data.body_markdown)
    if data.kind is not None:
        consultation.kind = data.kind
    if data.audience is not None or data.audience_agency_ids is not None:
        audience = data.audience or consultation.audience
        ids = data.audience_agency_ids if data.audience_agency_ids is not None else consultation.audience_agency_ids
        consultation.audience, consultation.audience_agency_ids = audience, _check_audience(session, audience, ids)
    if "hashtag" in given:
        consultation.hashtag = _clean_hashtag(data.hashtag)
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    if data.account_ids is not None:
        _set_accounts(session, actor=actor, consultation=consultation, account_ids=data.account_ids)
    session.flush()
    record(session, actor, "consultation.update", consultation, before=before)
    return consultation


def _validate_question(data: QuestionIn) -> list[str]:
    options = list(dict.fromkeys(o.strip() for o in data.options if o.strip()))
    if data.kind in CHOICE_KINDS:
        if len(options) < 2:
            what = data.kind.value.replace("_", " ")
            found = "none was given" if not options else f"only {options[0]!r} was given"
            raise Invalid(f"a {what} question needs at least two options; {found}", field="options")
        if data.kind is QuestionKind.design_option:
            options = [o.upper() for o in options]
            bad = [o for o in options if not re.fullmatch(r"[A-Z]", o)]
            if bad:
                raise Invalid("design options are single letters (A, B, C) matching the option images", field="options")
        return options
    return []


def _add_question(session: Session, consultation: Consultation, data: QuestionIn) -> Question:
    options = _validate_question(data)
    position = session.scalar(
        select(func.coalesce(func.max(Question.position), 0)).where(Question.consultation_id == consultation.id)
    )
    question = Question(
        agency_id=consultation.agency_id,
        consultation_id=consultation.id,
        position=int(position or 0) + 1,
        kind=data.kind,
        prompt=data.prompt.strip(),
        help_text=data.help_text.strip(),
        required=data.required,
        options=options,
        scale_low=data.scale_low.strip() if data.kind is QuestionKind.rating else "",
        scale_high=data.scale_high.strip() if data.kind is QuestionKind.rating else "",
    )
    session.add(question)
    session.flush()
    return question


def _editable(session: Session, actor: Actor, consultation_id: int) -> Consultation:
    """The consultation, if the official may change it and it is still a draft or scheduled."""
    consultation = get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    _require_editable(consultation)
    return consultation


def _remove_part(session: Session, model: type[PartT], part_id: int, consultation: Consultation, name: str) -> PartT:
    """Delete a question or attachment of ``consultation`` (404 for another consultation's); the deleted row."""
    part = session.get(model, part_id)
    if part is None or part.consultation_id != consultation.id:
        raise NotFound(f"{name} not found")
    session.delete(part)
    session.flush()
    return part


def add_question(session: Session, *, actor: Actor, consultation_id: int, data: QuestionIn) -> Question:
    consultation = _editable(session, actor, consultation_id)
    question = _add_question(session, consultation, data)
    record(session, actor, "consultation.question_add", consultation, after={"question": question.prompt})
    return question


def remove_question(session: Session, *, actor: Actor, consultation_id: int, question_id: int) -> None:
    consultation = _editable(session, actor, consultation_id)
    question = _remove_part(session, Question, question_id, consultation, "question")
    record(session, actor, "consultation.question_remove", consultation, before={"question": question.prompt})


def add_attachment(
    session: Session,
    *,
    actor: Actor,
    consultation_id: int,
    filename: str,
    data: bytes,
    alt_text: str = "",
    option_label: str | None = None,
) -> Attachment:
    consultation = _editable(session, actor, consultation_id)
    count = session.scalar(select(func.count()).where(Attachment.consultation_id == consultation.id)) or 0
    if count >= MAX_ATTACHMENTS:
        raise Invalid(f"a consultation holds at most {MAX_ATTACHMENTS} files")
    label = (option_label or "").strip().upper() or None
    if label is not None and not re.fullmatch(r"[A-Z]", label):
        raise Invalid("a design option is a single letter such as A, B or C", field="option_label")
    content_type = uploads.check(data, filename=filename, images_only=label is not None)
    kind = AttachmentKind.document if content_type == "application/pdf" else AttachmentKind.image
    if kind is AttachmentKind.image and not alt_text.strip():
        raise Invalid("describe the picture in a few words for people who cannot see it", field="alt_text")
    stored = uploads.store(data, filename=filename, images_only=label is not None)
    attachment = Attachment(
        agency_id=consultation.agency_id,
        consultation_id=consultation.id,
        kind=kind,
        option_label=label,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        alt_text=alt_text.strip()[:300],
        position=count + 1,
    )
    session.add(attachment)
    session.flush()
    after = {"file": attachment.filename, "type": attachment.content_type, "option": label}
    record(session, actor, "consultation.attachment_add", consultation, after=after)
    return attachment


def remove_attachment(session: Session, *, actor: Actor, consultation_id: int, attachment_id: int) -> None:
    consultation = _editable(session, actor, consultation_id)
    attachment = _remove_part(session, Attachment, attachment_id, consultation, "file")
    uploads.remove(attachment.stored_name)
    record(session, actor, "consultation.attachment_remove", consultation, before={"file": attachment.filename})


def readiness_problems(session: Session, consultation: Consultation) -> list[str]:
    """What still stops the consultation from opening, in words an official can act on."""
    problems = []
    questions = questions_of(session, consultation.id)
    if not questions:
        problems.append("add at least one question")
    if consultation.closes_at is None:
        problems.append("set the closing date")
    elif consultation.closes_at <= utcnow():
        problems.append("the closing date is in the past")
    labels = {a.option_label for a in attachments_of(session, consultation.id) if a.option_label}
    for question in questions:
        if question.kind is QuestionKind.design_option:
            missing = [o for o in question.options if o not in labels]
            if missing:
                problems.append(f"upload the picture of design option(s) {', '.join(missing)}")
    if consultation.audience is Audience.civil_servants and not consultation.audience_agency_ids:
        problems.append("choose the agencies whose civil servants the survey asks")
    return problems


def _require_ready(session: Session, consultation: Consultation) -> None:
    problems = readiness_problems(session, consultation)
    if problems:
        raise Invalid("it cannot open yet: " + "; ".join(problems))


def schedule(session: Session, *, actor: Actor, consultation_id: int) -> Consultation:
    consultation = get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    if consultation.status is not ConsultationStatus.draft:
        raise Conflict(f"only a draft can be scheduled; this consultation is {consultation.status.value}")
    if consultation.opens_at is None or consultation.opens_at <= utcnow():
        raise Invalid("set an opening date in the future to schedule it, or open it now", field="opens_at")
    _require_ready(session, consultation)
    consultation.status = ConsultationStatus.scheduled
    session.flush()
    record(session, actor, "consultation.schedule", consultation, before={"status": "draft"})
    return consultation


def unschedule(session: Session, *, actor: Actor, consultation_id: int) -> Consultation:
    consultation = get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    if consultation.status is not ConsultationStatus.scheduled:
        raise Conflict("only a scheduled consultation can go back to draft")
    consultation.status = ConsultationStatus.draft
    session.flush()
    record(session, actor, "consultation.unschedule", consultation, before={"status": "scheduled"})
    return consultation


def announcement_text(consultation: Consultation, *, reminder: bool = False) -> tuple[str, dict[str, str]]:
    """The announcement (or the closing reminder): full text, and a shortened one where posts are short (X)."""
    url = public_url(consultation)
    closes = (
        local(consultation.closes_at, get_settings().timezone).strftime("%d %B %Y %H:%M")
        if consultation.closes_at
        else ""
    )
    tag = f" #{consultation.hashtag}" if consultation.hashtag else ""
    verb = "Take the survey" if consultation.kind is ConsultationKind.survey else "Tell us what you think"
    if reminder:
        verb = f"Last chance: {verb[0].lower()}{verb[1:]}"
    text = (
        f"{consultation.title}\n\n{consultation.summary}\n\n"
        f"{verb} by {closes}: {url}\nComment here or quote the code {consultation.code}.{tag}"
    )
    return text, lengths.short_variants(f"{consultation.title}. {verb} by {closes}:", f"{url}{tag}")


def open_now(session: Session, *, actor: Actor | None, consultation_id: int) -> Consultation:
    """Open for answers and announce on the chosen accounts (by the official, or by the scheduler)."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation not found")
    if actor is not None:
        actor.require(consultation.agency_id)
    if consultation.status not in EDITABLE:
        raise Conflict(f"the consultation is already {consultation.status.value}")
    _require_ready(session, consultation)
    before = consultation.status.value
    now = utcnow()
    consultation.status, consultation.opened_at = ConsultationStatus.open, now
    if consultation.opens_at is None or consultation.opens_at > now:
        consultation.opens_at = now
    session.flush()
    record(session, actor, "consultation.open", consultation, before={"status": before})
    announce(session, consultation, actor or author_of(session, consultation))
    return consultation


def announce(
    session: Session, consultation: Consultation, announcer: Actor | None, *, reminder: bool = False
) -> list[int]:
    """Post the announcement (or the last-chance reminder) on the consultation's accounts; their ids."""
    account_ids = account_ids_of(session, consultation.id)
    if account_ids and announcer is not None:
        text, variants = announcement_text(consultation, reminder=reminder)
        publishing.create_post(
            session,
            actor=announcer,
            agency_id=consultation.agency_id,
            text=text,
            variants=variants,
            account_ids=account_ids,
            purpose=PostPurpose.announcement,
            consultation_id=consultation.id,
        )
    return account_ids


def author_of(session: Session, consultation: Consultation) -> Actor | None:
    official = session.get(Official, consultation.created_by_id) if consultation.created_by_id else None
    return Actor.of(official) if official is not None and official.active else None


def close(session: Session, *, actor: Actor | None, consultation_id: int) -> Consultation:
    """Close an open consultation for answers and work out its themes (a job, after commit), whichever
    door it closes through: a page, the API, the CLI or the schedule."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation not found")
    if actor is not None:
        actor.require(consultation.agency_id)
    if consultation.status is not ConsultationStatus.open:
        raise Conflict(f"only an open consultation can be closed; this one is {consultation.status.value}")
    now = utcnow()
    consultation.status, consultation.closed_at = ConsultationStatus.closed, now
    if consultation.closes_at is None or consultation.closes_at > now:
        consultation.closes_at = now
    session.flush()
    record(session, actor, "consultation.close", consultation, before={"status": "open"})
    jobs.after_commit(session, "civicloop.consultations.tasks.refresh_themes", consultation.id)
    return consultation
