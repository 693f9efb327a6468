"""Replies to comments through ``comments.insert``.

Contract (developers.google.com/youtube/v3/docs/comments/insert, docs/channels/youtube.md): ``POST
/comments?part=snippet`` with ``{"snippet": {"parentId": <top-level comment id>, "textOriginal"}}`` and an
OAuth 2.0 bearer token (scope ``youtube.force-ssl``) answers the created comment ``{"id", "snippet"}``;
it costs 50 quota units. Errors come in Google's shape ``{"error": {"code", "message", "errors":
[{"reason"}]}}``: ``quotaExceeded`` waits for the quota to refill, a refused token is final. An
interrupted attempt cannot be looked up here: it becomes ``unconfirmed``.
"""

from __future__ import annotations

from collections.abc import Callable

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
from civicloop.channels.youtube.poller import problem_of, quota_exceeded
from civicloop.kit.clock import utcnow

QUOTA_WAIT_SECONDS = 3600.0  # the daily quota refills at midnight Pacific time: try again hourly


class YouTubeSender:
    platform = "youtube"

    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url  # read at send time: tests and the demo point it at the simulator

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        token = delivery.credentials.get("access_token", "")
        body = {"snippet": {"parentId": delivery.target, "textOriginal": delivery.text}}
        try:
            response = http.post(
                f"{self._api_url()}/comments",
                params={"part": "snippet"},
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc
        if response.status_code != 200:
            reason = problem_of(response)
            if quota_exceeded(response):
                raise SendError(reason, Next.retry, wait=QUOTA_WAIT_SECONDS)
            if response.status_code in (401, 403):
                raise SendError(reason, Next.give_up)
            raise classify_http(response, utcnow(), reason)
        answer = response.json()
        created = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(created, str) or not created:
            raise SendError("YouTube answered without the id of the comment it created", Next.check)
        return Sent(created)

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        raise Unverifiable("this connector does not look up earlier YouTube replies")
