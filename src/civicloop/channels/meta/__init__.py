"""What Facebook and Instagram share: Meta's Graph API and Login."""

from __future__ import annotations

from civicloop.config import get_settings

GRAPH_API_URL = "https://graph.facebook.com"
# The Graph API version every call names: pinned, and moved when Meta retires it
# (``CIVICLOOP_FACEBOOK_GRAPH_VERSION``, docs/configuration.md).
GRAPH_VERSION = "v25.0"


def graph_api() -> str:
    """The Graph API's base URL for Facebook Pages (``CIVICLOOP_FACEBOOK_API_URL`` points it elsewhere)."""
    return get_settings().api_url("facebook", GRAPH_API_URL)


def graph_version() -> str:
    """The Graph API version in every call's path (``CIVICLOOP_FACEBOOK_GRAPH_VERSION`` moves it)."""
    return get_settings().variable("FACEBOOK_GRAPH_VERSION", GRAPH_VERSION)
