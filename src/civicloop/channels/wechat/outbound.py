"""WeChat Official Account API calls: access token, customer-service replies, mass-send posts.

Contract (platforms.md §3.6–3.7): every answer is HTTP 200 with ``errcode`` (0 = success). Token
errors 40001/40014/42001 mean "fetch a new access token and send again"; 45015 (outside the 48-hour
window) and 45047 (past the reply quota) are final; -1 (system busy) and 45009 (frequency limit) are
retried later. WeChat offers no way to list customer-service messages sent, so an interrupted
attempt cannot be checked: it becomes ``unconfirmed`` for a person to decide (docs/adr/0004).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from civicloop.channels.delivery import (
    Delivery,
    Next,
    SendError,
    Sent,
    Unverifiable,
    classify_http,
    classify_transport,
)
from civicloop.config import get_settings
from civicloop.kit.clock import utcnow

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
BUSY = frozenset({-1, 45009})
BUSY_WAIT_SECONDS = 60.0
FINAL = {
    45015: "WeChat's 48-hour window has closed (or the citizen unfollowed the account)",
    45047: "WeChat allows no more replies until the citizen writes again",
    40003: "WeChat does not know this citizen (invalid openid)",
    45002: "the text is too long for WeChat",
}

API_URL = "https://api.weixin.qq.com"  # CIVICLOOP_WECHAT_API_URL points it elsewhere


def _url(path: str) -> str:
    return get_settings().api_url("wechat", API_URL) + path


def _answer(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise classify_http(response, utcnow(), f"WeChat answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise SendError("WeChat answered without JSON", Next.check) from exc
    if not isinstance(body, dict):
        raise SendError("WeChat answered without a JSON object", Next.check)
    return body


def fetch_token(http: httpx.Client, credentials: Mapping[str, str]) -> tuple[str, int]:
    """A fresh access token and its lifetime in seconds (the previous token stays valid 5 minutes)."""
    params = {"grant_type": "client_credential", "appid": credentials["app_id"], "secret": credentials["app_secret"]}
    try:
        body = _answer(http.get(_url("/cgi-bin/token"), params=params))
    except httpx.TransportError as exc:
        raise classify_transport(exc) from exc
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        code, message = body.get("errcode"), body.get("errmsg")
        next_step = Next.retry if code in BUSY else Next.give_up
        raise SendError(
            f"WeChat refused an access token (errcode {code}: {message}); check app_id and app_secret", next_step
        )
    return token, int(body.get("expires_in") or 7200)


class WeChatSender:
    platform = "wechat"

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        if delivery.route == "wechat_cs":
            path = "/cgi-bin/message/custom/send"
            payload: dict[str, Any] = {
                "touser": delivery.recipient,
                "msgtype": "text",
                "text": {"content": delivery.text},
            }
        else:
            path = "/cgi-bin/message/mass/sendall"
            payload = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": delivery.text}}
        raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            response = http.post(
                _url(path),
                params={"access_token": delivery.credentials["access_token"]},
                content=raw,
                headers={"content-type": "application/json; charset=utf-8"},
            )
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc
        body = _answer(response)
        code = body.get("errcode", 0)
        if code == 0:
            msg_id = body.get("msg_id")
            return Sent(str(msg_id) if msg_id is not None else f"wechat-cs:{delivery.idempotency_key}")
        reason = f"WeChat errcode {code}: {body.get('errmsg', '')}"
        if code in TOKEN_ERRORS:
            raise SendError(reason, Next.refresh_token)
        if code in BUSY:
            raise SendError(reason, Next.retry, wait=BUSY_WAIT_SECONDS)
        raise SendError(f"{FINAL[code]} ({reason})" if code in FINAL else reason, Next.give_up)

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        raise Unverifiable("WeChat cannot list the customer-service messages an account has sent")
