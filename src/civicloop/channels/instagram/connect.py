"""Connecting an Instagram professional account through the Page it is linked to
(docs/channels/connecting.md): Meta's Login as for a Page, then
``/{page-id}?fields=instagram_business_account{id,username}``; the Page token answers for the Instagram
account, and the Page is subscribed to the app's webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import httpx

from civicloop.channels.connect.base import Candidate, Checked, Grant, call
from civicloop.channels.meta.login import MetaLogin, graph, meta_json


class InstagramConnector(MetaLogin):
    label = "Instagram account"
    article = "an"
    subscribed_fields = "feed,messages"
    needed_scopes = (
        "pages_show_list",
        "pages_manage_metadata",
        "pages_read_engagement",
        "instagram_basic",
        "instagram_manage_comments",
        "instagram_manage_messages",
    )

    def candidates(self, http: httpx.Client, grant: Grant, *, now: datetime) -> list[Candidate]:
        missing = self.scope_problem(grant)
        found = []
        for page in self.pages(http, grant):
            page_id, token = str(page.get("id", "")), str(page.get("access_token", ""))
            linked = meta_json(
                call(
                    self.who,
                    http.get,
                    graph(page_id),
                    params={"fields": "instagram_business_account{id,username}", "access_token": token},
                ),
                "the Page's Instagram account",
                self.who,
            ).get("instagram_business_account")
            if not isinstance(linked, dict) or not linked.get("id"):
                found.append(
                    Candidate(
                        external_id=f"page:{page_id}",
                        name=str(page.get("name", "")),
                        problem="no Instagram professional account is linked to this Page "
                        "(link it in the Page's settings)",
                        detail="Page (no Instagram account linked)",
                    )
                )
                continue
            found.append(
                Candidate(
                    external_id=str(linked["id"]),
                    name=f"@{linked.get('username') or linked['id']}",
                    credentials=self.credentials(token) | {"page_id": page_id},
                    problem=missing or self.role_problem(page),
                    scopes=grant.scopes,
                    detail=f"linked to the Page {page.get('name', page_id)}",
                )
            )
        return found

    def activate(self, http: httpx.Client, candidate: Candidate, *, webhook_url: str) -> Candidate:
        self.subscribe(http, candidate.credentials["page_id"], candidate.credentials["page_access_token"])
        return candidate

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        page_id = credentials.get("page_id", "")
        if not page_id:
            if not credentials.get("page_access_token"):
                return Checked(False, "no Page token is stored: connect the account", scopes=())
            # Pasted credentials without the Page: the token can only be checked by using it.
            return Checked(True, scopes=None)
        return self.check_page(http, page_id, credentials, now=now)
