"""The periodic reconciliation of every account whose platform's API can list what its webhooks push."""

from __future__ import annotations

import logging

from huey import crontab

from civicloop import jobs
from civicloop.agencies.models import OfficialAccount
from civicloop.channels.reconcile import service
from civicloop.db.session import session_scope

log = logging.getLogger(__name__)


def reconcile_all() -> int:
    """Reconcile each account in its own transaction (one failing never holds back the others); returns how
    many events were recovered in all."""
    from civicloop.channels.outbound.send import http_client

    with session_scope() as session:
        account_ids = service.reconcilable_account_ids(session)
    recovered = 0
    with http_client() as http:
        for account_id in account_ids:
            try:
                with session_scope() as session:
                    account = session.get(OfficialAccount, account_id)
                    if account is None:
                        continue
                    since = service.scheduled_since(session, account_id)
                    outcome = service.reconcile_account(session, account, since=since, http=http, trigger="schedule")
                    recovered += outcome.recovered
            except Exception:  # one account's failure is logged; the next run tries again
                log.exception("reconciling account %s failed", account_id)
    return recovered


@jobs.periodic(crontab(minute="7,37"))
def reconcile_accounts() -> int:
    """Twice an hour, each account's recent comments and messages are read back for what webhooks missed."""
    return reconcile_all()
