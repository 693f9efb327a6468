"""Analysis runs over stored messages: scope, start, store, officials' edits, incremental assignment.

A run reads the messages of one scope (an agency, an account or a consultation), the pipeline
works without a database, and the result is stored as themes, campaigns and one assignment per
message. The job boundary (``tasks``) commits; nothing here does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from civicloop.analysis import queries
from civicloop.analysis import sentiment as sentiment_mod
from civicloop.analysis.embed import default_embedder, load_embedder
from civicloop.analysis.labels import describe
from civicloop.analysis.learn import kmeans_plus_plus
from civicloop.analysis.models import (
    AnalysisAssignment,
    AnalysisCampaign,
    AnalysisRun,
    AnalysisTheme,
    RunStatus,
)
from civicloop.analysis.normalize import normalize
from civicloop.analysis.pipeline import (
    OTHER_ID,
    OTHER_LABEL,
    AnalysisOptions,
    AnalysisResult,
    Progress,
)
from civicloop.analysis.queries import AnalysisScope
from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels.models import Direction, Message
from civicloop.config import get_settings
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.kit.clock import utcnow

# Who may start an analysis or edit its themes.
EDIT_ROLES = (Role.analyst, Role.officer, Role.agency_head, Role.agency_admin)
# A new theme inherits an earlier theme's name when most of its messages were in that theme.
MATCH_SHARE = 0.5


@dataclass(frozen=True)
class RunInputs:
    texts: list[str]
    ids: list[str]
    created: list[datetime | None]
    channels: list[str | None]
    accounts: list[str | None]
    embedder: str


def create_run(
    session: Session,
    *,
    actor: Actor | None,
    scope: AnalysisScope,
    embedder: str | None = None,
    since: datetime | None = None,
) -> AnalysisRun:
    """A queued run of ``scope``; refused while another run of the same scope is unfinished.

    Without ``embedder``, the quality one when it is installed, else the fast one.
    """
    embedder = embedder or default_embedder()
    if embedder not in ("fast", "quality"):
        raise Invalid(f"unknown embedder {embedder!r}; use fast or quality", field="embedder")
    agency_id = queries.agency_of(session, scope)
    if actor is not None:
        actor.require(agency_id, *EDIT_ROLES)
    run = AnalysisRun(
        agency_id=agency_id,
        scope_kind=scope.kind,
        account_id=scope.account_id,
        consultation_id=scope.consultation_id,
        since=since,
        embedder=embedder,
        status=RunStatus.queued,
        created_by_id=actor.id if actor else None,
        created_at=utcnow(),
    )
    if queries.busy_run(session, run) is not None:
        raise Conflict("an analysis of these messages is already running; wait for it to finish")
    session.add(run)
    session.flush()
    if actor is not None:
        audit.record(
            session,
            actor=actor.official,
            action="analysis.run",
            target_type="analysis_run",
            target_id=run.id,
            agency_id=agency_id,
            after={"scope": scope.kind.value, "embedder": embedder},
        )
    return run


def run_analysis(session: Session, run: AnalysisRun) -> AnalysisRun:
    """Queue the full analysis of ``run`` (from ``create_run``); the job starts once the caller's
    transaction commits."""
    from civicloop import jobs

    jobs.after_commit(session, "civicloop.analysis.tasks.analyse_run", run.id)
    return run


def start_run(session: Session, *, run_id: int) -> RunInputs:
    """Mark the run running and read its messages."""
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound("analysis run not found")
    rows = queries.message_rows(session, run)
    names = queries.account_names(session)
    run.status, run.stage, run.progress, run.messages = RunStatus.running, "starting", 0.0, len(rows)
    return RunInputs(
        texts=[row.text or "" for row in rows],
        ids=[str(row.id) for row in rows],
        created=[row.created_at for row in rows],
        channels=[row.platform for row in rows],
        accounts=[names.get(row.account_id) for row in rows],
        embedder=run.embedder,
    )


def deployment_options(sample_size: int | None = None) -> AnalysisOptions:
    """The pipeline's options from the deployment's settings (``sample_size`` overrides its setting)."""
    settings = get_settings()
    return AnalysisOptions(
        campaign_min_size=settings.analysis_campaign_min_size,
        sample_size=sample_size or settings.analysis_sample_size,
    )


def analyse_inputs(inputs: RunInputs, progress: Progress | None = None) -> AnalysisResult:
    """The pipeline on a run's messages, with the deployment's settings (no database)."""
    from civicloop.analysis.pipeline import analyse

    return analyse(
        inputs.texts,
        inputs.ids,
        created=inputs.created,
        channels=inputs.channels,
        accounts=inputs.accounts,
        embedder=inputs.embedder,
        options=deployment_options(),
        progress=progress,
    )


def execute_in_session(session: Session, *, run_id: int) -> AnalysisResult:
    """Read, analyse and store in one transaction (small scopes, the demo); jobs use ``tasks.perform``."""
    result = analyse_inputs(start_run(session, run_id=run_id))
    store_result(session, run_id=run_id, result=result)
    return result


def record_progress(session: Session, *, run_id: int, stage: str, fraction: float) -> None:
    session.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(stage=stage, progress=fraction))


def fail_run(session: Session, *, run_id: int, error: str) -> None:
    session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == run_id)
        .values(status=RunStatus.failed, error=error[:2000], finished_at=utcnow())
    )


def store_result(session: Session, *, run_id: int, result: AnalysisResult) -> AnalysisRun:
    """Save themes, campaigns and assignments, then carry officials' edits over from the last run."""
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound("analysis run not found")
    themes: dict[int, AnalysisTheme] = {}
    for theme in result.themes:
        themes[theme.id] = AnalysisTheme(
            agency_id=run.agency_id,
            run_id=run.id,
            number=theme.id,
            label=theme.label[:300],
            keywords=theme.keywords,
            size=theme.size,
            raw_size=theme.raw_size,
            sentiment=theme.sentiment,
            quotes=theme.quotes,
            centroid=theme.centroid.astype(np.float32).tobytes() if theme.centroid is not None else None,
            floor=theme.floor,
        )
    if OTHER_ID not in themes:
        themes[OTHER_ID] = _other_theme(run)
    campaigns = {
        c.id: AnalysisCampaign(
            agency_id=run.agency_id,
            run_id=run.id,
            number=c.id,
            size=c.size,
            text=c.text,
            first_seen=c.first_seen,
            last_seen=c.last_seen,
            channels=c.channels,
            accounts=c.accounts,
            kind=c.kind,
        )
        for c in result.campaigns
    }
    session.add_all([*themes.values(), *campaigns.values()])
    session.flush()
    session.execute(
        insert(AnalysisAssignment),
        [
            {
                "run_id": run.id,
                "message_id": int(message_id),
                "theme_id": themes[int(theme)].id,
                "campaign_id": campaigns[int(campaign)].id if campaign else None,
                "sentiment": feeling,
                "group_number": int(group),
                "moved": False,
                "incremental": False,
            }
            for message_id, theme, campaign, feeling, group in zip(
                result.ids,
                result.theme_of_row,
                result.campaign_of_row,
                result.sentiment_of_row,
                result.group_of_row,
                strict=True,
            )
        ],
    )
    run.model, run.seconds, run.unique_messages = result.model, result.seconds, result.unique
    run.embedder_state = result.embedder_state
    previous = queries.previous_run(session, run)
    if previous is not None:
        _carry_edits(session, previous, run)
    run.status, run.stage, run.progress, run.finished_at = RunStatus.done, "done", 1.0, utcnow()
    session.flush()
    delete_runs_before(session, run)
    return run


