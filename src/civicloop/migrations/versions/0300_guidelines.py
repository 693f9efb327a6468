"""guidelines: policy rules, lexicon overrides, election periods, reviews, findings, approvals

Revision ID: 0300_guidelines
Revises:
Create Date: 2026-11-29 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0300_guidelines"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("guidelines",)
depends_on: str | Sequence[str] | None = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "election_periods",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("polls_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("embargo_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_election_periods_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_periods")),
    )
    op.create_table(
        "guideline_reviews",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "action",
            sa.Enum("allow", "warn", "hold", "block", name="action", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "election",
            sa.Enum("none", "period", "embargo", name="electionphase", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("text_length", sa.Integer(), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_guideline_reviews_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["officials.id"], name=op.f("fk_guideline_reviews_author_id_officials"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_reviews")),
    )
    with op.batch_alter_table("guideline_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_reviews_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_reviews_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_reviews_outbound_id"), ["outbound_id"], unique=False)

    op.create_table(
        "guideline_rules",
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "confidential", "personal_data", "political", "civility", name="category", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "action",
            sa.Enum("allow", "warn", "hold", "block", name="action", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_guideline_rules_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["officials.id"],
            name=op.f("fk_guideline_rules_updated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_rules")),
        sa.UniqueConstraint("agency_id", "category", name=op.f("uq_guideline_rules_agency_id_category")),
    )
    with op.batch_alter_table("guideline_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_rules_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "guideline_terms",
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("lexicon", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_guideline_terms_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_guideline_terms_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_terms")),
        sa.UniqueConstraint("agency_id", "lexicon", "term", name=op.f("uq_guideline_terms_agency_id_lexicon_term")),
    )
    with op.batch_alter_table("guideline_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_terms_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "guideline_approvals",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "rejected", name="approvalstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_guideline_approvals_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["officials.id"],
            name=op.f("fk_guideline_approvals_decided_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["officials.id"],
            name=op.f("fk_guideline_approvals_requested_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["guideline_reviews.id"],
            name=op.f("fk_guideline_approvals_review_id_guideline_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_approvals")),
    )
    with op.batch_alter_table("guideline_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_approvals_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_approvals_outbound_id"), ["outbound_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_approvals_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_approvals_status"), ["status"], unique=False)

    op.create_table(
        "guideline_findings",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "confidential", "personal_data", "political", "civility", name="category", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "severity", sa.Enum("low", "medium", "high", name="severity", native_enum=False, length=16), nullable=False
        ),
        sa.Column(
            "action",
            sa.Enum("allow", "warn", "hold", "block", name="action", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("excerpt", sa.String(length=80), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_guideline_findings_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["guideline_reviews.id"],
            name=op.f("fk_guideline_findings_review_id_guideline_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_findings")),
    )
    with op.batch_alter_table("guideline_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_findings_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_findings_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_guideline_findings_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guideline_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_findings_review_id"))
        batch_op.drop_index(batch_op.f("ix_guideline_findings_created_at"))
        batch_op.drop_index(batch_op.f("ix_guideline_findings_agency_id"))

    op.drop_table("guideline_findings")
    with op.batch_alter_table("guideline_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_approvals_status"))
        batch_op.drop_index(batch_op.f("ix_guideline_approvals_review_id"))
        batch_op.drop_index(batch_op.f("ix_guideline_approvals_outbound_id"))
        batch_op.drop_index(batch_op.f("ix_guideline_approvals_agency_id"))

    op.drop_table("guideline_approvals")
    with op.batch_alter_table("guideline_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_terms_agency_id"))

    op.drop_table("guideline_terms")
    with op.batch_alter_table("guideline_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_rules_agency_id"))

    op.drop_table("guideline_rules")
    with op.batch_alter_table("guideline_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_reviews_outbound_id"))
        batch_op.drop_index(batch_op.f("ix_guideline_reviews_created_at"))
        batch_op.drop_index(batch_op.f("ix_guideline_reviews_agency_id"))

    op.drop_table("guideline_reviews")
    op.drop_table("election_periods")
