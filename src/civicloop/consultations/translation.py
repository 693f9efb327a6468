"""A consultation's text in another language than English: title, summary, draft, closing text, questions, options
and design-option captions (``translations`` columns, ``kit.i18n``). Officials write either language or both; the
public page falls back per field to English and says so. Editable until the report is published; audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.consultations import queries, report, richtext
from civicloop.consultations.models import Attachment, Consultation, ConsultationStatus, Question, ReportSection
from civicloop.consultations.queries import get
from civicloop.consultations.service import record
from civicloop.errors import Conflict, Invalid
from civicloop.kit import i18n

CONSULTATION_FIELDS = ("title", "summary", "body_markdown", "report_intro", "decision", "contact_name")
QUESTION_FIELDS = ("prompt", "help_text", "options", "scale_low", "scale_high")
ATTACHMENT_FIELDS = ("alt_text",)
SECTION_FIELDS = ("heading", "you_said", "we_did")
LIMITS = {"title": 200, "prompt": 500, "alt_text": 300, "heading": 200}


@dataclass
class Translation:
    """What an official writes in ``lang``: the consultation's fields, and per question / attachment id theirs."""

    consultation: dict[str, str]
    questions: dict[int, dict[str, str]]
    attachments: dict[int, dict[str, str]]
    sections: dict[int, dict[str, str]] = field(default_factory=dict)  # the "you said, we did" report's


def _check(values: dict[str, str], allowed: tuple[str, ...], where: str) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise Invalid(f"{where}: {sorted(unknown)[0]} cannot be translated")
    for key, value in values.items():
        if key in LIMITS and len(value.strip()) > LIMITS[key]:
            raise Invalid(f"{where}: the {key} is longer than {LIMITS[key]} characters", field=key)


def save(session: Session, *, actor: Actor, consultation_id: int, lang: str, data: Translation) -> Consultation:
    """Set ``lang``'s text (a blank field removes that translation, so the page falls back to English)."""
    if lang == i18n.DEFAULT or lang not in i18n.LANGUAGES:
        raise Invalid(
            f"the language is one of {', '.join(c for c in i18n.LANGUAGES if c != i18n.DEFAULT)}", field="lang"
        )
    consultation = get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    if consultation.status is ConsultationStatus.published:
        raise Conflict("the report is published; its text is final")
    _check(data.consultation, CONSULTATION_FIELDS, "consultation")
    values = dict(data.consultation)
    if "body_markdown" in values:
        values["body_html"] = richtext.render(values["body_markdown"]) if values["body_markdown"].strip() else ""
    before = {"translations": consultation.translations}
    consultation.translations = i18n.merge(consultation.translations, lang, values)
    questions = {q.id: q for q in queries.questions_of(session, consultation.id)}
    attachments = {a.id: a for a in queries.attachments_of(session, consultation.id)}
    sections = {s.id: s for s in report.sections_of(session, consultation.id)}
    parts: list[
        tuple[
            dict[int, dict[str, str]],
            dict[int, Question] | dict[int, Attachment] | dict[int, ReportSection],
            tuple[str, ...],
        ]
    ] = [
        (data.questions, questions, QUESTION_FIELDS),
        (data.attachments, attachments, ATTACHMENT_FIELDS),
        (data.sections, sections, SECTION_FIELDS),
    ]
    for given, rows, fields in parts:
        for part_id, part_values in given.items():
            row = rows.get(part_id)
            if row is None:
                raise Invalid(f"{part_id} is not a part of this consultation")
            _check(part_values, fields, f"part {part_id}")
            if isinstance(row, Question) and part_values.get("options", "").strip():
                lines = [line for line in part_values["options"].splitlines() if line.strip()]
                if len(lines) != len(row.options or []):
                    raise Invalid(
                        f"question {row.id}: write one option a line, {len(row.options or [])} in all, in their order"
                    )
            row.translations = i18n.merge(row.translations, lang, part_values)
    session.flush()
    record(
        session,
        actor,
        "consultation.translated",
        consultation,
        before=before,
        after={
            "lang": lang,
            "translations": consultation.translations,
        },
    )
    return consultation
