"""front: deputy approvers, one-time password links, a rating question's own scale labels

Revision ID: 0040_front
Revises:
Create Date: 2026-12-06 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0040_front"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("front",)
depends_on: str | Sequence[str] | None = ("0021_totp", "0511_consultation_respondents")


def upgrade() -> None:
    op.create_table(
        "approval_deputies",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_approval_deputies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["named_by_id"],
            ["officials.id"],
            name=op.f("fk_approval_deputies_named_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_approval_deputies_official_id_officials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_deputies")),
    )
    op.create_index(op.f("ix_approval_deputies_agency_id"), "approval_deputies", ["agency_id"], unique=False)
    op.create_index(op.f("ix_approval_deputies_official_id"), "approval_deputies", ["official_id"], unique=False)
    op.create_table(
        "password_links",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose", sa.Enum("invitation", "reset", name="linkpurpose", native_enum=False, length=16), nullable=False
        ),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("outgoing", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_password_links_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_password_links_official_id_officials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("digest", name=op.f("uq_password_links_digest")),
    )
    op.create_index(op.f("ix_password_links_official_id"), "password_links", ["official_id"], unique=False)
    with op.batch_alter_table("consultation_questions") as batch:
        batch.add_column(sa.Column("scale_low", sa.String(length=100), nullable=False, server_default=""))
        batch.add_column(sa.Column("scale_high", sa.String(length=100), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("consultation_questions") as batch:
        batch.drop_column("scale_high")
        batch.drop_column("scale_low")
    op.drop_index(op.f("ix_password_links_official_id"), table_name="password_links")
    op.drop_table("password_links")
    op.drop_index(op.f("ix_approval_deputies_official_id"), table_name="approval_deputies")
    op.drop_index(op.f("ix_approval_deputies_agency_id"), table_name="approval_deputies")
    op.drop_table("approval_deputies")
