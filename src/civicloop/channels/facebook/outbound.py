"""Graph API calls for comment replies, Page posts (text or photo) and Messenger replies.

Contract (platforms.md §1.9): ``POST /{comment-id}/comments`` and ``POST /{page-id}/feed`` answer
``{"id"}``; ``POST /{page-id}/messages`` with ``messaging_type: RESPONSE`` answers
``{"recipient_id", "message_id"}`` and only within 24 h of the person's last message. Errors come as
``{"error": {"code", "error_subcode", "is_transient"}}``: throttling codes wait and retry, transient
ones are checked before resending, token (190) and window (10/2018278) errors are final.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime, timedelta
from typing import Any

import httpx

from civicloop.channels.delivery import (
    Delivery,
    Next,
    SendError,
    Sent,
    classify_http,
    classify_transport,
    wait_from_headers,
)
from civicloop.channels.meta import graph_api, graph_version
from civicloop.kit.clock import utcnow

# Graph throttling codes: application, user, page and custom-level limits (not applied: retry later).
THROTTLED = frozenset({4, 17, 32, 613, 80001})
TOKEN_INVALID = 190
LOOKBACK = timedelta(minutes=2)
THROTTLE_WAIT_SECONDS = 60.0


def _error(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def classify(response: httpx.Response, now: datetime) -> SendError:
    try:
        error = _error(response.json())
    except ValueError:
        error = {}
    code, subcode = error.get("code"), error.get("error_subcode")
    reason = f"Facebook answered {response.status_code}: {error.get('message') or 'no detail'}"
    if code is not None:
        reason += f" (code {code}{f'/{subcode}' if subcode else ''})"
    if code in THROTTLED:
        wait = wait_from_headers(response.headers, now) or THROTTLE_WAIT_SECONDS
        return SendError(reason, Next.retry, wait=wait)
    if code == TOKEN_INVALID:
        return SendError(reason + " — renew the account's page_access_token", Next.give_up)
    if code == 100 and subcode == 33:
        return SendError(
            "Facebook no longer accepts a reply there (the comment was deleted, or replies to it are turned off): "
            + reason,
            Next.give_up,
        )
    if code == 10 and subcode == 2018278:
        return SendError("the Messenger 24-hour window has closed: " + reason, Next.give_up)
    if error.get("is_transient") and response.status_code < 500:
        return SendError(reason, Next.check)
    return classify_http(response, now, reason)


def _graph_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


class FacebookSender:
    platform = "facebook"

    def _url(self, path: str) -> str:
        return f"{graph_api()}/{graph_version()}/{path}"

    def _call(self, http: httpx.Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = http.request(method, self._url(path), **kwargs)
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc
        if response.status_code >= 400:
            raise classify(response, utcnow())
        body = response.json()
        if not isinstance(body, dict):
            raise SendError("Facebook answered without a JSON object", Next.check)
        return body

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        token = delivery.credentials["page_access_token"]
        page = delivery.account_external_id
        if delivery.route == "facebook_comment":
            body = self._call(
                http, "POST", f"{delivery.target}/comments", json={"message": delivery.text, "access_token": token}
            )
            return Sent(str(body["id"]), f"https://www.facebook.com/{body['id']}")
        if delivery.route == "messenger":
            payload = {
                "recipient": {"id": delivery.recipient},
                "messaging_type": "RESPONSE",
                # Comes back in the message_echoes webhook, tying the echo to this outbound row.
                "message": {"text": delivery.text, "metadata": delivery.idempotency_key},
                "access_token": token,
            }
            body = self._call(http, "POST", f"{page}/messages", json=payload)
            return Sent(str(body["message_id"]))
        if delivery.image_path is not None:
            mime = mimetypes.guess_type(delivery.image_path.name)[0] or "application/octet-stream"
            files = {"source": (delivery.image_path.name, delivery.image_path.read_bytes(), mime)}
            body = self._call(
                http, "POST", f"{page}/photos", data={"message": delivery.text, "access_token": token}, files=files
            )
            post_id = str(body.get("post_id") or body["id"])
        else:
            body = self._call(http, "POST", f"{page}/feed", json={"message": delivery.text, "access_token": token})
            post_id = str(body["id"])
        return Sent(post_id, f"https://www.facebook.com/{post_id}")

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        token = delivery.credentials["page_access_token"]
        page = delivery.account_external_id
        since = (delivery.attempt_started_at or utcnow()) - LOOKBACK
        if delivery.route == "facebook_comment":
            params = {"fields": "id,message,from,created_time", "order": "reverse_chronological", "access_token": token}
            items = self._call(http, "GET", f"{delivery.target}/comments", params=params).get("data") or []
        elif delivery.route == "messenger":
            params = {
                "user_id": str(delivery.recipient),
                "fields": "messages{id,message,from,created_time}",
                "access_token": token,
            }
            threads = self._call(http, "GET", f"{page}/conversations", params=params).get("data") or []
            items = [m for t in threads if isinstance(t, dict) for m in (t.get("messages") or {}).get("data") or []]
        else:
            params = {"fields": "id,message,created_time", "access_token": token}
            items = self._call(http, "GET", f"{page}/feed", params=params).get("data") or []
        for item in items:
            if not isinstance(item, dict) or item.get("message") != delivery.text:
                continue
            author = (item.get("from") or {}).get("id", page) if isinstance(item.get("from"), dict) else page
            created = _graph_time(item.get("created_time"))
            if author == page and (created is None or created >= since):
                return Sent(
                    str(item["id"]),
                    None if delivery.route == "messenger" else f"https://www.facebook.com/{item['id']}",
                )
        return None
