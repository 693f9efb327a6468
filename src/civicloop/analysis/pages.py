"""Analysis pages: an agency's or an account's themes, campaigns and sentiment; theme drill-down."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.analysis import queries, sentiment, service
from civicloop.analysis.embed import EMBEDDERS, default_embedder
from civicloop.analysis.models import AnalysisAssignment, AnalysisCampaign, AnalysisRun, AnalysisTheme, RunStatus
from civicloop.analysis.pipeline import QUESTION
from civicloop.channels.models import Message
from civicloop.deps import ActorDep, SessionDep
from civicloop.web.charts import PALETTE, bar_chart, line_chart
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50

# Positive green, neutral grey, negative red, in the order of sentiment.LABELS.
SENTIMENT_COLORS = (PALETTE[2], PALETTE[7], PALETTE[3])


@dataclass
class IndexPage:
    agencies: list[Agency]
    accounts: list[OfficialAccount]


@dataclass
class ScopePage:
    title: str
    scope_query: str  # e.g. "agency_id=3", for forms and links
    run: AnalysisRun | None  # the latest finished run
    pending: AnalysisRun | None  # a run queued or running now
    themes: list[AnalysisTheme] = field(default_factory=list)
    campaigns: list[AnalysisCampaign] = field(default_factory=list)
    questions: list[AnalysisCampaign] = field(default_factory=list)
    # The embedders to offer, the default first.
    embedders: list[str] = field(default_factory=lambda: sorted(EMBEDDERS, key=lambda n: n != default_embedder()))
    sizes_chart: Markup | None = None
    negative_chart: Markup | None = None
    sentiment_chart: Markup | None = None
    sentiment_unit: str = "day"
    sentiment_periods: list[sentiment.Period] = field(default_factory=list)
    can_edit: bool = False


@dataclass
class ThemePage:
    theme: AnalysisTheme
    run: AnalysisRun
    back: str
    rows: list[tuple[Message, AnalysisAssignment]]
    total: int
    offset: int
    others: list[AnalysisTheme]
    can_edit: bool
    page_size: int = PAGE_SIZE


def _scope_page(
    request: Request, session: SessionDep, actor: ActorDep, scope: queries.AnalysisScope, title: str
) -> Response:
    run = queries.latest_run(session, scope, finished=True)
    newest = queries.latest_run(session, scope)
    pending = newest if newest is not None and newest.status in (RunStatus.queued, RunStatus.running) else None
    agency_id = run.agency_id if run else None
    page = ScopePage(
        title=title,
        scope_query="&".join(f"{k}={v}" for k, v in vars(scope).items() if v is not None),
        run=run,
        pending=pending,
    )
    if run is not None and agency_id is not None:
        page.themes = queries.themes_of(session, run.id)
        page.campaigns = queries.campaigns_of(session, run.id)
        page.questions = queries.campaigns_of(session, run.id, QUESTION)
        shown = [t for t in page.themes if t.raw_size]
        page.sizes_chart = bar_chart(
            [(t.name, t.size) for t in shown], title="Distinct messages per theme (campaigns counted once)"
        )
        page.negative_chart = bar_chart(
            [(t.name, round(100 * t.sentiment.get("negative", 0.0))) for t in shown],
            title="Negative messages per theme",
            unit="%",
        )
        page.sentiment_unit, page.sentiment_periods = queries.sentiment_over_time(session, run)
        page.sentiment_chart = line_chart(
            {
                f"% {name}": [(p.start.isoformat(), round(100 * p.share(name))) for p in page.sentiment_periods]
                for name in sentiment.LABELS
            },
            title=f"Sentiment of the messages per {page.sentiment_unit}",
            colors=SENTIMENT_COLORS,
        )
    page.can_edit = actor.has_role(_agency_id(session, scope), *service.EDIT_ROLES)
    return render(request, "analysis/scope.html", page)


def _agency_id(session: SessionDep, scope: queries.AnalysisScope) -> int:
    return queries.agency_of(session, scope)


@router.get("/analysis", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    page = IndexPage(
        agencies=agencies.list_agencies(session, actor=actor), accounts=agencies.list_accounts(session, actor=actor)
    )
    return render(request, "analysis/index.html", page)


@router.get("/analysis/agency/{agency_id}", response_class=HTMLResponse)
def agency_page(agency_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
    return _scope_page(request, session, actor, queries.AnalysisScope(agency_id=agency.id), agency.name)


@router.get("/analysis/account/{account_id}", response_class=HTMLResponse)
def account_page(account_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    account = agencies.get_account(session, actor=actor, account_id=account_id)
    return _scope_page(request, session, actor, queries.AnalysisScope(account_id=account.id), account.name)


@router.post("/analysis/runs", response_class=HTMLResponse)
def start_run(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    embedder: Annotated[str | None, Form()] = None,
    agency_id: Annotated[int | None, Form()] = None,
    account_id: Annotated[int | None, Form()] = None,
) -> Response:
    scope = queries.AnalysisScope(agency_id=agency_id, account_id=account_id)
    back = f"/analysis/account/{account_id}" if account_id else f"/analysis/agency/{agency_id}"
    with form_action(session) as attempt:
        service.run_analysis(session, service.create_run(session, actor=actor, scope=scope, embedder=embedder))
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
        return RedirectResponse(back, status_code=303)
    flash(request, "The analysis has started; this page shows its progress.")
    return RedirectResponse(back, status_code=303)


@router.get("/analysis/runs/{run_id}/progress", response_class=HTMLResponse)
def progress(run_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The progress bar, polled by HTMX while the run is unfinished; tells the page to reload when done."""
    run = queries.get_run(session, actor=actor, run_id=run_id)
    response = render(request, "analysis/_progress.html", run)
    if run.status in (RunStatus.done, RunStatus.failed):
        response.headers["HX-Refresh"] = "true"
    return response


