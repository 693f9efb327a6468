"""HTTP clients for calls to platforms and identity providers, sharing one TLS context per process.

A new ``httpx.Client`` builds its own ``ssl.SSLContext`` and loads every certificate authority into it: tens of
milliseconds, paid for each reply sent, each moderation call and each sign-in. The context is the same every time,
so it is built once and shared (an ``SSLContext`` is safe to share between threads and clients).
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def http_client(timeout: httpx.Timeout | float, *, follow_redirects: bool = False) -> httpx.Client:
    return httpx.Client(timeout=timeout, verify=tls_context(), follow_redirects=follow_redirects)
