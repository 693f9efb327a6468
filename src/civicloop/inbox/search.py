"""Word search over the inbox with the database's own full-text engine.

What is searched: every message's text, the citizen's name and handle, the conversation's subject (a web
form's topic), and — exactly — its reference (a web form's reference number, a post id). Words are ANDed
("streetlights Norzin" finds a message holding both), English words are stemmed ("streetlight" finds
"streetlights"), and Dzongkha is split into syllables on the tsheg ་ and the shad །, so any syllable
finds the messages that contain it. An exact reference outranks every word match.

PostgreSQL: ``websearch_to_tsquery('english', …)`` against a stored ``search_vector`` (tsvector) with a GIN
index, ranked by ``ts_rank``. SQLite: FTS5 tables (porter stemmer over unicode61) ranked by ``bm25``.
Both are kept in step with the rows by the database itself (revision 0230_inbox_search), so every
insert and edit is searchable at once. Agency isolation is the caller's: the hits are conversation ids,
which the inbox intersects with the conversations the official may see.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, column, func, literal, literal_column, select, table, union_all
from sqlalchemy.orm import Session

from civicloop.channels.models import Contact, Conversation, Message

TSHEG_SHAD = "་།"
SEARCHED = ("messages", "conversations", "contacts")
# A reference is one "word" without spaces: THROMDE-7K3M9Q, a post id.
REFERENCE_RE = re.compile(r"^\S{3,255}$")
WORD_RE = re.compile(rf"[^\s{TSHEG_SHAD}]+")
# An exact reference comes before any ranked word match.
REFERENCE_SCORE = 1_000_000.0
# A search shows the best this many conversations (and says so): ranking and counting every one of tens
# of thousands of matches of a common word would cost more than it tells.
MAX_HITS = 1000


def fts5_query(text: str) -> str:
    """The words of ``text`` as an FTS5 query that ANDs them: each a quoted string, so that no character
    the citizen or officer typed is read as FTS5 syntax. Empty when there is no word to look for."""
    words = [w for w in WORD_RE.findall(text) if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _references(text: str) -> list[str]:
    text = text.strip()
    return sorted({text, text.upper()}) if REFERENCE_RE.match(text) else []


Part = Select[*tuple[Any, ...]]


def _postgres(text: str) -> tuple[Part, Part, Any] | None:
    """(message matches, subject matches, ids of contacts whose name or handle matches), each scored."""
    query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), func.translate(text, TSHEG_SHAD, "  "))

    def vector(table: str) -> Any:
        return literal_column(f"{table}.search_vector")

    return (
        select(Message.conversation_id, func.ts_rank(vector("messages"), query))
        .select_from(Message)
        .where(vector("messages").op("@@")(query)),
        select(Conversation.id, func.ts_rank(vector("conversations"), query))
        .select_from(Conversation)
        .where(vector("conversations").op("@@")(query)),
        select(Contact.id).where(vector("contacts").op("@@")(query)),
    )


def _sqlite(text: str) -> tuple[Part, Part, Any] | None:
    query = fts5_query(text)
    if not query:
        return None
    messages, conversations, contacts = (table(f"{name}_fts", column("rowid")) for name in SEARCHED)

    def match(fts: Any) -> Any:
        return literal_column(fts.name).op("MATCH")(query)

    def score(fts: Any) -> Any:
        # bm25 is smaller for better matches; negated, higher is better as with ts_rank.
        return -func.bm25(literal_column(fts.name))

    return (
        select(Message.conversation_id, score(messages))
        .select_from(messages)
        .join(Message, Message.id == messages.c.rowid)
        .where(match(messages)),
        select(Conversation.id, score(conversations))
        .select_from(conversations)
        .join(Conversation, Conversation.id == conversations.c.rowid)
        .where(match(conversations)),
        select(contacts.c.rowid).where(match(contacts)),
    )


def hits(dialect: str, text: str, *, agency_ids: set[int] | None = None) -> Part:
    """``(conversation_id, score)`` of every conversation of these agencies (``None``: all) that matches
    ``text``, higher scores better."""
    in_messages: list[Part] = []
    in_conversations: list[Part] = []
    words = _postgres(text) if dialect == "postgresql" else _sqlite(text)
    if words is not None:
        messages, subjects, contacts = words
        in_messages.append(messages if agency_ids is None else messages.where(Message.agency_id.in_(agency_ids)))
        # A name or handle is worth more than a word somewhere in a message.
        in_conversations += [
            subjects,
            select(Conversation.id, literal(1.0)).where(Conversation.contact_id.in_(contacts)),
        ]
    references = _references(text)
    if references:
        in_conversations.append(
            select(Conversation.id, literal(REFERENCE_SCORE)).where(Conversation.external_ref.in_(references))
        )
    if agency_ids is not None:
        in_conversations = [part.where(Conversation.agency_id.in_(agency_ids)) for part in in_conversations]
    parts = in_messages + in_conversations
    if not parts:
        return select(literal(0).label("conversation_id"), literal(0.0).label("score")).where(literal(False))
    found = union_all(*parts).subquery("found")
    return select(found.c[0].label("conversation_id"), func.max(found.c[1]).label("score")).group_by(found.c[0])


def best(session: Session, text: str, *, agency_ids: set[int] | None, limit: int = 0) -> list[int]:
    """The ids of the conversations that match ``text`` in these agencies (``None``: every agency), best
    first, at most ``limit`` (default ``MAX_HITS``)."""
    ranked = hits(session.get_bind().dialect.name, text, agency_ids=agency_ids).subquery("ranked")
    query = select(ranked.c.conversation_id).order_by(ranked.c.score.desc(), ranked.c.conversation_id.desc())
    return list(session.scalars(query.limit(limit or MAX_HITS)))
