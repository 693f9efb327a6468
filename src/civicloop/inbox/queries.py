"""Reading the inbox: the filtered list (waiting longest first), counts per filter, one thread."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, defer

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.auth.models import Membership, Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels.models import Contact, Conversation, ConversationStatus, Direction, Message
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.consultations.models import ConsultationConversation
from civicloop.errors import Invalid
from civicloop.inbox import search
from civicloop.inbox.models import (
    CitizenContact,
    ConversationEvent,
    ConversationSla,
    ConversationTag,
    Note,
    SavedReply,
    Tag,
)
from civicloop.sla.engine import SlaState

PER_PAGE = 50
STATUSES = {
    "active": [ConversationStatus.open, ConversationStatus.waiting],
    "open": [ConversationStatus.open],
    "waiting": [ConversationStatus.waiting],
    "closed": [ConversationStatus.closed],
    "all": list(ConversationStatus),
}
STATUS_FILTERS = tuple(STATUSES)
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
ASSIGNEE_FILTERS = ("anyone", "me", "unassigned")

# Roles whose holders a conversation may be assigned to.
ASSIGNABLE_ROLES = frozenset({Role.officer, Role.agency_head, Role.agency_admin, Role.analyst})


@dataclass(frozen=True)
class Filters:
    """What the officer asked to see. ``status="active"`` (the default) is open and waiting together."""

    status: str = "active"
    agency_id: int | None = None
    channel: str | None = None
    account_id: int | None = None
    assignee: str = "anyone"
    tag: str | None = None
    sla: str | None = None
    consultation_id: int | None = None
    q: str = ""
    # The search resolved to conversation ids, best first (``with_search``); not part of the address.
    found: tuple[int, ...] | None = field(default=None, compare=False, repr=False)
    # More matched than the search ranked or lists (``search.Found.more``).
    more: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.status not in STATUS_FILTERS:
            raise Invalid(f"status must be one of {', '.join(STATUS_FILTERS)}", field="status")
        if self.assignee not in ASSIGNEE_FILTERS and not self.assignee.isdigit():
            raise Invalid("assignee must be anyone, me, unassigned or an official's id", field="assignee")
        if self.sla is not None and self.sla not in SlaState.__members__:
            raise Invalid("sla must be on_track, at_risk or breached", field="sla")
        if len(self.q) > 200:
            raise Invalid("the search text is too long", field="q")

    def query_string(self, **changes: Any) -> str:
        from urllib.parse import urlencode

        values = {k: v for k, v in {**self.__dict__, **changes}.items() if k not in ("found", "more")}
        defaults = Filters().__dict__
        return urlencode({k: v for k, v in values.items() if v not in (None, "") and v != defaults.get(k)})


def filters_from_query(
    status: str = "active",
    agency_id: int | None = None,
    channel: str | None = None,
    account_id: int | None = None,
    assignee: str = "anyone",
    tag: str | None = None,
    sla: str | None = None,
    consultation_id: int | None = None,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Filters:
    """The filters from a request's query string (a FastAPI dependency for the page and the API)."""
    return Filters(
        status=status,
        agency_id=agency_id,
        channel=channel or None,
        account_id=account_id,
        assignee=assignee,
        tag=tag or None,
        sla=sla or None,
        consultation_id=consultation_id,
        q=q,
    )


FiltersDep = Annotated[Filters, Depends(filters_from_query)]


