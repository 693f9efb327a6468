"""The rows behind each scorecard figure, read straight from the source tables.

They show references, times and states, never citizens' words: the inbox shows those to the people
who may read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.channels.models import Direction
from civicloop.errors import Invalid, NotFound
from civicloop.oversight import queries
from civicloop.oversight.periods import Period
from civicloop.oversight.report import Cell, Column, Table

LIMIT = 2000


@dataclass(frozen=True)
class ListFilters:
    channel: str | None = None
    direction: str | None = None


# Where a conversation or message arrived: the same two columns in both lists.
WHERE = (Column("channel", "Channel"), Column("account", "Account"))


def _where(account: OfficialAccount) -> dict[str, Cell]:
    return {"channel": account.platform.value, "account": account.name}


def _oldest_first(name: str, title: str, columns: list[Column], more: str = "") -> Table:
    """A list of at most ``LIMIT`` rows, oldest first."""
    return Table(name, title, columns, note=f"At most {LIMIT} rows, oldest first.{more}")


def _accounts(session: Session, agency: Agency, period: Period, filters: ListFilters, zone: str) -> Table:
    table = Table(
        "accounts",
        "Official accounts",
        [
            Column("id", "Id", numeric=True),
            Column("name", "Account"),
            Column("platform", "Platform"),
            Column("external_id", "Platform id"),
            Column("status", "Status"),
            Column("created_at", "Added"),
            Column("last_event_at", "Last event received"),
            Column("token_expires_at", "Token expires"),
            Column("rejected_requests", "Rejected requests (all time)", numeric=True),
        ],
        empty="This agency has no official account.",
    )
    for account in queries.accounts_by_platform(session, agency.id):
        table.add(
            {
                "id": account.id,
                "name": account.name,
                "platform": account.platform.value,
                "external_id": account.external_id,
                "status": account.status.value,
                "created_at": account.created_at,
                "last_event_at": account.last_event_at,
                "token_expires_at": account.token_expires_at,
                "rejected_requests": account.rejected_requests,
            },
            {"name": f"/accounts/{account.id}"},
        )
    return table


def _conversations(session: Session, agency: Agency, period: Period, filters: ListFilters, zone: str) -> Table:
    start, end = period.bounds(zone)
    table = _oldest_first(
        "conversations",
        "Citizen conversations begun in the period",
        [
            Column("id", "Conversation", numeric=True),
            Column("first_message_at", "First citizen message"),
            *WHERE,
            Column("kind", "Kind"),
            Column("status", "Status"),
            Column("last_agency_message_at", "Last agency message"),
        ],
    )
    for conversation, account, first_at in queries.conversations_begun(
        session, agency.id, start, end, channel=filters.channel, limit=LIMIT
    ):
        table.add(
            {
                "id": conversation.id,
                "first_message_at": first_at,
                **_where(account),
                "kind": conversation.kind.value,
                "status": conversation.status.value,
                "last_agency_message_at": conversation.last_agency_message_at,
            }
        )
    return table


def _messages(session: Session, agency: Agency, period: Period, filters: ListFilters, zone: str) -> Table:
    start, end = period.bounds(zone)
    direction = None
    if filters.direction:
        try:
            direction = Direction(filters.direction)
        except ValueError as exc:
            raise Invalid("direction must be 'in' or 'out'", field="direction") from exc
    table = _oldest_first(
        "messages",
        "Messages written in the period",
        [
            Column("id", "Message", numeric=True),
            Column("created_at", "Written"),
            Column("direction", "Direction"),
            *WHERE,
            Column("state", "State"),
            Column("conversation_id", "Conversation", numeric=True),
        ],
        " 'in' is a citizen's message, 'out' the agency's.",
    )
    for message_id, created_at, way, state, conversation_id, account in queries.messages_written(
        session, agency.id, start, end, channel=filters.channel, direction=direction, limit=LIMIT
    ):
        table.add(
            {
                "id": message_id,
                "created_at": created_at,
                "direction": way.value,
                **_where(account),
                "state": state.value,
                "conversation_id": conversation_id,
            }
        )
    return table


ListBuilder = Callable[[Session, Agency, Period, ListFilters, str], Table]
LISTS: dict[str, ListBuilder] = {"accounts": _accounts, "conversations": _conversations, "messages": _messages}


def build(session: Session, *, agency: Agency, figure: str, period: Period, filters: ListFilters, zone: str) -> Table:
    builder = LISTS.get(figure)
    if builder is None:
        raise NotFound(f"no list behind {figure!r}")
    return builder(session, agency, period, filters, zone)
