"""sla: public holidays from the holidays package worked after all (national or per agency)

Revision ID: 0201_sla_working_days
Revises: 0200_sla
Create Date: 2026-11-29 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0201_sla_working_days"
down_revision: str | Sequence[str] | None = "0200_sla"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holiday_working_days",
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_holiday_working_days_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_holiday_working_days_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_working_days")),
    )
    with op.batch_alter_table("holiday_working_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holiday_working_days_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_holiday_working_days_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("holiday_working_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holiday_working_days_day"))
        batch_op.drop_index(batch_op.f("ix_holiday_working_days_agency_id"))
    op.drop_table("holiday_working_days")
