"""Reading an X account's recent mentions and direct messages back from the X API v2 (reconciliation).

What the API lets us list (docs/channels/x.md, "Reconciliation"): ``GET /2/users/:id/mentions`` (posts that
mention the account, newest first, ``start_time`` bound, at most the 800 most recent) and ``GET /2/dm_events``
(the account's DM events of the last 30 days, newest first), both with user-context auth and
``meta.next_token`` paging. Each post or DM found is rebuilt as the Account Activity event X would have
pushed (``tweet_create_events`` with a v1.1-shaped post, ``direct_message_events``), so it gets the same
storage key and the same processing. The account's own posts and DMs are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from civicloop.channels.base import AppAccount, EventItem
from civicloop.channels.documents import dump_json, items, obj, text_of
from civicloop.channels.spec import CredentialsRefused, Listed, PlatformFailed
from civicloop.channels.x.outbound import oauth1_header
from civicloop.channels.x.provider import TWEET_TIME, XProvider
from civicloop.kit.clock import utcnow

MAX_PAGES = 50
API_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def api_time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(text_of(value), API_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def _problem(response: httpx.Response) -> Exception:
    try:
        body = obj(response.json())
    except ValueError:
        body = {}
    detail = text_of(body.get("detail")) or text_of(body.get("title")) or "no detail"
    reason = f"X answered {response.status_code}: {detail}"
    if response.status_code in (401, 403):
        return CredentialsRefused(
            f"{reason}. The account's access token was revoked or lacks the tweet.read, users.read and "
            "dm.read scopes: connect the X account again."
        )
    if response.status_code == 429:
        reset = response.headers.get("x-rate-limit-reset", "")
        when = datetime.fromtimestamp(int(reset), UTC).isoformat() if reset.isdigit() else "later"
        return PlatformFailed(f"{reason}; the rate limit resets at {when}")
    return PlatformFailed(reason)


class XReconciler:
    """Lists an account's recent mentions and DMs as Account Activity events."""

    def __init__(self, base_url: Callable[[], str]) -> None:
        self._base_url = base_url
        self._provider = XProvider()

    def _get(self, http: httpx.Client, path: str, params: dict[str, str], credentials: dict[str, str]) -> Any:
        url = self._base_url() + path
        if credentials.get("bearer_token"):
            authorization = f"Bearer {credentials['bearer_token']}"
        elif credentials.get("consumer_key") and credentials.get("access_token"):
            authorization = oauth1_header("GET", url, params, credentials, utcnow())
        else:
            raise CredentialsRefused("the account has no user access token: connect the X account to read its mentions")
        try:
            response = http.get(url, params=params, headers={"authorization": authorization})
        except httpx.TransportError as exc:
            raise PlatformFailed(f"X could not be reached: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise _problem(response)
        try:
            return obj(response.json())
        except ValueError as exc:
            raise PlatformFailed("X answered without JSON") from exc

    def _pages(
        self, http: httpx.Client, path: str, params: dict[str, str], credentials: dict[str, str]
    ) -> Iterator[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
        """Each row with the users of its page's ``includes``, following ``meta.next_token``."""
        query = dict(params)
        for _ in range(MAX_PAGES):
            body = self._get(http, path, query, credentials)
            users = {text_of(u.get("id")): u for u in items(obj(body.get("includes")).get("users"))}
            for row in items(body.get("data")):
                yield row, users
            token = text_of(obj(body.get("meta")).get("next_token"))
            if not token:
                return
            query["pagination_token"] = token

    def list_since(self, account: AppAccount, since: datetime, http: httpx.Client) -> Listed:
        me = account.external_id
        credentials = dict(account.credentials)
        found: list[EventItem] = []
        fetched = 0
        mentions = self._pages(
            http,
            f"/2/users/{me}/mentions",
            {
                "max_results": "100",
                "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tweet.fields": "created_at,author_id,in_reply_to_user_id,referenced_tweets,conversation_id",
                "expansions": "author_id",
                "user.fields": "name,username",
            },
            credentials,
        )
        for post, users in mentions:
            fetched += 1
            if text_of(post.get("author_id")) != me:
                found.extend(self._events({"for_user_id": me, "tweet_create_events": [_v1_tweet(post, users)]}))
        events = self._pages(
            http,
            "/2/dm_events",
            {
                "max_results": "100",
                "event_types": "MessageCreate",
                "dm_event.fields": "created_at,sender_id,participant_ids,dm_conversation_id",
                "expansions": "sender_id",
                "user.fields": "name,username",
            },
            credentials,
        )
        for event, users in events:
            at = api_time(event.get("created_at"))
            if at is not None and at < since:
                break  # newest first
            fetched += 1
            if text_of(event.get("sender_id")) != me:
                found.extend(self._events(_aaa_dm(event, me, users, at)))
        return Listed(found, fetched)

    def _events(self, document: dict[str, Any]) -> list[EventItem]:
        return self._provider.events(dump_json(document))


def _v1_tweet(post: dict[str, Any], users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A v2 post as the v1.1 Tweet object Account Activity events carry (platforms.md §2.4)."""
    author = text_of(post.get("author_id"))
    user = users.get(author, {})
    at = api_time(post.get("created_at"))
    replied = next(
        (text_of(r.get("id")) for r in items(post.get("referenced_tweets")) if r.get("type") == "replied_to"), None
    )
    tweet: dict[str, Any] = {
        "id_str": text_of(post.get("id")),
        "text": text_of(post.get("text")),
        "user": {"id_str": author, "name": text_of(user.get("name")), "screen_name": text_of(user.get("username"))},
        "in_reply_to_status_id_str": replied,
        "in_reply_to_user_id_str": text_of(post.get("in_reply_to_user_id")) or None,
    }
    if at is not None:
        tweet["created_at"] = at.strftime(TWEET_TIME)
        tweet["timestamp_ms"] = str(int(at.timestamp() * 1000))
    return tweet


def _aaa_dm(event: dict[str, Any], me: str, users: dict[str, dict[str, Any]], at: datetime | None) -> dict[str, Any]:
    sender = text_of(event.get("sender_id"))
    others = [text_of(p) for p in event.get("participant_ids") or [] if text_of(p) != sender]
    recipient = others[0] if others else me
    user = users.get(sender, {})
    return {
        "for_user_id": me,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": text_of(event.get("id")),
                "created_timestamp": str(int(at.timestamp() * 1000)) if at else None,
                "message_create": {
                    "target": {"recipient_id": recipient},
                    "sender_id": sender,
                    "message_data": {"text": text_of(event.get("text"))},
                },
            }
        ],
        "users": {
            sender: {"id": sender, "name": text_of(user.get("name")), "screen_name": text_of(user.get("username"))}
        },
    }
