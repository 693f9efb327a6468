"""inbox: conversation SLA state and history, tags, notes, saved replies, notifications

Revision ID: 0210_inbox
Revises:
Create Date: 2026-11-29 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0210_inbox"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("inbox",)
depends_on: str | Sequence[str] | None = "0100_channels"


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_saved_replies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_saved_replies_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_replies")),
        sa.UniqueConstraint("agency_id", "title", name=op.f("uq_saved_replies_agency_id_title")),
    )
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_replies_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_tags_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("agency_id", "name", name=op.f("uq_tags_agency_id_name")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "conversation_events",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("status", "assigned", "tagged", "untagged", name="eventkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["officials.id"], name=op.f("fk_conversation_events_actor_id_officials"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_conversation_events_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_events_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_events")),
    )
    with op.batch_alter_table("conversation_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_events_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_conversation_events_conversation_id_at", ["conversation_id", "at"], unique=False)

    op.create_table(
        "conversation_notes",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_conversation_notes_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["officials.id"], name=op.f("fk_conversation_notes_author_id_officials"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_notes_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_notes")),
    )
    with op.batch_alter_table("conversation_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_notes_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_notes_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "conversation_sla",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_citizen_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("first_response_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=True),
        sa.Column("first_response_target", sa.Integer(), nullable=True),
        sa.Column("first_response_breached", sa.Boolean(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("on_track", "at_risk", "breached", name="slastate", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column(
            "response_kind",
            sa.Enum("first_response", "next_response", "resolution", name="clockkind", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("response_started_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("response_due_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("resolution_started_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("resolution_due_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("next_check_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("breaches", sa.Integer(), nullable=False),
        sa.Column(
            "notified", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("evaluated_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("seen_citizen_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("seen_agency_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_conversation_sla_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_conversation_sla_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["officials.id"],
            name=op.f("fk_conversation_sla_assignee_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_sla_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_sla")),
    )
    with op.batch_alter_table("conversation_sla", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_sla_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            "ix_conversation_sla_agency_id_first_citizen_at", ["agency_id", "first_citizen_at"], unique=False
        )
        batch_op.create_index(
            "ix_conversation_sla_agency_id_status_response_started_at",
            ["agency_id", "status", "response_started_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_conversation_sla_next_check_at"), ["next_check_at"], unique=False)

    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_tags_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_conversation_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("conversation_id", "tag_id", name=op.f("pk_conversation_tags")),
    )
    with op.batch_alter_table("conversation_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("read_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("emailed_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_notifications_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_notifications_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_notifications_official_id_officials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("official_id", "key", name=op.f("uq_notifications_official_id_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_notifications_official_id_read_at", ["official_id", "read_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_official_id_read_at")
        batch_op.drop_index(batch_op.f("ix_notifications_agency_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("conversation_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_tags_tag_id"))

    op.drop_table("conversation_tags")
    with op.batch_alter_table("conversation_sla", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_sla_next_check_at"))
        batch_op.drop_index("ix_conversation_sla_agency_id_status_response_started_at")
        batch_op.drop_index("ix_conversation_sla_agency_id_first_citizen_at")
        batch_op.drop_index(batch_op.f("ix_conversation_sla_agency_id"))

    op.drop_table("conversation_sla")
    with op.batch_alter_table("conversation_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_notes_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_notes_agency_id"))

    op.drop_table("conversation_notes")
    with op.batch_alter_table("conversation_events", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_events_conversation_id_at")
        batch_op.drop_index(batch_op.f("ix_conversation_events_agency_id"))

    op.drop_table("conversation_events")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_agency_id"))

    op.drop_table("tags")
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_replies_agency_id"))

    op.drop_table("saved_replies")
