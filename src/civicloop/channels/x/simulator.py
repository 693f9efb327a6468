"""The X API v2 as CivicLoop uses it: posts and replies, DMs, media upload, and the look-ups.

Contract enforced: user-context auth only (OAuth 1.0a HMAC-SHA1 signature checked, or an OAuth 2.0
user token; an app-only bearer token gets 403 "Unsupported Authentication"), 280 weighted
characters, a reply's ``in_reply_to_tweet_id`` must be visible, no duplicate content, DMs only to
someone who wrote to the account, 201 with ``{"data": ...}`` on success, and per-user rate limits
with ``x-rate-limit-limit/-remaining/-reset`` on every answer and 429 past the limit. Hiding a reply
(``PUT /2/tweets/:id/hidden``, ``{"hidden": bool}``) works only on a reply in a conversation the user
started, answers ``{"data": {"hidden": bool}}`` and counts against a 50-per-15-minutes window.
Direct-message media (ton.twitter.com, served under ``/x/ton``) open only to a request signed with OAuth
1.0a by a participant of the message: no or a bearer authorization 401, someone else 403.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.state import Fault, SimulatorState
from civicloop.channels.x.outbound import DM_LIMIT, POST_LIMIT, oauth1_signature, parse_oauth_header, weighted_length
from civicloop.kit.crypto import constant_time_equal

router = APIRouter(prefix="/x")

TIMESTAMP_TOLERANCE = timedelta(minutes=15)
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created: datetime
    in_reply_to: str | None = None
    media_ids: tuple[str, ...] = ()
    hidden: bool = False  # a reply hidden by the author of the conversation's first post
    mentions: tuple[str, ...] = ()  # the user ids the post @mentions


@dataclass
class DirectMessage:
    id: str
    sender_id: str
    recipient_id: str
    text: str
    created: datetime


@dataclass
class XUser:
    user_id: str
    consumer_key: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""
    bearer_token: str = ""


@dataclass
class RateWindow:
    limit: int
    seconds: int
    used: int = 0
    reset_at: datetime | None = None


class XApi:
    """What the simulated X API knows: its users and their credentials, posts, direct messages, uploaded
    media, profiles, and each user's rate-limit windows."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        # Rate limits per endpoint: (requests, seconds). Volatile in reality; configurable here.
        self.limits: dict[str, tuple[int, int]] = {
            "x.tweets": (100, 900),
            "x.dm": (200, 900),
            "x.media": (500, 900),
            "x.hide": (50, 900),
        }
        self.users: dict[str, XUser] = {}
        self.app_bearer_tokens: set[str] = set()
        self.tweets: dict[str, Tweet] = {}
        self.dms: list[DirectMessage] = []
        self.dm_partners: set[tuple[str, str]] = set()
        self.uploads: set[str] = set()  # media ids uploaded, which a post may carry
        self.rate: dict[tuple[str, str], RateWindow] = {}
        self.profiles: dict[str, tuple[str, str]] = {}  # user id -> (name, username)

    def add_user(self, user: XUser) -> None:
        with self.state.lock:
            self.users[user.user_id] = user

    def tweet(
        self,
        tweet_id: str,
        author_id: str,
        text: str,
        at: datetime | None = None,
        in_reply_to: str | None = None,
        *,
        mentions: tuple[str, ...] = (),
    ) -> None:
        with self.state.lock:
            self.tweets[tweet_id] = Tweet(
                tweet_id, author_id, text, at or self.state.now(), in_reply_to=in_reply_to, mentions=mentions
            )

    def direct_message(
        self, user_id: str, citizen_id: str, text: str = "", at: datetime | None = None, *, event_id: str = ""
    ) -> None:
        """A citizen wrote to the user (who may now write back)."""
        with self.state.lock:
            self.dm_partners.add((user_id, citizen_id))
            event_id = event_id or f"{self.state.next_number():019d}"
            self.dms.append(DirectMessage(event_id, citizen_id, user_id, text, at or self.state.now()))

    def profile(self, user_id: str, name: str, username: str) -> None:
        with self.state.lock:
            self.profiles[user_id] = (name, username)


def x_api(state: SimulatorState) -> XApi:
    """The simulated X API's part of ``state``."""
    return state.slot("x", lambda: XApi(state))


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Reply:
    return Reply(status, {"title": title, "detail": detail, "type": kind, "status": status})


def invalid(detail: str) -> Reply:
    return problem(400, "Invalid Request", detail, "https://api.twitter.com/2/problems/invalid-request")


def forbidden(detail: str) -> Reply:
    return problem(403, "Forbidden", detail)


