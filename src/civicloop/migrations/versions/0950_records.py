"""records: retention schedule, legal holds, disposal runs, records-request exports

Revision ID: 0950_records
Revises:
Create Date: 2026-12-06 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0950_records"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("records",)
depends_on: str | Sequence[str] | None = ("0100_channels", "0001_foundation")


def upgrade() -> None:
    op.create_table(
        "records_retention_rules",
        sa.Column("record_class", sa.String(length=32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["officials.id"],
            name=op.f("fk_records_retention_rules_updated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("record_class", name=op.f("pk_records_retention_rules")),
    )
    op.create_table(
        "records_legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("since", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("until", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("search", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_records_legal_holds_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_records_legal_holds_account_id_official_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_records_legal_holds_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"],
            ["officials.id"],
            name=op.f("fk_records_legal_holds_placed_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["officials.id"],
            name=op.f("fk_records_legal_holds_lifted_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records_legal_holds")),
    )
    with op.batch_alter_table("records_legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_legal_holds_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_records_legal_holds_lifted_at"), ["lifted_at"], unique=False)
    op.create_table(
        "records_disposal_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("report", civicloop.db.types.JSONType, nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["officials.id"], name=op.f("fk_records_disposal_runs_by_id_officials"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records_disposal_runs")),
    )
    with op.batch_alter_table("records_disposal_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_disposal_runs_at"), ["at"], unique=False)
    op.create_table(
        "records_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("criteria", civicloop.db.types.JSONType, nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "running", "done", "failed", name="exportstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=True),
        sa.Column("finished_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_records_exports_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["officials.id"],
            name=op.f("fk_records_exports_requested_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records_exports")),
    )
    with op.batch_alter_table("records_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_exports_agency_id"), ["agency_id"], unique=False)
    # Where the audit chain begins once the retention schedule disposed of its oldest entries.
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pruned_seq", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("pruned_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("pruned_hash")
        batch_op.drop_column("pruned_seq")
    op.drop_table("records_exports")
    op.drop_table("records_disposal_runs")
    op.drop_table("records_legal_holds")
    op.drop_table("records_retention_rules")
