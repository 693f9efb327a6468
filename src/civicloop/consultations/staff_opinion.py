"""Staff opinion beside office-access usage: the latest survey of civil servants that asked an agency's
staff, shown as a panel on the usage report (``civicloop.access.reports.SURVEY_PROVIDERS``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access.reports import SURVEY_PROVIDERS, SurveyPanel
from civicloop.auth.scope import Actor
from civicloop.consultations import results
from civicloop.consultations.models import Audience, Consultation, ConsultationStatus
from civicloop.kit.words import plural

ANSWERED_STATES = (ConsultationStatus.open, ConsultationStatus.closed, ConsultationStatus.published)


def latest_staff_survey(session: Session, agency_id: int | None, last: date) -> Consultation | None:
    """The survey of civil servants opened most recently by the end of the period that asked ``agency_id``'s
    staff (any agency's, for the national report)."""
    until = datetime.combine(last, time.max, tzinfo=UTC)
    query = (
        select(Consultation)
        .where(
            Consultation.audience == Audience.civil_servants,
            Consultation.status.in_(ANSWERED_STATES),
            Consultation.opened_at <= until,
        )
        .order_by(Consultation.opened_at.desc(), Consultation.id.desc())
    )
    for survey in session.scalars(query):
        if agency_id is None or agency_id in (survey.audience_agency_ids or []):
            return survey
    return None


def _first_closed_answer(found: results.Results) -> str:
    for question in found.questions:
        if not question.closed or not question.answered:
            continue
        if question.average is not None:
            return f"{question.question.prompt} Average {question.average:.1f} of 5."
        shares = ", ".join(f"{o.label} {o.percent:.0f} %" for o in question.options if o.count)
        return f"{question.question.prompt} {shares}."
    return "No closed question has been answered yet."


def staff_survey_panel(session: Session, actor: Actor, agency_id: int | None, _first: date, last: date) -> SurveyPanel:
    survey = latest_staff_survey(session, agency_id, last)
    if survey is None:
        return SurveyPanel(
            title="Staff survey",
            summary="No survey of civil servants has asked this agency's staff yet: create one under Consultations "
            "(audience: civil servants) to show their opinion beside the usage.",
        )
    found = results.compute(session, survey)
    state = survey.status.value
    summary = f"{survey.title} ({state}): {plural(found.total, 'answer')} from staff. {_first_closed_answer(found)}"
    url = f"/consultations/{survey.id}/results" if actor.can_view(survey.agency_id) else None
    if url is None and survey.status is ConsultationStatus.published:
        url = f"/c/{survey.code}/report"
    return SurveyPanel(title="What staff say", summary=summary, url=url)


SURVEY_PROVIDERS.append(staff_survey_panel)
