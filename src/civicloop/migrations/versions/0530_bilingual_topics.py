"""bilingual topics and commitments: the feedback form's topics (English and other languages), and a translations
column on commitments and their updates

Revision ID: 0530_bilingual_topics
Revises:
Create Date: 2026-12-07 01:40:00

Like 0520_bilingual: English in the plain columns, other languages in ``translations`` (``{"dz": {"title": "…"}}``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "0530_bilingual_topics"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("bilingual_topics",)
depends_on: str | Sequence[str] | None = ("0001_foundation", "0800_accountability")

TABLES = ("accountability_commitments", "accountability_updates")


def _translations() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "translations",
        sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
        server_default=sa.text("'{}'"),
        nullable=False,
    )


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(_translations())
    op.create_table(
        "feedback_topics",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=150), nullable=False),
        _translations(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_feedback_topics_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_topics")),
        sa.UniqueConstraint("agency_id", "label", name=op.f("uq_feedback_topics_agency_id_label")),
    )
    with op.batch_alter_table("feedback_topics") as batch:
        batch.create_index(batch.f("ix_feedback_topics_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback_topics") as batch:
        batch.drop_index(batch.f("ix_feedback_topics_agency_id"))
    op.drop_table("feedback_topics")
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
