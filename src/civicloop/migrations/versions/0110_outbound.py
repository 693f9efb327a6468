"""channels-out: outbound messages, cached platform access tokens, public-form hits

Revision ID: 0110_outbound
Revises: 0100_channels
Create Date: 2026-11-29 11:25:13
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0110_outbound"
down_revision: str | Sequence[str] | None = "0100_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_hits",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_hits")),
    )
    with op.batch_alter_table("form_hits", schema=None) as batch_op:
        batch_op.create_index("ix_form_hits_address_scope_at", ["address", "scope", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_form_hits_at"), ["at"], unique=False)

    op.create_table(
        "platform_tokens",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret", civicloop.db.types.EncryptedJSON(), nullable=False),
        sa.Column("expires_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_platform_tokens_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_tokens")),
        sa.UniqueConstraint("account_id", name=op.f("uq_platform_tokens_account_id")),
    )
    op.create_table(
        "outbound_messages",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Enum("reply", "post", name="outboundkind", native_enum=False, length=8), nullable=False),
        sa.Column(
            "route",
            sa.Enum(
                "facebook_comment",
                "facebook_post",
                "messenger",
                "x_reply",
                "x_post",
                "x_dm",
                "wechat_cs",
                "wechat_mass",
                "email",
                name="route",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("image_path", sa.String(length=500), nullable=True),
        sa.Column("in_reply_to_message_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "held",
                "queued",
                "sending",
                "sent",
                "failed",
                "rejected",
                "unconfirmed",
                name="outboundstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("attempt_started_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("permalink", sa.String(length=1000), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("batch_key", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_outbound_messages_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_outbound_messages_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_outbound_messages_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_outbound_messages_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to_message_id"],
            ["messages.id"],
            name=op.f("fk_outbound_messages_in_reply_to_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbound_messages_idempotency_key")),
    )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_messages_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_messages_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_messages_batch_key"), ["batch_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_messages_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(
            "ix_outbound_messages_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_messages_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_outbound_messages_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_outbound_messages_batch_key"))
        batch_op.drop_index(batch_op.f("ix_outbound_messages_agency_id"))
        batch_op.drop_index(batch_op.f("ix_outbound_messages_account_id"))

    op.drop_table("outbound_messages")
    op.drop_table("platform_tokens")
    with op.batch_alter_table("form_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_hits_at"))
        batch_op.drop_index("ix_form_hits_address_scope_at")

    op.drop_table("form_hits")
