"""Hiding and unhiding a reply on X (``PUT /2/tweets/:id/hidden``).

Contract (developer.x.com/en/docs/twitter-api/tweets/hide-replies/api-reference, docs/moderation.md):
user context only (OAuth 1.0a or an OAuth 2.0 user token with ``tweet.moderate.write``); JSON body
``{"hidden": true|false}``; the post must be a reply in a conversation the account started; the answer
is ``{"data": {"hidden": bool}}``; hiding a hidden reply again succeeds. A hidden reply stays readable
behind "View hidden replies". X lets no one delete another person's post: there is no delete here.
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
from civicloop.channels.x.outbound import api_base, oauth1_header
from civicloop.kit.clock import utcnow


class XModerator:
    operations = frozenset({Operation.hide, Operation.unhide})
    hide_means = "X moves the reply behind “View hidden replies”, where anyone can still open it"

    def apply(self, call: ModerationCall, http: httpx.Client) -> PlatformAnswer:
        url = f"{api_base()}/2/tweets/{call.target}/hidden"
        credentials = call.credentials
        if credentials.get("bearer_token"):
            authorization = f"Bearer {credentials['bearer_token']}"
        else:
            authorization = oauth1_header("PUT", url, {}, credentials, utcnow())
        hidden = call.operation is Operation.hide
        try:
            response = http.put(url, json={"hidden": hidden}, headers={"authorization": authorization})
        except httpx.TransportError as exc:
            return no_answer(exc)
        body = json_of(response)
        data = body.get("data") if isinstance(body, dict) else None
        if response.status_code == 200 and isinstance(data, dict) and data.get("hidden") is hidden:
            return answer_of(response, True, "hidden on X" if hidden else "shown again on X")
        detail = (body.get("detail") or body.get("title")) if isinstance(body, dict) else None
        return answer_of(response, False, f"X answered {response.status_code}: {detail or 'no detail'}")
