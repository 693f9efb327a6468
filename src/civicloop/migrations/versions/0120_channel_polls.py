"""polling: where polling each account of a polled platform stands (quota spent today, last outcome)

Revision ID: 0120_channel_polls
Revises:
Create Date: 2026-12-06 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0120_channel_polls"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("polling",)
depends_on: str | Sequence[str] | None = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "channel_polls",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("polled_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_channel_polls_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_polls")),
        sa.UniqueConstraint("account_id", name=op.f("uq_channel_polls_account_id")),
    )


def downgrade() -> None:
    op.drop_table("channel_polls")
