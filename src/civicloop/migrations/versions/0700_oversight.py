"""oversight: alerts, incidents, pre-aggregated account days and hours

Revision ID: 0700_oversight
Revises:
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0700_oversight"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("oversight",)
depends_on: str | Sequence[str] | None = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "oversight_refresh_marks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_oversight_refresh_marks")),
    )
    op.create_table(
        "oversight_alerts",
        sa.Column(
            "kind",
            sa.Enum(
                "message_spike",
                "negative_spike",
                "account_silent",
                "token_expiring",
                "backlog_breach",
                name="alertkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("open_key", sa.String(length=128), nullable=True),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subject_label", sa.String(length=300), nullable=False),
        sa.Column(
            "severity", sa.Enum("warning", "critical", name="severity", native_enum=False, length=16), nullable=False
        ),
        sa.Column(
            "state",
            sa.Enum("open", "acknowledged", "resolved", name="alertstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column(
            "evidence", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("notified_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column(
            "notified_to", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["officials.id"],
            name=op.f("fk_oversight_alerts_acknowledged_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_oversight_alerts_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["officials.id"],
            name=op.f("fk_oversight_alerts_resolved_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_oversight_alerts_open_key")),
    )
    with op.batch_alter_table("oversight_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_alerts_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_oversight_alerts_agency_id_state", ["agency_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_oversight_alerts_key"), ["key"], unique=False)

    op.create_table(
        "oversight_message_signals",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_oversight_message_signals_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_oversight_message_signals")),
    )
    with op.batch_alter_table("oversight_message_signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oversight_message_signals_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_oversight_message_signals_created_at"), ["created_at"], unique=False)

    op.create_table(
        "oversight_response_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.Column("responded", sa.Integer(), nullable=False),
        sa.Column("within_target", sa.Integer(), nullable=False),
        sa.Column("missed_target", sa.Integer(), nullable=False),
        sa.Column("breaches", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_oversight_response_days_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "agency_id", "channel", name=op.f("pk_oversight_response_days")),
    )
    op.create_table(
        "oversight_account_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("messages_in", sa.Integer(), nullable=False),
        sa.Column("messages_out", sa.Integer(), nullable=False),
        sa.Column("conversations_new", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_oversight_account_days_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_oversight_account_days_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "account_id", name=op.f("pk_oversight_account_days")),
    )
    with op.batch_alter_table("oversight_account_days", schema=None) as batch_op:
        batch_op.create_index("ix_oversight_account_days_agency_id_day", ["agency_id", "day"], unique=False)

    op.create_table(
        "oversight_account_hours",
        sa.Column("hour", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("messages_in", sa.Integer(), nullable=False),
        sa.Column("messages_out", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_oversight_account_hours_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_oversight_account_hours_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hour", "account_id", name=op.f("pk_oversight_account_hours")),
    )
    with op.batch_alter_table("oversight_account_hours", schema=None) as batch_op:
        batch_op.create_index("ix_oversight_account_hours_agency_id_hour", ["agency_id", "hour"], unique=False)

    op.create_table(
        "oversight_incidents",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("posted_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("found_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("permalink", sa.String(length=1000), nullable=True),
        sa.Column(
            "categories", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "findings", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_oversight_incidents_account_id_official_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_oversight_incidents_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_incidents")),
        sa.UniqueConstraint("message_id", name=op.f("uq_oversight_incidents_message_id")),
    )
    with op.batch_alter_table("oversight_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oversight_incidents_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oversight_incidents_posted_at"), ["posted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oversight_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oversight_incidents_posted_at"))
        batch_op.drop_index(batch_op.f("ix_oversight_incidents_agency_id"))

    op.drop_table("oversight_incidents")
    with op.batch_alter_table("oversight_account_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_oversight_account_hours_agency_id_hour")

    op.drop_table("oversight_account_hours")
    with op.batch_alter_table("oversight_account_days", schema=None) as batch_op:
        batch_op.drop_index("ix_oversight_account_days_agency_id_day")

    op.drop_table("oversight_account_days")
    op.drop_table("oversight_response_days")
    with op.batch_alter_table("oversight_message_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oversight_message_signals_created_at"))
        batch_op.drop_index(batch_op.f("ix_oversight_message_signals_conversation_id"))

    op.drop_table("oversight_message_signals")
    with op.batch_alter_table("oversight_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oversight_alerts_key"))
        batch_op.drop_index("ix_oversight_alerts_agency_id_state")
        batch_op.drop_index(batch_op.f("ix_oversight_alerts_agency_id"))

    op.drop_table("oversight_alerts")
    op.drop_table("oversight_refresh_marks")
