"""Instagram's Graph API endpoints as CivicLoop uses them, for tests and the demo.

Contract enforced: a bearer token that belongs to the account acted on (else 190 ``Invalid OAuth
access token``); a comment replied to must exist; ``message`` / ``message.text`` required; a direct
message only within 24 hours of the person's last message (code 10, subcode 2534022, "outside of
allowed window"); errors in Meta's shape ``{"error": {"message", "type", "code", "fbtrace_id"}}``.
Moderation: ``POST /{ig-comment-id}`` with a boolean ``hide`` hides or shows a comment someone else wrote
on the account's media, ``DELETE /{ig-comment-id}`` removes it; both answer ``{"success": true}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.channels.meta import simulator as meta
from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.state import Fault, SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Scene, Signed

router = APIRouter(prefix="/instagram")
WINDOW = timedelta(hours=24)
TEXT_LIMIT = 1000


@dataclass
class Account:
    id: str
    token: str
    comments: set[str] = field(default_factory=set)
    # What citizens wrote, for the list endpoints: comment id -> its fields as the Graph API gives them.
    comment_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_message: dict[str, datetime] = field(default_factory=dict)  # IGSID → when the person last wrote
    sent: list[dict[str, Any]] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)  # comments hidden by the account (their author still sees them)
    replies: set[str] = field(default_factory=set)  # the account's own replies, which it cannot hide


def accounts(state: SimulatorState) -> dict[str, Account]:
    found: dict[str, Account] = state.platforms.setdefault("instagram", {})
    return found


def add_account(state: SimulatorState, account_id: str, token: str) -> Account:
    account = Account(account_id, token)
    accounts(state)[account_id] = account
    return account


def _linked_token(state: SimulatorState, account_id: str, token: str) -> None:
    """Meta's Login issued a Page token for the Page this account is linked to: it answers for the account."""
    known = accounts(state).get(account_id)
    if known is None:
        add_account(state, account_id, token)
    else:
        known.token = token


meta.LINKED_TOKEN_HOOKS.append(_linked_token)


def error(status: int, code: int, message: str, subcode: int | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AsimInsta"}
    if subcode is not None:
        body["error_subcode"] = subcode
    return Reply(status, {"error": body})


def fault_body(fault: Fault) -> dict[str, Any]:
    return {"error": {"message": "simulated failure", "type": "OAuthException", "code": 2, "is_transient": True}}


def _token(call: Call) -> str:
    return call.headers.get("authorization", "").removeprefix("Bearer ").strip() or (call.param("access_token") or "")


def _owner(state: SimulatorState, call: Call, account_id: str | None = None) -> Account | None:
    """The account the call's token belongs to (and that is ``account_id``, when given)."""
    token = _token(call)
    for account in accounts(state).values():
        if account.token == token and (account_id is None or account.id == account_id):
            return account
    return None


def reply_to_comment(state: SimulatorState, comment_id: str, call: Call) -> Reply:
    account = _owner(state, call)
    if account is None:
        return error(400, 190, "Invalid OAuth access token")
    if comment_id not in account.comments:
        return error(400, 100, "Unsupported post request: the comment does not exist")
    message = call.param("message")
    if not message:
        return error(400, 100, "(#100) The parameter message is required")
    reply_id = str(18_000_000_000_000_000 + state.next_number())
    account.comments.add(reply_id)
    account.replies.add(reply_id)
    account.sent.append({"kind": "reply", "to": comment_id, "message": message, "id": reply_id})
    return Reply(200, {"id": reply_id})


def send_message(state: SimulatorState, account_id: str, call: Call) -> Reply:
    account = _owner(state, call, account_id=account_id)
    if account is None:
        return error(400, 190, "Invalid OAuth access token")
    body = call.body if isinstance(call.body, dict) else {}
    recipient = str(body.get("recipient", {}).get("id", "")) if isinstance(body.get("recipient"), dict) else ""
    text = body.get("message", {}).get("text") if isinstance(body.get("message"), dict) else None
    if not recipient or not isinstance(text, str) or not text:
        return error(400, 100, "(#100) recipient.id and message.text are required")
    if len(text) > TEXT_LIMIT:
        return error(400, 100, "(#100) Length of param message[text] must be less than or equal to 1000")
    last = account.last_message.get(recipient)
    if last is None or state.now() - last > WINDOW:
        return error(400, 10, "(#10) This message is sent outside of allowed window.", subcode=2534022)
    message_id = f"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3{state.next_number()}"
    account.sent.append({"kind": "message", "to": recipient, "text": text, "id": message_id})
    return Reply(200, {"recipient_id": recipient, "message_id": message_id})


def _paged(call: Call, rows: list[dict[str, Any]]) -> Reply:
    """Graph cursor paging: ``limit`` (default 25, at most 100), ``after``; ``paging.next`` only when more follows."""
    raw = call.param("limit") or "25"
    after = call.param("after") or "0"
    if not raw.isdigit() or int(raw) < 1 or not after.isdigit():
        return error(400, 100, "(#100) Invalid limit or cursor")
    start, size = int(after), min(int(raw), 100)
    chunk = rows[start : start + size]
    paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(chunk))}}
    if start + size < len(rows):
        paging["next"] = f"{call.url}?after={start + size}"
    return Reply(200, {"data": chunk, "paging": paging})


def _fields(call: Call, default: set[str]) -> set[str]:
    raw = call.param("fields")
    return {f.split("{")[0].strip() for f in raw.split(",")} | {"id"} if raw else default


