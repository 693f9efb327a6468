"""Reads of the analysis domain: scopes, runs, themes, campaigns, assignments and the messages a run reads.

Nothing here writes; the rules (starting, storing, officials' edits) are in ``service``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.service import zone_name_of
from civicloop.analysis import sentiment as sentiment_mod
from civicloop.analysis import sources
from civicloop.analysis.models import (
    AnalysisAssignment,
    AnalysisCampaign,
    AnalysisRun,
    AnalysisTheme,
    RunStatus,
    ScopeKind,
)
from civicloop.analysis.pipeline import CAMPAIGN, OTHER_ID, QUESTION, campaign_json
from civicloop.auth.scope import Actor
from civicloop.channels.models import Direction, Message, MessageState
from civicloop.errors import Invalid, NotFound
from civicloop.kit.timezones import zone


@dataclass(frozen=True)
class AnalysisScope:
    """Exactly one of the three: an agency's messages, an account's, or a consultation's."""

    agency_id: int | None = None
    account_id: int | None = None
    consultation_id: int | None = None

    @property
    def kind(self) -> ScopeKind:
        if self.consultation_id is not None:
            return ScopeKind.consultation
        if self.account_id is not None:
            return ScopeKind.account
        return ScopeKind.agency


def scope_of(run: AnalysisRun) -> AnalysisScope:
    if run.scope_kind is ScopeKind.account:
        return AnalysisScope(account_id=run.account_id)
    if run.scope_kind is ScopeKind.consultation:
        return AnalysisScope(consultation_id=run.consultation_id)
    return AnalysisScope(agency_id=run.agency_id)


def agency_of(session: Session, scope: AnalysisScope) -> int:
    given = [v for v in (scope.agency_id, scope.account_id, scope.consultation_id) if v is not None]
    if len(given) != 1:
        raise Invalid("an analysis scope is one agency, one account or one consultation")
    if scope.account_id is not None:
        account = session.get(OfficialAccount, scope.account_id)
        if account is None:
            raise NotFound("account not found")
        return account.agency_id
    if scope.consultation_id is not None:
        agency_id = sources.source("consultation").agency_of(session, scope.consultation_id)
        if agency_id is None:
            raise NotFound("consultation not found")
        return agency_id
    assert scope.agency_id is not None
    return scope.agency_id


def scope_filter(run: AnalysisRun) -> list[Any]:
    if run.scope_kind is ScopeKind.account:
        return [AnalysisRun.account_id == run.account_id]
    if run.scope_kind is ScopeKind.consultation:
        return [AnalysisRun.consultation_id == run.consultation_id]
    return [AnalysisRun.scope_kind == ScopeKind.agency]


def messages_query(session: Session, run: AnalysisRun) -> Any:
    query = select(Message.id, Message.text, Message.created_at, Message.platform, Message.account_id).where(
        Message.agency_id == run.agency_id,
        Message.direction == Direction.inbound,
        Message.state != MessageState.removed,
    )
    if run.scope_kind is ScopeKind.account:
        query = query.where(Message.account_id == run.account_id)
    elif run.scope_kind is ScopeKind.consultation:
        assert run.consultation_id is not None
        query = query.where(Message.id.in_(sources.source("consultation").message_ids(session, run.consultation_id)))
    if run.since is not None:
        query = query.where(Message.created_at >= run.since)
    return query.order_by(Message.created_at, Message.id)


def previous_run(session: Session, run: AnalysisRun) -> AnalysisRun | None:
    return session.scalar(
        select(AnalysisRun)
        .where(
            AnalysisRun.agency_id == run.agency_id,
            AnalysisRun.status == RunStatus.done,
            AnalysisRun.id != run.id,
            *scope_filter(run),
        )
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    )


def theme_of_message(session: Session, run_id: int) -> dict[int, int]:
    return dict(
        session.execute(
            select(AnalysisAssignment.message_id, AnalysisAssignment.theme_id).where(
                AnalysisAssignment.run_id == run_id
            )
        ).all()
    )


