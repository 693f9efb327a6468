from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civicloop.agencies.models import AccountStatus, AgencyKind, OfficialAccount, Platform
from civicloop.agencies.service import webhook_path
from civicloop.config import get_settings


class AgencyCreate(BaseModel):
    code: str = Field(min_length=2, max_length=32, examples=["THROMDE"])
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind = AgencyKind.department
    parent_code: str | None = None
    district: str | None = None
    timezone: str | None = None


class AgencyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: AgencyKind
    parent_id: int | None
    district: str | None
    timezone: str | None


class AccountCreate(BaseModel):
    agency_code: str
    platform: Platform
    external_id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=200)
    credentials: dict[str, str] = Field(default_factory=dict)


class AccountPublic(BaseModel):
    """An official account as shown to officials: never its credentials, only their names."""

    id: int
    agency_id: int
    platform: Platform
    external_id: str
    name: str
    status: AccountStatus
    webhook_url: str
    credential_names: list[str]
    last_event_at: datetime | None
    rejected_requests: int

    @classmethod
    def of(cls, account: OfficialAccount) -> AccountPublic:
        path = webhook_path(account)  # "" for a polled platform: nothing is pushed to CivicLoop
        return cls(
            id=account.id,
            agency_id=account.agency_id,
            platform=account.platform,
            external_id=account.external_id,
            name=account.name,
            status=account.status,
            webhook_url=get_settings().base_url.rstrip("/") + path if path else "",
            credential_names=sorted(account.credentials or {}),
            last_event_at=account.last_event_at,
            rejected_requests=account.rejected_requests,
        )
