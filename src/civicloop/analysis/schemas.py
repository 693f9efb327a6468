from __future__ import annotations

from datetime import datetime
from typing import Any

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


class ThemeSummary(BaseModel):
    """A theme as the pipeline reports it and a consultation keeps it: the one definition of its shape."""

    id: int  # the theme's number in its run; 0 is "other"
    label: str
    keywords: list[str] = Field(default_factory=list)
    size: int = 0  # distinct messages (a campaign's copies count once)
    raw_size: int = 0  # every message
    sentiment: dict[str, float] = Field(default_factory=dict)
    quotes: list[str] = Field(default_factory=list)
    example: str | None = None  # the most representative message


class RepeatedText(BaseModel):
    """One text sent many times: a coordinated ``campaign`` or a frequent ``question``."""

    id: int
    kind: str = "campaign"
    size: int
    text: str
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    channels: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)


class SentimentOverTime(BaseModel):
    unit: str = "day"
    periods: list[dict[str, Any]] = Field(default_factory=list)  # ``sentiment.Period.to_json`` rows


class AnalysisSummary(BaseModel):
    """An analysis without its per-message assignments, as a consultation keeps it."""

    themes: list[ThemeSummary] = Field(default_factory=list)
    campaigns: list[RepeatedText] = Field(default_factory=list)
    questions: list[RepeatedText] = Field(default_factory=list)
    sentiment_over_time: SentimentOverTime = Field(default_factory=SentimentOverTime)
    run: dict[str, Any] = Field(default_factory=dict)
