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

Only the newest matches are ranked: at most ``CANDIDATES`` messages (and as many subjects, and the
conversations of as many matching names), newest first, which an index serves in that order and stops at —
PostgreSQL walks ``ix_messages_agency_id_created_at`` backwards (the primary key for several agencies
or all) and tests each row against the query, SQLite reads the FTS5 index in rowid order. Ranking every
message that holds a common word (one in six citizen messages hold "water": 80,000 at a million) would
read most of the table to score rows nobody pages to; a rare word or several words still find every
match (the planner then starts from the GIN index). When a part reaches its limit the result says so
(``Found.more``) and the inbox asks for another word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# A search lists at most this many conversations, best first.
MAX_HITS = 1000
# Each part of a search (messages, subjects, names) ranks at most its newest this many matches.
CANDIDATES = 1000


@dataclass(frozen=True)
class Found:
    """The matching conversations, best first, and whether more matched than were ranked or listed."""

    ids: list[int]
    more: bool


def fts5_query(text: str) -> str:
    """The words of ``text`` as an FTS5 query that ANDs them: each a quoted string, so that no character
    the citizen or officer typed is read as FTS5 syntax. Empty when there is no word to look for."""
    words = [w for w in WORD_RE.findall(text) if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _references(text: str) -> list[str]:
    text = text.strip()
    return sorted({text, text.upper()}) if REFERENCE_RE.match(text) else []


Part = Select[*tuple[Any, ...]]


def _newest(query: Part, newest: int, *order: Any) -> Part:
    """``query``'s first ``newest`` rows in ``order``, as a subquery one can union (SQLite refuses a LIMIT
    inside a compound select)."""
    inner = query.order_by(*order).limit(newest).subquery()
    return select(*inner.c)


def _message_order(agency_ids: set[int] | None) -> list[Any]:
    # One agency (an officer's inbox): its messages by date come from ix_messages_agency_id_created_at;
    # several agencies or all: by id (the order of arrival), which the primary key gives.
    if agency_ids is not None and len(agency_ids) == 1:
        return [Message.created_at.desc()]
    return [Message.id.desc()]


def _postgres(text: str, agency_ids: set[int] | None, newest: int) -> list[Part]:
    """(conversation id, score) of the newest message matches, subject matches and conversations of
    contacts whose name or handle matches."""
    query = func.websearch_to_tsquery(literal_column("'english'::regconfig"), func.translate(text, TSHEG_SHAD, "  "))

    def vector(table: str) -> Any:
        return literal_column(f"{table}.search_vector")

    def matches(table: str) -> Any:
        return vector(table).op("@@")(query)

    # The rank is computed outside the LIMIT, so only the rows kept are scored.
    messages = select(Message.conversation_id, vector("messages").label("vector")).where(matches("messages"))
    if agency_ids is not None:
        messages = messages.where(Message.agency_id.in_(agency_ids))
    latest = messages.order_by(*_message_order(agency_ids)).limit(newest).subquery()
    in_subjects = select(Conversation.id, vector("conversations").label("vector")).where(matches("conversations"))
    subjects = _scoped(in_subjects, agency_ids).order_by(Conversation.id.desc()).limit(newest).subquery()
    contacts = select(Contact.id).where(matches("contacts")).order_by(Contact.id.desc()).limit(newest)
    return [
        select(latest.c.conversation_id, func.ts_rank(latest.c.vector, query)),
        select(subjects.c.id, func.ts_rank(subjects.c.vector, query)),
        _named(contacts, agency_ids),
    ]


def _sqlite(text: str, agency_ids: set[int] | None, newest: int) -> list[Part]:
    query = fts5_query(text)
    if not query:
        return []
    messages, conversations, contacts = (table(f"{name}_fts", column("rowid")) for name in SEARCHED)

    def match(fts: Any) -> Any:
        return literal_column(fts.name).op("MATCH")(query)

    def score(fts: Any) -> Any:
        # bm25 is smaller for better matches; negated, higher is better as with ts_rank. FTS5 computes it
        # only for the rows the LIMIT keeps, since it streams matches in rowid order.
        return -func.bm25(literal_column(fts.name))

    in_messages = (
        select(Message.conversation_id, score(messages))
        .select_from(messages)
        .join(Message, Message.id == messages.c.rowid)
        .where(match(messages))
    )
    if agency_ids is not None:
        in_messages = in_messages.where(Message.agency_id.in_(agency_ids))
    subjects = (
        select(Conversation.id, score(conversations))
        .select_from(conversations)
        .join(Conversation, Conversation.id == conversations.c.rowid)
        .where(match(conversations))
    )
    named = select(contacts.c.rowid).where(match(contacts)).order_by(contacts.c.rowid.desc()).limit(newest)
    return [
        _newest(in_messages, newest, messages.c.rowid.desc()),
        _newest(_scoped(subjects, agency_ids), newest, conversations.c.rowid.desc()),
        _named(named, agency_ids),
    ]


def _scoped(query: Part, agency_ids: set[int] | None) -> Part:
    return query if agency_ids is None else query.where(Conversation.agency_id.in_(agency_ids))


def _named(contact_ids: Any, agency_ids: set[int] | None) -> Part:
    """The conversations of the (newest matching) contacts, by ``ix_conversations_contact_id``: a name or
    handle is worth more than a word somewhere in a message."""
    query = select(Conversation.id, literal(1.0)).where(Conversation.contact_id.in_(contact_ids))
    return _scoped(query, agency_ids)


def candidates(dialect: str, text: str, *, agency_ids: set[int] | None = None, newest: int = CANDIDATES) -> Part | None:
    """``(conversation_id, score, part)`` of the newest matches of ``text`` in each part (messages, subjects,
    names: the latest ``newest`` of each; exact references) within these agencies (``None``: all), higher
    scores better. None when ``text`` holds nothing to search for."""
    parts = (_postgres if dialect == "postgresql" else _sqlite)(text, agency_ids, newest)
    references = _references(text)
    if references:
        exact = select(Conversation.id, literal(REFERENCE_SCORE)).where(Conversation.external_ref.in_(references))
        parts.append(_scoped(exact, agency_ids))
    if not parts:
        return None
    labelled = [select(*part.subquery().c, literal(n)) for n, part in enumerate(parts)]
    return select(*union_all(*labelled).subquery("found").c)


def best(
    session: Session, text: str, *, agency_ids: set[int] | None, limit: int = 0, newest: int = CANDIDATES
) -> Found:
    """The conversations that match ``text`` in these agencies (``None``: every agency), best first (an
    exact reference first, then by each conversation's best-scoring match), at most ``limit`` (default
    ``MAX_HITS``), ranked among the ``newest`` latest matches of each part."""
    limit = limit or MAX_HITS
    query = candidates(session.get_bind().dialect.name, text, agency_ids=agency_ids, newest=newest)
    if query is None:
        return Found([], more=False)
    scores: dict[int, float] = {}
    per_part: dict[int, int] = {}
    for conversation_id, score, part in session.execute(query):
        per_part[part] = per_part.get(part, 0) + 1
        scores[conversation_id] = max(float(score), scores.get(conversation_id, float("-inf")))
    ranked = sorted(scores, key=lambda c: (-scores[c], -c))
    more = len(ranked) > limit or any(n >= newest for n in per_part.values())
    return Found(ranked[:limit], more=more)
