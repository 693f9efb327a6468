"""The Bot API as CivicLoop uses it, for tests and the demo: ``sendMessage``, ``getMe``, ``setWebhook``
and ``getWebhookInfo``.

Contract enforced (core.telegram.org/bots/api): the token in the path must be a known bot's
(else 401 ``Unauthorized``); ``chat_id`` and a non-empty ``text`` of at most 4096 characters are
required (400); a private chat must have been started by the person (403 ``bot can't initiate
conversation with a user``) and a blocked bot is refused (403); ``reply_parameters.message_id``
must name a message of that chat unless ``allow_sending_without_reply``; every answer is
``{"ok": ...}`` with ``result`` or ``error_code`` and ``description``. ``deleteMessage`` takes
``chat_id`` and ``message_id``: in a group only a bot that administers it may delete others' messages,
and nothing older than 48 hours can be deleted. ``getFile`` takes a ``file_id`` the bot received (file ids
are the bot's own: another bot's or an unknown one is 400 ``invalid file_id``), refuses a file over 20 MB
(400 ``file is too big``) and gives a ``file_path`` whose download, ``GET /file/bot<token>/<file_path>``,
works for an hour with the same bot's token (else 404 ``Not Found``).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.state import Fault, SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Scene, Signed
from civicloop.channels.telegram.outbound import TEXT_LIMIT

router = APIRouter(prefix="/telegram")
DELETE_WINDOW = timedelta(hours=48)
FILE_LIMIT = 20 * 1_048_576
FILE_LINK_TTL = timedelta(hours=1)


@dataclass
class File:
    data: bytes
    content_type: str
    unique_id: str
    paths: dict[str, datetime] = field(default_factory=dict)  # file_path handed out → until when it works


@dataclass
class Bot:
    id: int
    token: str
    username: str
    # Chats the bot may write to: people who started it, groups and channels it belongs to.
    chats: dict[str, str] = field(default_factory=dict)  # chat id → type
    blocked_by: set[str] = field(default_factory=set)
    messages: set[tuple[str, int]] = field(default_factory=set)  # (chat id, message id) known to the bot
    sent: list[dict[str, Any]] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    allowed_updates: list[str] = field(default_factory=list)
    admin_in: set[str] = field(default_factory=set)  # groups where the bot is an administrator
    dates: dict[tuple[str, int], datetime] = field(default_factory=dict)  # when a known message was sent
    authors: dict[tuple[str, int], int] = field(default_factory=dict)  # who sent it (user id)
    deleted: set[tuple[str, int]] = field(default_factory=set)
    files: dict[str, File] = field(default_factory=dict)  # file_id → the file a citizen sent the bot


FOLDERS = {"image": "photos", "video": "videos", "audio": "voice", "application": "documents"}


def add_file(state: SimulatorState, bot: Bot, data: bytes, content_type: str) -> str:
    """A file a citizen sent the bot; returns its ``file_id`` (as a message's ``photo``/``voice`` carries it)."""
    with state.lock:
        number = state.next_number()
        file_id = f"AgAC{number:08d}{secrets.token_urlsafe(24)}"
        bot.files[file_id] = File(data, content_type, f"AQAD{number:08d}")
        return file_id


def get_file(state: SimulatorState, token: str, call: Call) -> Reply:
    bot = bots(state).get(token)
    if bot is None:
        return error(401, "Unauthorized")
    file_id = call.param("file_id") or ""
    if not file_id:
        return error(400, "Bad Request: there is no file_id in the request")
    found = bot.files.get(file_id)
    if found is None:
        return error(400, "Bad Request: invalid file_id")
    if len(found.data) > FILE_LIMIT:
        return error(400, "Bad Request: file is too big")
    folder = FOLDERS.get(found.content_type.split("/")[0], "documents")
    path = f"{folder}/file_{state.next_number()}"
    found.paths[path] = state.now() + FILE_LINK_TTL
    result = {"file_id": file_id, "file_unique_id": found.unique_id, "file_size": len(found.data), "file_path": path}
    return Reply(200, {"ok": True, "result": result})


def file_download(state: SimulatorState, token: str, path: str) -> Reply:
    bot = bots(state).get(token)
    for found in bot.files.values() if bot is not None else ():
        until = found.paths.get(path)
        if until is not None and state.now() < until:
            return Reply(200, found.data, {"content-type": found.content_type})
    return error(404, "Not Found")


def group_message(state: SimulatorState, bot: Bot, chat_id: str, message_id: int, user_id: int, *, admin: bool) -> None:
    """A citizen wrote ``message_id`` in the group ``chat_id`` where the bot is (an administrator or not)."""
    key = (chat_id, message_id)
    bot.chats[chat_id] = "supergroup"
    bot.messages.add(key)
    bot.dates[key] = state.now()
    bot.authors[key] = user_id
    if admin:
        bot.admin_in.add(chat_id)


def delete_message(state: SimulatorState, token: str, call: Call) -> Reply:
    bot = bots(state).get(token)
    if bot is None:
        return error(401, "Unauthorized")
    body = call.body if isinstance(call.body, dict) else {}
    chat, message_id = str(body.get("chat_id", "")), body.get("message_id")
    if not chat:
        return error(400, "Bad Request: chat_id is empty")
    if not isinstance(message_id, int):
        return error(400, "Bad Request: message_id is required")
    key = (chat, message_id)
    if key not in bot.messages or key in bot.deleted:
        return error(400, "Bad Request: message to delete not found")
    own = bot.authors.get(key) == bot.id
    if bot.chats.get(chat) in ("group", "supergroup") and not own and chat not in bot.admin_in:
        return error(400, "Bad Request: message can't be deleted")
    sent = bot.dates.get(key)
    if sent is not None and state.now() - sent > DELETE_WINDOW:
        return error(400, "Bad Request: message can't be deleted for everyone")
    bot.deleted.add(key)
    return Reply(200, {"ok": True, "result": True})


def bots(state: SimulatorState) -> dict[str, Bot]:
    """The simulated bots, by token (kept in the simulator state's slot for Telegram)."""
    found: dict[str, Bot] = state.platforms.setdefault("telegram", {})
    return found


def add_bot(state: SimulatorState, bot_id: int, token: str, username: str) -> Bot:
    bot = Bot(bot_id, token, username)
    bots(state)[token] = bot
    return bot


def error(status: int, description: str, **parameters: Any) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(status, body)


def fault_body(fault: Fault) -> dict[str, Any]:
    retry = fault.headers.get("retry-after")
    body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": "simulated failure"}
    if retry and retry.isdigit():
        body["parameters"] = {"retry_after": int(retry)}
    return body


def send_message(state: SimulatorState, token: str, call: Call) -> Reply:
    bot = bots(state).get(token)
    if bot is None:
        return error(401, "Unauthorized")
    body = call.body if isinstance(call.body, dict) else {}
    chat, text = str(body.get("chat_id", "")), body.get("text")
    if not chat:
        return error(400, "Bad Request: chat_id is empty")
    if not isinstance(text, str) or not text.strip():
        return error(400, "Bad Request: message text is empty")
    if len(text) > TEXT_LIMIT:
        return error(400, "Bad Request: message is too long")
    if chat not in bot.chats:
        return error(403, "Forbidden: bot can't initiate conversation with a user")
    if chat in bot.blocked_by:
        return error(403, "Forbidden: bot was blocked by the user")
    reply = body.get("reply_parameters")
    if reply is not None:
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        if not isinstance(message_id, int):
            return error(400, "Bad Request: reply_parameters.message_id is required")
        if (chat, message_id) not in bot.messages and not reply.get("allow_sending_without_reply"):
            return error(400, "Bad Request: message to be replied not found")
    message_id = 10_000 + state.next_number()
    bot.messages.add((chat, message_id))
    bot.dates[(chat, message_id)] = state.now()
    bot.authors[(chat, message_id)] = bot.id
    bot.sent.append({"chat_id": chat, "text": text, "reply_parameters": reply, "message_id": message_id})
    chat_type = bot.chats[chat]
    result = {
        "message_id": message_id,
        "from": {"id": bot.id, "is_bot": True, "first_name": bot.username, "username": bot.username},
        "chat": {"id": int(chat) if chat.lstrip("-").isdigit() else chat, "type": chat_type},
        "date": int(state.now().timestamp()),
        "text": text,
    }
    return Reply(200, {"ok": True, "result": result})


def get_me(state: SimulatorState, token: str) -> Reply:
    bot = bots(state).get(token)
    if bot is None:
        return error(401, "Unauthorized")
    return Reply(200, {"ok": True, "result": {"id": bot.id, "is_bot": True, "username": bot.username}})


WEBHOOK_PORTS = (443, 80, 88, 8443)
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def set_webhook(state: SimulatorState, token: str, call: Call) -> Reply:
    """``setWebhook``: an HTTPS URL on port 443, 80, 88 or 8443 (or "" to remove), a secret token of
    1–256 characters from A-Z, a-z, 0-9, _ and -."""
    bot = bots(state).get(token)
    if bot is None:
        return error(401, "Unauthorized")
    body = call.body if isinstance(call.body, dict) else {}
    url = str(body.get("url", call.query.get("url", "")))
    secret = str(body.get("secret_token", ""))
    if url:
        parsed = urlsplit(url)
        if parsed.scheme != "https" or not parsed.hostname:
            return error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if (parsed.port or 443) not in WEBHOOK_PORTS:
            return error(400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if secret and not SECRET_TOKEN.match(secret):
        return error(400, "Bad Request: secret token contains unallowed characters")
    updates = body.get("allowed_updates")
    bot.webhook_url, bot.webhook_secret = url, secret
    bot.allowed_updates = [str(u) for u in updates] if isinstance(updates, list) else []
    return Reply(200, {"ok": True, "result": True, "description": "Webhook was set" if url else "Webhook was deleted"})


def webhook_info(state: SimulatorState, token: str) -> Reply:
    bot = bots(state).get(token)
    if bot is None:
        return error(401, "Unauthorized")
    info: dict[str, Any] = {"url": bot.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}
    if bot.allowed_updates:
        info["allowed_updates"] = bot.allowed_updates
    return Reply(200, {"ok": True, "result": info})


@router.post("/bot{token}/setWebhook")
async def post_set_webhook(token: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.set_webhook", lambda c: set_webhook(state, token, c), fault_body)


@router.get("/bot{token}/getWebhookInfo")
async def get_webhook_info(token: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.webhook_info", lambda c: webhook_info(state, token), fault_body)


@router.post("/bot{token}/sendMessage")
async def post_send_message(token: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.send", lambda c: send_message(state, token, c), fault_body)


@router.post("/bot{token}/deleteMessage")
async def post_delete_message(token: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.delete", lambda c: delete_message(state, token, c), fault_body)


@router.get("/bot{token}/getFile")
async def get_get_file(token: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.get_file", lambda c: get_file(state, token, c), fault_body)


@router.get("/file/bot{token}/{path:path}")
async def get_file_download(token: str, path: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.file", lambda c: file_download(state, token, path), fault_body)


@router.get("/bot{token}/getMe")
async def get_get_me(token: str, request: Request) -> Response:
    state = state_of(request)
    return await dispatch(request, "telegram.get_me", lambda c: get_me(state, token), fault_body)


class TelegramCitizens(CitizenSide):
    """Simulated citizens writing to a bot in private chats, as Telegram delivers it (one Update per POST)."""

    needed = "secret_token"

    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        token = credentials.get("bot_token", "")
        if token and token not in bots(state):
            add_bot(state, int(external_id), token, f"bot{external_id}")

    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        state, external_id, sequence = scene.state, account.external_id, scene.sequence
        user_id = 5_100_000_000 + citizen.number
        first, _, last = citizen.name.partition(" ")
        person = {"id": user_id, "is_bot": False, "first_name": first, "username": citizen.handle}
        if last:
            person["last_name"] = last
        if state is not None:
            # The person started the bot: it may now write to them.
            for bot in bots(state).values():
                if str(bot.id) == external_id:
                    bot.chats[str(user_id)] = "private"
        message = {
            "message_id": sequence,
            "from": person,
            "chat": {**{k: v for k, v in person.items() if k != "is_bot"}, "type": "private"},
            "date": int(scene.at.timestamp()),
            "text": text,
        }
        update = {"update_id": 400_000_000 + sequence, "message": message}
        return json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()

    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        return Signed(body, {"x-telegram-bot-api-secret-token": account.credentials.get("secret_token", "")})

    def demo_account(self, agency_code: str) -> tuple[str, dict[str, str]] | None:
        # One agency answers on Telegram in the demo: the city, whose residents' group is busiest.
        if agency_code != "THROMDE":
            return None
        bot_id = "7012345678"
        return bot_id, {"bot_token": f"{bot_id}:demo-thromde-bot", "secret_token": "demo-thromde-telegram"}
