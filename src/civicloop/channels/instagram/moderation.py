"""Hiding, unhiding and deleting a comment on the account's media through Instagram's Graph API.

Contract (developers.facebook.com/docs/instagram-api/guides/comment-moderation, docs/moderation.md):
``POST /{ig-comment-id}`` with ``hide=true`` hides the comment (``false`` shows it again; the parameter is
``hide`` here, not the Page API's ``is_hidden``) and a hidden comment stays visible to its author;
``DELETE /{ig-comment-id}`` removes it. Both answer ``{"success": true}``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from civicloop.channels.moderation import ModerationCall, Operation, PlatformAnswer, no_answer, success_answer


class InstagramModerator:
    operations = frozenset({Operation.hide, Operation.unhide, Operation.delete})
    hide_means = "Instagram hides the comment from everyone but its author"

    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url  # read at call time: tests and the demo point it at the simulator

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer:
        url = f"{self._api_url()}/{call.target}"
        headers = {"Authorization": f"Bearer {call.credentials.get('page_access_token', '')}"}
        try:
            if call.operation is Operation.delete:
                response = http.delete(url, headers=headers)
            else:
                hide = "true" if call.operation is Operation.hide else "false"
                response = http.post(url, data={"hide": hide}, headers=headers)
        except httpx.TransportError as exc:
            return no_answer(exc)
        done = {"hide": "hidden on Instagram", "unhide": "shown again on Instagram", "delete": "deleted on Instagram"}
        return success_answer(response, done[call.operation.value], "Instagram")