def _other_theme(run: AnalysisRun) -> AnalysisTheme:
    return AnalysisTheme(
        agency_id=run.agency_id,
        run_id=run.id,
        number=OTHER_ID,
        label=OTHER_LABEL,
        keywords=[],
        size=0,
        raw_size=0,
        sentiment={k: 0.0 for k in sentiment_mod.LABELS},
        quotes=[],
    )


def _carry_edits(session: Session, previous: AnalysisRun, run: AnalysisRun) -> None:
    """Matched themes keep officials' names, merged themes merge again, moved messages stay moved."""
    old_theme = queries.theme_of_message(session, previous.id)
    new_theme = queries.theme_of_message(session, run.id)
    old_rows = queries.themes_by_id(session, previous.id)
    new_rows = queries.themes_by_id(session, run.id)
    overlap: dict[int, Counter[int]] = defaultdict(Counter)
    for message_id, theme_id in new_theme.items():
        if message_id in old_theme:
            overlap[theme_id][old_theme[message_id]] += 1
    match: dict[int, int] = {}
    for theme_id, counts in overlap.items():
        if new_rows[theme_id].number == OTHER_ID:
            continue
        best, shared = counts.most_common(1)[0]
        if old_rows[best].number != OTHER_ID and shared >= MATCH_SHARE * sum(counts.values()):
            match[theme_id] = best
    for theme_id, old_id in match.items():
        if old_rows[old_id].custom_label:
            new_rows[theme_id].custom_label = old_rows[old_id].custom_label
    by_old: dict[int, list[int]] = defaultdict(list)
    for theme_id, old_id in match.items():
        by_old[old_id].append(theme_id)
    for old_id, theme_ids in by_old.items():
        if old_rows[old_id].merged and len(theme_ids) > 1:
            keep, *rest = sorted(theme_ids, key=lambda t: -new_rows[t].raw_size)
            for other in rest:
                _merge_rows(session, new_rows[other], new_rows[keep])
                match.pop(other)
            new_rows[keep].merged = True
    target_of_old = {old_id: new_id for new_id, old_id in match.items()}
    other_new = next(t.id for t in new_rows.values() if t.number == OTHER_ID)
    moved = queries.moved_messages(session, previous.id)
    for message_id, old_id in moved:
        target = target_of_old.get(old_id, other_new if old_rows[old_id].number == OTHER_ID else None)
        if target is not None and message_id in new_theme:
            session.execute(
                update(AnalysisAssignment)
                .where(AnalysisAssignment.run_id == run.id, AnalysisAssignment.message_id == message_id)
                .values(theme_id=target, moved=True)
            )
    if moved:
        _recount(session, run.id)


