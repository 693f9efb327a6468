"""The HTTP clients CivicLoop calls platforms with share one TLS context, and it still verifies every certificate."""

from __future__ import annotations

import ssl

import httpx

from civicloop.channels.outbound.send import http_client as outbound_client
from civicloop.kit.http import http_client, tls_context


def _context(client: httpx.Client) -> ssl.SSLContext:
    pool = client._transport._pool  # type: ignore[attr-defined]
    context: ssl.SSLContext = pool._ssl_context
    return context


def test_every_client_shares_one_context_that_verifies_certificates_and_host_names() -> None:
    with http_client(5.0) as first, http_client(10.0, follow_redirects=True) as second, outbound_client() as third:
        assert _context(first) is _context(second) is _context(third) is tls_context()
        assert first.timeout.read == 5.0 and second.follow_redirects and not first.follow_redirects
    assert tls_context().verify_mode is ssl.CERT_REQUIRED and tls_context().check_hostname
    assert tls_context().cert_store_stats()["x509_ca"] > 50  # the certificate authorities are loaded
