"""Downloading citizens' attachments right after their message is stored, and a sweep for any left pending."""

from __future__ import annotations

import logging

from huey import crontab

from civicloop import jobs
from civicloop.channels.media import service
from civicloop.channels.media.models import MediaStatus
from civicloop.db.session import session_scope

log = logging.getLogger(__name__)

FETCH_JOB = "civicloop.channels.media.tasks.fetch_media"


@jobs.task()
def fetch_media(media_ids: list[int]) -> int:
    """Download each attachment: the attempt counted in one transaction, the download outside any (a platform
    may need the account's cached access token, fetched in a transaction of its own), the outcome kept in a
    third; a transient failure is tried again a minute later."""
    from civicloop.channels.outbound.send import access_token, http_client

    stored = 0
    with http_client() as http:
        for media_id in media_ids:
            try:
                with session_scope() as session:
                    claimed = service.claim(session, media_id)
                if claimed is None:
                    continue
                account_id = claimed.account.id if claimed.account else 0

                def token(refused: str | None, account_id: int = account_id) -> str:
                    return access_token(account_id, http, refused=refused)

                downloaded = service.download(claimed, http, token)
                with session_scope() as session:
                    result = service.keep(session, media_id, downloaded, attempts=claimed.attempts)
                    if result.retry:
                        jobs.after_commit(session, FETCH_JOB, [media_id], delay=service.RETRY_SECONDS)
                stored += result.status is MediaStatus.stored
            except Exception:  # recorded as pending: the sweep tries again
                log.exception("downloading media %s failed", media_id)
    return stored


@jobs.periodic(crontab(minute="*/10"))
def sweep_media() -> int:
    """Attachments still pending (a lost queue entry, a crashed worker) are downloaded again."""
    with session_scope() as session:
        ids = service.pending_ids(session)
    return fetch_media.call_local(ids) if ids else 0