def _merge_rows(session: Session, source: AnalysisTheme, target: AnalysisTheme) -> None:
    session.execute(
        update(AnalysisAssignment).where(AnalysisAssignment.theme_id == source.id).values(theme_id=target.id)
    )
    target.keywords = list(dict.fromkeys([*target.keywords, *source.keywords]))[:10]
    target.quotes = [*target.quotes, *source.quotes][:5]
    session.delete(source)
    session.flush()
    _recount(session, target.run_id)


def _recount(session: Session, run_id: int) -> None:
    """Sizes and sentiment mix of every theme of the run, from its assignments."""
    themes = list(queries.themes_by_id(session, run_id).values())
    rows = queries.assignment_counts(session, run_id)
    raw: Counter[int] = Counter()
    groups: dict[int, dict[int, str]] = defaultdict(dict)
    for theme_id, group, feeling in rows:
        raw[theme_id] += 1
        groups[theme_id].setdefault(group, feeling)
    for theme in themes:
        feelings = list(groups[theme.id].values())
        theme.raw_size, theme.size = raw[theme.id], len(feelings)
        theme.sentiment = {k: round(feelings.count(k) / max(1, len(feelings)), 3) for k in sentiment_mod.LABELS}
    session.flush()


def _theme_for_edit(session: Session, actor: Actor, theme_id: int) -> AnalysisTheme:
    return actor.fetch(session, AnalysisTheme, theme_id, what="theme", roles=EDIT_ROLES)


def _audit_theme(
    session: Session,
    actor: Actor,
    action: str,
    theme: AnalysisTheme,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor=actor.official,
        action=f"analysis.{action}",
        target_type="analysis_theme",
        target_id=theme.id,
        agency_id=theme.agency_id,
        before=before,
        after=after,
    )


def rename_theme(session: Session, *, actor: Actor, theme_id: int, label: str) -> AnalysisTheme:
    theme = _theme_for_edit(session, actor, theme_id)
    label = " ".join(label.split())
    if not label or len(label) > 300:
        raise Invalid("a theme name has 1 to 300 characters", field="label")
    if theme.number == OTHER_ID:
        raise Invalid("the “other” bucket cannot be renamed; move its messages to a theme instead")
    before = theme.name
    theme.custom_label = label
    _audit_theme(session, actor, "theme_rename", theme, {"label": before}, {"label": label})
    return theme


def merge_themes(session: Session, *, actor: Actor, theme_id: int, into_id: int) -> AnalysisTheme:
    source = _theme_for_edit(session, actor, theme_id)
    target = _theme_for_edit(session, actor, into_id)
    if source.run_id != target.run_id or source.id == target.id:
        raise Invalid("merge two different themes of the same analysis")
    if OTHER_ID in (source.number, target.number):
        raise Invalid("the “other” bucket cannot be merged; move its messages instead")
    _audit_theme(session, actor, "theme_merge", target, {"merged": source.name}, {"into": target.name})
    target.merged = True
    _merge_rows(session, source, target)
    return target


def move_message(session: Session, *, actor: Actor, theme_id: int, message_id: int) -> AnalysisAssignment:
    theme = _theme_for_edit(session, actor, theme_id)
    assignment = queries.assignment_of(session, theme.run_id, message_id)
    if assignment is None:
        raise NotFound("that message is not part of this analysis")
    before = assignment.theme_id
    assignment.theme_id, assignment.moved = theme.id, True
    session.flush()
    _recount(session, theme.run_id)
    audit.record(
        session,
        actor=actor.official,
        action="analysis.message_move",
        target_type="message",
        target_id=message_id,
        agency_id=theme.agency_id,
        before={"theme_id": before},
        after={"theme_id": theme.id},
    )
    return assignment


