"""Pages of the product as a whole rather than of one domain: the accessibility statement (public, English and
Dzongkha)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.consultations import i18n
from civicloop.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

# When the statement was last reviewed against a test of every page (tests/foundation/test_accessibility.py).
REVIEWED = date(2026, 12, 6)

# The Dzongkha wording is a first draft, to be reviewed like the consultation pages' (docs/consultations.md).
LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Accessibility statement", "dz": "འཛུལ་སྤྱོད་བདེ་ཐབས་ཀྱི་གསལ་བསྒྲགས།"},
    "intro": {
        "en": "CivicLoop is meant to be used by everyone: citizens answering consultations and sending feedback, "
        "and the officials who answer them. This statement says how accessible it is and how to tell us about "
        "a problem.",
        "dz": "སིཝིཀ་ལུབ་འདི་ མི་ག་ར་གིས་ལག་ལེན་འཐབ་ཚུགསཔ་བཟོ་ཡི། "
        "འདི་ནང་ འཛུལ་སྤྱོད་བདེ་ཐབས་དང་ དཀའ་ངལ་ག་དེ་སྦེ་སྙན་ཞུ་འབད་ནི་ཨིན་ན་གསལ་བཀོད་འབདཝ་ཨིན།",
    },
    "status_h": {"en": "How accessible this service is", "dz": "འཛུལ་སྤྱོད་བདེ་ཐབས་ཀྱི་གནས་སྟངས།"},
    "status": {
        "en": "We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page can be "
        "used with a keyboard alone, read by a screen reader, enlarged to 400% and used on a phone without "
        "scrolling sideways. Every chart has a table of its figures.",
        "dz": "ང་བཅས་ཀྱིས་ WCAG 2.2 AA གི་ཚད་གཞི་དང་འཁྲིལ་ནིའི་དམིགས་ཡུལ་བཟུང་ཡོདཔ་ཨིན། "
        "ཤོག་ངོས་ག་ར་ ལྡེ་སྒྲོམ་རྐྱངམ་གཅིག་གིས་ ལག་ལེན་འཐབ་ཚུགས། ཁ་པར་གུ་ཡང་ལག་ལེན་འཐབ་ཚུགས།",
    },
    "tested_h": {"en": "How we test it", "dz": "བརྟག་དཔྱད་ག་དེ་སྦེ་འབདཝ་ཨིན་ན།"},
    "tested": {
        "en": "Every change is tested automatically: axe-core checks every page of the demonstration service, "
        "as a visitor and as each kind of official, at desktop and phone sizes, and any serious or critical "
        "problem stops the change. Using the inbox and the consultation form with the keyboard alone is tested "
        "in a browser too.",
    },
    "limits_h": {"en": "What is not accessible yet", "dz": "ད་ལྟོ་འཛུལ་སྤྱོད་མ་བདེཝ།"},
    "limits": {
        "en": "Documents and pictures that an agency uploads to a consultation are only as accessible as the agency "
        "made them. The printable PDF of a report is not tagged for screen readers; its web page is. The Dzongkha "
        "wording is a first draft under review. Automatic tests find only some problems, so we also check pages "
        "by hand.",
    },
    "report_h": {"en": "Tell us about a problem", "dz": "དཀའ་ངལ་སྙན་ཞུ་འབད།"},
    "report": {
        "en": "If something on this service is hard to use, write to the agency through its feedback form or its "
        "social media account, and say which page and what went wrong. We aim to answer within the agency's "
        "response times, and to fix the problem or offer the information another way.",
        "dz": "ཤོག་ངོས་ལུ་ལག་ལེན་འཐབ་ནི་དཀའ་བ་ཡོད་པ་ཅིན་ ལས་སྡེའི་བསམ་འཆར་འབྲི་ཤོག་བརྒྱུད་དེ་ ང་བཅས་ལུ་བརྡ་སྤྲོད་གནང་།",
    },
    "language": i18n.LABELS["language"],
    "reviewed": {"en": "This statement was last reviewed on", "dz": "གསལ་བསྒྲགས་འདི་ མཇུག་མ་བསྐྱར་ཞིབ་འབད་མི་ཚེས་གྲངས།"},
}


@router.get("/accessibility")
def accessibility(request: Request, lang: str | None = None) -> Response:
    language = i18n.language_of(lang, request.headers.get("accept-language", ""))
    response = render(
        request,
        "web/accessibility.html",
        REVIEWED,
        lang=language,
        t=i18n.translator(language, LABELS),
        languages=i18n.LANGUAGES,
    )
    response.headers["Content-Language"] = language
    return response
