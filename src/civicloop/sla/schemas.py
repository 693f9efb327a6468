from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class ClosureIn(BaseModel):
    scope: Literal["national", "district", "agency"]
    date: date
    name: str = Field(min_length=1, max_length=200)
    hours: str | None = Field(default=None, examples=["13:00-17:00"], description="Closed only in these hours")
    district: str | None = None
    agency_id: int | None = None


class TargetsIn(BaseModel):
    agency_id: int | None = Field(default=None, description="Omit for the national default")
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int


class WorkingDayIn(BaseModel):
    date: date
    reason: str = Field(min_length=1, max_length=200, examples=["The holiday was moved by government order"])
    agency_id: int | None = Field(default=None, description="Omit to reopen the holiday for every agency")
