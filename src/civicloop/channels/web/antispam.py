"""Defences of a public form that anyone may post without an account (the feedback form, consultations).

CSRF is the app's own (a per-session token in every form). On top of it: a honeypot field that people
never see and bots fill in; a per-address rate limit counted in the database, so it holds across every
web process; and length limits with a message that says how much to cut.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from civicloop.channels.web.models import FormHit
from civicloop.config import get_settings
from civicloop.errors import TooManyRequests
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_

# A field hidden from people (off-screen, aria-hidden, not in the tab order); a named one that
# form-filling bots like to complete.
HONEYPOT_FIELD = "website"
RATE_WINDOW = timedelta(hours=1)
# Hits older than this are deleted as new ones arrive: the table stays small and keeps no history.
KEEP_HITS = timedelta(days=1)

# What a citizen is told, in the page's language (the catalogs); ``%(…)s`` filled in after translation.
MISSING = N_("Please write your %(field)s.")


def too_long(label: str, length: int, maximum: int, lang: str = i18n.DEFAULT) -> str:
    """A text longer than its limit, said in ``lang`` with how much to cut."""
    over = length - maximum
    message = i18n.translate_plural(
        lang,
        "%(field)s is %(length)s characters long; the limit is %(limit)s. Please shorten it by %(over)s character.",
        "%(field)s is %(length)s characters long; the limit is %(limit)s. Please shorten it by %(over)s characters.",
        over,
    )
    field = i18n.translate(lang, label)
    return message % {"field": field, "length": f"{length:,}", "limit": f"{maximum:,}", "over": f"{over:,}"}


def honeypot_tripped(form: Mapping[str, object]) -> bool:
    value = form.get(HONEYPOT_FIELD)
    return isinstance(value, str) and value.strip() != ""


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, uvicorn's --proxy-headers sets it)."""
    return request.client.host if request.client else "unknown"


def address_key(address: str) -> str:
    """A keyed hash of the address: equal addresses match, and no address is stored in clear."""
    secret = get_settings().resolved_secret_key().encode()
    return hmac.new(secret, f"form-address:{address}".encode(), hashlib.sha256).hexdigest()


def check_rate(
    session: Session,
    *,
    scope: str,
    address: str,
    limit: int,
    window: timedelta = RATE_WINDOW,
    lang: str = i18n.DEFAULT,
) -> None:
    """Refuse (429, with Retry-After, said in ``lang``) when ``address`` already submitted ``limit`` times in
    ``window``; otherwise count this submission. Call it only for submissions that are otherwise acceptable."""
    now = utcnow()
    key = address_key(address)
    session.execute(delete(FormHit).where(FormHit.at < now - KEEP_HITS))
    recent = select(FormHit.at).where(FormHit.address == key, FormHit.scope == scope, FormHit.at >= now - window)
    count = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if count >= limit:
        oldest = session.scalar(
            select(func.min(FormHit.at)).where(
                FormHit.address == key, FormHit.scope == scope, FormHit.at >= now - window
            )
        )
        retry_after = int(((oldest or now) + window - now).total_seconds()) + 1
        minutes = max(retry_after // 60, 1)
        message = i18n.translate_plural(
            lang,
            "You have sent %(limit)s messages in the last hour from this connection. "
            "Please try again in about %(minutes)s minute.",
            "You have sent %(limit)s messages in the last hour from this connection. "
            "Please try again in about %(minutes)s minutes.",
            minutes,
        ) % {"limit": limit, "minutes": minutes}
        raise TooManyRequests(message, retry_after=retry_after)
    session.add(FormHit(scope=scope, address=key, at=now))
    session.flush()


@dataclass(frozen=True)
class Limit:
    label: str
    maximum: int
    required: bool = False


def check_lengths(values: Mapping[str, str], limits: Mapping[str, Limit], lang: str = i18n.DEFAULT) -> dict[str, str]:
    """``{field: message}`` for every value that is missing or too long (empty when all fit), in ``lang``."""
    errors: dict[str, str] = {}
    for name, limit in limits.items():
        value = values.get(name, "").strip()
        if limit.required and not value:
            errors[name] = i18n.translate(lang, MISSING) % {"field": i18n.translate(lang, limit.label).lower()}
        elif len(value) > limit.maximum:
            errors[name] = too_long(limit.label, len(value), limit.maximum, lang)
    return errors
