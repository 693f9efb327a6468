from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from civicloop.access.policy import AfterHours, OfficeHours


class PolicySign(BaseModel):
    category: str = Field(default="social", max_length=32)
    office_hours: OfficeHours
    allowance_minutes: int | None = Field(default=None, ge=0, le=1440, description="null = unlimited")
    after_hours: AfterHours
    effective_from: date | None = None


class PolicyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agency_id: int | None
    category: str
    office_hours: OfficeHours
    allowance_minutes: int | None
    after_hours: AfterHours
    effective_from: date
    signed_by: str
    signed_at: datetime


class CheckRequest(BaseModel):
    login: str = Field(min_length=1, max_length=254)
    host: str = Field(min_length=1, max_length=255)
    at: datetime | None = Field(default=None, description="default now; without an offset, the national time zone")


class DecisionPublic(BaseModel):
    allow: bool
    rule: str
    reason: str


class DesignationCreate(BaseModel):
    login: str = Field(min_length=1, max_length=254)
    category: str = Field(default="social", max_length=32)
    until: date | None = None


class DesignationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agency_id: int
    login: str
    category: str
    until: date | None
    designated_by: str
