"""contacts: citizens linking an agency's contacts on several channels into one person

Revision ID: 0230_contacts
Revises:
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0230_contacts"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("contacts",)
depends_on: str | Sequence[str] | None = ("0100_channels", "0210_inbox")


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_citizens_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officials.id"], name=op.f("fk_citizens_created_by_id_officials"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
    )
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizens_agency_id"), ["agency_id"], unique=False)
    op.create_table(
        "citizen_contacts",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_citizen_contacts_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_citizen_contacts_citizen_id_citizens"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_citizen_contacts_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["officials.id"],
            name=op.f("fk_citizen_contacts_linked_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_citizen_contacts")),
    )
    with op.batch_alter_table("citizen_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_contacts_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizen_contacts_citizen_id"), ["citizen_id"], unique=False)


def downgrade() -> None:
    op.drop_table("citizen_contacts")
    op.drop_table("citizens")