def list_media(state: SimulatorState, account_id: str, call: Call) -> Reply:
    """``GET /{ig-user-id}/media``: the account's posts, newest first; default field ``id`` only."""
    account = _owner(state, call, account_id=account_id)
    if account is None:
        return error(400, 190, "Invalid OAuth access token")
    latest: dict[str, str] = {}
    for row in account.comment_rows.values():
        media_id = str(row["media"]["id"])
        latest[media_id] = max(latest.get(media_id, ""), str(row["timestamp"]))
    fields = _fields(call, {"id"})
    rows = [
        {"id": m, "timestamp": t, "comments_count": 0}
        for m, t in sorted(latest.items(), key=lambda i: i[1], reverse=True)
    ]
    for row in rows:
        row["comments_count"] = sum(1 for c in account.comment_rows.values() if c["media"]["id"] == row["id"])
    return _paged(call, [{k: v for k, v in row.items() if k in fields} for row in rows])


def list_comments(state: SimulatorState, media_id: str, call: Call) -> Reply:
    """``GET /{ig-media-id}/comments``: its comments, newest first; default fields id, text, timestamp."""
    account = _owner(state, call)
    if account is None:
        return error(400, 190, "Invalid OAuth access token")
    found = [c for c in account.comment_rows.values() if c["media"]["id"] == media_id]
    if not found:
        return error(400, 100, f"Unsupported get request. Object with ID '{media_id}' does not exist")
    fields = _fields(call, {"id", "text", "timestamp"})
    rows = sorted(found, key=lambda c: str(c["timestamp"]), reverse=True)
    return _paged(call, [{k: v for k, v in c.items() if k in fields} for c in rows])


@router.get("/{account_id}/media")
async def get_media(account_id: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "instagram.media", lambda c: list_media(state, account_id, c), fault_body)


@router.get("/{media_id}/comments")
async def get_comments(media_id: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "instagram.comments", lambda c: list_comments(state, media_id, c), fault_body)


@router.post("/{comment_id}/replies")
async def post_reply(comment_id: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "instagram.reply", lambda c: reply_to_comment(state, comment_id, c), fault_body)


@router.post("/{account_id}/messages")
async def post_message(account_id: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "instagram.messages", lambda c: send_message(state, account_id, c), fault_body)


def _moderated(state: SimulatorState, comment_id: str, call: Call) -> Account | Reply:
    account = _owner(state, call)
    if account is None:
        return error(400, 190, "Invalid OAuth access token")
    if comment_id not in account.comments:
        return error(400, 100, f"Unsupported request: object with ID '{comment_id}' does not exist", subcode=33)
    return account


def hide_comment(state: SimulatorState, comment_id: str, call: Call) -> Reply:
    account = _moderated(state, comment_id, call)
    if isinstance(account, Reply):
        return account
    value = (call.param("hide") or "").lower()
    if value not in ("true", "false"):
        return error(400, 100, "(#100) Param hide must be a boolean")
    if comment_id in account.replies:
        return error(400, 100, "(#100) The account cannot hide its own comment")
    if value == "true":
        account.hidden.add(comment_id)
    else:
        account.hidden.discard(comment_id)
    return Reply(200, {"success": True})


def delete_comment(state: SimulatorState, comment_id: str, call: Call) -> Reply:
    account = _moderated(state, comment_id, call)
    if isinstance(account, Reply):
        return account
    account.comments.discard(comment_id)
    account.hidden.discard(comment_id)
    return Reply(200, {"success": True})


@router.post("/{comment_id}")
async def post_comment_update(comment_id: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "instagram.hide", lambda c: hide_comment(state, comment_id, c), fault_body)


@router.delete("/{comment_id}")
async def delete_comment_route(comment_id: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "instagram.delete", lambda c: delete_comment(state, comment_id, c), fault_body)


class InstagramCitizens(CitizenSide):
    """Simulated citizens commenting on the account's posts, as Meta delivers it."""

    needed = "app_secret"

    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        token = credentials.get("page_access_token", "")
        if token and external_id not in accounts(state):
            add_account(state, external_id, token)

    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        state, external_id, sequence, at = scene.state, account.external_id, scene.sequence, scene.at
        comment_id = str(17_900_000_000_000_000 + sequence)
        value = {
            "id": comment_id,
            "from": {"id": str(17_841_400_000_000_000 + citizen.number), "username": citizen.handle},
            "text": text,
            "media": {"id": f"1795{external_id[-6:]}0{sequence % 3}", "media_product_type": "FEED"},
        }
        if state is not None and external_id in accounts(state):
            simulated = accounts(state)[external_id]
            simulated.comments.add(comment_id)
            simulated.comment_rows[comment_id] = value | {"timestamp": at.strftime("%Y-%m-%dT%H:%M:%S+0000")}
        entry = {"id": external_id, "time": int(at.timestamp()), "changes": [{"field": "comments", "value": value}]}
        return json.dumps({"object": "instagram", "entry": [entry]}, ensure_ascii=False).encode()

    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        from civicloop.channels.instagram.provider import sign

        return Signed(body, {"x-hub-signature-256": sign(body, account.credentials.get("app_secret", ""))})

    def demo_account(self, agency_code: str) -> tuple[str, dict[str, str]] | None:
        # One agency answers on Instagram in the demo: the city.
        if agency_code != "THROMDE":
            return None
        credentials = {
            "app_secret": "demo-instagram-app-secret",
            "verify_token": "demo-instagram-verify",
            "page_access_token": "EAAdemo-instagram-thromde",
        }
        return "17841405822304914", credentials
