from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civicloop.analysis.models import RunStatus, ScopeKind


class RunCreate(BaseModel):
    """Exactly one of agency_id, account_id, consultation_id."""

    agency_id: int | None = None
    account_id: int | None = None
    consultation_id: int | None = None
    embedder: str | None = Field(default=None, pattern="^(fast|quality)$")
    since: datetime | None = None


class RunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agency_id: int
    scope_kind: ScopeKind
    account_id: int | None
    consultation_id: int | None
    embedder: str
    model: str
    status: RunStatus
    stage: str
    progress: float
    messages: int
    unique_messages: int
    added: int
    added_unassigned: int
    seconds: float
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class ThemeRename(BaseModel):
    label: str = Field(min_length=1, max_length=300)


class ThemeMerge(BaseModel):
    into_id: int


class MessageMove(BaseModel):
    message_id: int


class ThemePublic(BaseModel):
    id: int
    number: int
    label: str
    keywords: list[str]
    size: int
    raw_size: int
    sentiment: dict[str, float]
    quotes: list[str]


class ThemeMessage(BaseModel):
    id: int
    text: str
    platform: str
    created_at: datetime
    sentiment: str
    moved: bool
