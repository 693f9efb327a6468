from __future__ import annotations

from pydantic import BaseModel, Field

from civicloop.auth.models import Official, Role


class MembershipPublic(BaseModel):
    id: int
    agency_id: int
    role: Role


class OfficialPublic(BaseModel):
    id: int
    email: str
    name: str
    active: bool
    memberships: list[MembershipPublic]

    @classmethod
    def of(cls, official: Official) -> OfficialPublic:
        return cls(
            id=official.id,
            email=official.email,
            name=official.name,
            active=official.active,
            memberships=[MembershipPublic(id=m.id, agency_id=m.agency_id, role=m.role) for m in official.memberships],
        )


class OfficialCreate(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, max_length=500)
    roles: list[str] = Field(default_factory=list, examples=[["officer@THROMDE"]])


class MembershipCreate(BaseModel):
    agency_code: str
    role: Role


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenCreated(BaseModel):
    token: str