def unauthorized() -> Reply:
    return problem(401, "Unauthorized", "Unauthorized")


def fault_body(fault: Fault) -> Any:
    if fault.status == 429:
        return problem(429, "Too Many Requests", "Too Many Requests").body
    return problem(fault.status, "Service Unavailable", "Service Unavailable").body


def x_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _oauth1_user(state: SimulatorState, call: Call, header: str) -> XUser | Reply:
    params = parse_oauth_header(header)
    user = next(
        (
            u
            for u in x_api(state).users.values()
            if u.consumer_key
            and u.consumer_key == params.get("oauth_consumer_key")
            and u.access_token == params.get("oauth_token")
        ),
        None,
    )
    if user is None or params.get("oauth_signature_method") != "HMAC-SHA1":
        return unauthorized()
    try:
        stamp = datetime.fromtimestamp(int(params.get("oauth_timestamp", "")), state.now().tzinfo)
    except ValueError:
        return unauthorized()
    if abs(stamp - state.now()) > TIMESTAMP_TOLERANCE:
        return unauthorized()
    signed = {**call.query, **params}
    if isinstance(call.body, dict) and call.headers.get("content-type", "").startswith("application/x-www-form"):
        signed.update({k: str(v) for k, v in call.body.items()})
    expected = oauth1_signature(call.method, call.url, signed, user.consumer_secret, user.access_token_secret)
    if not constant_time_equal(expected, params.get("oauth_signature", "")):
        return unauthorized()
    return user


def dm_media(state: SimulatorState) -> dict[str, tuple[str, bytes, str]]:
    """Direct-message media on the simulated ton.twitter.com: path → (DM event id, bytes, type)."""
    found: dict[str, tuple[str, bytes, str]] = state.platforms.setdefault("x.dm_media", {})
    return found


def add_dm_media(state: SimulatorState, event_id: str, data: bytes, content_type: str) -> str:
    """A file attached to the direct message ``event_id``; returns its ``media_url_https``, which only a
    participant's OAuth 1.0a-signed request opens."""
    with state.lock:
        media_id = f"{state.next_number():019d}"
        path = f"/1.1/ton/data/dm/{event_id}/{media_id}/{secrets.token_urlsafe(6)}.{content_type.split('/')[-1]}"
        dm_media(state)[path] = (event_id, data, content_type)
        return f"{state.base_url}/x/ton{path}"


def get_dm_media(state: SimulatorState, call: Call, path: str) -> Reply:
    """ton.twitter.com: OAuth 1.0a user context only (no bearer token), of a participant of the message."""
    header = call.headers.get("authorization", "")
    if not header.startswith("OAuth "):
        return unauthorized()
    user = _oauth1_user(state, call, header)
    if isinstance(user, Reply):
        return user
    found = dm_media(state).get(path)
    if found is None:
        return problem(404, "Not Found", "Sorry, that page does not exist.")
    event_id, data, content_type = found
    event = next((d for d in x_api(state).dms if d.id == event_id), None)
    if event is None or user.user_id not in (event.sender_id, event.recipient_id):
        return forbidden("You are not a participant of this direct message.")
    return Reply(200, data, {"content-type": content_type})


def authenticate(state: SimulatorState, call: Call) -> XUser | Reply:
    header = call.headers.get("authorization", "")
    if header.startswith("OAuth "):
        return _oauth1_user(state, call, header)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return unauthorized()
    token = token.strip()
    if token in x_api(state).app_bearer_tokens:
        return forbidden(
            "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
            "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
        )
    for user in x_api(state).users.values():
        if user.bearer_token and constant_time_equal(user.bearer_token, token):
            return user
    return unauthorized()


def _limit(state: SimulatorState, user: XUser, endpoint: str) -> tuple[dict[str, str], bool]:
    limit, seconds = x_api(state).limits.get(endpoint, (300, 900))
    now = state.now()
    window = x_api(state).rate.get((user.user_id, endpoint))
    if window is None or window.reset_at is None or now >= window.reset_at:
        window = RateWindow(limit, seconds, 0, now + timedelta(seconds=seconds))
        x_api(state).rate[(user.user_id, endpoint)] = window
    exceeded = window.used >= limit
    if not exceeded:
        window.used += 1
    assert window.reset_at is not None
    headers = {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(limit - window.used, 0)),
        "x-rate-limit-reset": str(int(window.reset_at.timestamp())),
    }
    return headers, exceeded


