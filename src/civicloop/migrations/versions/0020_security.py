"""security: webhook events de-duplicated per platform app; WeChat nonces seen within the freshness window

Revision ID: 0020_security
Revises:
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0020_security"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("security",)
depends_on: str | Sequence[str] | None = "0100_channels"


def upgrade() -> None:
    # An event id is only unique within the app whose signature proved it: another app's body may
    # name any Page id and must not take that id away from the Page's own app.
    with op.batch_alter_table("raw_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_raw_events_provider_external_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_raw_events_provider_app_key_external_id"), ["provider", "app_key", "external_id"]
        )
    op.create_table(
        "webhook_nonces",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("app_key", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("seen_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_nonces")),
        sa.UniqueConstraint("provider", "app_key", "nonce", name=op.f("uq_webhook_nonces_provider_app_key_nonce")),
    )
    with op.batch_alter_table("webhook_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_nonces_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    op.drop_table("webhook_nonces")
    with op.batch_alter_table("raw_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_raw_events_provider_app_key_external_id", type_="unique")
        batch_op.create_unique_constraint("uq_raw_events_provider_external_id", ["provider", "external_id"])
