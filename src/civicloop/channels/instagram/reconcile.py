"""Reading an Instagram account's recent comments back from the Graph API (reconciliation).

``GET /{ig-user-id}/media?fields=id,timestamp`` (newest first), then for each post
``GET /{ig-media-id}/comments?fields=id,text,timestamp,from,media,parent_id`` until the comments are older
than the start time. Each comment is rebuilt as the ``comments`` webhook change Meta would have sent, so it
gets the same storage key. Direct messages are not read back yet (``/{page-id}/conversations?platform=
instagram`` could list them). The account's own comments are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

from civicloop.channels.base import AppAccount, EventItem
from civicloop.channels.documents import dump_json, items, obj, text_of
from civicloop.channels.instagram.provider import InstagramProvider
from civicloop.channels.spec import CredentialsRefused, Listed, PlatformFailed

MAX_PAGES = 100
POST_HORIZON = timedelta(days=90)  # posts older than this before the start time are not searched
TIME = "%Y-%m-%dT%H:%M:%S%z"


def _time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(text_of(value), TIME)
    except ValueError:
        return None


class InstagramReconciler:
    def __init__(self, base_url: Callable[[], str]) -> None:
        self._base_url = base_url
        self._provider = InstagramProvider()

    def _pages(self, http: httpx.Client, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        query = dict(params)
        for _ in range(MAX_PAGES):
            try:
                response = http.get(f"{self._base_url()}/{path}", params=query)
            except httpx.TransportError as exc:
                raise PlatformFailed(f"Instagram could not be reached: {exc.__class__.__name__}") from exc
            body = (
                obj(response.json()) if response.headers.get("content-type", "").startswith("application/json") else {}
            )
            if response.status_code != 200:
                error = obj(body.get("error"))
                detail = f"Instagram answered {response.status_code}: {text_of(error.get('message')) or 'no detail'}"
                if error.get("code") in (190, 10, 200):
                    raise CredentialsRefused(
                        f"{detail} (code {error.get('code')}). The access token was revoked or lacks "
                        "instagram_manage_comments: connect the account again."
                    )
                raise PlatformFailed(detail)
            yield from items(body.get("data"))
            paging = obj(body.get("paging"))
            after = text_of(obj(paging.get("cursors")).get("after"))
            if not paging.get("next") or not after:
                return
            query["after"] = after

    def list_since(self, account: AppAccount, since: datetime, http: httpx.Client) -> Listed:
        token = account.credentials.get("page_access_token", "")
        if not token:
            raise CredentialsRefused("the account has no page_access_token: connect it to read its comments")
        me = account.external_id
        found: list[EventItem] = []
        fetched = 0
        for media in self._pages(
            http, f"{me}/media", {"fields": "id,timestamp", "limit": "100", "access_token": token}
        ):
            posted = _time(media.get("timestamp"))
            if posted is not None and posted < since - POST_HORIZON:
                break
            params = {"fields": "id,text,timestamp,from,media,parent_id", "limit": "100", "access_token": token}
            for comment in self._pages(http, f"{text_of(media.get('id'))}/comments", params):
                at = _time(comment.get("timestamp"))
                if at is not None and at < since:
                    break
                fetched += 1
                if text_of(obj(comment.get("from")).get("id")) == me:
                    continue
                value = {key: comment[key] for key in ("id", "from", "text", "media", "parent_id") if key in comment}
                change = {"field": "comments", "value": value}
                envelope = {
                    "object": "instagram",
                    "entry": [{"id": me, "time": int(at.timestamp()) if at else 0, "changes": [change]}],
                }
                found.extend(self._provider.events(dump_json(envelope)))
        return Listed(found, fetched)