def limited(state: SimulatorState, call: Call, endpoint: str, logic: Any) -> Reply:
    """Authenticate, count against the user's window, then run ``logic(user)`` with the headers set."""
    user = authenticate(state, call)
    if isinstance(user, Reply):
        return user
    headers, exceeded = _limit(state, user, endpoint)
    reply: Reply = problem(429, "Too Many Requests", "Too Many Requests") if exceeded else logic(user)
    reply.headers.update(headers)
    return reply


def _new_id(state: SimulatorState) -> str:
    return str(1_860_000_000_000_000_000 + state.next_number())


def create_tweet(state: SimulatorState, call: Call, user: XUser) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        return invalid("One or more parameters to your request was invalid.")
    text = body.get("text")
    media = body.get("media") if isinstance(body.get("media"), dict) else {}
    media_ids = [str(m) for m in (media or {}).get("media_ids") or []]
    if not isinstance(text, str) and not media_ids:
        return invalid("$.text: is missing but it is required")
    text = text if isinstance(text, str) else ""
    if weighted_length(text) > POST_LIMIT:
        return forbidden(
            "Your Tweet text is too long. For more information on how X determines text length, see https://github.com/twitter/twitter-text."
        )
    unknown_media = [m for m in media_ids if m not in x_api(state).uploads]
    if unknown_media:
        return invalid(f"Your media IDs are invalid: {', '.join(unknown_media)}")
    reply = body.get("reply")
    in_reply_to: str | None = None
    if reply is not None:
        target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
        if not isinstance(target, str):
            return invalid("$.reply.in_reply_to_tweet_id: string expected")
        if target not in x_api(state).tweets:
            return forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
        in_reply_to = target
    if text and any(t.author_id == user.user_id and t.text == text for t in x_api(state).tweets.values()):
        return forbidden("You are not allowed to create a Tweet with duplicate content.")
    tweet = Tweet(_new_id(state), user.user_id, text, state.now(), in_reply_to, tuple(media_ids))
    x_api(state).tweets[tweet.id] = tweet
    data = {"edit_history_tweet_ids": [tweet.id], "id": tweet.id, "text": text}
    return Reply(201, {"data": data}, {"location": f"https://api.x.com/2/tweets/{tweet.id}"})


def user_tweets(state: SimulatorState, user_id: str) -> Reply:
    own = (t for t in x_api(state).tweets.values() if t.author_id == user_id)
    tweets = sorted(own, key=lambda t: t.created, reverse=True)
    data = []
    for t in tweets[:100]:
        item: dict[str, Any] = {
            "id": t.id,
            "text": t.text,
            "created_at": x_time(t.created),
            "edit_history_tweet_ids": [t.id],
        }
        if t.in_reply_to:
            item["referenced_tweets"] = [{"type": "replied_to", "id": t.in_reply_to}]
        data.append(item)
    meta: dict[str, Any] = {"result_count": len(data)}
    if data:
        meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
    return Reply(200, {"data": data, "meta": meta} if data else {"meta": meta})


def send_dm(state: SimulatorState, call: Call, user: XUser, participant_id: str) -> Reply:
    body = call.body
    if not isinstance(body, dict) or not (isinstance(body.get("text"), str) or body.get("attachments")):
        return invalid("$.text: is missing but it is required")
    text = str(body.get("text") or "")
    if len(text) > DM_LIMIT:
        return invalid(f"$.text: must be at most {DM_LIMIT} characters")
    if (user.user_id, participant_id) not in x_api(state).dm_partners:
        return forbidden("You are not permitted to send messages to this user.")
    event = DirectMessage(_new_id(state), user.user_id, participant_id, text, state.now())
    x_api(state).dms.append(event)
    low, high = sorted((user.user_id, participant_id), key=int)
    return Reply(201, {"data": {"dm_conversation_id": f"{low}-{high}", "dm_event_id": event.id}})


def dm_events(state: SimulatorState, user: XUser, participant_id: str) -> Reply:
    pair = {user.user_id, participant_id}
    events = sorted(
        (d for d in x_api(state).dms if {d.sender_id, d.recipient_id} == pair), key=lambda d: d.created, reverse=True
    )
    data = [
        {
            "id": d.id,
            "event_type": "MessageCreate",
            "text": d.text,
            "sender_id": d.sender_id,
            "created_at": x_time(d.created),
        }
        for d in events
    ]
    return Reply(200, {"data": data, "meta": {"result_count": len(data)}})


def _fields(call: Call, name: str) -> set[str]:
    return {f.strip() for f in (call.query.get(name) or "").split(",") if f.strip()}


