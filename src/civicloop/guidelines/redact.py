"""Redaction of personal data in citizens' words shown in public (reports, open-data exports)."""

from __future__ import annotations

from civicloop.guidelines.checker import personal_detector
from civicloop.guidelines.text import prepare

PLACEHOLDERS = {
    "personal.cid": "[ID number]",
    "personal.mobile": "[phone number]",
    "personal.landline": "[phone number]",
    "personal.email": "[email]",
    "personal.passport": "[passport number]",
    "personal.licence": "[licence number]",
    "personal.bank_account": "[account number]",
    "personal.date_of_birth": "[date of birth]",
    "personal.home_address": "[home address]",
    "personal.health": "[health details]",
}


def redact_text(text: str) -> str:
    """``text`` with every personal-data span replaced by a placeholder; offices' contacts stay."""
    spans = [s for s in personal_detector().find(prepare(text)) if not s.public]
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor : span.start])
        out.append(PLACEHOLDERS[span.rule])
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def mask(excerpt: str) -> str:
    """Enough of a value to recognise it in a review, not enough to misuse it: ``11•••••••56``."""
    if len(excerpt) <= 4:
        return "•" * len(excerpt)
    return excerpt[:2] + "•" * (len(excerpt) - 4) + excerpt[-2:]
