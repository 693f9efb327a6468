"""YouTube comments, polled (the Data API v3 has no webhooks for comments).

Contract (developers.google.com/youtube/v3/docs/commentThreads/list, docs/channels/youtube.md): ``GET
/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=<channel>&order=time&maxResults=100
&textFormat=plainText[&pageToken=...]`` with an OAuth 2.0 bearer token (scope ``youtube.force-ssl``)
costs 1 quota unit a call and answers ``{"kind": "youtube#commentThreadListResponse", "nextPageToken"?,
"items": [{"kind": "youtube#commentThread", "id", "snippet": {"channelId", "videoId", "topLevelComment":
{"id", "snippet": {"authorDisplayName", "authorChannelId": {"value"}, "textOriginal", "publishedAt"}}},
"replies"?: {"comments": [{"id", "snippet": {..., "parentId"}}]}}]}``, newest threads first. Errors
come in Google's shape ``{"error": {"code", "message", "errors": [{"reason"}]}}``.

Each comment becomes one event (external id ``comment:<id>``): a top-level comment in its thread's
envelope (kind ``commentThread``), a reply as the comment resource itself (kind ``comment``). A poll
pages back from the newest thread and stops at the first page holding a comment already stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx

from civicloop.channels import base
from civicloop.channels.base import Action, AppAccount, ContactRef, EventItem, Inbound, ProviderBase
from civicloop.channels.documents import dump_json, items, load_json, obj, text_of
from civicloop.channels.models import ConversationKind, Direction
from civicloop.channels.spec import CredentialsRefused, Listed, PlatformFailed, Polled
from civicloop.errors import BadRequest

LIST_COST = 1  # quota units of one commentThreads.list call
PAGE_SIZE = 100  # the most commentThreads.list returns a page


def published(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text_of(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _inbound(comment: Mapping[str, Any], video_id: str, channel_id: str) -> list[Inbound]:
    snippet = obj(comment.get("snippet"))
    comment_id = text_of(comment.get("id"))
    author_id = text_of(obj(snippet.get("authorChannelId")).get("value"))
    if not comment_id or not author_id:
        return []
    own = author_id == channel_id
    name = text_of(snippet.get("authorDisplayName"))
    parent = text_of(snippet.get("parentId")) or None
    return [
        Inbound(
            action=Action.message,
            account_ref=channel_id,
            # Each top-level comment on a video is a conversation of its own; a reply joins its thread's
            # (YouTube replies always name the top-level comment as their parent).
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=parent or comment_id,
            thread_parent_external_id=parent,
            post_ref=video_id or channel_id,
            created_at=published(snippet.get("publishedAt")),
            external_id=comment_id,
            direction=Direction.outbound if own else Direction.inbound,
            contact=None if own else ContactRef(author_id, name, handle=name.lstrip("@") or None),
            text=text_of(snippet.get("textOriginal")) or text_of(snippet.get("textDisplay")),
            reply_to_external_id=parent,
            permalink=f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}" if video_id else None,
        )
    ]


def parse_thread(document: Any) -> list[Inbound]:
    snippet = obj(obj(document).get("snippet"))
    comment = obj(snippet.get("topLevelComment"))
    return _inbound(comment, text_of(snippet.get("videoId")), text_of(snippet.get("channelId")))


def parse_reply(document: Any) -> list[Inbound]:
    snippet = obj(obj(document).get("snippet"))
    return _inbound(obj(document), text_of(snippet.get("videoId")), text_of(snippet.get("channelId")))


def google_error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    return obj(obj(body).get("error"))


def quota_exceeded(response: httpx.Response) -> bool:
    return any(text_of(e.get("reason")) == "quotaExceeded" for e in items(google_error(response).get("errors")))


def problem_of(response: httpx.Response) -> str:
    """Google's error, in words an administrator can act on."""
    detail = text_of(google_error(response).get("message")) or "no detail"
    if quota_exceeded(response):
        return f"YouTube's daily quota for the project is used up ({detail}); polling resumes tomorrow"
    if response.status_code == 401:
        return f"YouTube refused the access token ({detail}): renew the account's access_token"
    if response.status_code == 403:
        return f"YouTube refused access ({detail}): the token needs the youtube.force-ssl scope on this channel"
    return f"YouTube answered {response.status_code}: {detail}"


