"""A commitment's texts in another language (Dzongkha): its title, description, responsible division, why it was
dropped, and each update's note and photo description, written beside the English by the agency's officials.

The public tracker shows each field in the reader's language and falls back to English field by field, saying so
(``kit.i18n.localized``). Saving is audited (``commitment.translated``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from civicloop.accountability import queries
from civicloop.accountability.models import Commitment
from civicloop.audit import service as audit
from civicloop.auth.scope import Actor
from civicloop.errors import Invalid
from civicloop.kit import i18n

COMMITMENT_TEXTS = ("title", "description", "division", "dropped_reason")
UPDATE_TEXTS = ("note", "photo_alt")
LIMITS = {"title": 200, "division": 200, "photo_alt": 300}
MAX_TEXT = 5000


def save(
    session: Session,
    *,
    actor: Actor,
    commitment_id: int,
    lang: str,
    values: Mapping[str, str],
    updates: Mapping[int, Mapping[str, str]],
) -> Commitment:
    """Set the ``lang`` texts of a commitment (``values``) and of its updates (``updates``: update id → texts);
    a blank text removes that translation (the page then shows the English one, marked)."""
    commitment = actor.fetch(session, Commitment, commitment_id, what="commitment")
    actor.require(commitment.agency_id)
    if lang == i18n.DEFAULT or lang not in i18n.LANGUAGES:
        others = ", ".join(c for c in i18n.LANGUAGES if c != i18n.DEFAULT)
        raise Invalid(f"the language is one of {others}", field="lang")
    for field, text in [*values.items(), *(item for texts in updates.values() for item in texts.items())]:
        if len(text.strip()) > LIMITS.get(field, MAX_TEXT):
            raise Invalid(f"the {field.replace('_', ' ')} has at most {LIMITS.get(field, MAX_TEXT):,} characters")
    before = dict(commitment.translations or {})
    commitment.translations = i18n.merge(
        commitment.translations, lang, {k: v for k, v in values.items() if k in COMMITMENT_TEXTS}
    )
    by_id = {u.id: u for u in queries.timeline(session, commitment.id)}
    for update_id, texts in updates.items():
        update = by_id.get(update_id)
        if update is None:
            raise Invalid(f"update #{update_id} is not on this commitment's timeline")
        update.translations = i18n.merge(
            update.translations, lang, {k: v for k, v in texts.items() if k in UPDATE_TEXTS}
        )
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="commitment.translated",
        target_type="commitment",
        target_id=commitment.id,
        agency_id=commitment.agency_id,
        before={"translations": before},
        after={"translations": commitment.translations, "updates": sorted(updates)},
    )
    return commitment
