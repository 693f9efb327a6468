"""neutrality: political parties (seeded with Bhutan's) and election candidates

Revision ID: 0310_neutrality
Revises:
Create Date: 2026-12-06 20:05:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

import civicloop.db.types

revision: str = "0310_neutrality"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("neutrality",)
depends_on: str | Sequence[str] | None = "0300_guidelines"


def upgrade() -> None:
    parties = op.create_table(
        "political_parties",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("abbreviation", sa.String(length=20), nullable=False),
        sa.Column("name_dz", sa.String(length=200), nullable=False),
        sa.Column("other_names", sa.Text(), nullable=False),
        sa.Column("slogans", sa.Text(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["officials.id"],
            name=op.f("fk_political_parties_updated_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_political_parties")),
        sa.UniqueConstraint("name", name=op.f("uq_political_parties_name")),
    )
    op.create_table(
        "election_candidates",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_dz", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("constituency", sa.String(length=200), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election_periods.id"],
            name=op.f("fk_election_candidates_election_id_election_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_candidates")),
        sa.UniqueConstraint(
            "election_id", "name", "constituency", name=op.f("uq_election_candidates_election_id_name_constituency")
        ),
    )
    op.create_index(op.f("ix_election_candidates_election_id"), "election_candidates", ["election_id"])
    # The seed is the list shipped with this release; later edits happen in the app.
    seed = json.loads((resources.files("civicloop.guidelines") / "data" / "parties.json").read_text(encoding="utf-8"))[
        "parties"
    ]
    now = datetime.now(UTC)
    op.bulk_insert(
        parties,
        [
            {
                "name": p["name"],
                "abbreviation": p.get("abbreviation", ""),
                "name_dz": p.get("name_dz", ""),
                "other_names": "\n".join(p.get("other_names", [])),
                "slogans": "\n".join(p.get("slogans", [])),
                "updated_at": now,
            }
            for p in seed
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_election_candidates_election_id"), table_name="election_candidates")
    op.drop_table("election_candidates")
    op.drop_table("political_parties")