def _page(
    call: Call, rows: list[dict[str, Any]], *, low: int, high: int, default: int
) -> tuple[list[dict[str, Any]], dict[str, Any]] | Reply:
    """X's token paging: ``max_results`` within the endpoint's range (else 400), ``pagination_token`` from a
    previous ``meta.next_token``; ``meta`` carries result_count, newest_id, oldest_id and next_token."""
    raw = call.query.get("max_results", str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        return invalid(f"The `max_results` query parameter value [{raw}] is not between {low} and {high}")
    size, start = int(raw), 0
    token = call.query.get("pagination_token")
    if token is not None:
        if not token.startswith("p") or not token[1:].isdigit():
            return invalid(f"The `pagination_token` query parameter value [{token}] is not valid")
        start = int(token[1:])
    chunk = rows[start : start + size]
    meta: dict[str, Any] = {"result_count": len(chunk)}
    if chunk:
        meta.update(newest_id=chunk[0]["id"], oldest_id=chunk[-1]["id"])
    if start + size < len(rows):
        meta["next_token"] = f"p{start + size}"
    return chunk, meta


def mentions(state: SimulatorState, call: Call, user_id: str) -> Reply:
    """``GET /2/users/:id/mentions``: posts mentioning the user, newest first, 5–100 a page; default fields
    id, text, edit_history_tweet_ids; ``tweet.fields`` adds created_at, author_id, in_reply_to_user_id,
    referenced_tweets, conversation_id; ``expansions=author_id`` adds ``includes.users``; ``start_time`` bounds."""
    start_time = call.query.get("start_time")
    since: datetime | None = None
    if start_time is not None:
        try:
            since = datetime.fromisoformat(start_time.replace("Z", "+00:00"))
        except ValueError:
            return invalid(f"The `start_time` query parameter value [{start_time}] is not a valid RFC 3339 time")
    tweets = x_api(state).tweets
    found = sorted(
        (t for t in tweets.values() if user_id in t.mentions and (since is None or t.created >= since)),
        key=lambda t: int(t.id),
        reverse=True,
    )
    fields = _fields(call, "tweet.fields")
    rows = []
    for t in found:
        row: dict[str, Any] = {"id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id]}
        extra = {
            "created_at": x_time(t.created),
            "author_id": t.author_id,
            "conversation_id": t.in_reply_to or t.id,
            "in_reply_to_user_id": tweets[t.in_reply_to].author_id if t.in_reply_to in tweets else None,
            "referenced_tweets": [{"type": "replied_to", "id": t.in_reply_to}] if t.in_reply_to else None,
        }
        row.update({k: v for k, v in extra.items() if k in fields and v is not None})
        rows.append(row)
    paged = _page(call, rows, low=5, high=100, default=10)
    if isinstance(paged, Reply):
        return paged
    chunk, meta = paged
    body: dict[str, Any] = {"data": chunk, "meta": meta} if chunk else {"meta": meta}
    if chunk and "author_id" in _fields(call, "expansions"):
        authors = {x_api(state).tweets[r["id"]].author_id for r in chunk}
        body["includes"] = {"users": [_user(state, a) for a in sorted(authors)]}
    return Reply(200, body)


def _user(state: SimulatorState, user_id: str) -> dict[str, Any]:
    name, username = x_api(state).profiles.get(user_id, (f"User {user_id[-4:]}", f"user{user_id[-4:]}"))
    return {"id": user_id, "name": name, "username": username}


def all_dm_events(state: SimulatorState, call: Call, user: XUser) -> Reply:
    """``GET /2/dm_events``: the user's DM events of the last 30 days, newest first, 1–100 a page (default
    100); default fields id, event_type, text; ``dm_event.fields`` adds created_at, sender_id,
    dm_conversation_id, participant_ids; ``expansions=sender_id`` adds ``includes.users``."""
    horizon = state.now() - timedelta(days=30)
    events = sorted(
        (d for d in x_api(state).dms if user.user_id in (d.sender_id, d.recipient_id) and d.created >= horizon),
        key=lambda d: d.created,
        reverse=True,
    )
    fields = _fields(call, "dm_event.fields")
    rows = []
    for d in events:
        low, high = sorted((d.sender_id, d.recipient_id), key=int)
        row: dict[str, Any] = {"id": d.id, "event_type": "MessageCreate", "text": d.text}
        extra = {
            "created_at": x_time(d.created),
            "sender_id": d.sender_id,
            "dm_conversation_id": f"{low}-{high}",
            "participant_ids": [low, high],
        }
        row.update({k: v for k, v in extra.items() if k in fields})
        rows.append(row)
    paged = _page(call, rows, low=1, high=100, default=100)
    if isinstance(paged, Reply):
        return paged
    chunk, meta = paged
    body: dict[str, Any] = {"data": chunk, "meta": meta} if chunk else {"meta": meta}
    if chunk and "sender_id" in _fields(call, "expansions"):
        senders = {d.sender_id for d in events if d.id in {r["id"] for r in chunk}}
        body["includes"] = {"users": [_user(state, s) for s in sorted(senders)]}
    return Reply(200, body)


def upload_media(state: SimulatorState, call: Call) -> Reply:
    media = call.files.get("media")
    if media is None:
        return invalid("$.media: is missing but it is required")
    if not media.startswith(IMAGE_MAGIC):
        return invalid("media type unrecognized.")
    media_id = _new_id(state)
    x_api(state).uploads.add(media_id)
    return Reply(
        200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(media), "expires_after_secs": 86400}}
    )