@dataclass(frozen=True)
class Row:
    conversation: Conversation
    sla: ConversationSla | None
    account: OfficialAccount
    contact: Contact | None
    preview: str
    author: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The citizen (for a comment thread: the one whose comment begins it, else the latest commenter)."""
        if self.conversation.kind.value == "comment_thread":
            return f"{(self.contact.display_name if self.contact else self.author) or 'Citizens'} on a post"
        if self.contact is not None:
            return self.contact.display_name
        return self.conversation.subject or self.author or f"Conversation {self.conversation.id}"

    @property
    def waiting_since(self) -> datetime | None:
        return self.sla.response_started_at if self.sla else None


@dataclass(frozen=True)
class InboxList:
    rows: list[Row]
    total: int
    page: int
    counts: dict[str, dict[str, int]]

    # A search matched more than it ranks: the newest this many matches of each part were ranked (and at
    # most ``search.MAX_HITS`` conversations are listed); else 0.
    capped: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


S = ConversationSla


def _filtered(query: Q, actor: Actor, filters: Filters, *, skip: str = "") -> Q:
    """``query`` over the inbox's SLA rows (one per conversation, copying its agency, account,
    assignee and status, see ``ConversationSla``) narrowed by every filter except ``skip``, so that
    counts can show what each choice of that filter would give. Driving the list from these rows lets
    one index, (agency_id, status, response_started_at), serve the default view and its counts."""
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(S.agency_id.in_(visible))
    if filters.agency_id is not None:
        actor.require_view(filters.agency_id)
        query = query.where(S.agency_id == filters.agency_id)
    if skip != "status":
        query = query.where(S.status.in_([status.value for status in STATUSES[filters.status]]))
    if filters.channel and skip != "channel":
        query = query.where(
            S.account_id.in_(select(OfficialAccount.id).where(OfficialAccount.platform == filters.channel))
        )
    if filters.account_id is not None and skip != "account":
        query = query.where(S.account_id == filters.account_id)
    if skip != "assignee":
        if filters.assignee == "me":
            query = query.where(S.assignee_id == actor.id)
        elif filters.assignee == "unassigned":
            query = query.where(S.assignee_id.is_(None))
        elif filters.assignee.isdigit():
            query = query.where(S.assignee_id == int(filters.assignee))
    if filters.sla and skip != "sla":
        query = query.where(S.state == SlaState(filters.sla))
    if filters.tag and skip != "tag":
        query = query.where(
            exists(
                select(ConversationTag.conversation_id)
                .join(Tag, Tag.id == ConversationTag.tag_id)
                .where(ConversationTag.conversation_id == S.conversation_id, Tag.name == filters.tag.lower())
            )
        )
    if filters.consultation_id is not None and skip != "consultation":
        query = query.where(
            exists(
                select(ConsultationConversation.conversation_id).where(
                    ConsultationConversation.conversation_id == S.conversation_id,
                    ConsultationConversation.consultation_id == filters.consultation_id,
                )
            )
        )
    if filters.q.strip():
        found = filters.found if filters.found is not None else ()
        query = query.where(S.conversation_id.in_(found))
    return query


def with_search(session: Session, actor: Actor, filters: Filters) -> Filters:
    """``filters`` with its search text resolved once, in the database's full-text engine, to the ids of
    the best ``search.MAX_HITS`` matching conversations the official may see, ranked among the newest
    ``search.CANDIDATES`` matches (``inbox.search``): every count and the page then read those ids by key
    instead of searching again."""
    if not filters.q.strip() or filters.found is not None:
        return filters
    agency_ids = actor.agency_ids()
    if filters.agency_id is not None:
        actor.require_view(filters.agency_id)
        agency_ids = {filters.agency_id}
    found = search.best(session, filters.q.strip(), agency_ids=agency_ids)
    return replace(filters, found=tuple(found.ids), more=found.more)


def _grouped(session: Session, actor: Actor, filters: Filters, skip: str = "") -> list[Any]:
    """(SLA state, me/unassigned/other, account, count) over the filtered conversations: one pass
    gives the total and the counts of every filter that is not set."""
    who = case((S.assignee_id.is_(None), "unassigned"), (S.assignee_id == actor.id, "me"), else_="other")
    query = _filtered(select(S.state, who, S.account_id, func.count()), actor, filters, skip=skip)
    return list(session.execute(query.group_by(S.state, who, S.account_id)))


def _linked_counts(session: Session, actor: Actor, filters: Filters, dimension: str) -> dict[str, int]:
    """Conversations per tag name or per consultation id (the other filters kept): a conversation
    with two tags counts once under each."""
    if dimension == "tag":
        key: Any = Tag.name
        query = select(key, func.count()).select_from(S)
        query = query.join(ConversationTag, ConversationTag.conversation_id == S.conversation_id)
        query = query.join(Tag, Tag.id == ConversationTag.tag_id)
    else:
        key = ConsultationConversation.consultation_id
        query = select(key, func.count()).select_from(S)
        query = query.join(ConsultationConversation, ConsultationConversation.conversation_id == S.conversation_id)
    grouped = _filtered(query, actor, filters, skip=dimension).group_by(key)
    return {str(value): n for value, n in session.execute(grouped)}


def counts(session: Session, *, actor: Actor, filters: Filters) -> tuple[int, dict[str, dict[str, int]]]:
    """The total, and for each filter how many conversations each of its choices would show (the
    other filters kept). Keys: status, sla and channel values, me/unassigned/anyone, account ids,
    tag names and consultation ids, as strings."""
    filters = with_search(session, actor, filters)
    status_query = _filtered(select(S.status, func.count()), actor, filters, skip="status")
    by_status: dict[str, int] = dict(session.execute(status_query.group_by(S.status)).all())
    by_status["active"] = by_status.get("open", 0) + by_status.get("waiting", 0)
    by_status["all"] = sum(by_status.get(s.value, 0) for s in ConversationStatus)
    platforms = {a: p.value for a, p in session.execute(select(OfficialAccount.id, OfficialAccount.platform))}
    main = _grouped(session, actor, filters)
    out: dict[str, dict[str, int]] = {"status": by_status, "sla": {}, "assignee": {}, "channel": {}, "account": {}}
    set_filters = {
        "sla": bool(filters.sla),
        "assignee": filters.assignee != "anyone",
        "channel": bool(filters.channel),
        "account": filters.account_id is not None,
    }
    for dimension, is_set in set_filters.items():
        rows = _grouped(session, actor, filters, skip=dimension) if is_set else main
        tally = out[dimension]
        for state, who, account_id, n in rows:
            key = {"sla": getattr(state, "value", state) or "none", "assignee": who,
                   "channel": platforms.get(account_id, "?"), "account": str(account_id)}[dimension]  # fmt: skip
            tally[key] = tally.get(key, 0) + n
    out["tag"] = _linked_counts(session, actor, filters, "tag")
    out["consultation"] = _linked_counts(session, actor, filters, "consultation")
    assignees = out["assignee"]
    assignees["anyone"] = sum(assignees.values())
    return sum(n for *_, n in main), out


def list_conversations(session: Session, *, actor: Actor, filters: Filters, page: int = 1) -> InboxList:
    """One page of conversations, the citizen waiting longest first, then the latest citizen message."""
    page = max(1, page)
    filters = with_search(session, actor, filters)
    total, tallies = counts(session, actor=actor, filters=filters)
    ids_query = _filtered(select(S.conversation_id), actor, filters)
    if filters.found is not None:
        # A search lists the best matches first (an exact reference before any word match).
        rank = {conversation_id: n for n, conversation_id in enumerate(filters.found)}
        shown = sorted(session.scalars(ids_query), key=rank.__getitem__)
        ids = shown[(page - 1) * PER_PAGE : page * PER_PAGE]
    else:
        ids_query = ids_query.order_by(
            S.response_started_at.asc().nulls_last(),
            S.seen_citizen_at.desc().nulls_last(),
            S.conversation_id.desc(),
        )
        ids = list(session.scalars(ids_query.offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    found = {
        c.id: (c, s)
        for c, s in session.execute(
            select(Conversation, S).join(S, S.conversation_id == Conversation.id).where(Conversation.id.in_(ids))
        )
    }
    account_ids = {c.account_id for c, _ in found.values()}
    # Only the columns shown: loading whole account rows would decrypt their credentials.
    accounts = {
        a.id: a
        for a in session.scalars(
            select(OfficialAccount)
            .options(defer(OfficialAccount.credentials))
            .where(OfficialAccount.id.in_(account_ids))
        )
    }
    contact_ids = {c.contact_id for c, _ in found.values() if c.contact_id}
    contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))}
    previews = _previews(session, ids)
    tags = tags_of(session, ids)
    rows = [
        Row(
            conversation=conversation,
            sla=sla_row,
            account=accounts[conversation.account_id],
            contact=contacts.get(conversation.contact_id) if conversation.contact_id else None,
            author=previews.get(conversation.id, ("", ""))[0],
            preview=previews.get(conversation.id, ("", ""))[1],
            tags=tags.get(conversation.id, []),
        )
        for conversation, sla_row in (found[i] for i in ids if i in found)
    ]
    capped = search.CANDIDATES if filters.found is not None and filters.more else 0
    return InboxList(rows=rows, total=total, page=page, counts=tallies, capped=capped)


def _previews(session: Session, conversation_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The latest citizen message of each conversation, shortened, and who wrote it."""
    if not conversation_ids:
        return {}
    latest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(conversation_ids), Message.direction == Direction.inbound)
        .group_by(Message.conversation_id)
    )
    query = (
        select(Message.conversation_id, Contact.display_name, Message.text)
        .outerjoin(Contact, Contact.id == Message.contact_id)
        .where(Message.id.in_(latest))
    )
    return {cid: (name or "", text[:160]) for cid, name, text in session.execute(query)}


