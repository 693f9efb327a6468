"""oversight_transferred: the per-account tables keyed by agency too

A conversation transferred to another agency keeps the account the citizen wrote to, and counts for the
agency holding it (docs/sla.md, "Transfers"). So one account can have, on one day, messages counted for
two agencies: its own agency's and the receiving agency's. The account day, month and hour rows are
therefore keyed by (time, account, agency); before this revision the second row of such a day could not
be stored and the recount of that day failed.

Revision ID: 0240_oversight_transferred
Revises:
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0240_oversight_transferred"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("oversight_transferred",)
depends_on: str | Sequence[str] | None = ("0701_oversight_months",)

TABLES = (("oversight_account_days", "day"), ("oversight_account_months", "month"), ("oversight_account_hours", "hour"))


def _key(columns: list[str]) -> None:
    for table, when in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", [when, *columns])


def upgrade() -> None:
    _key(["account_id", "agency_id"])


def downgrade() -> None:
    # Two agencies' rows of one account and time cannot share the old key: the receiving agency's give way
    # (the next recount of those days puts them back in whichever form the schema has then).
    for table, _when in TABLES:
        op.execute(
            f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM official_accounts a "  # noqa: S608 - constants
            f"WHERE a.id = {table}.account_id AND a.agency_id <> {table}.agency_id)"
        )
    _key(["account_id"])
