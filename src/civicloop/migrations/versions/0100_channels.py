"""channels: raw events, contacts, conversations, messages and their revisions

Revision ID: 0100_channels
Revises:
Create Date: 2026-11-29 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0100_channels"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("channels",)
depends_on: str | Sequence[str] | None = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "webhook_rejections",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("app_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_rejections")),
        sa.UniqueConstraint(
            "provider", "app_key", "day", "reason", name=op.f("uq_webhook_rejections_provider_app_key_day_reason")
        ),
    )
    op.create_table(
        "contacts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_contacts_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint(
            "agency_id", "platform", "platform_user_id", name=op.f("uq_contacts_agency_id_platform_platform_user_id")
        ),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "comment_thread", "direct", "form", "import", name="conversationkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("external_ref", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "waiting", "closed", name="conversationstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("last_citizen_message_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_agency_message_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_conversations_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_conversations_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["officials.id"], name=op.f("fk_conversations_assignee_id_officials"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_conversations_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "account_id", "kind", "external_ref", name=op.f("uq_conversations_account_id_kind_external_ref")
        ),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_conversations_agency_id_status", ["agency_id", "status"], unique=False)

    op.create_table(
        "raw_events",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("app_key", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column(
            "headers", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("handled_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_raw_events_account_id_official_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_raw_events_agency_id_agencies"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_events")),
        sa.UniqueConstraint("provider", "external_id", name=op.f("uq_raw_events_provider_external_id")),
    )
    with op.batch_alter_table("raw_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raw_events_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raw_events_handled_at"), ["handled_at"], unique=False)

    op.create_table(
        "messages",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.Enum("in", "out", name="direction", native_enum=False, length=8), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "attachments", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("reply_to_external_id", sa.String(length=255), nullable=True),
        sa.Column("permalink", sa.String(length=1000), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "received", "edited", "removed", "hidden", "sent", name="messagestate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("raw_event_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_messages_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_messages_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_messages_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raw_event_id"], ["raw_events.id"], name=op.f("fk_messages_raw_event_id_raw_events"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("account_id", "external_id", name=op.f("uq_messages_account_id_external_id")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_messages_agency_id_created_at", ["agency_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_messages_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "message_revisions",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_revisions_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_revisions")),
    )
    with op.batch_alter_table("message_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_revisions_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_revisions_message_id"))

    op.drop_table("message_revisions")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_conversation_id"))
        batch_op.drop_index("ix_messages_agency_id_created_at")
        batch_op.drop_index(batch_op.f("ix_messages_agency_id"))

    op.drop_table("messages")
    with op.batch_alter_table("raw_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_events_handled_at"))
        batch_op.drop_index(batch_op.f("ix_raw_events_agency_id"))

    op.drop_table("raw_events")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_agency_id_status")
        batch_op.drop_index(batch_op.f("ix_conversations_agency_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_agency_id"))

    op.drop_table("contacts")
    op.drop_table("webhook_rejections")
