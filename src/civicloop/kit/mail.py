"""Email through the SMTP server named by ``CIVICLOOP_SMTP_URL``; nothing is sent when it is empty.

Shared by every domain that notifies people (alerts, SLA notices, web-form replies). Call it from a
job, never inside a request: a slow or unreachable mail server must not hold a page.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from civicloop.config import Settings, get_settings
from civicloop.errors import Invalid

SMTP_TIMEOUT_SECONDS = 20


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise Invalid(f"CIVICLOOP_SMTP_URL must look like smtp://user:password@host:587, not {parts.scheme!r}")
    host = parts.hostname
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
        client.ehlo()
        # Upgrade whenever the server offers it, so credentials never cross the network in clear text.
        if client.has_extn("starttls"):
            client.starttls()
            client.ehlo()
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def send_mail(*, to: list[str], subject: str, body: str, settings: Settings | None = None) -> bool:
    """Send one plain-text message to ``to``; False (and nothing sent) when SMTP is not configured."""
    settings = settings or get_settings()
    recipients = sorted({address.strip() for address in to if address.strip()})
    if not settings.smtp_url or not recipients:
        return False
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or "localhost")
    message.set_content(body)
    with _connect(settings.smtp_url) as client:
        client.send_message(message)
    return True
