"""``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` on SQLite and PostgreSQL alike.

Exactly-once storage rests on it: a repeated delivery, or two workers racing on the same contact,
hits a unique constraint and inserts nothing, without an exception that would spoil the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civicloop.db.base import Base


def insert_ignore(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> list[int]:
    """Insert ``rows``; those clashing with the unique ``conflict`` columns are skipped.

    Returns the ids of the rows actually inserted. Column defaults apply as for any Core insert.
    """
    if not rows:
        return []
    table = model.__table__
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    # The rows go as parameters, not into the statement, so that its compiled form is cached.
    statement = module.insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)
    return [row[0] for row in session.execute(statement, list(rows))]
