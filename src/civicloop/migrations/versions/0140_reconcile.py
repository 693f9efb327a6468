"""reconcile: the record of each reconciliation run of an account

Revision ID: 0140_reconcile
Revises:
Create Date: 2026-12-06 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0140_reconcile"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("reconcile",)
depends_on: str | Sequence[str] | None = "0100_channels"


def upgrade() -> None:
    op.create_table(
        "channel_reconciliations",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("since", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("recovered", sa.Integer(), nullable=False),
        sa.Column("supported", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("credentials_refused", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_channel_reconciliations_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_channel_reconciliations_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_reconciliations")),
    )
    with op.batch_alter_table("channel_reconciliations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_reconciliations_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_channel_reconciliations_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("channel_reconciliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_reconciliations_agency_id"))
        batch_op.drop_index(batch_op.f("ix_channel_reconciliations_account_id"))
    op.drop_table("channel_reconciliations")
