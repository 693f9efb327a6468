"""Replies to web-form citizens: always on their private status page, and by email through
``CIVICLOOP_SMTP_URL`` when they left an address and email is configured.

Without an address or without SMTP the reply is delivered at once: the status page shows it (see
``channels.web.status``). The email carries the status link, so the citizen can answer there.
A refused connection or a temporary (4xx) SMTP answer is retried; a permanent (5xx) answer is final;
a connection lost after the message was handed over may have delivered it, and SMTP cannot be asked,
so that attempt becomes ``unconfirmed`` for a person to decide.
"""

from __future__ import annotations

import smtplib
import socket

import httpx

from civicloop.channels.delivery import Delivery, Next, SendError, Sent, Unverifiable
from civicloop.channels.web.status import status_url
from civicloop.config import get_settings
from civicloop.errors import Invalid
from civicloop.kit.mail import send_mail


class EmailSender:
    platform = "web"

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        if not delivery.recipient or not get_settings().smtp_url:
            # The status page is the delivery: the stored reply is what the citizen reads there.
            return Sent(f"page:{delivery.idempotency_key}")
        body = delivery.text
        if delivery.target:
            body += f"\n\n--\nRead the whole conversation and answer here: {status_url(delivery.target)}\n"
        try:
            delivered = send_mail(to=[delivery.recipient], subject=delivery.subject or "Your feedback", body=body)
        except Invalid as exc:
            raise SendError(exc.message, Next.give_up) from exc
        except (smtplib.SMTPConnectError, ConnectionRefusedError, socket.gaierror) as exc:
            raise SendError(f"could not reach the mail server: {exc}", Next.retry) from exc
        except smtplib.SMTPResponseException as exc:
            next_step = Next.retry if 400 <= exc.smtp_code < 500 else Next.give_up
            raise SendError(f"the mail server answered {exc.smtp_code}: {exc.smtp_error!r}", next_step) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"the mail server refused the address: {exc}", Next.give_up) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"the mail server connection failed: {exc.__class__.__name__}", Next.check) from exc
        if not delivered:
            raise SendError("email is not configured on this server (CIVICLOOP_SMTP_URL)", Next.give_up)
        return Sent(f"email:{delivery.idempotency_key}")

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        if not delivery.recipient or not get_settings().smtp_url:
            return Sent(f"page:{delivery.idempotency_key}")
        raise Unverifiable("a mail server cannot be asked whether a message was delivered")
