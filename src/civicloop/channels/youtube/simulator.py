"""YouTube Data API v3's ``commentThreads.list`` and ``comments.insert`` as CivicLoop uses them, for
tests and the demo.

Contract enforced: a bearer token that belongs to the channel acted on (else 401 ``authError``, or 403
``forbidden`` for another channel's comments); ``part`` must include ``snippet``; ``maxResults`` 1–100;
pages of threads newest first with ``nextPageToken`` (at most ``maxResults`` a page, and fewer when a channel's
``page_limit`` is set lower: the API promises a maximum, not a page size); a reply's ``snippet.parentId`` must be
a top-level comment of the channel and its ``textOriginal`` non-empty; every call spends quota (list 1 unit, insert
50) and a call past the channel's daily limit is refused with 403 ``quotaExceeded``. Errors in Google's
shape ``{"error": {"code", "message", "errors": [{"reason", "domain", "message"}]}}``.
Moderation (``comments.setModerationStatus``): query ``id`` (up to 50, comma-separated) and
``moderationStatus`` ``heldForReview``/``published``/``rejected``, ``banAuthor`` only with ``rejected``,
no body, 50 units, 204 on success; every id must be a comment on the channel; a rejected comment cannot
be published again; a thread whose top comment is not published is left out of ``commentThreads.list``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.state import Fault, SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Scene, Signed

router = APIRouter(prefix="/youtube")
LIST_COST = 1
INSERT_COST = 50
DAILY_QUOTA = 10_000  # a Google Cloud project's default daily quota


@dataclass
class Channel:
    id: str
    token: str
    threads: list[dict[str, Any]] = field(default_factory=list)  # newest first
    quota_used: int = 0
    quota_limit: int = DAILY_QUOTA
    sent: list[dict[str, Any]] = field(default_factory=list)
    moderation: dict[str, str] = field(default_factory=dict)  # comment id → status, when not "published"
    page_limit: int = 100  # the most threads a page holds whatever maxResults asks (a test sets it low)


def channels(state: SimulatorState) -> dict[str, Channel]:
    found: dict[str, Channel] = state.platforms.setdefault("youtube", {})
    return found


def add_channel(state: SimulatorState, channel_id: str, token: str) -> Channel:
    channel = Channel(channel_id, token)
    channels(state)[channel_id] = channel
    return channel


def _comment(
    comment_id: str, channel_id: str, video_id: str, author: str, author_id: str, text: str, at: datetime
) -> dict[str, Any]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    snippet = {
        "channelId": channel_id,
        "videoId": video_id,
        "authorDisplayName": author,
        "authorChannelId": {"value": author_id},
        "textDisplay": text,
        "textOriginal": text,
        "canRate": True,
        "likeCount": 0,
        "publishedAt": stamp,
        "updatedAt": stamp,
    }
    return {"kind": "youtube#comment", "etag": f"e{comment_id[-8:]}", "id": comment_id, "snippet": snippet}


def comment_on(state: SimulatorState, channel: Channel, video_id: str, citizen: Citizen, text: str) -> str:
    """A citizen's new top-level comment on one of the channel's videos; returns its id."""
    comment_id = f"UgzSim{state.next_number():012d}"
    author_id = f"UCsim{citizen.number:019d}"
    top = _comment(comment_id, channel.id, video_id, f"@{citizen.handle}", author_id, text, state.now())
    snippet = {"channelId": channel.id, "videoId": video_id, "topLevelComment": top, "canReply": True}
    thread = {"kind": "youtube#commentThread", "etag": top["etag"], "id": comment_id, "snippet": snippet}
    channel.threads.insert(0, thread | {"snippet": snippet | {"totalReplyCount": 0, "isPublic": True}})
    return comment_id


def error(status: int, reason: str, message: str) -> Reply:
    errors = [{"message": message, "domain": "youtube.api", "reason": reason}]
    return Reply(status, {"error": {"code": status, "message": message, "errors": errors}})


def fault_body(fault: Fault) -> Any:
    return error(fault.status, "backendError", "simulated failure").body


def _owner(state: SimulatorState, call: Call) -> Channel | None:
    token = call.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return next((c for c in channels(state).values() if token and c.token == token), None)


def _spend(channel: Channel, units: int) -> Reply | None:
    if channel.quota_used + units > channel.quota_limit:
        return error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota.")
    channel.quota_used += units
    return None


def list_threads(state: SimulatorState, call: Call) -> Reply:
    channel = _owner(state, call)
    if channel is None:
        return error(401, "authError", "Invalid Credentials")
    refused = _spend(channel, LIST_COST)
    if refused is not None:
        return refused
    if "snippet" not in (call.query.get("part") or "").split(","):
        return error(400, "invalidPart", "The part parameter must include snippet")
    if call.query.get("allThreadsRelatedToChannelId") != channel.id:
        return error(403, "forbidden", "The comment threads of another channel cannot be listed with this token")
    size = int(call.query.get("maxResults") or 20)
    if not 1 <= size <= 100:
        return error(400, "invalidMaxResults", "maxResults must be between 1 and 100")
    start = int(call.query.get("pageToken") or 0)
    # commentThreads.list shows published comments unless asked (by the owner) for another status.
    wanted = call.query.get("moderationStatus") or "published"
    shown = [t for t in channel.threads if channel.moderation.get(t["id"], "published") == wanted]
    end = start + min(size, channel.page_limit)
    page = shown[start:end]
    answer: dict[str, Any] = {
        "kind": "youtube#commentThreadListResponse",
        "etag": f"p{start}",
        "pageInfo": {"totalResults": len(page), "resultsPerPage": size},
        "items": page,
    }
    if end < len(shown):
        answer["nextPageToken"] = str(end)
    return Reply(200, answer)


def insert_comment(state: SimulatorState, call: Call) -> Reply:
    channel = _owner(state, call)
    if channel is None:
        return error(401, "authError", "Invalid Credentials")
    refused = _spend(channel, INSERT_COST)
    if refused is not None:
        return refused
    snippet = call.body.get("snippet") if isinstance(call.body, dict) else None
    parent_id = snippet.get("parentId") if isinstance(snippet, dict) else None
    text = snippet.get("textOriginal") if isinstance(snippet, dict) else None
    if not isinstance(text, str) or not text.strip():
        return error(400, "commentTextRequired", "The comment must contain text")
    thread = next((t for t in channel.threads if t["id"] == parent_id), None)
    if thread is None:
        return error(404, "parentCommentNotFound", "The parent comment could not be found")
    video_id = thread["snippet"]["videoId"]
    reply = _comment(
        f"{parent_id}.Sim{state.next_number()}", channel.id, video_id, "@agency", channel.id, text, state.now()
    )
    reply["snippet"]["parentId"] = parent_id
    thread.setdefault("replies", {"comments": []})["comments"].append(reply)
    channel.sent.append({"to": parent_id, "text": text, "id": reply["id"]})
    return Reply(200, reply)


MODERATION_STATUSES = ("heldForReview", "published", "rejected")
MAX_MODERATED = 50


def _channel_comment_ids(channel: Channel) -> set[str]:
    ids = {t["id"] for t in channel.threads}
    return ids | {r["id"] for t in channel.threads for r in t.get("replies", {}).get("comments", [])}


def set_moderation_status(state: SimulatorState, call: Call) -> Reply:
    channel = _owner(state, call)
    if channel is None:
        return error(401, "authError", "Invalid Credentials")
    refused = _spend(channel, INSERT_COST)
    if refused is not None:
        return refused
    ids = [i for i in (call.query.get("id") or "").split(",") if i]
    status = call.query.get("moderationStatus") or ""
    if not ids or status not in MODERATION_STATUSES:
        return error(400, "invalidModerationStatus", "id and a valid moderationStatus are required")
    if len(ids) > MAX_MODERATED:
        return error(400, "invalidValue", f"at most {MAX_MODERATED} comment ids")
    if call.query.get("banAuthor", "false") == "true" and status != "rejected":
        return error(400, "banWithoutReject", "banAuthor can only be used with moderationStatus rejected")
    known = _channel_comment_ids(channel)
    if any(i not in known for i in ids):
        return error(404, "commentNotFound", "One or more of the comments could not be found")
    if status == "published" and any(channel.moderation.get(i) == "rejected" for i in ids):
        return error(400, "processingFailure", "A rejected comment cannot be published")
    for comment_id in ids:
        if status == "published":
            channel.moderation.pop(comment_id, None)
        else:
            channel.moderation[comment_id] = status
    return Reply(204, "")


@router.post("/comments/setModerationStatus")
async def post_moderation_status(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(
        request, "youtube.comments.setModerationStatus", lambda c: set_moderation_status(state, c), fault_body
    )


@router.get("/commentThreads")
async def get_threads(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "youtube.commentThreads.list", lambda c: list_threads(state, c), fault_body)


@router.post("/comments")
async def post_comment(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "youtube.comments.insert", lambda c: insert_comment(state, c), fault_body)


class YouTubeCitizens(CitizenSide):
    """Simulated citizens commenting on the channel's videos. YouTube pushes nothing: a comment is added
    to the simulated channel (where the poller finds it) and given back as the ``commentThreads.list``
    page that polling it would store."""

    needed = "access_token"
    VIDEOS = ("d9Xq2LpR7sA", "Kp4sN8vQ1mZ", "Tn7wB3cR5yE")

    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        token = credentials.get("access_token", "")
        if token and external_id not in channels(state):
            add_channel(state, external_id, token)

    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        state, external_id, sequence, at = scene.state, account.external_id, scene.sequence, scene.at
        video_id = self.VIDEOS[sequence % len(self.VIDEOS)]
        channel = channels(state).get(external_id) if state is not None else None
        if state is not None and channel is not None:
            comment_on(state, channel, video_id, citizen, text)
            thread = channel.threads[0]
        else:
            top = _comment(f"UgzDemo{sequence:012d}", external_id, video_id, f"@{citizen.handle}", "", text, at)
            top["snippet"]["authorChannelId"] = {"value": f"UCsim{citizen.number:019d}"}
            snippet = {"channelId": external_id, "videoId": video_id, "topLevelComment": top, "canReply": True}
            thread = {"kind": "youtube#commentThread", "id": top["id"], "snippet": snippet}
        page = {"kind": "youtube#commentThreadListResponse", "items": [thread]}
        return json.dumps(page, ensure_ascii=False).encode()

    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        return Signed(body, {})  # nothing is delivered: the poller fetches with the account's own token

    def demo_account(self, agency_code: str) -> tuple[str, dict[str, str]] | None:
        # One agency answers on YouTube in the demo: the city.
        if agency_code != "THROMDE":
            return None
        return "UCq3Wd7Bv0sTtkY5oN2hRm8A", {"access_token": "ya29.demo-youtube-thromde"}
