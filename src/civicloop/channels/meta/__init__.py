"""What Facebook and Instagram share: Meta's Graph API and Login."""

from __future__ import annotations

from civicloop.config import get_settings

GRAPH_API_URL = "https://graph.facebook.com"


def graph_api() -> str:
    """The Graph API's base URL for Facebook Pages (``CIVICLOOP_FACEBOOK_API_URL`` points it elsewhere)."""
    return get_settings().api_url("facebook", GRAPH_API_URL)
