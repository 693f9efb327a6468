"""JSON shapes of the guidelines API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civicloop.guidelines.models import Approval, ApprovalStatus
from civicloop.guidelines.service import MAX_TEXT, Review


class CheckRequest(BaseModel):
    text: str = Field(max_length=MAX_TEXT)
    agency_id: int


class FindingPublic(BaseModel):
    rule: str
    category: str
    severity: str
    action: str
    start: int
    end: int
    text: str
    title: str
    explanation: str
    suggestion: str
    guideline: str


class ReviewPublic(BaseModel):
    action: str
    findings: list[FindingPublic]

    @classmethod
    def of(cls, review: Review) -> ReviewPublic:
        return cls(
            action=review.action,
            findings=[
                FindingPublic(
                    rule=f.rule_id,
                    category=f.category.value,
                    severity=f.severity.value,
                    action=a.value,
                    start=f.start,
                    end=f.end,
                    text=review.text[f.start : f.end],
                    title=f.title,
                    explanation=f.explanation,
                    suggestion=f.suggestion,
                    guideline=f.guideline,
                )
                for f, a in review.items()
            ],
        )


class ApprovalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agency_id: int
    kind: str
    text: str
    status: ApprovalStatus
    outbound_id: int | None
    requested_by_id: int | None
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, approval: Approval) -> ApprovalPublic:
        return cls.model_validate(approval)


class Decision(BaseModel):
    decision: str = Field(pattern="^(approve|reject)$")
    reason: str = Field(min_length=1, max_length=2000)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
