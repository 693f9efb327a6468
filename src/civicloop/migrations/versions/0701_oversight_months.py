"""oversight: monthly roll-ups of the account and response days; ids a refresh must read again

Revision ID: 0701_oversight_months
Revises: 0700_oversight
Create Date: 2026-11-29 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "0701_oversight_months"
down_revision: str | Sequence[str] | None = "0700_oversight"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_COUNTS = ("messages_in", "messages_out", "conversations_new")
RESPONSE_COUNTS = ("conversations", "responded", "within_target", "missed_target", "breaches")
# Each month table: the day table it sums, the columns both group by, and the counts.
SUMS = {
    "oversight_account_months": ("oversight_account_days", ("account_id", "agency_id", "platform"), ACCOUNT_COUNTS),
    "oversight_response_months": ("oversight_response_days", ("agency_id", "channel"), RESPONSE_COUNTS),
}


def _fill_from_days() -> None:
    """Sum the day rows an existing installation already has into their months."""
    first_of_month = (
        "CAST(date_trunc('month', day) AS date)"
        if op.get_bind().dialect.name == "postgresql"
        else "date(day, 'start of month')"
    )
    for months, (days, keys, values) in SUMS.items():
        names = ", ".join(keys)
        sums = ", ".join(f"sum({v})" for v in values)
        op.execute(
            f"INSERT INTO {months} (month, {names}, {', '.join(values)}) "  # noqa: S608 - fixed names
            f"SELECT {first_of_month}, {names}, {sums} FROM {days} GROUP BY {first_of_month}, {names}"
        )


def _integers(names: Sequence[str]) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _cascading(table: str, *references: tuple[str, str]) -> list[sa.ForeignKeyConstraint]:
    """Foreign keys (column, referred table) to ``id``, deleting these rows with the referred one."""
    return [
        sa.ForeignKeyConstraint(
            [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete="CASCADE"
        )
        for column, referred in references
    ]


def upgrade() -> None:
    op.create_table(
        "oversight_account_months",
        sa.Column("month", sa.Date(), nullable=False),
        *_integers(("account_id", "agency_id")),
        sa.Column("platform", sa.String(length=16), nullable=False),
        *_integers(ACCOUNT_COUNTS),
        *_cascading("oversight_account_months", ("account_id", "official_accounts"), ("agency_id", "agencies")),
        sa.PrimaryKeyConstraint("month", "account_id", name=op.f("pk_oversight_account_months")),
    )
    op.create_index("ix_oversight_account_months_agency_id_month", "oversight_account_months", ["agency_id", "month"])

    op.create_table(
        "oversight_response_months",
        sa.Column("month", sa.Date(), nullable=False),
        *_integers(("agency_id",)),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *_integers(RESPONSE_COUNTS),
        *_cascading("oversight_response_months", ("agency_id", "agencies")),
        sa.PrimaryKeyConstraint("month", "agency_id", "channel", name=op.f("pk_oversight_response_months")),
    )
    with op.batch_alter_table("oversight_refresh_marks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pending_ids",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
    _fill_from_days()


def downgrade() -> None:
    with op.batch_alter_table("oversight_refresh_marks", schema=None) as batch_op:
        batch_op.drop_column("pending_ids")
    op.drop_table("oversight_response_months")
    op.drop_index("ix_oversight_account_months_agency_id_month", table_name="oversight_account_months")
    op.drop_table("oversight_account_months")
