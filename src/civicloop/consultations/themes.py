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
from civicloop.analysis import sentiment
from civicloop.consultations import results as results_mod
from civicloop.consultations.models import Consultation
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import zone


@dataclass(frozen=True)
class Theme:
    label: str
    size: int
    raw_size: int
    keywords: list[str]
    sentiment: dict[str, float]
    quotes: list[str]


@dataclass(frozen=True)
class Campaign:
    size: int
    text: str
    first_seen: str | None
    last_seen: str | None
    channels: list[str]


@dataclass(frozen=True)
class ThemeView:
    themes: list[Theme] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    at: datetime | None = None
    texts: int = 0
    # The texts' sentiment per local day, week or month (``sentiment.Period.to_json`` rows).
    sentiment_unit: str = "day"
    sentiment_periods: list[dict[str, Any]] = field(default_factory=list)


def refresh(session: Session, consultation: Consultation) -> ThemeView:
    from civicloop.analysis.pipeline import analyse
    from civicloop.analysis.service import deployment_options

    items = results_mod.compute(session, consultation).texts()
    data: dict[str, Any] = {"themes": [], "campaigns": [], "run": {"messages": 0}}
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


def redactor() -> Callable[[str], str]:
    """The guidelines' personal-data redaction (CID, phone numbers, emails…) for anything shown publicly."""
    from civicloop.guidelines.service import redact

    clean: Callable[[str], str] = redact
    return clean


def view(consultation: Consultation, *, redact: Callable[[str], str] | None = None) -> ThemeView:
    data = consultation.themes or {}
    clean = redact or (lambda text: text)
    return ThemeView(
        themes=[
            Theme(
                label=str(t.get("label", "")),
                size=int(t.get("size", 0)),
                raw_size=int(t.get("raw_size", t.get("size", 0))),
                keywords=[str(k) for k in t.get("keywords", [])],
                sentiment={str(k): float(v) for k, v in (t.get("sentiment") or {}).items()},
                quotes=[clean(str(q)) for q in t.get("quotes", [])],
            )
            for t in data.get("themes", [])
        ],
        campaigns=[
            Campaign(
                size=int(c.get("size", 0)),
                text=clean(str(c.get("text", ""))),
                first_seen=c.get("first_seen"),
                last_seen=c.get("last_seen"),
                channels=[str(x) for x in c.get("channels", [])],
            )
            for c in data.get("campaigns", [])
        ],
        at=consultation.themes_at,
        texts=int((data.get("run") or {}).get("messages", 0)),
        sentiment_unit=str((data.get("sentiment_over_time") or {}).get("unit", "day")),
        sentiment_periods=list((data.get("sentiment_over_time") or {}).get("periods", [])),
    )


def public_themes(consultation: Consultation) -> list[Theme]:
    """Themes for the public report: every quote passes the guidelines' personal-data redaction again."""
    return view(consultation, redact=redactor()).themes
