"""bilingual: a translations column on what officials write for citizens (Dzongkha and later languages)

Revision ID: 0520_bilingual
Revises:
Create Date: 2026-12-06 22:30:00

English stays in the existing columns; every other language lives in ``translations`` as
``{"dz": {"title": "…", "summary": "…"}}``, so a new language needs a catalog, not a migration (docs/languages.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "0520_bilingual"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("bilingual",)
depends_on: str | Sequence[str] | None = ("0001_foundation", "0210_inbox", "0511_consultation_respondents")

TABLES = (
    "agencies",
    "consultations",
    "consultation_questions",
    "consultation_attachments",
    "consultation_report_sections",
    "publishing_posts",
    "saved_replies",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "translations",
                    sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                    server_default=sa.text("'{}'"),
                    nullable=False,
                )
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
