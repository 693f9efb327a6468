"""Oversight jobs: keep the aggregates fresh, evaluate the alert rules, mail new alerts."""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab

from civicloop import jobs
from civicloop.agencies.models import Agency
from civicloop.config import get_settings
from civicloop.db.session import session_scope
from civicloop.kit.clock import utcnow
from civicloop.kit.mail import send_mail
from civicloop.oversight import aggregates, alerts, conduct, responses
from civicloop.oversight import transfers as transfers  # registers the recount of a transferred conversation
from civicloop.oversight.models import Alert

log = logging.getLogger(__name__)


def refresh_and_evaluate(now: datetime | None = None) -> list[int]:
    """One round: refresh the aggregates, run the alert rules (as of ``now``); returns the ids of new alerts."""
    settings = get_settings()
    with session_scope() as session:
        now = now or utcnow()
        aggregates.refresh(session, zone_name=settings.timezone, now=now)
        responses.rebuild_recent(session, zone_name=settings.timezone, now=now)
        conduct.scan(session, now=now)
        new = alerts.evaluate(session, now=now)
        for alert in new:
            jobs.after_commit(session, "civicloop.oversight.tasks.notify_alert", alert.id)
        return [alert.id for alert in new]


@jobs.periodic(crontab(minute="*/5"))
def periodic_alerts() -> None:
    new = refresh_and_evaluate()
    if new:
        log.info("oversight raised %d new alert(s): %s", len(new), new)


@jobs.periodic(crontab(minute="17", hour="2"))
def nightly_rebuild() -> None:
    """Recount recent days, repairing anything an incremental refresh missed or that changed later."""
    zone_name = get_settings().timezone
    with session_scope() as session:
        aggregates.rebuild_recent(session, zone_name=zone_name, now=utcnow())
        responses.rebuild_recent(session, zone_name=zone_name, now=utcnow(), days=responses.NIGHTLY_DAYS)


@jobs.task(retries=3, retry_delay=120)
def notify_alert(alert_id: int) -> list[str]:
    """Mail a new alert to the people it concerns, once; a retry after a failure does not resend."""
    settings = get_settings()
    with session_scope() as session:
        alert = session.get(Alert, alert_id, with_for_update=True)
        if alert is None or alert.notified_at is not None:
            return []
        to = alerts.recipients(session, alert)
        agency = session.get(Agency, alert.agency_id)
        if agency is None or not to:
            return []
        subject, body = alerts.email_for(alert, agency, settings.base_url)
        if not send_mail(to=to, subject=subject, body=body, settings=settings):
            return []
        alert.notified_at, alert.notified_to = utcnow(), to
        return to
