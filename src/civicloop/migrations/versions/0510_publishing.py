"""publishing: posts to many accounts, their targets, the approval policy

Revision ID: 0510_publishing
Revises: 0500_consultations
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0510_publishing"
down_revision: str | Sequence[str] | None = "0500_consultations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publishing_policies",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("require_approval", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_publishing_policies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_publishing_policies")),
    )
    op.create_table(
        "publishing_posts",
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "variants", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("image_name", sa.String(length=80), nullable=True),
        sa.Column("scheduled_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending_approval",
                "scheduled",
                "released",
                "rejected",
                "cancelled",
                name="poststatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum("post", "announcement", "report", name="postpurpose", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("batch_key", sa.String(length=64), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("released_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_publishing_posts_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_publishing_posts_consultation_id_consultations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_publishing_posts_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["officials.id"],
            name=op.f("fk_publishing_posts_decided_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publishing_posts")),
        sa.UniqueConstraint("batch_key", name=op.f("uq_publishing_posts_batch_key")),
    )
    with op.batch_alter_table("publishing_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publishing_posts_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_publishing_posts_scheduled_at"), ["scheduled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_publishing_posts_status"), ["status"], unique=False)

    op.create_table(
        "publishing_post_targets",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_publishing_post_targets_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["publishing_posts.id"],
            name=op.f("fk_publishing_post_targets_post_id_publishing_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "account_id", name=op.f("pk_publishing_post_targets")),
    )


def downgrade() -> None:
    op.drop_table("publishing_post_targets")
    with op.batch_alter_table("publishing_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publishing_posts_status"))
        batch_op.drop_index(batch_op.f("ix_publishing_posts_scheduled_at"))
        batch_op.drop_index(batch_op.f("ix_publishing_posts_agency_id"))

    op.drop_table("publishing_posts")
    op.drop_table("publishing_policies")