def split_theme(session: Session, *, actor: Actor, theme_id: int) -> list[AnalysisTheme]:
    """Cut a theme in two by its messages' wording (2-means in the run's embedding space)."""
    theme = _theme_for_edit(session, actor, theme_id)
    if theme.number == OTHER_ID:
        raise Invalid("the “other” bucket cannot be split")
    run = session.get(AnalysisRun, theme.run_id)
    assert run is not None
    rows = queries.theme_texts(session, theme.id)
    if len(rows) < 4:
        raise Invalid("a theme needs at least four messages to be split")
    texts = [normalize(text or "") for _, text in rows]
    vectors = _embedder_of(run).transform(texts)
    halves = kmeans_plus_plus(vectors, 2, seed=0)
    if len(set(halves.tolist())) < 2:
        raise Invalid("the messages of this theme are too alike to split")
    number = 1 + queries.last_theme_number(session, run.id)
    new = AnalysisTheme(
        agency_id=run.agency_id, run_id=run.id, number=number, label="", keywords=[], sentiment={}, quotes=[]
    )
    session.add(new)
    session.flush()
    moving = [rows[int(i)][0] for i in np.flatnonzero(halves == 1)]
    session.execute(update(AnalysisAssignment).where(AnalysisAssignment.id.in_(moving)).values(theme_id=new.id))
    parts = [[texts[i] for i in np.flatnonzero(halves == half)] for half in (0, 1)]
    for part_theme, words, part_vectors in zip(
        (theme, new), describe(parts), (vectors[halves == 0], vectors[halves == 1]), strict=True
    ):
        part_theme.keywords, part_theme.label = words.keywords, words.label[:300]
        part_theme.custom_label = None
        centre = part_vectors.mean(axis=0)
        part_theme.centroid = (centre / max(float(np.linalg.norm(centre)), 1e-9)).astype(np.float32).tobytes()
        part_theme.floor = theme.floor
        part_theme.quotes = [q for q in theme.quotes if normalize(q) in set(parts[0 if part_theme is theme else 1])]
    _recount(session, run.id)
    _audit_theme(session, actor, "theme_split", theme, None, {"themes": [theme.id, new.id]})
    return [theme, new]


_EMBEDDERS: dict[int, Any] = {}


def _embedder_of(run: AnalysisRun) -> Any:
    """The run's fitted embedder, kept per run: loading one costs more than embedding a message."""
    if run.id not in _EMBEDDERS:
        if len(_EMBEDDERS) > 8:
            _EMBEDDERS.clear()
        _EMBEDDERS[run.id] = load_embedder(run.embedder, run.embedder_state or b"")
    return _EMBEDDERS[run.id]


def assign_new_message(session: Session, *, message_id: int) -> list[AnalysisRun]:
    """Put a newly arrived message into the nearest theme of each current run (idempotent).

    Returns the runs that now have too much unassigned and need a full re-analysis.
    """
    message = session.get(Message, message_id)
    if message is None or message.direction is not Direction.inbound:
        return []
    stale = []
    for run in queries.runs_for_message(session, message):
        if queries.assignment_of(session, run.id, message.id) is not None:
            continue
        themes = queries.themes_of(session, run.id)
        other = next((t for t in themes if t.number == OTHER_ID), None)
        if other is None:
            other = _other_theme(run)
            session.add(other)
            session.flush()
        real = [t for t in themes if t.number != OTHER_ID and t.centroid]
        target = other
        if real:
            vector = _embedder_of(run).transform([normalize(message.text or "")])[0]
            centroids = np.vstack([np.frombuffer(t.centroid or b"", dtype=np.float32) for t in real])
            sims = centroids @ vector
            best = int(np.argmax(sims))
            if sims[best] >= real[best].floor:
                target = real[best]
        feeling = sentiment_mod.label(sentiment_mod.score(message.text or ""))
        group = 1 + queries.last_group_number(session, run.id)
        session.add(
            AnalysisAssignment(
                run_id=run.id,
                message_id=message.id,
                theme_id=target.id,
                sentiment=feeling,
                group_number=group,
                moved=False,
                incremental=True,
            )
        )
        mix = target.sentiment or {}
        share = {k: float(mix.get(k, 0.0)) * target.size for k in sentiment_mod.LABELS}
        share[feeling] += 1
        target.size, target.raw_size = target.size + 1, target.raw_size + 1
        target.sentiment = {k: round(v / target.size, 3) for k, v in share.items()}
        run.added += 1
        if target is other:
            run.added_unassigned += 1
        settings = get_settings()
        total = run.messages + run.added
        if (
            run.added_unassigned >= settings.analysis_reanalyse_min
            and run.added_unassigned > settings.analysis_reanalyse_share * total
        ):
            stale.append(run)
    session.flush()
    return stale


def delete_runs_before(session: Session, run: AnalysisRun, keep: int = 3) -> None:
    """Keep the last few finished runs of a scope (older ones only cost space)."""
    old = queries.runs_before(session, run, keep)
    if old:
        session.execute(delete(AnalysisRun).where(AnalysisRun.id.in_(old)))
