from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from civicloop.accountability.models import CommitmentStatus


class CommitmentIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=5000)
    division: str = Field(default="", max_length=200)
    due_on: date
    section_id: int | None = None
    themes: list[str] = Field(default_factory=list, max_length=20)
    response_ids: list[int] = Field(default_factory=list, max_length=500)


class UpdateIn(BaseModel):
    status: CommitmentStatus
    progress: int = Field(ge=0, le=100)
    note: str = Field(default="", max_length=5000)
    photo_alt: str = Field(default="", max_length=300)


class Photo(BaseModel):
    filename: str
    data: bytes


class CommitmentPublic(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    agency_id: int
    consultation_id: int
    section_id: int | None
    title: str
    description: str
    division: str
    due_on: date
    status: CommitmentStatus
    progress: int
    dropped_reason: str
    themes: list[str]
    response_ids: list[int]


class UpdatePublic(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    commitment_id: int
    status: CommitmentStatus
    status_changed: bool
    progress: int
    note: str
