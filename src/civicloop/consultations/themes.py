"""Themes and campaigns in a consultation's free text, worked out by the analysis pipeline in a job.

Every free text counts: answers to open questions, comments on the form, and social-media messages, so
that the form and the platforms land in the same place. The result is kept on the consultation (the
pipeline's JSON without the per-message assignments) and shown on the results page and the public report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.agencies.service import zone_name_of
from civicloop.analysis import sentiment, sources
from civicloop.analysis.schemas import AnalysisSummary, RepeatedText, ThemeSummary
from civicloop.consultations import answers
from civicloop.consultations import results as results_mod
from civicloop.consultations.models import Consultation
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import zone


@dataclass(frozen=True)
class ThemeView:
    """A consultation's kept analysis (``AnalysisSummary``), with when and on how many texts it ran."""

    summary: AnalysisSummary = field(default_factory=AnalysisSummary)
    at: datetime | None = None

    @property
    def themes(self) -> list[ThemeSummary]:
        return self.summary.themes

    @property
    def campaigns(self) -> list[RepeatedText]:
        return self.summary.campaigns

    @property
    def questions(self) -> list[RepeatedText]:
        return self.summary.questions

    @property
    def texts(self) -> int:
        return int(self.summary.run.get("messages", 0))

    @property
    def sentiment_unit(self) -> str:
        return self.summary.sentiment_over_time.unit

    @property
    def sentiment_periods(self) -> list[dict[str, Any]]:
        return self.summary.sentiment_over_time.periods


def refresh(session: Session, consultation: Consultation) -> ThemeView:
    from civicloop.analysis.pipeline import analyse
    from civicloop.analysis.service import deployment_options

    items = results_mod.compute(session, consultation).texts()
    data: dict[str, Any] = AnalysisSummary().model_dump(mode="json")
    if items:
        created = [item.submitted_at for item in items]
        # Citizens quote the consultation's code to link a post to it: a word every text shares says nothing.
        code = re.compile(rf"\b{re.escape(consultation.code)}\b:?", re.IGNORECASE)
        result = analyse(
            [code.sub("", item.text).strip() for item in items],
            [f"{item.response_id}:{item.question_id or 0}" for item in items],
            created=created,
            channels=[item.channel for item in items],
            options=deployment_options(),
            redact=redactor(),
        )
        data = result.to_json()
        data.pop("assignments", None)
        zone_name = zone_name_of(session.get(Agency, consultation.agency_id))
        unit, periods = sentiment.over_time(zip(created, result.sentiment_of_row, strict=True), zone(zone_name))
        data["sentiment_over_time"] = {"unit": unit, "periods": [period.to_json() for period in periods]}
    consultation.themes, consultation.themes_at = data, utcnow()
    session.flush()
    return view(consultation)


def _agency_of(session: Session, consultation_id: int) -> int | None:
    consultation = session.get(Consultation, consultation_id)
    return consultation.agency_id if consultation else None


# Analysis runs over a consultation's messages find them here (analysis imports nothing of consultations).
sources.SOURCES["consultation"] = sources.MessageSource(agency_of=_agency_of, message_ids=answers.message_ids_for)


def redactor() -> Callable[[str], str]:
    """The guidelines' personal-data redaction (CID, phone numbers, emails…) for anything shown publicly."""
    from civicloop.guidelines.service import redact

    clean: Callable[[str], str] = redact
    return clean


def view(consultation: Consultation, *, redact: Callable[[str], str] | None = None) -> ThemeView:
    summary = AnalysisSummary.model_validate(consultation.themes or {})
    if redact is not None:
        for theme in summary.themes:
            theme.quotes = [redact(quote) for quote in theme.quotes]
            theme.example = redact(theme.example) if theme.example else None
        for repeated in (*summary.campaigns, *summary.questions):
            repeated.text = redact(repeated.text)
    return ThemeView(summary=summary, at=consultation.themes_at)


def public_themes(consultation: Consultation) -> list[ThemeSummary]:
    """Themes for the public report: every quote passes the guidelines' personal-data redaction again."""
    return view(consultation, redact=redactor()).themes
