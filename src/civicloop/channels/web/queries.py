"""Reads about the web feedback form that other domains' pages need."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.channels.web.models import FeedbackTopic


def agencies_with_a_form(session: Session) -> list[Agency]:
    """Agencies that take feedback on this site: those with an active web-form account, by name."""
    with_form = select(OfficialAccount.agency_id).where(
        OfficialAccount.platform == Platform.web, OfficialAccount.status == AccountStatus.active
    )
    return list(session.scalars(select(Agency).where(Agency.id.in_(with_form)).order_by(Agency.name)))


def topics(session: Session, agency_id: int) -> list[FeedbackTopic]:
    """The topics the agency offers on its feedback form, in its order."""
    return list(
        session.scalars(
            select(FeedbackTopic).where(FeedbackTopic.agency_id == agency_id).order_by(FeedbackTopic.position)
        )
    )


def topic_named(session: Session, agency_id: int, label: str) -> FeedbackTopic | None:
    """The agency's topic whose English label is ``label`` (a conversation's subject), if it is one."""
    return session.scalar(
        select(FeedbackTopic).where(FeedbackTopic.agency_id == agency_id, FeedbackTopic.label == label)
    )
