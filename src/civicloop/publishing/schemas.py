from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from civicloop.kit import i18n
from civicloop.publishing import languages
from civicloop.publishing.models import Post, PostPurpose, PostStatus
from civicloop.publishing.queries import TargetResult


class PostTextIn(BaseModel):
    """A post in another language: its common text and per-platform variants (publishing.languages)."""

    text: str = Field(default="", max_length=63_206)
    variants: dict[str, str] = Field(default_factory=dict)


class PostCreate(BaseModel):
    agency_id: int
    # English; empty when the post is written in another language only (``translations``).
    text: str = Field(default="", max_length=63_206)
    variants: dict[str, str] = Field(default_factory=dict)
    translations: dict[str, PostTextIn] = Field(default_factory=dict)
    account_ids: list[int] = Field(min_length=1)
    scheduled_at: datetime | None = None


class Decision(BaseModel):
    note: str = Field(default="", max_length=2000)


class TargetPublic(BaseModel):
    account_id: int
    account_name: str
    platform: str
    status: str
    permalink: str | None
    error: str

    @classmethod
    def of(cls, result: TargetResult) -> TargetPublic:
        return cls(
            account_id=result.account.id,
            account_name=result.account.name,
            platform=result.account.platform.value,
            status=result.status,
            permalink=result.permalink,
            error=result.error,
        )


class PostPublic(BaseModel):
    id: int
    agency_id: int
    text: str
    variants: dict[str, str]
    translations: dict[str, PostTextIn]
    status: PostStatus
    purpose: PostPurpose
    scheduled_at: datetime | None
    released_at: datetime | None
    consultation_id: int | None
    targets: list[TargetPublic]

    @classmethod
    def of(cls, post: Post, targets: list[TargetResult]) -> PostPublic:
        return cls(
            id=post.id,
            agency_id=post.agency_id,
            text=post.text,
            variants=post.variants or {},
            translations={
                lang: PostTextIn(text=w.text, variants=w.variants)
                for lang, w in languages.of_post(post).items()
                if lang != i18n.DEFAULT
            },
            status=post.status,
            purpose=post.purpose,
            scheduled_at=post.scheduled_at,
            released_at=post.released_at,
            consultation_id=post.consultation_id,
            targets=[TargetPublic.of(t) for t in targets],
        )
