"""Connecting a Facebook Page with Facebook Login (docs/channels/connecting.md): the Pages the person has
a task on, each subscribed to the app's webhooks once chosen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import httpx

from civicloop.channels.connect.base import Candidate, Checked, Grant
from civicloop.channels.meta.login import MetaLogin


class FacebookConnector(MetaLogin):
    label = "Facebook Page"
    who = "Facebook"
    needed_scopes = (
        "pages_show_list",
        "pages_manage_metadata",
        "pages_read_engagement",
        "pages_read_user_content",
        "pages_manage_engagement",
        "pages_manage_posts",
        "pages_messaging",
    )

    def candidates(self, http: httpx.Client, grant: Grant, *, now: datetime) -> list[Candidate]:
        missing = self.scope_problem(grant)
        found = []
        for page in self.pages(http, grant):
            token = str(page.get("access_token", ""))
            found.append(
                Candidate(
                    external_id=str(page.get("id", "")),
                    name=str(page.get("name", "")),
                    credentials=self.credentials(token),
                    problem=missing or self.role_problem(page),
                    scopes=grant.scopes,
                    detail="Facebook Page",
                )
            )
        return found

    def activate(self, http: httpx.Client, candidate: Candidate, *, webhook_url: str) -> Candidate:
        self.subscribe(http, candidate.external_id, candidate.credentials["page_access_token"])
        return candidate

    def check(self, http: httpx.Client, external_id: str, credentials: Mapping[str, str], *, now: datetime) -> Checked:
        return self.check_page(http, external_id, credentials, now=now)
