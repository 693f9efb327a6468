"""Hiding, unhiding and deleting a citizen's comment on the Page through the Graph API.

Contract (developers.facebook.com/docs/graph-api/changelog/version2.2, docs/moderation.md): ``POST
/{comment-id}`` with ``is_hidden=true`` hides a comment on a Page post (``false`` unhides it) and a hidden
comment stays visible to its author and their friends; ``DELETE /{comment-id}`` removes it for good.
Both take the Page access token and answer ``{"success": true}``; errors come in Meta's shape
``{"error": {"message", "code"}}``.
"""

from __future__ import annotations

import httpx

from civicloop.channels.meta import graph_api, graph_version
from civicloop.channels.moderation import ModerationCall, Operation, PlatformAnswer, no_answer, success_answer


class FacebookModerator:
    operations = frozenset({Operation.hide, Operation.unhide, Operation.delete})
    hide_means = "Facebook hides the comment from everyone but its author and their friends"

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer:
        url = f"{graph_api()}/{graph_version()}/{call.target}"
        token = call.credentials.get("page_access_token", "")
        try:
            if call.operation is Operation.delete:
                response = http.delete(url, params={"access_token": token})
            else:
                hidden = "true" if call.operation is Operation.hide else "false"
                response = http.post(url, data={"is_hidden": hidden, "access_token": token})
        except httpx.TransportError as exc:
            return no_answer(exc)
        done = {"hide": "hidden on Facebook", "unhide": "shown again on Facebook", "delete": "deleted on Facebook"}
        return success_answer(response, done[call.operation.value], "Facebook")
