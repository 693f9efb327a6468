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
