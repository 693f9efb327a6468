"""Jobs: a full analysis run, and assigning each new message to the current themes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from civicloop.analysis import queries, service
from civicloop.analysis.pipeline import AnalysisResult
from civicloop.channels import hooks
from civicloop.channels.models import Direction, Message
from civicloop.db.session import session_scope
from civicloop.errors import Conflict
from civicloop.jobs import after_commit, task

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0


def perform(run_id: int, progress: Callable[[str, float], None] | None = None) -> AnalysisResult:
    """Run the analysis ``run_id`` end to end. Reading, progress and storing each commit on their own,
    so that pages polling the run see its progress and no database lock is held while it computes."""
    with session_scope() as session:
        inputs = service.start_run(session, run_id=run_id)
    last_at, last_stage = [0.0], [""]

    def report(stage: str, fraction: float) -> None:
        if progress:
            progress(stage, fraction)
        now = time.monotonic()
        if stage != last_stage[0] or now - last_at[0] >= PROGRESS_EVERY_SECONDS:
            last_at[0], last_stage[0] = now, stage
            with session_scope() as session:
                service.record_progress(session, run_id=run_id, stage=stage, fraction=fraction)

    try:
        result = service.analyse_inputs(inputs, report)
        with session_scope() as session:
            service.store_result(session, run_id=run_id, result=result)
    except Exception as exc:
        log.exception("analysis run %s failed", run_id)
        with session_scope() as session:
            service.fail_run(session, run_id=run_id, error=f"{exc.__class__.__name__}: {exc}")
        raise
    return result


@task()
def analyse_run(run_id: int) -> None:
    perform(run_id)


@task()
def assign_message(message_id: int) -> None:
    with session_scope() as session:
        stale = service.assign_new_message(session, message_id=message_id)
        for run in stale:
            try:
                again = service.create_run(session, actor=None, scope=queries.scope_of(run), embedder=run.embedder)
                service.run_analysis(session, again)
            except Conflict:
                continue  # a re-analysis of that scope is already under way


def on_message(session: Session, message: Message) -> None:
    """channels.hooks.ON_MESSAGE: assign the new citizen message to the current themes, in a job."""
    if message.direction is Direction.inbound:
        after_commit(session, "civicloop.analysis.tasks.assign_message", message.id)


if on_message not in hooks.ON_MESSAGE:
    hooks.ON_MESSAGE.append(on_message)
