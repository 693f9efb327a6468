"""Reading a Page's recent comments and Messenger messages back from the Graph API (reconciliation).

What the API lets us list (docs/channels/facebook.md, "Reconciliation"):
- comments: ``GET /{page-id}/feed?fields=id,created_time,updated_time`` (a post's ``updated_time`` moves
  when someone comments), then for each post updated since, ``GET /{post-id}/comments?filter=stream
  &order=reverse_chronological&fields=id,message,created_time,from{id,name},parent{id},attachment``;
- Messenger: ``GET /{page-id}/conversations?platform=messenger&fields=id,updated_time`` (no time-based
  paging there: cursors only, most recent first), then ``GET /{conversation-id}/messages?fields=id,
  created_time,from,to,message,attachments`` — details of the 20 most recent messages of a conversation only.
Each object found is rebuilt as the ``feed``/``messaging`` webhook event Meta would have sent, so that it
gets the same storage key and goes through the same processing; the Page's own comments and messages are
left out (CivicLoop records what it sends when it sends it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

from civicloop.channels.base import AppAccount, EventItem
from civicloop.channels.documents import dump_json, items, obj, text_of
from civicloop.channels.facebook.provider import FacebookProvider
from civicloop.channels.spec import CredentialsRefused, Listed, PlatformFailed

PAGE_SIZE = "100"
# Posts older than this are not searched for new comments unless the feed says they were updated.
POST_HORIZON = timedelta(days=90)
MAX_PAGES = 200  # a guard against a cursor that never ends
TOKEN_CODES = frozenset({190, 102, 10, 200})  # invalid/expired token, permission missing or revoked
GRAPH_TIME = "%Y-%m-%dT%H:%M:%S%z"


def graph_time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(text_of(value), GRAPH_TIME)
    except ValueError:
        return None


def _problem(response: httpx.Response) -> Exception:
    try:
        error = obj(obj(response.json()).get("error"))
    except ValueError:
        error = {}
    code = error.get("code")
    detail = f"Facebook answered {response.status_code}: {text_of(error.get('message')) or 'no detail'}"
    if code is not None:
        detail += f" (code {code})"
    if code in TOKEN_CODES or response.status_code == 401:
        return CredentialsRefused(
            f"{detail}. The Page's access token was revoked, expired or lacks a permission "
            "(pages_read_engagement, pages_read_user_content, pages_messaging): connect the Page again."
        )
    return PlatformFailed(detail)


class FacebookReconciler:
    """Lists a Page's recent comments and Messenger messages as ``feed``/``messaging`` webhook events."""

    def __init__(self, base_url: Callable[[], str]) -> None:
        self._base_url = base_url  # read at call time: tests and the demo point it at the simulator
        self._provider = FacebookProvider()

    def _pages(self, http: httpx.Client, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every row of a Graph edge, following ``paging.cursors.after`` while ``paging.next`` is there."""
        query = dict(params)
        for _ in range(MAX_PAGES):
            try:
                response = http.get(f"{self._base_url()}/{path}", params=query)
            except httpx.TransportError as exc:
                raise PlatformFailed(f"Facebook could not be reached: {exc.__class__.__name__}") from exc
            if response.status_code != 200:
                raise _problem(response)
            try:
                body = obj(response.json())
            except ValueError as exc:
                raise PlatformFailed("Facebook answered without JSON") from exc
            yield from items(body.get("data"))
            paging = obj(body.get("paging"))
            after = text_of(obj(paging.get("cursors")).get("after"))
            if not paging.get("next") or not after:
                return
            query["after"] = after

    def list_since(self, account: AppAccount, since: datetime, http: httpx.Client) -> Listed:
        token = account.credentials.get("page_access_token", "")
        if not token:
            raise CredentialsRefused("the account has no page_access_token: connect the Page to read its comments")
        page = account.external_id
        found: list[EventItem] = []
        fetched = 0
        for change in self._comments(http, page, token, since):
            fetched += 1
            if text_of(obj(change["value"].get("from")).get("id")) != page:
                found.extend(self._items(page, {"changes": [change]}))
        for event in self._messages(http, page, token, since):
            fetched += 1
            if text_of(obj(event.get("sender")).get("id")) != page:
                found.extend(self._items(page, {"messaging": [event]}))
        return Listed(found, fetched)

    def _items(self, page: str, inner: dict[str, Any]) -> list[EventItem]:
        envelope = {"object": "page", "entry": [{"id": page, "time": 0, **inner}]}
        return self._provider.events(dump_json(envelope))

    def _comments(self, http: httpx.Client, page: str, token: str, since: datetime) -> Iterator[dict[str, Any]]:
        posts = self._pages(
            http, f"{page}/feed", {"fields": "id,created_time,updated_time", "limit": PAGE_SIZE, "access_token": token}
        )
        for post in posts:
            created, updated = graph_time(post.get("created_time")), graph_time(post.get("updated_time"))
            if created is not None and created < since - POST_HORIZON and (updated is None or updated < since):
                return  # the feed is newest first: older posts were not commented on since
            if updated is not None and updated < since:
                continue
            post_id = text_of(post.get("id"))
            params = {
                "filter": "stream",
                "order": "reverse_chronological",
                "fields": "id,message,created_time,from{id,name},parent{id},attachment",
                "limit": PAGE_SIZE,
                "access_token": token,
            }
            for comment in self._pages(http, f"{post_id}/comments", params):
                at = graph_time(comment.get("created_time"))
                if at is not None and at < since:
                    break  # newest first: the rest is older still
                yield {"field": "feed", "value": _comment_value(comment, post_id, at)}

    def _messages(self, http: httpx.Client, page: str, token: str, since: datetime) -> Iterator[dict[str, Any]]:
        threads = self._pages(
            http,
            f"{page}/conversations",
            {"platform": "messenger", "fields": "id,updated_time", "limit": PAGE_SIZE, "access_token": token},
        )
        for thread in threads:
            updated = graph_time(thread.get("updated_time"))
            if updated is not None and updated < since:
                return  # most recently updated first
            params = {
                "fields": "id,created_time,from,to,message,attachments",
                "limit": PAGE_SIZE,
                "access_token": token,
            }
            for message in self._pages(http, f"{text_of(thread.get('id'))}/messages", params):
                at = graph_time(message.get("created_time"))
                if at is not None and at < since:
                    break
                yield _messaging_event(message, page, at)


def _comment_value(comment: dict[str, Any], post_id: str, at: datetime | None) -> dict[str, Any]:
    """A comment as the ``feed`` webhook's change value describes it (platforms.md §1.7)."""
    author = obj(comment.get("from"))
    value: dict[str, Any] = {
        "from": {"id": text_of(author.get("id")), "name": text_of(author.get("name"))},
        "post": {"id": post_id},
        "message": text_of(comment.get("message")),
        "post_id": post_id,
        "comment_id": text_of(comment.get("id")),
        "created_time": int(at.timestamp()) if at else None,
        "item": "comment",
        "parent_id": text_of(obj(comment.get("parent")).get("id")) or post_id,
        "verb": "add",
    }
    attachment = obj(comment.get("attachment"))
    url = text_of(attachment.get("url")) or text_of(obj(obj(attachment.get("media")).get("image")).get("src"))
    if url:
        value["video" if text_of(attachment.get("type")).startswith("video") else "photo"] = url
    return value


def _messaging_event(message: dict[str, Any], page: str, at: datetime | None) -> dict[str, Any]:
    """A message as the ``messages`` webhook event describes it (platforms.md §1.8)."""
    sender = text_of(obj(message.get("from")).get("id"))
    recipient = next((text_of(t.get("id")) for t in items(obj(message.get("to")).get("data"))), page)
    attachments = []
    for attachment in items(obj(message.get("attachments")).get("data")):
        mime = text_of(attachment.get("mime_type"))
        url = (
            text_of(obj(attachment.get("image_data")).get("url"))
            or text_of(obj(attachment.get("video_data")).get("url"))
            or text_of(attachment.get("file_url"))
        )
        kind = (
            "image"
            if mime.startswith("image/")
            else "video"
            if mime.startswith("video/")
            else "audio"
            if mime.startswith("audio/")
            else "file"
        )
        if url:
            attachments.append({"type": kind, "payload": {"url": url}})
    inner: dict[str, Any] = {"mid": text_of(message.get("id")), "text": text_of(message.get("message"))}
    if attachments:
        inner["attachments"] = attachments
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": int(at.timestamp() * 1000) if at else None,
        "message": inner,
    }