class YouTubePoller(ProviderBase):
    """Comments on the channel's videos, fetched with ``commentThreads.list``."""

    name: ClassVar[str] = "youtube"
    HANDLERS: ClassVar[Mapping[str, base.Handler]] = {
        "commentThread": parse_thread,
        "comment": parse_reply,
    }
    IGNORED: ClassVar[Mapping[str, str]] = {}

    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url  # read at poll time: tests and the demo point it at the simulator

    def events(self, payload: bytes) -> list[EventItem]:
        """One ``commentThreadListResponse`` page, one event per comment (top-level or reply)."""
        document = load_json(payload)
        threads = document.get("items")
        if not isinstance(threads, list):
            raise BadRequest("a commentThreads.list answer has an items list")
        found: list[EventItem] = []
        for thread in items(threads):
            snippet = obj(thread.get("snippet"))
            channel = text_of(snippet.get("channelId"))
            top = text_of(obj(snippet.get("topLevelComment")).get("id"))
            if top:
                alone = {key: value for key, value in thread.items() if key != "replies"}
                found.append(EventItem("commentThread", f"comment:{top}", channel, dump_json(alone)))
            for reply in items(obj(thread.get("replies")).get("comments")):
                reply_id = text_of(reply.get("id"))
                if reply_id:
                    found.append(EventItem("comment", f"comment:{reply_id}", channel, dump_json(reply)))
        return found

    def list_page(self, account: AppAccount, page_token: str, http: httpx.Client) -> httpx.Response:
        """One ``commentThreads.list`` page of the channel's threads, newest first (1 quota unit)."""
        params = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": account.external_id,
            "order": "time",
            "maxResults": str(PAGE_SIZE),
            "textFormat": "plainText",
        } | ({"pageToken": page_token} if page_token else {})
        headers = {"Authorization": f"Bearer {account.credentials.get('access_token', '')}"}
        return http.get(f"{self._api_url()}/commentThreads", params=params, headers=headers)

    def poll(self, account: AppAccount, seen: Callable[[str], bool], budget: int, http: httpx.Client) -> Polled:
        found: list[EventItem] = []
        units, page_token = 0, ""
        while True:
            if units + LIST_COST > budget:
                return Polled(found, units, "the day's quota budget ran out before the newest comments were all read")
            try:
                response = self.list_page(account, page_token, http)
            except httpx.TransportError as exc:
                return Polled(found, units, f"YouTube could not be reached: {exc.__class__.__name__}")
            units += LIST_COST  # a call that reached YouTube is counted, answered or refused
            if response.status_code != 200:
                return Polled(found, units, problem_of(response))
            page = self.events(response.content)
            new = [item for item in page if not seen(item.external_id)]
            found.extend(new)
            page_token = text_of(load_json(response.content).get("nextPageToken"))
            # Newest first: a page holding a comment already stored reaches back to the last poll.
            if len(new) < len(page) or not page_token:
                return Polled(found, units)


class YouTubeReconciler:
    """Reads comment threads back to ``since`` (not only to the first one stored, as a poll does), so that
    comments a poll missed (a poll cut short by the quota budget, a crash between pages) are found."""

    MAX_PAGES = 100

    def __init__(self, poller: YouTubePoller) -> None:
        self._poller = poller

    def list_since(self, account: AppAccount, since: datetime, http: httpx.Client) -> Listed:
        found: list[EventItem] = []
        fetched, page_token = 0, ""
        for _ in range(self.MAX_PAGES):
            try:
                response = self._poller.list_page(account, page_token, http)
            except httpx.TransportError as exc:
                raise PlatformFailed(f"YouTube could not be reached: {exc.__class__.__name__}") from exc
            if response.status_code != 200:
                problem = problem_of(response)
                if response.status_code in (401, 403) and not quota_exceeded(response):
                    raise CredentialsRefused(problem)
                raise PlatformFailed(problem)
            older = 0
            page = self._poller.events(response.content)
            for item in page:
                at = _published_of(item)
                fetched += 1
                if at is not None and at < since:
                    older += 1
                else:
                    found.append(item)
            page_token = text_of(load_json(response.content).get("nextPageToken"))
            # Newest threads first: a page wholly older than ``since`` ends the search.
            if not page_token or (page and older == len(page)):
                break
        return Listed(found, fetched)


def _published_of(item: EventItem) -> datetime | None:
    snippet = obj(load_json(item.body).get("snippet"))
    if item.kind == "commentThread":
        snippet = obj(obj(snippet.get("topLevelComment")).get("snippet"))
    return published(snippet.get("publishedAt"))
