"""accountability: commitments, updates, notices, opt-outs, promises

Revision ID: 0800_accountability
Revises:
Create Date: 2026-12-06 19:35:01.171104
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0800_accountability"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("accountability",)
depends_on: str | Sequence[str] | None = ("0511_consultation_respondents", "0110_outbound")


def upgrade() -> None:
    op.create_table(
        "accountability_opt_outs",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_accountability_opt_outs_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_accountability_opt_outs_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_accountability_opt_outs")),
    )
    with op.batch_alter_table("accountability_opt_outs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_opt_outs_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "accountability_commitments",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("division", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "in_progress", "done", "dropped", name="commitmentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("dropped_reason", sa.Text(), nullable=False),
        sa.Column("themes", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column(
            "response_ids", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_accountability_commitments_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_accountability_commitments_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_accountability_commitments_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["consultation_report_sections.id"],
            name=op.f("fk_accountability_commitments_section_id_consultation_report_sections"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_commitments")),
    )
    with op.batch_alter_table("accountability_commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_commitments_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_accountability_commitments_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_accountability_commitments_status"), ["status"], unique=False)

    op.create_table(
        "accountability_updates",
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "in_progress", "done", "dropped", name="commitmentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("status_changed", sa.Boolean(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photo_name", sa.String(length=80), nullable=True),
        sa.Column("photo_alt", sa.String(length=300), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_accountability_updates_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["officials.id"],
            name=op.f("fk_accountability_updates_author_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["accountability_commitments.id"],
            name=op.f("fk_accountability_updates_commitment_id_accountability_commitments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_updates")),
    )
    with op.batch_alter_table("accountability_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_updates_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accountability_updates_commitment_id"), ["commitment_id"], unique=False)

    op.create_table(
        "accountability_notices",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_accountability_notices_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_accountability_notices_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbound_id"],
            ["outbound_messages.id"],
            name=op.f("fk_accountability_notices_outbound_id_outbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["accountability_updates.id"],
            name=op.f("fk_accountability_notices_update_id_accountability_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_notices")),
        sa.UniqueConstraint("update_id", "participant", name=op.f("uq_accountability_notices_update_id_participant")),
    )
    with op.batch_alter_table("accountability_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_notices_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accountability_notices_update_id"), ["update_id"], unique=False)

    op.create_table(
        "accountability_promises",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=120), nullable=False),
        sa.Column("excerpt", sa.String(length=400), nullable=False),
        sa.Column("due_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "kept", "dismissed", name="promisestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("kept_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("kept_note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_accountability_promises_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["officials.id"],
            name=op.f("fk_accountability_promises_assignee_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_accountability_promises_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["officials.id"],
            name=op.f("fk_accountability_promises_decided_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbound_id"],
            ["outbound_messages.id"],
            name=op.f("fk_accountability_promises_outbound_id_outbound_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_promises")),
        sa.UniqueConstraint("outbound_id", name=op.f("uq_accountability_promises_outbound_id")),
    )
    with op.batch_alter_table("accountability_promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_promises_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_accountability_promises_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_accountability_promises_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_accountability_promises_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("accountability_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_promises_status"))
        batch_op.drop_index(batch_op.f("ix_accountability_promises_due_at"))
        batch_op.drop_index(batch_op.f("ix_accountability_promises_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_accountability_promises_agency_id"))

    op.drop_table("accountability_promises")
    with op.batch_alter_table("accountability_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_notices_update_id"))
        batch_op.drop_index(batch_op.f("ix_accountability_notices_agency_id"))

    op.drop_table("accountability_notices")
    with op.batch_alter_table("accountability_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_updates_commitment_id"))
        batch_op.drop_index(batch_op.f("ix_accountability_updates_agency_id"))

    op.drop_table("accountability_updates")
    with op.batch_alter_table("accountability_commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_commitments_status"))
        batch_op.drop_index(batch_op.f("ix_accountability_commitments_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_accountability_commitments_agency_id"))

    op.drop_table("accountability_commitments")
    with op.batch_alter_table("accountability_opt_outs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_opt_outs_agency_id"))

    op.drop_table("accountability_opt_outs")
