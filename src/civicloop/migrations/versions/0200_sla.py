"""sla: national office calendar, seasons, closures, district festival days, SLA policies

Revision ID: 0200_sla
Revises:
Create Date: 2026-11-29 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0200_sla"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sla",)
depends_on: str | Sequence[str] | None = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "calendar_seasons",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("yearly", sa.Boolean(), nullable=False),
        sa.Column(
            "weekly_hours", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_seasons")),
    )
    op.create_table(
        "agency_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("from_minute", sa.Integer(), nullable=True),
        sa.Column("until_minute", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_closures_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_agency_closures_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_closures")),
    )
    with op.batch_alter_table("agency_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_closures_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_closures_day"), ["day"], unique=False)

    op.create_table(
        "district_festival_days",
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("from_minute", sa.Integer(), nullable=True),
        sa.Column("until_minute", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_district_festival_days_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_festival_days")),
    )
    with op.batch_alter_table("district_festival_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_district_festival_days_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_district_festival_days_district"), ["district"], unique=False)

    op.create_table(
        "national_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("holiday_country", sa.String(length=8), nullable=False),
        sa.Column(
            "weekly_hours", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["officials.id"],
            name=op.f("fk_national_calendar_updated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_calendar")),
    )
    op.create_table(
        "national_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("from_minute", sa.Integer(), nullable=True),
        sa.Column("until_minute", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_national_closures_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_closures")),
    )
    with op.batch_alter_table("national_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_national_closures_day"), ["day"], unique=False)

    op.create_table(
        "sla_policies",
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("next_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_sla_policies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["officials.id"],
            name=op.f("fk_sla_policies_updated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
        sa.UniqueConstraint("agency_id", name=op.f("uq_sla_policies_agency_id")),
    )


def downgrade() -> None:
    op.drop_table("sla_policies")
    with op.batch_alter_table("national_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_national_closures_day"))

    op.drop_table("national_closures")
    op.drop_table("national_calendar")
    with op.batch_alter_table("district_festival_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_festival_days_district"))
        batch_op.drop_index(batch_op.f("ix_district_festival_days_day"))

    op.drop_table("district_festival_days")
    with op.batch_alter_table("agency_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_closures_day"))
        batch_op.drop_index(batch_op.f("ix_agency_closures_agency_id"))

    op.drop_table("agency_closures")
    op.drop_table("calendar_seasons")