def _theme_page(request: Request, session: SessionDep, actor: ActorDep, theme_id: int, offset: int) -> Response:
    theme, rows, total = queries.messages_of_theme(
        session, actor=actor, theme_id=theme_id, limit=PAGE_SIZE, offset=max(0, offset)
    )
    run = queries.get_run(session, actor=actor, run_id=theme.run_id)
    scope = queries.scope_of(run)
    back = f"/analysis/account/{scope.account_id}" if scope.account_id else f"/analysis/agency/{run.agency_id}"
    page = ThemePage(
        theme=theme,
        run=run,
        back=back,
        rows=rows,
        total=total,
        offset=max(0, offset),
        others=[t for t in queries.themes_of(session, run.id) if t.id != theme.id],
        can_edit=actor.has_role(run.agency_id, *service.EDIT_ROLES),
    )
    return render(request, "analysis/theme.html", page)


@router.get("/analysis/themes/{theme_id}", response_class=HTMLResponse)
def theme_page(theme_id: int, request: Request, session: SessionDep, actor: ActorDep, offset: int = 0) -> Response:
    return _theme_page(request, session, actor, theme_id, offset)


def _edit(request: Request, session: SessionDep, theme_id: int, done: str, action: object) -> Response:
    with form_action(session) as attempt:
        result = action()  # type: ignore[operator]
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/analysis/themes/{theme_id}", status_code=303)
    flash(request, done)
    target = result.id if isinstance(result, AnalysisTheme) else theme_id
    return RedirectResponse(f"/analysis/themes/{target}", status_code=303)


@router.post("/analysis/themes/{theme_id}/rename", response_class=HTMLResponse)
def rename(
    theme_id: int, request: Request, session: SessionDep, actor: ActorDep, label: Annotated[str, Form(max_length=300)]
) -> Response:
    return _edit(
        request,
        session,
        theme_id,
        "The theme was renamed.",
        lambda: service.rename_theme(session, actor=actor, theme_id=theme_id, label=label),
    )


@router.post("/analysis/themes/{theme_id}/merge", response_class=HTMLResponse)
def merge(
    theme_id: int, request: Request, session: SessionDep, actor: ActorDep, into_id: Annotated[int, Form()]
) -> Response:
    return _edit(
        request,
        session,
        theme_id,
        "The themes were merged.",
        lambda: service.merge_themes(session, actor=actor, theme_id=theme_id, into_id=into_id),
    )


@router.post("/analysis/themes/{theme_id}/split", response_class=HTMLResponse)
def split(theme_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _edit(
        request,
        session,
        theme_id,
        "The theme was split in two.",
        lambda: service.split_theme(session, actor=actor, theme_id=theme_id)[0],
    )


@router.post("/analysis/themes/{theme_id}/move", response_class=HTMLResponse)
def move(
    theme_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    message_id: Annotated[int, Form()],
    to_theme_id: Annotated[int, Form()],
) -> Response:
    return _edit(
        request,
        session,
        theme_id,
        "The message was moved.",
        lambda: service.move_message(session, actor=actor, theme_id=to_theme_id, message_id=message_id) and None,
    )
