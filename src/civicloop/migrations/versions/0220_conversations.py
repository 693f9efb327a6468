"""conversations: one citizen's thread each — comment threads split by top-level comment; transfers

Until this revision every comment on a post fell into one conversation per post (and an X thread into
one per root post), so one reply to one commenter "answered" every citizen under the post. Now each
top-level comment is a conversation of its own and replies join the conversation of the comment they
answer (docs/sla.md). This revision adds ``conversations.post_ref`` (the post a conversation is under)
and ``conversation_transfers`` and splits every stored comment thread the same way ingestion now files new
comments. The SLA rows of the conversations it touched are reset to "not evaluated yet" (``evaluated_at``
NULL: no breach counted, nobody notified); ``civicloop.migrations.upgrade`` then evaluates them and
recounts the oversight days they began on with the application's rules (``migrations.recount``).

This file is self-contained: it reads and writes through the table snapshots below, in the previous
release's form, and imports nothing of the application, so a later change to the code cannot change
what it does. (Until 2026-12-07 it called the SLA engine and oversight's recount itself; the rows an
upgrade ends with are the same, tests/inbox/test_conversation_migration.py.)

Revision ID: 0220_conversations
Revises:
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0220_conversations"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("conversations",)
# Every table this revision moves rows between, in the previous release's form (0800 depends on the
# outbound and consultation revisions; listing an ancestor of another dependency confuses Alembic).
depends_on: str | Sequence[str] | None = (
    "0210_inbox",
    "0201_sla_working_days",
    "0701_oversight_months",
    "0800_accountability",
)

meta = sa.MetaData()
conversations = sa.Table(
    "conversations",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.Integer),
    sa.Column("account_id", sa.Integer),
    sa.Column("contact_id", sa.Integer),
    sa.Column("kind", sa.String),
    sa.Column("external_ref", sa.String),
    sa.Column("post_ref", sa.String),
    sa.Column("subject", sa.String),
    sa.Column("status", sa.String),
    sa.Column("assignee_id", sa.Integer),
    sa.Column("last_citizen_message_at", sa.DateTime()),
    sa.Column("last_agency_message_at", sa.DateTime()),
    sa.Column("created_at", sa.DateTime()),
    sa.Column("updated_at", sa.DateTime()),
)
messages = sa.Table(
    "messages",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.Integer),
    sa.Column("conversation_id", sa.Integer),
    sa.Column("contact_id", sa.Integer),
    sa.Column("direction", sa.String),
    sa.Column("platform", sa.String),
    sa.Column("external_id", sa.String),
    sa.Column("reply_to_external_id", sa.String),
    sa.Column("created_at", sa.DateTime()),
)
contacts = sa.Table(
    "contacts", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("platform_user_id", sa.String)
)
outbound = sa.Table(
    "outbound_messages",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.Integer),
    sa.Column("in_reply_to_message_id", sa.Integer),
    sa.Column("target", sa.String),
)
events = sa.Table(
    "conversation_events",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.Integer),
    sa.Column("conversation_id", sa.Integer),
    sa.Column("at", sa.DateTime()),
    sa.Column("kind", sa.String),
    sa.Column("value", sa.String),
    sa.Column("actor_id", sa.Integer),
)
tags = sa.Table("conversation_tags", meta, sa.Column("conversation_id", sa.Integer), sa.Column("tag_id", sa.Integer))
links = sa.Table(
    "consultation_conversations",
    meta,
    sa.Column("consultation_id", sa.Integer),
    sa.Column("conversation_id", sa.Integer),
    sa.Column("source", sa.String),
    sa.Column("linked_by_id", sa.Integer),
    sa.Column("created_at", sa.DateTime()),
)
responses = sa.Table(
    "consultation_responses",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("message_id", sa.Integer),
    sa.Column("conversation_id", sa.Integer),
)
promises = sa.Table(
    "accountability_promises",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.Integer),
    sa.Column("outbound_id", sa.Integer),
)
clocks = sa.Table(
    "conversation_sla",
    meta,
    sa.Column("conversation_id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.Integer),
    sa.Column("account_id", sa.Integer),
    sa.Column("assignee_id", sa.Integer),
    sa.Column("status", sa.String),
    sa.Column("paused", sa.Boolean),
    sa.Column("breaches", sa.Integer),
    sa.Column("notified", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
)

COMMENT_THREAD = "comment_thread"
KEEP = "keep"  # the group of messages that stays in the conversation being split


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_ref", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_conversations_account_id_post_ref", ["account_id", "post_ref"], unique=False)
    op.create_table(
        "conversation_transfers",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("from_agency_id", sa.Integer(), nullable=False),
        sa.Column("to_agency_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["officials.id"],
            name=op.f("fk_conversation_transfers_actor_id_officials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_transfers_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_agency_id"],
            ["agencies.id"],
            name=op.f("fk_conversation_transfers_from_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_agency_id"],
            ["agencies.id"],
            name=op.f("fk_conversation_transfers_to_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_transfers")),
    )
    with op.batch_alter_table("conversation_transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_transfers_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conversation_transfers_from_agency_id"), ["from_agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_transfers_to_agency_id"), ["to_agency_id"], unique=False)
    touched = split_comment_threads(op.get_bind())
    reset_clocks(op.get_bind(), touched)


def downgrade() -> None:
    # The split is not undone: a conversation per citizen is what every later figure is counted on.
    with op.batch_alter_table("conversation_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_transfers_to_agency_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_transfers_from_agency_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_transfers_conversation_id"))
    op.drop_table("conversation_transfers")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_account_id_post_ref")
        batch_op.drop_column("post_ref")


# --- the split ---------------------------------------------------------------------------------------


class Thread(NamedTuple):
    """How one stored comment thread is to be split: message ids per group key, and the post it is under."""

    groups: dict[str, list[Any]]  # key: the new conversation's external_ref (or KEEP)
    post_ref: str | None  # the post the thread is under; None when its root is a citizen's own post


def plan(conversation: Any, rows: Sequence[Any], user_ids: dict[int, str]) -> Thread:
    """Group a thread's messages the way ``channels.service`` files new ones: each top-level comment (a
    message answering no stored message, or answering the agency's own post) starts a conversation, and
    every reply goes with the message it answers. The thread's root stays where it is; when the root is
    the agency's post (or was never stored, as a Facebook post id or a YouTube video), every top-level
    comment under it becomes a conversation of its own. Telegram groups: one conversation per citizen."""
    ref = conversation.external_ref
    by_id = {row.external_id: row for row in rows if row.external_id}
    root = by_id.get(ref)
    citizens_root = root is not None and root.direction == "in"
    telegram = any(row.platform == "telegram" for row in rows)

    def key_of(row: Any) -> str:
        seen: set[str] = set()
        current = row
        while True:
            if current.external_id == ref:
                return KEEP
            parent = current.reply_to_external_id
            if not parent:
                break
            if parent == ref:
                if citizens_root:
                    return KEEP
                break
            found = by_id.get(parent)
            if found is None:
                if telegram:
                    break
                return str(parent)  # its thread's comment was never stored: the reply is filed under it
            if parent in seen:
                break
            if telegram and found.direction == "out" and not found.reply_to_external_id:
                break  # answering the bot's or channel's own post: the citizen's own thread, as ingestion files it
            seen.add(parent)
            current = found
        if telegram:
            if current.direction != "in" or current.contact_id not in user_ids:
                return KEEP
            return f"{ref}/{user_ids[current.contact_id]}"
        return str(current.external_id) if current.external_id else KEEP

    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[key_of(row)].append(row)
    return Thread(dict(groups), None if citizens_root else ref)


def split_comment_threads(bind: sa.Connection) -> list[int]:
    """Split every comment thread; returns the ids of the conversations whose messages changed."""
    touched: list[int] = []
    threads = bind.execute(
        sa.select(conversations).where(conversations.c.kind == COMMENT_THREAD).order_by(conversations.c.id)
    ).all()
    for conversation in threads:
        rows = bind.execute(
            sa.select(messages)
            .where(messages.c.conversation_id == conversation.id)
            .order_by(messages.c.created_at, messages.c.id)
        ).all()
        contact_ids = {row.contact_id for row in rows if row.contact_id is not None}
        user_ids = (
            dict(
                bind.execute(
                    sa.select(contacts.c.id, contacts.c.platform_user_id).where(contacts.c.id.in_(contact_ids))
                ).all()
            )
            if contact_ids
            else {}
        )
        thread = plan(conversation, rows, user_ids)
        bind.execute(
            conversations.update().where(conversations.c.id == conversation.id).values(post_ref=thread.post_ref)
        )
        movers = {key: group for key, group in thread.groups.items() if key != KEEP}
        if not movers:
            continue
        keys = sorted(movers, key=lambda k: (movers[k][0].created_at, movers[k][0].id))
        # A thread whose root is not stored (a Facebook post the webhook never sent, a YouTube video) keeps
        # its notes, tags and history with its first citizen rather than in an empty conversation.
        reuse = KEEP not in thread.groups
        moved: dict[int, int] = {}
        for position, key in enumerate(keys):
            first = movers[key][0]
            owner = first.contact_id if first.external_id == key and first.direction == "in" else None
            target = _target(bind, conversation, key, thread.post_ref, reuse and position == 0, owner)
            ids = [row.id for row in movers[key]]
            for start in range(0, len(ids), 500):
                bind.execute(
                    messages.update().where(messages.c.id.in_(ids[start : start + 500])).values(conversation_id=target)
                )
            moved.update(dict.fromkeys(ids, target))
            _sync_times(bind, target)
            touched.append(target)
        _sync_times(bind, conversation.id)
        touched.append(conversation.id)
        _follow(bind, conversation.id, moved, {row.external_id: row.id for row in rows if row.external_id})
    return sorted(set(touched))


def _target(
    bind: sa.Connection, conversation: Any, key: str, post_ref: str | None, reuse: bool, owner: int | None
) -> int:
    """The conversation for ``key``: the one being split (when reused), one already filed under that key
    (a reply stored before its comment), or a new one with the split conversation's state."""
    if reuse:
        values = {"external_ref": key, "contact_id": owner}
        bind.execute(conversations.update().where(conversations.c.id == conversation.id).values(**values))
        return int(conversation.id)
    existing = bind.execute(
        sa.select(conversations.c.id).where(
            conversations.c.account_id == conversation.account_id,
            conversations.c.kind == COMMENT_THREAD,
            conversations.c.external_ref == key,
        )
    ).scalar()
    if existing is not None:
        return int(existing)
    new_id = bind.execute(
        conversations.insert()
        .values(
            agency_id=conversation.agency_id,
            account_id=conversation.account_id,
            contact_id=owner,  # the citizen whose top-level comment begins it
            kind=COMMENT_THREAD,
            external_ref=key,
            post_ref=post_ref,
            subject=conversation.subject,
            status=conversation.status,
            assignee_id=conversation.assignee_id,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
        )
        .returning(conversations.c.id)
    ).scalar_one()
    # The thread's status history (its pauses) and tags apply to each citizen's part of it.
    history = bind.execute(
        sa.select(events).where(events.c.conversation_id == conversation.id, events.c.kind == "status")
    ).all()
    if history:
        bind.execute(
            events.insert(),
            [
                {
                    "agency_id": e.agency_id,
                    "conversation_id": new_id,
                    "at": e.at,
                    "kind": e.kind,
                    "value": e.value,
                    "actor_id": e.actor_id,
                }
                for e in history
            ],
        )
    tag_ids = bind.execute(sa.select(tags.c.tag_id).where(tags.c.conversation_id == conversation.id)).scalars().all()
    if tag_ids:
        bind.execute(tags.insert(), [{"conversation_id": new_id, "tag_id": t} for t in tag_ids])
    linked = bind.execute(sa.select(links).where(links.c.conversation_id == conversation.id)).all()
    if linked:
        bind.execute(
            links.insert(),
            [
                {
                    "consultation_id": link.consultation_id,
                    "conversation_id": new_id,
                    "source": link.source,
                    "linked_by_id": link.linked_by_id,
                    "created_at": link.created_at,
                }
                for link in linked
            ],
        )
    return int(new_id)


