"""Hiding, unhiding and deleting a citizen's comment on the Page through the Graph API.

Contract (developers.facebook.com/docs/graph-api/changelog/version2.2, docs/moderation.md): ``POST
/{comment-id}`` with ``is_hidden=true`` hides a comment on a Page post (``false`` unhides it) and a hidden
comment stays visible to its author and their friends; ``DELETE /{comment-id}`` removes it for good.
Both take the Page access token and answer ``{"success": true}``; errors come in Meta's shape
``{"error": {"message", "code"}}``.
"""

from __future__ import annotations

import httpx

from civicloop.channels.moderation import (
    ModerationCall,
    Operation,
    PlatformAnswer,
    answer_of,
    json_of,
    no_answer,
)
from civicloop.config import get_settings


def meta_answer(response: httpx.Response, done: str, label: str) -> PlatformAnswer:
    """Meta's answer to a moderation call: ``{"success": true}`` or an error with its message and code."""
    body = json_of(response)
    if response.status_code == 200 and isinstance(body, dict) and body.get("success") is True:
        return answer_of(response, True, done)
    error = body.get("error") if isinstance(body, dict) else None
    detail = error.get("message") if isinstance(error, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    summary = f"{label} answered {response.status_code}: {detail or 'no detail'}" + (f" (code {code})" if code else "")
    return answer_of(response, False, summary)


class FacebookModerator:
    operations = frozenset({Operation.hide, Operation.unhide, Operation.delete})
    hide_means = "Facebook hides the comment from everyone but its author and their friends"

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer:
        settings = get_settings()
        url = f"{settings.facebook_api_url.rstrip('/')}/{settings.facebook_graph_version}/{call.target}"
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
        return meta_answer(response, done[call.operation.value], "Facebook")
