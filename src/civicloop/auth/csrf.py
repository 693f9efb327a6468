"""CSRF protection for every unsafe request that rides on a session cookie.

A per-session random token goes into each form (``csrf_token`` field) or, for HTMX and
fetch, the ``X-CSRF-Token`` header. Webhooks (signed by the platform) and the public self-check API
are exempt, and so are requests that carry an ``Authorization`` header: such a request is authenticated by
its API token alone and its cookie is never read (``deps.optional_actor``), so a blank or foreign header
cannot lend the exemption to a cookie.
"""

from __future__ import annotations

import secrets

from fastapi import Request

from civicloop.errors import Forbidden
from civicloop.kit.crypto import constant_time_equal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The public self-check API changes nothing and acts for no one, so a forged request gains nothing.
EXEMPT_PREFIXES = ("/webhooks/", "/api/v1/self-check")
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def token_authenticated(request: Request) -> bool:
    """A request with an Authorization header is token-authenticated, whatever the header holds."""
    return "authorization" in request.headers


def csrf_token(request: Request) -> str:
    token = request.session.get(FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return token


async def verify_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS or request.url.path.startswith(EXEMPT_PREFIXES):
        return
    if token_authenticated(request):
        return
    expected = request.session.get(FIELD)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not constant_time_equal(expected, sent):
        raise Forbidden("the form has expired or did not come from this site; reload the page and try again")
