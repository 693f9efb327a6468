"""Graph API calls for replies to comments on the account's media and to direct messages.

Contract (developers.facebook.com/docs/instagram-platform, docs/channels/instagram.md): ``POST
/{ig-comment-id}/replies`` with ``message`` answers ``{"id"}``; ``POST /{ig-account-id}/messages`` with
``{"recipient": {"id": IGSID}, "message": {"text"}}`` answers ``{"recipient_id", "message_id"}`` and only
within 24 hours of the person's last message. Errors come in Meta's shape ``{"error": {"code",
"error_subcode", "is_transient", "message"}}``: throttling codes wait, transient ones are checked,
others are final. An interrupted attempt cannot be looked up here: it becomes ``unconfirmed``.
"""

from __future__ import annotations

from collections.abc import Callable
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
    wait_from_headers,
)
from civicloop.kit.clock import utcnow

THROTTLED = frozenset({4, 17, 32, 613})
THROTTLE_WAIT_SECONDS = 60.0
TOKEN_INVALID = 190


def classify(response: httpx.Response) -> SendError:
    try:
        body = response.json()
    except ValueError:
        body = None
    found = body.get("error") if isinstance(body, dict) else None
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    code = error.get("code")
    reason = f"Instagram answered {response.status_code}: {error.get('message') or 'no detail'}"
    if code is not None:
        reason += f" (code {code})"
    if code in THROTTLED:
        return SendError(
            reason, Next.retry, wait=wait_from_headers(response.headers, utcnow()) or THROTTLE_WAIT_SECONDS
        )
    if code == TOKEN_INVALID:
        return SendError(reason + " — renew the account's page_access_token", Next.give_up)
    if error.get("is_transient") and response.status_code < 500:
        return SendError(reason, Next.check)
    return classify_http(response, utcnow(), reason)


class InstagramSender:
    platform = "instagram"

    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url  # read at send time: tests and the demo point it at the simulator

    def _post(self, http: httpx.Client, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = http.post(f"{self._api_url()}/{path}", json=body, headers={"Authorization": f"Bearer {token}"})
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc
        if response.status_code != 200:
            raise classify(response)
        answer = response.json()
        return answer if isinstance(answer, dict) else {}

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        token = delivery.credentials.get("page_access_token", "")
        if delivery.route == "instagram_comment":
            answer = self._post(http, f"{delivery.target}/replies", token, {"message": delivery.text})
            created = answer.get("id")
        else:
            body = {"recipient": {"id": delivery.recipient}, "message": {"text": delivery.text}}
            answer = self._post(http, f"{delivery.account_external_id}/messages", token, body)
            created = answer.get("message_id")
        if not isinstance(created, str) or not created:
            raise SendError("Instagram answered without the id of what it created", Next.check)
        return Sent(created)

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        raise Unverifiable("this connector does not look up earlier Instagram replies")
