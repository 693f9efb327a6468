"""access: categories, signed policies, designations, staff directory, proxy logs and usage

Revision ID: 0600_access
Revises:
Create Date: 2026-11-29 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0600_access"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("access",)
depends_on: str | Sequence[str] | None = "0001_foundation"

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "access_categories",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("domains", JSON, nullable=False),
        sa.Column("platforms", JSON, nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["officials.id"],
            name=op.f("fk_access_categories_updated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_categories")),
        sa.UniqueConstraint("key", name=op.f("uq_access_categories_key")),
    )
    op.create_table(
        "access_policies",
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column(
            "office_hours",
            sa.Enum("all", "designated", "closed", name="officehours", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("allowance_minutes", sa.Integer(), nullable=True),
        sa.Column(
            "after_hours", sa.Enum("open", "closed", name="afterhours", native_enum=False, length=16), nullable=False
        ),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by", sa.String(length=300), nullable=False),
        sa.Column("signed_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_access_policies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["officials.id"],
            name=op.f("fk_access_policies_signed_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_policies")),
    )
    with op.batch_alter_table("access_policies", schema=None) as batch_op:
        batch_op.create_index("ix_access_policies_agency_category", ["agency_id", "category"], unique=False)

    op.create_table(
        "access_designations",
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("designated_by_id", sa.Integer(), nullable=True),
        sa.Column("designated_by", sa.String(length=300), nullable=False),
        *_timestamps(),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_access_designations_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["designated_by_id"],
            ["officials.id"],
            name=op.f("fk_access_designations_designated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_designations")),
        sa.UniqueConstraint(
            "agency_id", "login", "category", name=op.f("uq_access_designations_agency_id_login_category")
        ),
    )
    with op.batch_alter_table("access_designations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_designations_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "access_directory",
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_access_directory_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_directory")),
        sa.UniqueConstraint("login", name=op.f("uq_access_directory_login")),
    )
    with op.batch_alter_table("access_directory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_directory_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "access_log_sources",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("malformed", sa.BigInteger(), nullable=False),
        sa.Column("kept", sa.BigInteger(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_sources")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_access_log_sources_fingerprint")),
    )
    op.create_table(
        "access_log_chunks",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("first_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["access_log_sources.id"],
            name=op.f("fk_access_log_chunks_source_id_access_log_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_chunks")),
    )
    with op.batch_alter_table("access_log_chunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_log_chunks_last_at"), ["last_at"], unique=False)

    op.create_table(
        "access_sessions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person", sa.String(length=254), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("end", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("office_minutes", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_access_sessions_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_sessions")),
    )
    with op.batch_alter_table("access_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_sessions_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_access_sessions_day_person", ["day", "person"], unique=False)

    op.create_table(
        "access_denials",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person", sa.String(length=254), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_access_denials_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_denials")),
        sa.UniqueConstraint(
            "day", "person", "category", "rule", name=op.f("uq_access_denials_day_person_category_rule")
        ),
    )
    with op.batch_alter_table("access_denials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_denials_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "access_grants",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("instance", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=254), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("intervals", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grants")),
    )
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.create_index("ix_access_grants_day_instance", ["day", "instance"], unique=False)


def downgrade() -> None:
    for table in (
        "access_grants",
        "access_denials",
        "access_sessions",
        "access_log_chunks",
        "access_log_sources",
        "access_directory",
        "access_designations",
        "access_policies",
        "access_categories",
    ):
        op.drop_table(table)