def latest_run(session: Session, scope: AnalysisScope, *, finished: bool = False) -> AnalysisRun | None:
    """The newest run of ``scope`` (only finished ones with ``finished=True``)."""
    agency_id = agency_of(session, scope)
    probe = AnalysisRun(scope_kind=scope.kind, account_id=scope.account_id, consultation_id=scope.consultation_id)
    query = select(AnalysisRun).where(AnalysisRun.agency_id == agency_id, *scope_filter(probe))
    if finished:
        query = query.where(AnalysisRun.status == RunStatus.done)
    return session.scalar(query.order_by(AnalysisRun.id.desc()).limit(1))


def get_run(session: Session, *, actor: Actor, run_id: int) -> AnalysisRun:
    return actor.fetch(session, AnalysisRun, run_id, what="analysis run")


def themes_of(session: Session, run_id: int) -> list[AnalysisTheme]:
    themes = list(session.scalars(select(AnalysisTheme).where(AnalysisTheme.run_id == run_id)))
    return sorted(themes, key=lambda t: (t.number == OTHER_ID, -t.size, t.number))


def campaigns_of(session: Session, run_id: int, kind: str = CAMPAIGN) -> list[AnalysisCampaign]:
    """The run's campaigns, or its frequent questions with ``kind=QUESTION``."""
    query = select(AnalysisCampaign).where(AnalysisCampaign.run_id == run_id, AnalysisCampaign.kind == kind)
    return list(session.scalars(query.order_by(AnalysisCampaign.number)))


def sentiment_over_time(session: Session, run: AnalysisRun) -> tuple[str, list[sentiment_mod.Period]]:
    """The run's messages by sentiment per day, week or month, in the agency's time zone."""
    zone_name = zone_name_of(session.get(Agency, run.agency_id))
    rows = session.execute(
        select(Message.created_at, AnalysisAssignment.sentiment)
        .join(AnalysisAssignment, AnalysisAssignment.message_id == Message.id)
        .where(AnalysisAssignment.run_id == run.id)
        .execution_options(yield_per=10_000)
    )
    return sentiment_mod.over_time(((created, name) for created, name in rows), zone(zone_name))


def run_json(session: Session, *, run_id: int) -> dict[str, Any]:
    """The run in the pipeline's JSON shape; assignment keys are message ids."""
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound("analysis run not found")
    themes = themes_of(session, run_id)
    number = {t.id: t.number for t in themes}
    assignments = session.execute(
        select(AnalysisAssignment.message_id, AnalysisAssignment.theme_id)
        .where(AnalysisAssignment.run_id == run_id)
        .order_by(AnalysisAssignment.message_id)
    ).all()
    unit, periods = sentiment_over_time(session, run)
    return {
        "themes": [
            {
                "id": t.number,
                "label": t.name,
                "keywords": t.keywords,
                "size": t.size,
                "raw_size": t.raw_size,
                "sentiment": t.sentiment,
                "quotes": t.quotes,
            }
            for t in themes
            if t.number != OTHER_ID or t.raw_size
        ],
        "campaigns": [campaign_json(c.number, c) for c in campaigns_of(session, run_id)],
        "questions": [campaign_json(c.number, c) for c in campaigns_of(session, run_id, QUESTION)],
        "sentiment_over_time": {"unit": unit, "periods": [period.to_json() for period in periods]},
        "assignments": {str(message_id): number[theme_id] for message_id, theme_id in assignments},
        "run": {
            "id": run.id,
            "status": run.status.value,
            "embedder": run.embedder,
            "model": run.model,
            "seconds": round(run.seconds, 3),
            "messages": run.messages + run.added,
            "unique": run.unique_messages,
            "sentiment": sentiment_mod.METHOD,
        },
    }


def runs_for_message(session: Session, message: Message) -> list[AnalysisRun]:
    """The latest finished agency and account runs that a new message of theirs belongs to."""
    runs = []
    for kind, extra in ((ScopeKind.agency, []), (ScopeKind.account, [AnalysisRun.account_id == message.account_id])):
        run = session.scalar(
            select(AnalysisRun)
            .where(
                AnalysisRun.agency_id == message.agency_id,
                AnalysisRun.scope_kind == kind,
                AnalysisRun.status == RunStatus.done,
                *extra,
            )
            .order_by(AnalysisRun.id.desc())
            .limit(1)
        )
        if run is not None:
            runs.append(run)
    return runs


