"""The WeChat Official Account API as CivicLoop uses it: access token, customer-service and mass sends.

Contract enforced (platforms.md §3.6–3.7): ``GET /cgi-bin/token`` gives ``access_token`` and
``expires_in`` (7200); a new token retires the previous one after a 5-minute overlap; calls answer
HTTP 200 with ``errcode`` — 41001 missing token, 40014 malformed, 40001 unknown or superseded,
42001 expired, 40003 unknown openid, 47001 bad JSON, 45015 outside the 48-hour window,
45047 past the 5 replies a citizen's message allows, 0 on success. ``GET /cgi-bin/media/get`` gives a
follower's temporary media to the account it was sent to, for three days: images and voice as the file
(with its type), a video as ``{"video_url"}``; 40007 for an unknown, another account's or an expired
``media_id``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.state import Fault, SimulatorState
from civicloop.kit.crypto import constant_time_equal

router = APIRouter(prefix="/wechat")

MEDIA_KEPT = timedelta(days=3)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,1024}$")
TEXT_BYTE_LIMIT = 2048
WINDOW = timedelta(hours=48)
# Customer-service messages allowed per citizen message within the 48-hour window (2023 rule).
REPLIES_PER_MESSAGE = 5
# A refreshed access token leaves the previous one valid this much longer.
TOKEN_OVERLAP = timedelta(minutes=5)


@dataclass
class WeChatApp:
    app_id: str
    secret: str
    original_id: str


@dataclass
class Token:
    value: str
    app_id: str
    expires_at: datetime
    superseded_at: datetime | None = None


@dataclass
class Window:
    last_message_at: datetime
    replies: int = 0


class WeChatApi:
    """What the simulated Official Account API knows: the accounts' apps, the tokens it issued, each
    follower's 48-hour window, and what was sent."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.token_ttl = 7200
        self.apps: dict[str, WeChatApp] = {}
        self.tokens: dict[str, Token] = {}
        self.windows: dict[tuple[str, str], Window] = {}
        self.sent: list[dict[str, Any]] = []
        self.mass: list[dict[str, Any]] = []

    def add_app(self, app: WeChatApp) -> None:
        with self.state.lock:
            self.apps[app.app_id] = app

    def message(self, app_id: str, openid: str, at: datetime | None = None) -> None:
        """A follower wrote to the account (opening the 48-hour window for five replies)."""
        with self.state.lock:
            self.windows[(app_id, openid)] = Window(at or self.state.now())

    def expire_tokens(self) -> None:
        """Make every issued token expired, as two hours passing would."""
        with self.state.lock:
            for token in self.tokens.values():
                token.expires_at = self.state.now() - timedelta(seconds=1)

    def new_token(self, app_id: str) -> Token:
        with self.state.lock:
            now = self.state.now()
            for token in self.tokens.values():
                if token.app_id == app_id and token.superseded_at is None:
                    token.superseded_at = now
            # Real tokens are opaque strings of well over 100 characters; callers must store >= 512.
            value = secrets.token_urlsafe(120)
            token = Token(value, app_id, now + timedelta(seconds=self.token_ttl))
            self.tokens[value] = token
            return token


def wechat_api(state: SimulatorState) -> WeChatApi:
    """The simulated Official Account API's part of ``state``."""
    return state.slot("wechat", lambda: WeChatApi(state))


def err(code: int, message: str) -> Reply:
    return Reply(200, {"errcode": code, "errmsg": f"{message} rid: {secrets.token_hex(12)}"})


def fault_body(fault: Fault) -> Any:
    return {"errcode": -1, "errmsg": "system error"}


def issue_token(state: SimulatorState, call: Call) -> Reply:
    if call.query.get("grant_type") != "client_credential":
        return err(40002, "invalid grant_type")
    app = wechat_api(state).apps.get(call.query.get("appid", ""))
    if app is None:
        return err(40013, "invalid appid")
    if not constant_time_equal(app.secret, call.query.get("secret", "")):
        return err(40125, "invalid appsecret")
    token = wechat_api(state).new_token(app.app_id)
    return Reply(200, {"access_token": token.value, "expires_in": wechat_api(state).token_ttl})


