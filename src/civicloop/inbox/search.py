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

from sqlalchemy import Boolean, ColumnElement, Select, column, func, literal, literal_column, select, table, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from civicloop.channels.models import Contact, Conversation, Message

TSHEG_SHAD = "་།"
SEARCHED = ("messages", "conversations", "contacts")
# A reference is one "word" without spaces: THROMDE-7K3M9Q, a post id.
REFERENCE_RE = re.compile(r"^\S{3,255}$")
WORD_RE = re.compile(rf"[^\s{TSHEG_SHAD}]+")
# An exact reference comes before any ranked word match.
REFERENCE_SCORE = 1_000_000.0


def fts5_query(text: str) -> str:
    """The words of ``text`` as an FTS5 query that ANDs them: each a quoted string, so that no character
    the citizen or officer typed is read as FTS5 syntax. Empty when there is no word to look for."""
    words = [w for w in WORD_RE.findall(text) if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _references(text: str) -> list[str]:
    text = text.strip()
    return sorted({text, text.upper()}) if REFERENCE_RE.match(text) else []


def _postgres(text: str) -> list[Select[*tuple[Any, ...]]]:
    query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), func.translate(text, TSHEG_SHAD, "  "))

    def vector(table: str) -> Any:
        return literal_column(f"{table}.search_vector")

    matching_contacts = select(Contact.id).where(vector("contacts").op("@@")(query))
    return [
        select(Message.conversation_id.label("conversation_id"), func.ts_rank(vector("messages"), query).label("score"))
        .select_from(Message)
        .where(vector("messages").op("@@")(query)),
        select(Conversation.id, func.ts_rank(vector("conversations"), query))
        .select_from(Conversation)
        .where(vector("conversations").op("@@")(query)),
        # A name or handle is worth more than a word somewhere in a message.
        select(Conversation.id, literal(1.0)).where(Conversation.contact_id.in_(matching_contacts)),
    ]


def _sqlite(text: str) -> list[Select[*tuple[Any, ...]]]:
    query = fts5_query(text)
    if not query:
        return []
    messages, conversations, contacts = (table(f"{name}_fts", column("rowid")) for name in SEARCHED)

    def match(fts: Any) -> Any:
        return literal_column(fts.name).op("MATCH")(query)

    def score(fts: Any) -> Any:
        # bm25 is smaller for better matches; negated, higher is better as with ts_rank.
        return -func.bm25(literal_column(fts.name))

    matching_contacts = select(contacts.c.rowid).where(match(contacts))
    return [
        select(Message.conversation_id.label("conversation_id"), score(messages).label("score"))
        .select_from(messages)
        .join(Message, Message.id == messages.c.rowid)
        .where(match(messages)),
        select(conversations.c.rowid, score(conversations)).where(match(conversations)),
        select(Conversation.id, literal(1.0)).where(Conversation.contact_id.in_(matching_contacts)),
    ]


def hits(dialect: str, text: str) -> Select[*tuple[Any, ...]]:
    """``(conversation_id, score)`` of every conversation that matches ``text``, higher scores better."""
    parts = _postgres(text) if dialect == "postgresql" else _sqlite(text)
    references = _references(text)
    if references:
        parts.append(
            select(Conversation.id.label("conversation_id"), literal(REFERENCE_SCORE).label("score")).where(
                Conversation.external_ref.in_(references)
            )
        )
    if not parts:
        return select(Conversation.id.label("conversation_id"), literal(0.0).label("score")).where(literal(False))
    found = union_all(*parts).subquery("found")
    conversation_id = found.c[0].label("conversation_id")
    return select(conversation_id, func.max(found.c[1]).label("score")).group_by(found.c[0])


class Matches(ColumnElement[bool]):
    """``column IN (conversations matching text)``, rendered for whichever database runs it, so the
    inbox's filters can use it without knowing the dialect."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, column: Any, text: str) -> None:
        self.column = column
        self.text = text


@compiles(Matches)
def _compile_matches(element: Matches, compiler: SQLCompiler, **kw: Any) -> str:
    found = hits(compiler.dialect.name, element.text).subquery("hits")
    ids = select(found.c.conversation_id)
    return f"{compiler.process(element.column, **kw)} IN ({compiler.process(ids, **kw)})"


def matches(column: Any, text: str) -> ColumnElement[bool]:
    return Matches(column, text)