# -- one conversation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadItem:
    """A message in the thread, with the CivicLoop reply it came from (if any)."""

    message: Message
    outbound: OutboundMessage | None
    contact: Contact | None


def thread(session: Session, conversation: Conversation) -> tuple[list[ThreadItem], list[OutboundMessage]]:
    """The messages in order, and the replies not (yet) delivered: queued, held, failed, unconfirmed."""
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.created_at, Message.id)
        )
    )
    outbound = list(
        session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.conversation_id == conversation.id)
            .order_by(OutboundMessage.created_at, OutboundMessage.id)
        )
    )
    by_external = {o.external_id: o for o in outbound if o.external_id}
    contact_ids = {m.contact_id for m in messages if m.contact_id}
    contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))}
    items = [
        ThreadItem(
            message=m,
            outbound=by_external.get(m.external_id) if m.direction is Direction.outbound and m.external_id else None,
            contact=contacts.get(m.contact_id) if m.contact_id else None,
        )
        for m in messages
    ]
    delivered = {item.outbound.id for item in items if item.outbound is not None}
    # Replies on their way (or refused), and any sent one whose message is not in the thread yet.
    return items, [o for o in outbound if o.id not in delivered]


@dataclass(frozen=True)
class Detail:
    """One conversation as its page and its API both show it."""

    row: Row
    agency: Agency
    items: list[ThreadItem]
    pending: list[OutboundMessage]
    notes: list[Note]


