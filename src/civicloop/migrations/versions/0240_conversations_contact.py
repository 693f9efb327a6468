"""conversations_contact: an index on conversations.contact_id

The inbox search finds a citizen's conversations by name or handle (the contacts matching, then their
conversations), and a citizen's history lists a contact's conversations. Without this index both read
every conversation of the agency: about 100 ms of a search at a million messages on SQLite, whatever
was searched for (docs/benchmarks.md, "Search").

Revision ID: 0240_conversations_contact
Revises:
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0240_conversations_contact"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("conversations_contact",)
depends_on: str | Sequence[str] | None = ("0100_channels",)


def upgrade() -> None:
    op.create_index("ix_conversations_contact_id", "conversations", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_contact_id", table_name="conversations")
