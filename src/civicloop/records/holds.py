"""Which rows of a record class's table a legal hold covers, as one SQL condition."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, func, or_, true

from civicloop.records.classes import Source
from civicloop.records.models import LegalHold


def _criteria(hold: LegalHold, source: Source) -> list[ColumnElement[bool]]:
    unmatched: ColumnElement[bool] = true() if source.unmatchable_criteria_hold else false()
    conditions: list[ColumnElement[bool]] = []
    if hold.agency_id is not None:
        conditions.append(source.agency == hold.agency_id if source.agency is not None else true())
    if hold.account_id is not None:
        conditions.append(source.account == hold.account_id if source.account is not None else unmatched)
    if hold.conversation_id is not None:
        conditions.append(source.conversation == hold.conversation_id if source.conversation is not None else unmatched)
    if hold.since is not None:
        conditions.append(source.date >= (hold.since.date() if source.date_only else hold.since))
    if hold.until is not None:
        conditions.append(source.date <= (hold.until.date() if source.date_only else hold.until))
    if hold.search:
        if source.text is not None:
            conditions.append(func.lower(source.text).contains(hold.search.lower(), autoescape=True))
        else:
            conditions.append(unmatched)
    return conditions


def covered(holds: Sequence[LegalHold], source: Source) -> ColumnElement[bool]:
    """True for the rows of ``source`` that at least one of ``holds`` keeps."""
    if not holds:
        return false()
    return or_(*(and_(true(), *_criteria(hold, source)) for hold in holds))
