"""The public home: what a visitor without a session finds at ``/``.

It gathers, in English or Dzongkha (the consultation pages' mechanism, ``consultations.i18n``), the way
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
from civicloop.consultations import i18n
from civicloop.consultations import queries as consultation_queries
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.web.templating import render

# The Dzongkha wording is a first draft for review, as on the other public pages (docs/consultations.md).
LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Have your say in government", "dz": "གཞུང་ལུ་ཁྱོད་ཀྱི་བསམ་འཆར།"},
    "intro": {
        "en": "Government agencies ask for your views here, answer your feedback and report what they did.",
        "dz": "གཞུང་གི་ལས་སྡེ་ཚུ་གིས་ ཁྱོད་ཀྱི་བསམ་འཆར་ཞུ་ནི་དང་ ལན་སློག་ནི་ དེ་ལས་ ག་ཅི་འབད་ཡོདཔ་ཨིན་ན་ སྙན་ཞུ་འབདཝ་ཨིན།",
    },
    "open": {"en": "Open consultations", "dz": "ད་ལྟོ་ཁ་ཕྱེ་བའི་གྲོས་བསྡུར།"},
    "closes": {"en": "Open for answers until", "dz": "མཇུག་བསྡུའི་ཚེས་གྲངས།"},
    "no_open": {"en": "No consultation is open right now.", "dz": "ད་ལྟོ་གྲོས་བསྡུར་ཁ་ཕྱེ་མེད།"},
    "all_consultations": {"en": "All consultations, open and closed", "dz": "གྲོས་བསྡུར་ཆ་མཉམ།"},
    "feedback": {"en": "Send feedback to an agency", "dz": "ལས་སྡེ་ལུ་བསམ་འཆར་གཏང་།"},
    "feedback_intro": {
        "en": "Each agency's form reaches its officers' inbox; you get a reference to follow up.",
        "dz": "ལས་སྡེ་རེ་རེའི་འབྲི་ཤོག་འདི་ འགན་འཛིན་པའི་ཡིག་སྒམ་ནང་ལྷོདཔ་ཨིན།",
    },
    "reports": {"en": "You said, we did", "dz": "ཁྱོད་ཀྱིས་སླབ་མི་དང་ ངེད་ཀྱིས་འབད་མི།"},
    "no_reports": {"en": "No report is published yet.", "dz": "སྙན་ཞུ་མིན་འདུག"},
    "accountability": {"en": "How government answers", "dz": "གཞུང་གི་ལན།"},
    "transparency": {
        "en": "Transparency: how fast each agency answers citizens",
        "dz": "གསལ་ཁྲ་: ལས་སྡེ་རེ་རེ་གིས་ལན་སློག་པའི་མགྱོགས་ཚད།",
    },
    "open_data": {"en": "Open data", "dz": "གསལ་ཁྲམ།"},
    "commitments": {
        "en": "Commitments tracker: what agencies promised and whether they did it",
        "dz": "ཁས་ལེན་རྗེས་འདེད།",
    },
    "language": {"en": "Language", "dz": "སྐད་ཡིག"},
    "officials": {"en": "For government officials", "dz": "གཞུང་གི་འགན་འཛིན་པ།"},
    "sign_in": {"en": "Sign in", "dz": "ནང་འཛུལ།"},
}


@dataclass
class PublicHome:
    open_consultations: list[Consultation]
    reports: list[Consultation]
    agency_names: dict[int, str]
    feedback_agencies: list[Agency]


def home_page(session: Session) -> PublicHome:
    listed = consultation_queries.list_public(session)
    open_now = sorted(
        (c for c in listed if c.status is ConsultationStatus.open),
        key=lambda c: (c.closes_at is None, c.closes_at),
    )
    reports = [c for c in listed if c.status is ConsultationStatus.published]
    names = agency_queries.names(session, (c.agency_id for c in listed))
    return PublicHome(open_now, reports, names, agencies_with_a_form(session))


def render_home(request: Request, session: Session, lang: str | None) -> Response:
    language = i18n.language_of(lang, request.headers.get("accept-language", ""))
    response = render(
        request,
        "public_home.html",
        home_page(session),
        lang=language,
        t=i18n.translator(language, LABELS),
        languages=i18n.LANGUAGES,
    )
    response.headers["Content-Language"] = language
    return response