def detail(session: Session, conversation: Conversation) -> Detail:
    """``conversation`` (already fetched for the actor) with its account, citizen, SLA row, tags and thread."""
    agency = session.get(Agency, conversation.agency_id)
    account = session.get(OfficialAccount, conversation.account_id)
    assert agency is not None and account is not None
    items, pending = thread(session, conversation)
    row = Row(
        conversation=conversation,
        sla=session.get(ConversationSla, conversation.id),
        account=account,
        contact=session.get(Contact, conversation.contact_id) if conversation.contact_id else None,
        preview="",
        tags=tags_of(session, [conversation.id]).get(conversation.id, []),
    )
    return Detail(row=row, agency=agency, items=items, pending=pending, notes=notes_of(session, conversation.id))


def official_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {o.id: o.name for o in session.scalars(select(Official).where(Official.id.in_(ids)))}


def saved_reply_of(session: Session, *, agency_id: int, saved_reply_id: int) -> SavedReply | None:
    """The agency's saved reply with this id; None for another agency's."""
    saved = session.get(SavedReply, saved_reply_id)
    return saved if saved is not None and saved.agency_id == agency_id else None


def earlier_conversations(session: Session, conversation: Conversation, limit: int = 10) -> list[Conversation]:
    """The same citizen's other conversations with this agency (by contact and the contacts linked to it,
    on any account)."""
    contact_ids: set[int] = set()
    if conversation.contact_id:
        contact_ids.add(conversation.contact_id)
    else:
        contact_ids |= set(
            session.scalars(
                select(Message.contact_id)
                .where(Message.conversation_id == conversation.id, Message.contact_id.is_not(None))
                .distinct()
                .limit(20)
            )
        )
    if not contact_ids:
        return []
    # Contacts an officer linked as the same citizen (``inbox.citizens``) count as this citizen.
    citizens = select(CitizenContact.citizen_id).where(CitizenContact.contact_id.in_(contact_ids))
    contact_ids |= set(
        session.scalars(select(CitizenContact.contact_id).where(CitizenContact.citizen_id.in_(citizens)))
    )
    query = (
        select(Conversation)
        .where(
            Conversation.agency_id == conversation.agency_id,
            Conversation.id != conversation.id,
            or_(
                Conversation.contact_id.in_(contact_ids),
                exists(
                    select(Message.id).where(
                        and_(Message.conversation_id == Conversation.id, Message.contact_id.in_(contact_ids))
                    )
                ),
            ),
        )
        .order_by(Conversation.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def members(session: Session, agency_id: int) -> list[Official]:
    """Officials a conversation of this agency may be assigned to."""
    query = (
        select(Official)
        .join(Membership, Membership.official_id == Official.id)
        .where(Membership.agency_id == agency_id, Membership.role.in_(ASSIGNABLE_ROLES), Official.active.is_(True))
        .order_by(Official.name)
        .distinct()
    )
    return list(session.scalars(query))


def tags_of(session: Session, conversation_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not conversation_ids:
        return out
    query = (
        select(ConversationTag.conversation_id, Tag.name)
        .join(Tag, Tag.id == ConversationTag.tag_id)
        .where(ConversationTag.conversation_id.in_(conversation_ids))
        .order_by(Tag.name)
    )
    for conversation_id, name in session.execute(query):
        out.setdefault(conversation_id, []).append(name)
    return out


def notes_of(session: Session, conversation_id: int) -> list[Note]:
    return list(
        session.scalars(select(Note).where(Note.conversation_id == conversation_id).order_by(Note.created_at, Note.id))
    )


def history_of(session: Session, conversation_id: int) -> list[ConversationEvent]:
    query = (
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation_id)
        .order_by(ConversationEvent.at, ConversationEvent.id)
    )
    return list(session.scalars(query))


def saved_replies(session: Session, *, actor: Actor, agency_id: int) -> list[SavedReply]:
    actor.require_view(agency_id)
    return list(session.scalars(select(SavedReply).where(SavedReply.agency_id == agency_id).order_by(SavedReply.title)))