def _sync_times(bind: sa.Connection, conversation_id: int) -> None:
    latest = bind.execute(
        sa.select(
            sa.func.max(sa.case((messages.c.direction == "in", messages.c.created_at))),
            sa.func.max(sa.case((messages.c.direction == "out", messages.c.created_at))),
            sa.func.min(messages.c.created_at),
        ).where(messages.c.conversation_id == conversation_id)
    ).one()
    values: dict[str, Any] = {"last_citizen_message_at": latest[0], "last_agency_message_at": latest[1]}
    if latest[2] is not None:
        values["created_at"] = latest[2]
    bind.execute(conversations.update().where(conversations.c.id == conversation_id).values(**values))


def _follow(bind: sa.Connection, old_id: int, moved: dict[int, int], message_ids: dict[str, int]) -> None:
    """Rows that point at a conversation through one of its messages follow that message."""
    sent = bind.execute(sa.select(outbound).where(outbound.c.conversation_id == old_id)).all()
    for row in sent:
        message_id = row.in_reply_to_message_id or message_ids.get(row.target or "")
        if message_id in moved:
            bind.execute(outbound.update().where(outbound.c.id == row.id).values(conversation_id=moved[message_id]))
            bind.execute(
                promises.update().where(promises.c.outbound_id == row.id).values(conversation_id=moved[message_id])
            )
    answers = bind.execute(
        sa.select(responses.c.id, responses.c.message_id).where(responses.c.conversation_id == old_id)
    ).all()
    for answer_id, message_id in answers:
        if message_id in moved:
            bind.execute(
                responses.update().where(responses.c.id == answer_id).values(conversation_id=moved[message_id])
            )


