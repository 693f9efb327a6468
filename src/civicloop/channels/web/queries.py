"""Reads about the web feedback form that other domains' pages need."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform


def agencies_with_a_form(session: Session) -> list[Agency]:
    """Agencies that take feedback on this site: those with an active web-form account, by name."""
    with_form = select(OfficialAccount.agency_id).where(
        OfficialAccount.platform == Platform.web, OfficialAccount.status == AccountStatus.active
    )
    return list(session.scalars(select(Agency).where(Agency.id.in_(with_form)).order_by(Agency.name)))
