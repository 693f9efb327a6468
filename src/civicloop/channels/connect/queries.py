"""Reads for an account's health page: its token, permissions, webhook, and the last event in and out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels import registry
from civicloop.channels.connect.models import AccountConnection
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus, PlatformToken


@dataclass(frozen=True)
class AccountHealth:
    account: OfficialAccount
    link: AccountConnection | None
    connectable: bool
    token_valid_until: datetime | None
    token_note: str  # how the token's life is handled, in words
    scopes_granted: list[str] | None
    scopes_needed: list[str]
    last_event_at: datetime | None
    last_sent_at: datetime | None

    @property
    def scopes_missing(self) -> list[str]:
        if self.scopes_granted is None:
            return []
        return [s for s in self.scopes_needed if s not in self.scopes_granted]


def health_of(session: Session, account: OfficialAccount) -> AccountHealth:
    spec = registry.spec(account.platform)
    link = session.get(AccountConnection, account.id)
    valid_until = account.token_expires_at
    if spec.fetch_token is not None:
        cached = session.scalar(select(PlatformToken.expires_at).where(PlatformToken.account_id == account.id))
        valid_until = cached or valid_until
        note = "a two-hour access token, fetched again before it expires"
    elif (account.credentials or {}).get("refresh_token"):
        note = "refreshed with the refresh token before it expires"
    elif valid_until is None:
        note = "does not expire (until revoked on the platform)"
    else:
        note = "expires; connect the account again before then"
    last_sent = session.scalar(
        select(func.max(OutboundMessage.sent_at)).where(
            OutboundMessage.account_id == account.id, OutboundMessage.status == OutboundStatus.sent
        )
    )
    return AccountHealth(
        account=account,
        link=link,
        connectable=spec.connector is not None,
        token_valid_until=valid_until,
        token_note=note,
        scopes_granted=list(link.scopes_granted) if link is not None and link.scopes_granted is not None else None,
        scopes_needed=list(link.scopes_needed)
        if link is not None
        else list(spec.connector.needed_scopes if spec.connector else ()),
        last_event_at=account.last_event_at,
        last_sent_at=last_sent,
    )