# --- what was counted per thread ----------------------------------------------------------------------


def reset_clocks(bind: sa.Connection, conversation_ids: list[int]) -> None:
    """Give each touched conversation a fresh SLA row, not evaluated yet: the old rows counted the whole
    thread's breaches, each part now counts its own. The row carries the copies the inbox lists it by
    (agency, account, assignee, status), so every conversation stays listed; its clocks, and the oversight
    days it began on, are recounted by ``civicloop.migrations.recount`` once every revision has run."""
    for start in range(0, len(conversation_ids), 500):
        chunk = conversation_ids[start : start + 500]
        bind.execute(clocks.delete().where(clocks.c.conversation_id.in_(chunk)))
        found = bind.execute(
            sa.select(
                conversations.c.id,
                conversations.c.agency_id,
                conversations.c.account_id,
                conversations.c.assignee_id,
                conversations.c.status,
            ).where(conversations.c.id.in_(chunk))
        ).all()
        if not found:
            continue
        fresh = [
            {
                "conversation_id": row.id,
                "agency_id": row.agency_id,
                "account_id": row.account_id,
                "assignee_id": row.assignee_id,
                "status": row.status,
                "paused": False,
                "breaches": 0,
                "notified": [],
            }
            for row in found
        ]
        bind.execute(clocks.insert(), fresh)
