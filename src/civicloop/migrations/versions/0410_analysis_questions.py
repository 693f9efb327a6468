"""analysis: a repeated text is a campaign or a frequent question

Revision ID: 0410_analysis_questions
Revises:
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0410_analysis_questions"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("analysis_questions",)
depends_on: str | Sequence[str] | None = "0400_analysis"


def upgrade() -> None:
    with op.batch_alter_table("analysis_campaigns") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="campaign", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("analysis_campaigns") as batch:
        batch.drop_column("kind")
