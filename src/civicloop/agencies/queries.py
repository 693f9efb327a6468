"""Reads of agencies for pages and other domains, after the caller has applied its own scope rule.

The scoped fetches that check an actor (``service.get_agency``, ``service.list_agencies``) stay in the
service with the tenancy rule they apply.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount
from civicloop.agencies.service import zone_name_of
from civicloop.auth.models import Membership, Official, Role
from civicloop.errors import NotFound


def get(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("agency not found")
    return agency


def names(session: Session, agency_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(agency_ids)
    if not wanted:
        return {}
    rows = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {agency_id: name for agency_id, name in rows}


def by_ids(session: Session, agency_ids: Iterable[int]) -> dict[int, Agency]:
    """The agencies of ``agency_ids`` (public pages show each one's name in the reader's language)."""
    wanted = set(agency_ids)
    if not wanted:
        return {}
    return {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(wanted)))}


def members_of(session: Session, agency_id: int) -> list[tuple[Official, Role]]:
    """Everyone holding a role in the agency, by name (one row per role held)."""
    query = (
        select(Official, Membership.role)
        .join(Membership, Membership.official_id == Official.id)
        .where(Membership.agency_id == agency_id)
        .order_by(Official.name)
    )
    return [(official, role) for official, role in session.execute(query)]


def zone_name_for(session: Session, agency_id: int | None) -> str:
    """The IANA time zone the agency works in (the deployment's for none or an unknown one)."""
    return zone_name_of(session.get(Agency, agency_id) if agency_id is not None else None)


def platforms_in_use(session: Session, agency_id: int) -> set[str]:
    """The platforms the agency has an account on that is not disconnected."""
    query = select(OfficialAccount.platform).where(
        OfficialAccount.agency_id == agency_id, OfficialAccount.status != AccountStatus.disconnected
    )
    return {str(platform) for platform in session.scalars(query)}
