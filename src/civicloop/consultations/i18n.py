"""Labels of the public consultation pages in English and Dzongkha.

A label without a Dzongkha entry falls back to English. The Dzongkha wording is a first draft to be
reviewed by the Dzongkha Development Commission's style before a national launch (docs/consultations.md).
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = {"en": "English", "dz": "རྫོང་ཁ"}

LABELS: dict[str, dict[str, str]] = {
    "summary": {"en": "Summary", "dz": "བཅུད་བསྡུས།"},
    "full_text": {"en": "The full draft", "dz": "ཟིན་བྲིས་ཆ་ཚང་།"},
    "documents": {"en": "Documents", "dz": "ཡིག་ཆ།"},
    "images": {"en": "Pictures", "dz": "པར།"},
    "design_options": {"en": "Design options", "dz": "གདམ་ཁ།"},
    "option": {"en": "Option", "dz": "གདམ་ཁ།"},
    "enlarge": {"en": "See it full size", "dz": "པར་ཆེ་རུ་བལྟ།"},
    "questions": {"en": "Questions", "dz": "དྲི་བ།"},
    "your_answers": {"en": "Your answers", "dz": "ཁྱོད་ཀྱི་ལན།"},
    "comment": {"en": "Anything else you want to tell us", "dz": "བསམ་འཆར།"},
    "submit": {"en": "Send my answers", "dz": "ཕུལ།"},
    "closes": {"en": "Open for answers until", "dz": "མཇུག་བསྡུའི་ཚེས་གྲངས།"},
    "opens": {"en": "Opens for answers on"},
    "closed_on": {"en": "Closed for answers on"},
    "contact": {"en": "Contact", "dz": "འབྲེལ་བ།"},
    "report": {"en": "What you said and what we did", "dz": "སྙན་ཞུ།"},
    "thanks": {"en": "Thank you. Your answers were received.", "dz": "བཀའ་དྲིན་ཆེ།"},
    "required": {"en": "required"},
    "also_social": {
        "en": "You can also answer by commenting on our posts on Facebook, X or WeChat; quote the code",
    },
    "language": {"en": "Language", "dz": "སྐད་ཡིག"},
    "not_open": {"en": "This consultation is not open for answers."},
    "participation": {"en": "Who took part"},
    "results": {"en": "Results"},
    "decision": {"en": "Decision"},
    "you_said": {"en": "You said"},
    "we_did": {"en": "We did"},
    "themes": {"en": "What people raised"},
    "print": {"en": "Print this report"},
    "pdf": {"en": "Download as PDF"},
    "open_data": {"en": "Open data"},
    "answers_total": {"en": "answers"},
    "answer_one": {"en": "answer"},
    "survey_for": {"en": "This survey is for civil servants of"},
    "sign_in": {"en": "Sign in to answer"},
}


def language_of(requested: str | None, accept_language: str = "") -> str:
    """``?lang=dz`` wins; otherwise the browser's first preference that we have; otherwise English."""
    if requested in LANGUAGES:
        return requested
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def translator(lang: str, labels: dict[str, dict[str, str]] = LABELS) -> Callable[[str], str]:
    """``labels``: another public page's own table of the same shape (accountability's tracker)."""

    def label(key: str) -> str:
        entry = labels[key]
        return entry.get(lang) or entry["en"]

    return label
