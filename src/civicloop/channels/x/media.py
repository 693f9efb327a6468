"""Downloading what citizens attach on X. Media in posts sit at public links (``pbs.twimg.com``); media in
direct messages sit on ``ton.twitter.com`` and "must be accessed by signing a request with the user's access
token using OAuth 1.0A" (developer.x.com, Direct Messages › Retrieving media): the request is signed with the
account's OAuth 1.0a user credentials, and only requests to that host carry them.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from civicloop.channels.base import AppAccount
from civicloop.channels.media.download import Got, Refused, Wanted, stream
from civicloop.channels.x.outbound import oauth1_header
from civicloop.config import get_settings
from civicloop.kit.clock import utcnow

DM_MEDIA_DEFAULT = "https://ton.twitter.com"
OAUTH1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def dm_media_base() -> str:
    """Where X serves direct-message media (``CIVICLOOP_API_URLS`` key ``x.ton``; the simulator in tests)."""
    return get_settings().api_urls.get("x.ton", DM_MEDIA_DEFAULT).rstrip("/")


class XMedia:
    def download(
        self, account: AppAccount, wanted: Wanted, http: httpx.Client, *, limit: int, token: Callable[[str | None], str]
    ) -> Got:
        url = wanted.url
        if not url.startswith(("https://", "http://")):
            raise Refused("X gave no link to the file")
        if not url.startswith(dm_media_base() + "/"):
            return stream(http, url, limit=limit, label="X")  # a post's media: a public link
        credentials = account.credentials
        if not all(credentials.get(name) for name in OAUTH1):
            raise Refused(
                "X serves direct-message media only to requests signed with the account's OAuth 1.0a user "
                "credentials (consumer_key, consumer_secret, access_token, access_token_secret); this account "
                "has none, so the file stays on X"
            )
        plain = str(httpx.URL(url).copy_with(query=None))
        query = dict(httpx.URL(url).params)
        header = oauth1_header("GET", plain, query, credentials, utcnow())
        return stream(http, url, limit=limit, label="X", headers={"authorization": header})
