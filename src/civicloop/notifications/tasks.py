"""Jobs: emailing a notification to its official."""

from __future__ import annotations

from civicloop import jobs
from civicloop.auth.models import Official
from civicloop.db.session import session_scope
from civicloop.kit.clock import utcnow
from civicloop.kit.mail import send_mail
from civicloop.notifications.models import Notification
from civicloop.notifications.service import absolute_url


@jobs.task(retries=3, retry_delay=60)
def email_notification(notification_id: int) -> bool:
    """Email one notification to its official (once: ``emailed_at`` is set after sending)."""
    with session_scope() as session:
        notification = session.get(Notification, notification_id, with_for_update=True)
        if notification is None or notification.emailed_at is not None:
            return False
        official = session.get(Official, notification.official_id)
        if official is None or not official.active:
            return False
        body = notification.body
        if notification.url:
            body += f"\n\nOpen it: {absolute_url(notification.url)}"
        sent = send_mail(to=[official.email], subject=f"[CivicLoop] {notification.title}", body=body)
        if sent:
            notification.emailed_at = utcnow()
        return sent
