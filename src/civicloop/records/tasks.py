"""Jobs: nightly disposal, the capture of changed conversations' transcripts, and exports asked for on the web."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from civicloop import jobs
from civicloop.agencies.models import Agency
from civicloop.channels.models import Conversation
from civicloop.db.session import session_scope
from civicloop.errors import AppError
from civicloop.kit.clock import utcnow
from civicloop.records import export, service
from civicloop.records.models import ExportStatus, RecordsExport

log = logging.getLogger(__name__)
CAPTURE_EVERY_MINUTES = 15
CAPTURE_AT_MOST = 500  # conversations per run; the rest wait for the next run (or are drawn at export)


@jobs.periodic(crontab(hour="2", minute="40"))
def dispose_expired_records() -> int:
    """What the retention schedule says has expired, and no legal hold keeps; the number of records removed."""
    with session_scope() as session:
        run = service.dispose(session)
        return sum(part["disposed"] for part in run.report.values())


@jobs.periodic(crontab(minute=f"*/{CAPTURE_EVERY_MINUTES}"))
def capture_transcripts() -> int:
    """Draw the PDF transcripts of conversations that changed lately (a few more minutes than the period,
    so that none falls between two runs); the number drawn."""
    since = utcnow() - timedelta(minutes=CAPTURE_EVERY_MINUTES + 5)
    with session_scope() as session:
        rows = session.execute(
            select(Agency.code, Conversation.id)
            .join(Agency, Agency.id == Conversation.agency_id)
            .where(Conversation.updated_at >= since)
            .order_by(Conversation.updated_at.desc())
            .limit(CAPTURE_AT_MOST)
        ).all()
        by_agency: dict[str, list[int]] = defaultdict(list)
        for code, conversation_id in rows:
            by_agency[code].append(conversation_id)
        return sum(export.capture_transcripts(session, code, ids) for code, ids in by_agency.items())


@jobs.task()
def build_export(export_id: int) -> str:
    """Write the bundle an official asked for on the records page; its status says how it went."""
    with session_scope() as session:
        row = session.get(RecordsExport, export_id)
        if row is None or row.status != ExportStatus.queued:
            return "skipped"
        row.status = ExportStatus.running
        session.commit()
        path = export.exports_dir() / export.export_file_name(row)
        try:
            summary = export.export_to_file(session, export.criteria_of(session, row), path)
        except AppError as exc:
            session.rollback()
            row.status, row.error, row.finished_at = ExportStatus.failed, exc.message, utcnow()
            return "failed"
        except Exception:
            log.exception("records export %s failed", export_id)
            session.rollback()
            row.status, row.error, row.finished_at = ExportStatus.failed, "an internal error (see the logs)", utcnow()
            return "failed"
        row.status, row.finished_at = ExportStatus.done, utcnow()
        row.file_name, row.size, row.messages = path.name, path.stat().st_size, summary.messages
        row.sha256 = export.file_sha256(path)
        return "done"
