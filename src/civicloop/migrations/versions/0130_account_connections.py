"""account_connections: connection attempts (OAuth state bound to the session) and each account's link health

Revision ID: 0130_account_connections
Revises:
Create Date: 2026-12-06 22:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0130_account_connections"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("account_connections",)
depends_on: str | Sequence[str] | None = ("0001_foundation", "0010_auth_sessions")

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "connect_attempts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("official_session_id", sa.Integer(), nullable=True),
        sa.Column("state_digest", sa.String(length=64), nullable=False),
        sa.Column("secret", civicloop.db.types.EncryptedJSON(), nullable=False),
        sa.Column("offered", JSON, nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("returned_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_connect_attempts_account_id_official_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_connect_attempts_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_connect_attempts_official_id_officials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connect_attempts")),
        sa.UniqueConstraint("state_digest", name=op.f("uq_connect_attempts_state_digest")),
    )
    op.create_index(op.f("ix_connect_attempts_agency_id"), "connect_attempts", ["agency_id"], unique=False)
    op.create_index(op.f("ix_connect_attempts_official_id"), "connect_attempts", ["official_id"], unique=False)
    op.create_table(
        "account_connections",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("connected_by_id", sa.Integer(), nullable=True),
        sa.Column("connected_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("scopes_granted", JSON, nullable=True),
        sa.Column("scopes_needed", JSON, nullable=False),
        sa.Column("webhook", sa.String(length=500), nullable=False),
        sa.Column("checked_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("refreshed_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_failure", sa.Text(), nullable=False),
        sa.Column("attention", sa.Text(), nullable=False),
        sa.Column("attention_since", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_account_connections_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_account_connections_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["connected_by_id"],
            ["officials.id"],
            name=op.f("fk_account_connections_connected_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_connections")),
    )
    op.create_index(op.f("ix_account_connections_agency_id"), "account_connections", ["agency_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_account_connections_agency_id"), table_name="account_connections")
    op.drop_table("account_connections")
    op.drop_index(op.f("ix_connect_attempts_official_id"), table_name="connect_attempts")
    op.drop_index(op.f("ix_connect_attempts_agency_id"), table_name="connect_attempts")
    op.drop_table("connect_attempts")
