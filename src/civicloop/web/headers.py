"""Security headers on every answer, as a plain ASGI wrapper (webhook intake pays nothing but a few headers).

The Content-Security-Policy allows scripts, styles, images and fonts from this server only: no inline
script, no inline ``style`` attribute, no ``eval`` (htmx is configured without it in base.html), and no
framing. An answer that sets its own policy (uploaded files: ``default-src 'none'; sandbox``) keeps it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Swagger UI's stylesheet draws its icons as data: SVGs.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers every answer carries (an answer's own value of one of them wins)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if https:
        # Only over https: a browser told so on plain http would refuse the site until the header expires.
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Adds ``security_headers`` to every answer that passes through it. Starlette answers an unhandled
    error from a layer outside every middleware, so the app's error handler adds them to its 500 itself."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
