"""consultations: the official who answered a survey of civil servants, one answer each

Revision ID: 0511_consultation_respondents
Revises: 0510_publishing
Create Date: 2026-11-29 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0511_consultation_respondents"
down_revision: str | Sequence[str] | None = "0510_publishing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key and a unique constraint only by copying the table.
    with op.batch_alter_table("consultation_responses") as batch:
        batch.add_column(sa.Column("official_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_consultation_responses_official_id_officials"),
            "officials",
            ["official_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(
            op.f("uq_consultation_responses_consultation_id_official_id"), ["consultation_id", "official_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_responses") as batch:
        batch.drop_constraint(op.f("uq_consultation_responses_consultation_id_official_id"), type_="unique")
        batch.drop_constraint(op.f("fk_consultation_responses_official_id_officials"), type_="foreignkey")
        batch.drop_column("official_id")
