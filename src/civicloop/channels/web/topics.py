"""The topics an agency offers on its feedback form, written in English and Dzongkha side by side.

A citizen picks one (or none) in the form's language; the conversation keeps the English label as its subject, so
the inbox, search and analysis read one language whatever the form's. English is required for a topic (it is the
stored value); the Dzongkha label is optional and the public form falls back to the English one, marked as English.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels.web import queries
from civicloop.channels.web.models import FeedbackTopic
from civicloop.errors import Invalid
from civicloop.kit import i18n

MAX_TOPICS = 30
MAX_LABEL = 150
EDITORS = (Role.agency_head, Role.agency_admin, Role.officer)


@dataclass(frozen=True)
class TopicText:
    """One topic as the editor sends it: the English label and the other languages' ones (``{"dz": "…"}``)."""

    english: str
    others: dict[str, str]


def set_topics(session: Session, *, actor: Actor, agency_id: int, rows: list[TopicText]) -> list[FeedbackTopic]:
    """Replace the agency's topics with ``rows`` (blank rows dropped), audited; refused whole when one is wrong."""
    actor.require(agency_id, *EDITORS)
    kept = [r for r in rows if r.english.strip() or any(v.strip() for v in r.others.values())]
    if len(kept) > MAX_TOPICS:
        raise Invalid(f"an agency offers at most {MAX_TOPICS} topics; remove {len(kept) - MAX_TOPICS}", field="topic")
    seen: set[str] = set()
    for number, row in enumerate(kept, 1):
        english = row.english.strip()
        if not english:
            raise Invalid(
                f"topic {number} has no English label: write it too (the inbox keeps the English one)", field="topic"
            )
        texts = [english, *row.others.values()]
        if any(len(t.strip()) > MAX_LABEL for t in texts):
            raise Invalid(f"topic {number} is longer than {MAX_LABEL} characters", field="topic")
        if english.casefold() in seen:
            raise Invalid(f"the topic {english!r} is listed twice", field="topic")
        seen.add(english.casefold())
        unknown = set(row.others) - set(i18n.LANGUAGES)
        if unknown:
            raise Invalid(f"unknown language {sorted(unknown)[0]!r}", field="topic")
    before = [_snapshot(t) for t in queries.topics(session, agency_id)]
    session.execute(delete(FeedbackTopic).where(FeedbackTopic.agency_id == agency_id))
    created = []
    for position, row in enumerate(kept):
        topic = FeedbackTopic(agency_id=agency_id, position=position, label=row.english.strip())
        topic.translations = {}
        for lang, text in row.others.items():
            topic.translations = i18n.merge(topic.translations, lang, {"label": text})
        session.add(topic)
        created.append(topic)
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="feedback.topics",
        target_type="agency",
        target_id=agency_id,
        agency_id=agency_id,
        before={"topics": before},
        after={"topics": [_snapshot(t) for t in created]},
    )
    return created


def _snapshot(topic: FeedbackTopic) -> dict[str, object]:
    return {"label": topic.label, "translations": dict(topic.translations or {})}