def app_for_token(state: SimulatorState, call: Call) -> str | Reply:
    value = call.query.get("access_token")
    if not value:
        return err(41001, "access_token missing")
    if not TOKEN_SHAPE.match(value):
        return err(40014, "invalid access_token")
    token = wechat_api(state).tokens.get(value)
    now = state.now()
    if token is None or (token.superseded_at is not None and now >= token.superseded_at + TOKEN_OVERLAP):
        return err(40001, "invalid credential, access_token is invalid or not latest")
    if now >= token.expires_at:
        return err(42001, "access_token expired")
    return token.app_id


def custom_send(state: SimulatorState, call: Call) -> Reply:
    app_id = app_for_token(state, call)
    if isinstance(app_id, Reply):
        return app_id
    body = call.body
    if not isinstance(body, dict):
        return err(47001, "data format error")
    openid = body.get("touser")
    window = wechat_api(state).windows.get((app_id, openid)) if isinstance(openid, str) else None
    if window is None:
        return err(40003, "invalid openid")
    text = body.get("text")
    content = text.get("content") if body.get("msgtype") == "text" and isinstance(text, dict) else None
    if not isinstance(content, str) or not content:
        return err(44003, "empty news data") if body.get("msgtype") == "news" else err(47001, "data format error")
    if len(content.encode("utf-8")) > TEXT_BYTE_LIMIT:
        return err(45002, "content size out of limit")
    if state.now() - window.last_message_at > WINDOW:
        return err(45015, "response out of time limit or subscription is canceled")
    if window.replies >= REPLIES_PER_MESSAGE:
        return err(45047, "out of response count limit")
    window.replies += 1
    wechat_api(state).sent.append({"app_id": app_id, "touser": openid, "content": content, "at": state.now()})
    return Reply(200, {"errcode": 0, "errmsg": "ok"})


def mass_send(state: SimulatorState, call: Call) -> Reply:
    app_id = app_for_token(state, call)
    if isinstance(app_id, Reply):
        return app_id
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
        return err(47001, "data format error")
    text = body.get("text")
    content = text.get("content") if body.get("msgtype") == "text" and isinstance(text, dict) else None
    if not isinstance(content, str) or not content:
        return err(47001, "data format error")
    msg_id = 1_000_000_000 + state.next_number()
    wechat_api(state).mass.append({"app_id": app_id, "content": content, "msg_id": msg_id, "at": state.now()})
    return Reply(
        200, {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id, "msg_data_id": msg_id * 10}
    )


@dataclass
class Media:
    app_id: str
    data: bytes
    content_type: str
    sent_at: datetime


def media_store(state: SimulatorState) -> dict[str, Media]:
    found: dict[str, Media] = state.platforms.setdefault("wechat.media", {})
    return found


def add_media(state: SimulatorState, app_id: str, data: bytes, content_type: str) -> str:
    """A file a follower sent the account of ``app_id``; returns its MediaId, as the push carries it."""
    with state.lock:
        media_id = f"{secrets.token_urlsafe(30)}{state.next_number()}"
        media_store(state)[media_id] = Media(app_id, data, content_type, state.now())
        return media_id


def get_media(state: SimulatorState, call: Call) -> Reply:
    app_id = app_for_token(state, call)
    if isinstance(app_id, Reply):
        return app_id
    found = media_store(state).get(call.query.get("media_id", ""))
    if found is None or found.app_id != app_id or state.now() - found.sent_at > MEDIA_KEPT:
        return err(40007, "invalid media_id")
    if found.content_type.startswith("video/"):
        return Reply(200, {"video_url": state.media_url(found.data, found.content_type)})
    extension = found.content_type.split("/")[-1]
    return Reply(
        200,
        found.data,
        {"content-type": found.content_type, "content-disposition": f'attachment; filename="media.{extension}"'},
    )


@router.get("/cgi-bin/media/get")
async def get_media_file(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "wechat.media", lambda c: get_media(state, c), fault_body)


@router.get("/cgi-bin/token")
async def get_token(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "wechat.token", lambda c: issue_token(state, c), fault_body)


@router.post("/cgi-bin/message/custom/send")
async def post_custom(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "wechat.send", lambda c: custom_send(state, c), fault_body)


@router.post("/cgi-bin/message/mass/sendall")
async def post_mass(request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "wechat.mass_send", lambda c: mass_send(state, c), fault_body)
