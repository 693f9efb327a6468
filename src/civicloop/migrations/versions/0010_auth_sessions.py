"""auth sessions: server-side official sessions, atomic sign-in counters (replacing login_failures)

Revision ID: 0010_auth_sessions
Revises:
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0010_auth_sessions"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("auth_sessions",)
depends_on: str | Sequence[str] | None = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "official_sessions",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_official_sessions_official_id_officials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_sessions")),
        sa.UniqueConstraint("digest", name=op.f("uq_official_sessions_digest")),
    )
    with op.batch_alter_table("official_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_official_sessions_official_id"), ["official_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_sessions_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "login_counters",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_counters")),
    )
    # Failures were counted by reading rows back, which parallel requests could all do before any wrote.
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_email"))
        batch_op.drop_index(batch_op.f("ix_login_failures_at"))
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_email"), ["email"], unique=False)
    op.drop_table("login_counters")
    with op.batch_alter_table("official_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_official_sessions_expires_at"))
        batch_op.drop_index(batch_op.f("ix_official_sessions_official_id"))
    op.drop_table("official_sessions")
