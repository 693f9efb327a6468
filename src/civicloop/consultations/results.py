"""What people answered: counts, percentages, participation over time, free text, and exports.

Messages a citizen removed on the platform stop counting. Exports never carry contact details; the open-data
export of a published report also passes every free text through the guidelines' ``redact``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from civicloop.channels import registry
from civicloop.channels.models import Message, MessageState
from civicloop.config import get_settings
from civicloop.consultations import queries
from civicloop.consultations.models import Answer, Consultation, Question, QuestionKind, Response
from civicloop.kit.timezones import local


def channel_name(channel: str) -> str:
    """A response's channel: "form" for the public page, else the platform the message came from."""
    return "Public page" if channel == "form" else registry.label(channel)


CLOSED_KINDS = frozenset(
    {QuestionKind.single_choice, QuestionKind.multiple_choice, QuestionKind.design_option, QuestionKind.rating}
)
RATINGS = ["1", "2", "3", "4", "5"]
# Spreadsheet programs run cells starting with these as formulas; exported text is defused.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class TextItem:
    response_id: int
    channel: str
    submitted_at: datetime
    text: str
    question_id: int | None = None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    average: float | None = None
    texts: list[TextItem] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.question.kind in CLOSED_KINDS


@dataclass
class Results:
    consultation: Consultation
    total: int
    by_channel: dict[str, int]
    per_day: dict[str, Sequence[tuple[str, float]]]
    questions: list[QuestionResult]
    comments: list[TextItem]

    def texts(self) -> list[TextItem]:
        """Every free text: answers to open questions, form comments and social-media messages."""
        return [t for q in self.questions for t in q.texts] + self.comments

    def as_json(self) -> dict[str, Any]:
        return {
            "consultation": {
                "id": self.consultation.id,
                "code": self.consultation.code,
                "title": self.consultation.title,
            },
            "total": self.total,
            "by_channel": self.by_channel,
            "questions": [
                {
                    "id": q.question.id,
                    "prompt": q.question.prompt,
                    "kind": q.question.kind.value,
                    "answered": q.answered,
                    "options": [{"label": o.label, "count": o.count, "percent": o.percent} for o in q.options],
                    "average": q.average,
                    "free_text_answers": len(q.texts),
                }
                for q in self.questions
            ],
            "comments": len(self.comments),
        }


def _counted(query: Select[Any], consultation_id: int) -> Select[Any]:
    """Only responses that still count: form submissions, and messages not removed by their author."""
    return (
        query.outerjoin(Message, Message.id == Response.message_id)
        .where(Response.consultation_id == consultation_id)
        .where(or_(Response.message_id.is_(None), Message.state != MessageState.removed))
    )


def counted_responses(
    session: Session, consultation_id: int, *, offset: int = 0, limit: int | None = None
) -> list[Response]:
    query = _counted(select(Response), consultation_id).order_by(Response.submitted_at, Response.id)
    return list(session.scalars(query.offset(offset).limit(limit)))


def count(session: Session, consultation_id: int) -> int:
    return session.scalar(_counted(select(func.count(Response.id)), consultation_id)) or 0


def answers_by_response(session: Session, response_ids: Iterable[int]) -> dict[int, list[Answer]]:
    ids = list(response_ids)
    out: dict[int, list[Answer]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for answer in session.scalars(select(Answer).where(Answer.response_id.in_(chunk))):
            out[answer.response_id].append(answer)
    return out


def _percent(count: int, of: int) -> float:
    return round(100 * count / of, 1) if of else 0.0


def compute(session: Session, consultation: Consultation) -> Results:
    responses = counted_responses(session, consultation.id)
    answers = answers_by_response(session, (r.id for r in responses))
    questions = queries.questions_of(session, consultation.id)
    zone = get_settings().timezone
    by_channel = Counter(r.channel for r in responses)
    days: dict[str, Counter[str]] = defaultdict(Counter)
    for response in responses:
        days[response.channel][local(response.submitted_at, zone).strftime("%Y-%m-%d")] += 1
    per_day: dict[str, Sequence[tuple[str, float]]] = {
        channel_name(channel): [(day, float(n)) for day, n in sorted(counter.items())]
        for channel, counter in sorted(days.items())
    }
    results = {q.id: QuestionResult(q) for q in questions}
    tallies: dict[int, Counter[str]] = defaultdict(Counter)
    comments = []
    for response in responses:
        if response.comment.strip():
            comments.append(TextItem(response.id, response.channel, response.submitted_at, response.comment))
        for answer in answers.get(response.id, []):
            result = results.get(answer.question_id)
            if result is None:
                continue
            result.answered += 1
            if answer.text:
                result.texts.append(
                    TextItem(response.id, response.channel, response.submitted_at, answer.text, answer.question_id)
                )
            for choice in answer.choices or []:
                tallies[answer.question_id][choice] += 1
            if answer.rating is not None:
                tallies[answer.question_id][str(answer.rating)] += 1
    for question_id, result in results.items():
        tally = tallies[question_id]
        labels = RATINGS if result.question.kind is QuestionKind.rating else result.question.options
        result.options = [OptionCount(label, tally[label], _percent(tally[label], result.answered)) for label in labels]
        if result.question.kind is QuestionKind.rating and result.answered:
            result.average = round(sum(int(k) * v for k, v in tally.items()) / result.answered, 2)
    return Results(
        consultation=consultation,
        total=len(responses),
        by_channel={channel_name(k): v for k, v in sorted(by_channel.items())},
        per_day=per_day,
        questions=[results[q.id] for q in questions],
        comments=comments,
    )


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell(answer: Answer | None) -> str:
    if answer is None:
        return ""
    if answer.rating is not None:
        return str(answer.rating)
    if answer.choices:
        return "; ".join(answer.choices)
    return answer.text or ""


def rows(
    session: Session, consultation: Consultation, *, clean: Callable[[str], str] = str, dates_only: bool = False
) -> tuple[list[str], list[dict[str, str]]]:
    """One row per response: when, channel, the comment, one column per question. ``clean`` redacts text."""
    questions = queries.questions_of(session, consultation.id)
    columns = ["response", "submitted", "channel", "comment"] + [f"Q{i} {q.prompt}" for i, q in enumerate(questions, 1)]
    responses = counted_responses(session, consultation.id)
    answers = answers_by_response(session, (r.id for r in responses))
    zone = get_settings().timezone
    out = []
    for number, response in enumerate(responses, 1):
        by_question = {a.question_id: a for a in answers.get(response.id, [])}
        when = local(response.submitted_at, zone)
        row = {
            "response": str(number),
            "submitted": when.strftime("%Y-%m-%d") if dates_only else when.isoformat(timespec="minutes"),
            "channel": channel_name(response.channel),
            "comment": clean(response.comment),
        }
        for i, question in enumerate(questions, 1):
            value = _cell(by_question.get(question.id))
            row[f"Q{i} {question.prompt}"] = clean(value) if question.kind is QuestionKind.free_text else value
        out.append(row)
    return columns, out


def to_csv(columns: list[str], data: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in data:
        writer.writerow({k: _defuse(v) for k, v in row.items()})
    return buffer.getvalue()
