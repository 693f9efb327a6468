from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from civicloop.channels.moderation import Operation
from civicloop.moderation.models import AppealStatus


class ModerationIn(BaseModel):
    operation: Operation
    ground: str = Field(default="", max_length=32, description="a ground of the national policy; not for unhide")
    note: str = Field(default="", max_length=1000)
    suggested_by: str = Field(default="", max_length=32)


class ModerationActionPublic(BaseModel):
    """One moderation attempt as the record holds it (inside the agency: it names the official)."""

    model_config = {"from_attributes": True}

    id: int
    agency_id: int
    message_id: int | None
    platform: str
    external_id: str
    operation: Operation
    ground: str | None
    note: str
    suggested_by: str | None
    by_id: int | None
    by_label: str
    at: datetime
    applied: bool
    platform_status: int | None
    platform_answer: str
    platform_summary: str
    notice_outbound_id: int | None
    notice_problem: str | None
    reverses_id: int | None


class DecisionIn(BaseModel):
    decision: Literal["uphold", "reverse"]
    note: str = Field(default="", max_length=1000)


class AppealPublic(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    agency_id: int
    action_id: int
    reason: str
    received_at: datetime
    status: AppealStatus
    decided_by_label: str | None
    decided_at: datetime | None
    decision_note: str
    reversal_action_id: int | None
