"""Holding, publishing and rejecting a comment on the channel (``comments.setModerationStatus``).

Contract (developers.google.com/youtube/v3/docs/comments/setModerationStatus, docs/moderation.md):
``POST /comments/setModerationStatus?id=…&moderationStatus=heldForReview|published|rejected`` with the
channel owner's OAuth token (scope ``youtube.force-ssl``), no body, 50 quota units, and ``204 No
Content`` on success. A hide holds the comment for review (out of public view, reversible); unhiding
publishes it; deleting rejects it, which YouTube does not let anyone publish again (``comments.delete``
is only for a comment's own author).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from civicloop.channels.moderation import ModerationCall, Operation, PlatformAnswer, answer_of, no_answer
from civicloop.channels.youtube.poller import problem_of

STATUS = {Operation.hide: "heldForReview", Operation.unhide: "published", Operation.delete: "rejected"}


class YouTubeModerator:
    operations = frozenset(STATUS)
    hide_means = "YouTube holds the comment for review: nobody but the channel sees it until it is published"

    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer:
        params = {"id": call.target, "moderationStatus": STATUS[call.operation]}
        headers = {"Authorization": f"Bearer {call.credentials.get('access_token', '')}"}
        try:
            response = http.post(f"{self._api_url()}/comments/setModerationStatus", params=params, headers=headers)
        except httpx.TransportError as exc:
            return no_answer(exc)
        if response.status_code == 204:
            return answer_of(response, True, f"set to {STATUS[call.operation]} on YouTube")
        return answer_of(response, False, problem_of(response))