def messages_of_theme(
    session: Session, *, actor: Actor, theme_id: int, limit: int = 50, offset: int = 0
) -> tuple[AnalysisTheme, list[tuple[Message, AnalysisAssignment]], int]:
    theme = actor.fetch(session, AnalysisTheme, theme_id, what="theme")
    total = session.scalar(select(func.count()).where(AnalysisAssignment.theme_id == theme.id)) or 0
    rows = session.execute(
        select(Message, AnalysisAssignment)
        .join(AnalysisAssignment, AnalysisAssignment.message_id == Message.id)
        .where(AnalysisAssignment.theme_id == theme.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return theme, [(m, a) for m, a in rows], total


def busy_run(session: Session, run: AnalysisRun) -> int | None:
    """A queued or running run of the same scope as ``run``, if any."""
    return session.scalar(
        select(AnalysisRun.id).where(
            AnalysisRun.agency_id == run.agency_id,
            AnalysisRun.status.in_([RunStatus.queued, RunStatus.running]),
            *scope_filter(run),
        )
    )


def message_rows(session: Session, run: AnalysisRun) -> list[Row[Any]]:
    """The messages ``run`` analyses (id, text, created_at, platform, account_id), oldest first."""
    return list(session.execute(messages_query(session, run)).all())


def account_names(session: Session) -> dict[int, str]:
    return {account_id: name for account_id, name in session.execute(select(OfficialAccount.id, OfficialAccount.name))}


def theme(session: Session, theme_id: int) -> AnalysisTheme:
    found = session.get(AnalysisTheme, theme_id)
    if found is None:
        raise NotFound("theme not found")
    return found


def themes_by_id(session: Session, run_id: int) -> dict[int, AnalysisTheme]:
    return {t.id: t for t in session.scalars(select(AnalysisTheme).where(AnalysisTheme.run_id == run_id))}


def moved_messages(session: Session, run_id: int) -> list[tuple[int, int]]:
    """(message, theme) of the messages officials moved in ``run_id``."""
    rows = session.execute(
        select(AnalysisAssignment.message_id, AnalysisAssignment.theme_id).where(
            AnalysisAssignment.run_id == run_id, AnalysisAssignment.moved.is_(True)
        )
    ).all()
    return [(message_id, theme_id) for message_id, theme_id in rows]


def assignment_counts(session: Session, run_id: int) -> list[tuple[int, int, str]]:
    """(theme, duplicate group, sentiment) of every assignment of the run."""
    rows = session.execute(
        select(
            AnalysisAssignment.theme_id,
            AnalysisAssignment.group_number,
            AnalysisAssignment.sentiment,
        ).where(AnalysisAssignment.run_id == run_id)
    ).all()
    return [(theme_id, group, feeling) for theme_id, group, feeling in rows]


def assignment_of(session: Session, run_id: int, message_id: int) -> AnalysisAssignment | None:
    return session.scalar(
        select(AnalysisAssignment).where(
            AnalysisAssignment.run_id == run_id, AnalysisAssignment.message_id == message_id
        )
    )


def theme_texts(session: Session, theme_id: int) -> list[tuple[int, str | None]]:
    """(assignment, message text) of a theme's messages, in assignment order."""
    rows = session.execute(
        select(AnalysisAssignment.id, Message.text)
        .join(Message, Message.id == AnalysisAssignment.message_id)
        .where(AnalysisAssignment.theme_id == theme_id)
        .order_by(AnalysisAssignment.id)
    ).all()
    return [(assignment_id, text) for assignment_id, text in rows]


def last_theme_number(session: Session, run_id: int) -> int:
    return session.scalar(select(func.max(AnalysisTheme.number)).where(AnalysisTheme.run_id == run_id)) or 0


def last_group_number(session: Session, run_id: int) -> int:
    return (
        session.scalar(select(func.max(AnalysisAssignment.group_number)).where(AnalysisAssignment.run_id == run_id))
        or 0
    )


def runs_before(session: Session, run: AnalysisRun, keep: int) -> list[int]:
    """Finished runs of ``run``'s scope older than the newest ``keep``."""
    return list(
        session.scalars(
            select(AnalysisRun.id)
            .where(AnalysisRun.agency_id == run.agency_id, AnalysisRun.status == RunStatus.done, *scope_filter(run))
            .order_by(AnalysisRun.id.desc())
            .offset(keep)
        ).all()
    )
