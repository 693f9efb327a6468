"""Jobs: every night, forget sessions past their end and sign-in counters past their window; email one-time
password links."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.auth import invitations, sessions, throttle
from civicloop.auth.invitation_models import LinkPurpose, PasswordLink
from civicloop.auth.models import Official
from civicloop.config import get_settings
from civicloop.db.session import session_scope
from civicloop.kit import crypto
from civicloop.kit.clock import utcnow
from civicloop.kit.mail import send_mail
from civicloop.kit.timezones import local


@jobs.periodic(crontab(hour="3", minute="10"))
def purge_sessions() -> int:
    """Expired rows already count for nothing; this only keeps the tables small."""
    with session_scope() as session:
        return sessions.purge_expired(session) + throttle.purge_expired(session)


@jobs.task(retries=3, retry_delay=60)
def email_password_link(link_id: int) -> bool:
    """Email an invitation or reset link to its official, once; the kept token is wiped when sent."""
    with session_scope() as session:
        link = session.get(PasswordLink, link_id, with_for_update=True)
        if link is None or link.outgoing is None or link.used_at is not None or link.expires_at <= utcnow():
            return False
        official = session.get(Official, link.official_id)
        if official is None or not official.active:
            return False
        url = invitations.link_url(crypto.decrypt(link.outgoing))
        local_expiry = local(link.expires_at, get_settings().timezone).strftime("%d %B %Y %H:%M")
        if link.purpose is LinkPurpose.invitation:
            subject = "[CivicLoop] You are invited: set your password"
            body = f"Dear {official.name},\n\nYou have an account on CivicLoop. Choose your password here:\n\n{url}\n"
        else:
            subject = "[CivicLoop] Reset your password"
            body = (
                f"Dear {official.name},\n\nSomeone (we hope you) asked to reset your CivicLoop password. "
                f"Choose a new one here:\n\n{url}\n\nIf it was not you, ignore this message.\n"
            )
        body += f"\nThe link works once, until {local_expiry} ({get_settings().timezone}).\n"
        sent = send_mail(to=[official.email], subject=subject, body=body)
        if sent:
            link.outgoing = None
        return sent
