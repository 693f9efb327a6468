"""consultations: consultations, questions, attachments, responses, answers, links, report sections

Revision ID: 0500_consultations
Revises:
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import civicloop.db.types

revision: str = "0500_consultations"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("consultations",)
depends_on: str | Sequence[str] | None = "0100_channels"


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("consultation", "survey", name="consultationkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "audience",
            sa.Enum("citizens", "civil_servants", name="audience", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "audience_agency_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "scheduled",
                "open",
                "closed",
                "published",
                name="consultationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("opens_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("closes_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("hashtag", sa.String(length=64), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("closed_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("published_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("report_intro", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("themes", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=True),
        sa.Column("themes_at", civicloop.db.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_consultations_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officials.id"],
            name=op.f("fk_consultations_created_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("code", name=op.f("uq_consultations_code")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultations_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultations_status"), ["status"], unique=False)

    op.create_table(
        "consultation_accounts",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["official_accounts.id"],
            name=op.f("fk_consultation_accounts_account_id_official_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_accounts_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", "account_id", name=op.f("pk_consultation_accounts")),
    )
    op.create_table(
        "consultation_attachments",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("document", "image", name="attachmentkind", native_enum=False, length=16), nullable=False
        ),
        sa.Column("option_label", sa.String(length=8), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("alt_text", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_consultation_attachments_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_attachments_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_consultation_attachments_stored_name")),
    )
    with op.batch_alter_table("consultation_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_attachments_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consultation_attachments_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "consultation_questions",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "free_text",
                "single_choice",
                "multiple_choice",
                "rating",
                "design_option",
                name="questionkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.String(length=500), nullable=False),
        sa.Column("help_text", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column(
            "options", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_consultation_questions_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_questions_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_questions")),
    )
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_questions_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consultation_questions_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "consultation_report_sections",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=240), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("you_said", sa.Text(), nullable=False),
        sa.Column("we_did", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_consultation_report_sections_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_report_sections_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_report_sections")),
    )
    with op.batch_alter_table("consultation_report_sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_report_sections_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consultation_report_sections_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "consultation_conversations",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("reply", "reference", "manual", name="linksource", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_conversations_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_consultation_conversations_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["officials.id"],
            name=op.f("fk_consultation_conversations_linked_by_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("consultation_id", "conversation_id", name=op.f("pk_consultation_conversations")),
    )
    with op.batch_alter_table("consultation_conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_conversations_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "consultation_responses",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("submitted_at", civicloop.db.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_consultation_responses_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_responses_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_consultation_responses_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_consultation_responses_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_responses")),
        sa.UniqueConstraint(
            "consultation_id", "message_id", name=op.f("uq_consultation_responses_consultation_id_message_id")
        ),
    )
    with op.batch_alter_table("consultation_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_responses_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            "ix_consultation_responses_consultation_submitted", ["consultation_id", "submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_responses_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "consultation_answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("choices", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["consultation_questions.id"],
            name=op.f("fk_consultation_answers_question_id_consultation_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["consultation_responses.id"],
            name=op.f("fk_consultation_answers_response_id_consultation_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_answers")),
    )
    with op.batch_alter_table("consultation_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_answers_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_answers_response_id"), ["response_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consultation_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_answers_response_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_answers_question_id"))

    op.drop_table("consultation_answers")
    with op.batch_alter_table("consultation_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_responses_conversation_id"))
        batch_op.drop_index("ix_consultation_responses_consultation_submitted")
        batch_op.drop_index(batch_op.f("ix_consultation_responses_agency_id"))

    op.drop_table("consultation_responses")
    with op.batch_alter_table("consultation_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_conversations_conversation_id"))

    op.drop_table("consultation_conversations")
    with op.batch_alter_table("consultation_report_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_report_sections_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_report_sections_agency_id"))

    op.drop_table("consultation_report_sections")
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_questions_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_questions_agency_id"))

    op.drop_table("consultation_questions")
    with op.batch_alter_table("consultation_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_attachments_consultation_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_attachments_agency_id"))

    op.drop_table("consultation_attachments")
    op.drop_table("consultation_accounts")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_status"))
        batch_op.drop_index(batch_op.f("ix_consultations_agency_id"))

    op.drop_table("consultations")
