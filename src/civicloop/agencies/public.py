"""The public home: what a visitor without a session finds at ``/``.

It gathers, in the visitor's language (``public_render``: ``?lang``, the cookie, ``Accept-Language``), the way
to every public page: the open consultations with their closing dates, each agency's own form for writing to it, the
published "you said, we did" reports, the transparency page and its open data, and the commitments
tracker. Officials find a discreet link to sign in; once signed in, ``/`` is their own home.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from civicloop.agencies import queries as agency_queries
from civicloop.agencies.models import Agency
from civicloop.channels.web.queries import agencies_with_a_form
from civicloop.consultations import queries as consultation_queries
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.kit import i18n
from civicloop.web.templating import public_render


@dataclass
class PublicHome:
    open_consultations: list[Consultation]
    reports: list[Consultation]
    agencies: dict[int, Agency]
    feedback_agencies: list[Agency]


def home_page(session: Session) -> PublicHome:
    listed = consultation_queries.list_public(session)
    open_now = sorted(
        (c for c in listed if c.status is ConsultationStatus.open),
        key=lambda c: (c.closes_at is None, c.closes_at),
    )
    reports = [c for c in listed if c.status is ConsultationStatus.published]
    agencies = agency_queries.by_ids(session, (c.agency_id for c in listed))
    return PublicHome(open_now, reports, agencies, agencies_with_a_form(session))


def render_home(request: Request, session: Session, lang: str | None) -> Response:
    return public_render(request, "public_home.html", home_page(session), lang=i18n.supported(lang))
