"""JSON API for analysis runs and officials' edits to themes."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.analysis import queries, service
from civicloop.analysis.models import AnalysisTheme
from civicloop.analysis.schemas import (
    MessageMove,
    RunCreate,
    RunPublic,
    ThemeMerge,
    ThemeMessage,
    ThemePublic,
    ThemeRename,
)
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import NotFound

router = APIRouter(prefix="/analysis", tags=["analysis"])


def _theme(theme: AnalysisTheme) -> ThemePublic:
    return ThemePublic(
        id=theme.id,
        number=theme.number,
        label=theme.name,
        keywords=theme.keywords,
        size=theme.size,
        raw_size=theme.raw_size,
        sentiment=theme.sentiment,
        quotes=theme.quotes,
    )


@router.post("/runs", response_model=RunPublic, status_code=202)
def start(body: RunCreate, session: SessionDep, actor: ActorDep) -> RunPublic:
    scope = queries.AnalysisScope(
        agency_id=body.agency_id, account_id=body.account_id, consultation_id=body.consultation_id
    )
    run = service.create_run(session, actor=actor, scope=scope, embedder=body.embedder, since=body.since)
    service.run_analysis(session, run)
    return RunPublic.model_validate(run)


@router.get("/runs/{run_id}", response_model=RunPublic)
def status(run_id: int, session: SessionDep, actor: ActorDep) -> RunPublic:
    return RunPublic.model_validate(queries.get_run(session, actor=actor, run_id=run_id))


@router.get("/runs/{run_id}/result")
def result(run_id: int, session: SessionDep, actor: ActorDep) -> dict[str, object]:
    """Themes, campaigns and assignments in the documented JSON shape (message ids as keys)."""
    queries.get_run(session, actor=actor, run_id=run_id)
    return queries.run_json(session, run_id=run_id)


@router.get("/latest")
def latest(
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    account_id: int | None = None,
    consultation_id: int | None = None,
) -> dict[str, object]:
    scope = queries.AnalysisScope(agency_id=agency_id, account_id=account_id, consultation_id=consultation_id)
    run = queries.latest_run(session, scope, finished=True)
    if run is None:
        raise NotFound("no finished analysis of these messages yet")
    actor.require_view(run.agency_id)
    return queries.run_json(session, run_id=run.id)


@router.get("/themes/{theme_id}/messages", response_model=list[ThemeMessage])
def theme_messages(
    theme_id: int, session: SessionDep, actor: ActorDep, limit: int = 50, offset: int = 0
) -> list[ThemeMessage]:
    _, rows, _ = queries.messages_of_theme(
        session, actor=actor, theme_id=theme_id, limit=max(1, min(limit, 500)), offset=max(0, offset)
    )
    return [
        ThemeMessage(
            id=m.id, text=m.text, platform=m.platform, created_at=m.created_at, sentiment=a.sentiment, moved=a.moved
        )
        for m, a in rows
    ]


@router.post("/themes/{theme_id}/rename", response_model=ThemePublic)
def rename(theme_id: int, body: ThemeRename, session: SessionDep, actor: ActorDep) -> ThemePublic:
    return _theme(service.rename_theme(session, actor=actor, theme_id=theme_id, label=body.label))


@router.post("/themes/{theme_id}/merge", response_model=ThemePublic)
def merge(theme_id: int, body: ThemeMerge, session: SessionDep, actor: ActorDep) -> ThemePublic:
    return _theme(service.merge_themes(session, actor=actor, theme_id=theme_id, into_id=body.into_id))


@router.post("/themes/{theme_id}/split", response_model=list[ThemePublic])
def split(theme_id: int, session: SessionDep, actor: ActorDep) -> list[ThemePublic]:
    return [_theme(t) for t in service.split_theme(session, actor=actor, theme_id=theme_id)]


@router.post("/themes/{theme_id}/messages", response_model=ThemePublic)
def move(theme_id: int, body: MessageMove, session: SessionDep, actor: ActorDep) -> ThemePublic:
    assignment = service.move_message(session, actor=actor, theme_id=theme_id, message_id=body.message_id)
    return _theme(queries.theme(session, assignment.theme_id))
