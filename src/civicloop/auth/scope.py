"""What an official may see and do: computed once per request from their memberships."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from civicloop.auth.models import NATIONAL_ROLES, Official, Role
from civicloop.errors import Forbidden, NotFound

T = TypeVar("T")

# Roles that may change an agency's data (national_admin may change any agency's).
WRITE_ROLES = frozenset({Role.officer, Role.agency_head, Role.analyst, Role.agency_admin})


@dataclass(frozen=True)
class Actor:
    """An authenticated official and their roles, the argument every scoped service takes."""

    official: Official
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    national: frozenset[Role] = frozenset()
    # Copied out of the row so that error pages can still show them after a rollback expired it.
    name: str = ""
    email: str = ""
    # Agencies whose head named this official deputy approver for today (auth.deputies): read once per
    # request for the navigation; every approval still checks the deputyship itself.
    deputy_for: frozenset[int] = frozenset()

    @classmethod
    def of(cls, official: Official) -> Actor:
        roles: dict[int, set[Role]] = {}
        national: set[Role] = set()
        for membership in official.memberships:
            if membership.role in NATIONAL_ROLES:
                national.add(membership.role)
            else:
                roles.setdefault(membership.agency_id, set()).add(membership.role)
        return cls(
            official,
            {k: frozenset(v) for k, v in roles.items()},
            frozenset(national),
            name=official.name,
            email=official.email,
        )

    @property
    def id(self) -> int:
        return self.official.id

    @property
    def sees_all(self) -> bool:
        return bool(self.national)

    @property
    def is_national_admin(self) -> bool:
        return Role.national_admin in self.national

    def agency_ids(self) -> set[int] | None:
        """The agencies this official may see, or None for all of them."""
        return None if self.sees_all else set(self.roles)

    def can_view(self, agency_id: int) -> bool:
        return self.sees_all or agency_id in self.roles

    def has_role(self, agency_id: int, *roles: Role) -> bool:
        if self.is_national_admin:
            return True
        held = self.roles.get(agency_id, frozenset())
        return bool(held & set(roles or WRITE_ROLES))

    def require_view(self, agency_id: int) -> None:
        # 404, not 403: another agency's rows must not even be confirmed to exist.
        if not self.can_view(agency_id):
            raise NotFound("not found")

    def require(self, agency_id: int, *roles: Role) -> None:
        self.require_view(agency_id)
        if not self.has_role(agency_id, *roles):
            wanted = ", ".join(r.value for r in roles) if roles else "a working role"
            raise Forbidden(f"this needs {wanted} in the agency")

    def fetch(
        self,
        session: Session,
        model: type[T],
        row_id: int,
        *,
        what: str,
        roles: Collection[Role] | None = None,
        agency_attr: str = "agency_id",
    ) -> T:
        """The ``model`` row ``row_id``, checked against this official's scope.

        A missing row raises ``NotFound("<what> not found")``; another agency's row raises
        ``require_view``'s NotFound, so that its existence is not confirmed. Given ``roles``, the
        official must also hold one of them in the row's agency (``require``: an empty collection
        means any working role), else Forbidden. ``agency_attr`` names the row's agency id where it
        is not ``agency_id`` (an Agency's is ``id``).
        """
        row = session.get(model, row_id)
        if row is None:
            raise NotFound(f"{what} not found")
        agency_id: int = getattr(row, agency_attr)
        if roles is None:
            self.require_view(agency_id)
        else:
            self.require(agency_id, *roles)
        return row

    def require_national_admin(self) -> None:
        if not self.is_national_admin:
            raise Forbidden("this needs the national_admin role")

    def role_names(self) -> set[str]:
        names = {r.value for held in self.roles.values() for r in held}
        return names | {r.value for r in self.national}