@router.post("/2/tweets")
async def post_tweet(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(
        request, "x.tweets", lambda c: limited(state, c, "x.tweets", lambda u: create_tweet(state, c, u)), fault_body
    )


@router.get("/2/users/{user_id}/tweets")
async def get_user_tweets(request: Request, user_id: str) -> Response:
    state = state_of(request)
    return await dispatch(
        request,
        "x.user_tweets",
        lambda c: limited(state, c, "x.user_tweets", lambda u: user_tweets(state, user_id)),
        fault_body,
    )


@router.post("/2/dm_conversations/with/{participant_id}/messages")
async def post_dm(request: Request, participant_id: str) -> Response:
    state = state_of(request)
    return await dispatch(
        request, "x.dm", lambda c: limited(state, c, "x.dm", lambda u: send_dm(state, c, u, participant_id)), fault_body
    )


@router.get("/2/dm_conversations/with/{participant_id}/dm_events")
async def get_dm_events(request: Request, participant_id: str) -> Response:
    state = state_of(request)
    return await dispatch(
        request,
        "x.dm_events",
        lambda c: limited(state, c, "x.dm_events", lambda u: dm_events(state, u, participant_id)),
        fault_body,
    )


@router.post("/2/media/upload")
async def post_media(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(
        request, "x.media", lambda c: limited(state, c, "x.media", lambda u: upload_media(state, c)), fault_body
    )


@router.get("/2/users/{user_id}/mentions")
async def get_mentions(request: Request, user_id: str) -> Response:
    state = state_of(request)
    return await dispatch(
        request,
        "x.mentions",
        lambda c: limited(state, c, "x.mentions", lambda u: mentions(state, c, user_id)),
        fault_body,
    )


@router.get("/2/dm_events")
async def get_all_dm_events(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(
        request,
        "x.all_dm_events",
        lambda c: limited(state, c, "x.all_dm_events", lambda u: all_dm_events(state, c, u)),
        fault_body,
    )


def _conversation_author(state: SimulatorState, tweet: Tweet) -> str | None:
    """The author of the post that started ``tweet``'s conversation (None: not known here)."""
    root, seen = tweet, {tweet.id}
    while root.in_reply_to is not None:
        parent = x_api(state).tweets.get(root.in_reply_to)
        if parent is None or parent.id in seen:
            return None
        root = parent
        seen.add(root.id)
    return root.author_id


def hide_reply(state: SimulatorState, call: Call, user: XUser, tweet_id: str) -> Reply:
    """``PUT /2/tweets/:id/hidden``: only a reply in a conversation the user started; idempotent."""
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("hidden"), bool):
        return invalid("$.hidden: is missing but it is required")
    tweet = x_api(state).tweets.get(tweet_id)
    if tweet is None:
        return problem(
            404,
            "Not Found Error",
            f"Could not find tweet with id: [{tweet_id}].",
            "https://api.twitter.com/2/problems/resource-not-found",
        )
    if tweet.in_reply_to is None or _conversation_author(state, tweet) != user.user_id:
        return forbidden("You can only hide or unhide replies to conversations you authored.")
    tweet.hidden = body["hidden"]
    return Reply(200, {"data": {"hidden": tweet.hidden}})


@router.put("/2/tweets/{tweet_id}/hidden")
async def put_hidden(request: Request, tweet_id: str) -> Response:
    state = state_of(request)
    return await dispatch(
        request,
        "x.hide",
        lambda c: limited(state, c, "x.hide", lambda u: hide_reply(state, c, u, tweet_id)),
        fault_body,
    )


@router.get("/ton/1.1/ton/data/dm/{rest:path}")
async def get_ton_media(request: Request, rest: str) -> Response:
    state = state_of(request)
    path = f"/1.1/ton/data/dm/{rest}"
    return await dispatch(request, "x.dm_media", lambda c: get_dm_media(state, c, path), fault_body)
