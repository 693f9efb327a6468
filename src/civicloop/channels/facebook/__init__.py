"""Facebook Pages and Messenger: webhook handshake, signature, feed and messaging events."""

from __future__ import annotations

from datetime import timedelta

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.facebook import demo as facebook_demo
from civicloop.channels.facebook.citizens import FacebookCitizens
from civicloop.channels.facebook.connect import FacebookConnector
from civicloop.channels.facebook.moderation import FacebookModerator
from civicloop.channels.facebook.outbound import FacebookSender
from civicloop.channels.facebook.provider import FacebookProvider
from civicloop.channels.facebook.reconcile import FacebookReconciler
from civicloop.channels.meta import GRAPH_API_URL, graph, graph_api, graph_version
from civicloop.channels.meta import simulator as _meta_login  # noqa: F401 - Login's routes join graph's
from civicloop.channels.spec import PlatformSpec, ReplyWindow, RouteSpec, TextLimit


def _graph_url() -> str:
    return f"{graph_api()}/{graph_version()}"


SPEC = PlatformSpec(
    name="facebook",
    label="Facebook",
    external_id="Page id",
    credentials=Credentials(
        required=frozenset({"app_secret", "verify_token"}),
        optional=frozenset({"page_access_token"}),
        identity="app_secret",
        for_sending=lambda c: "" if c.get("page_access_token") else "add the Page's page_access_token credential",
    ),
    sender=FacebookSender(),
    provider=FacebookProvider(),
    signed_with="app secret",
    # Meta's published maxima for comments and Page posts; Messenger text up to 2000 (platforms.md §1.9).
    comment_reply=RouteSpec(Route("facebook_comment"), TextLimit(8000, "characters")),
    direct_reply=RouteSpec(Route("messenger"), TextLimit(2000, "characters")),
    post=RouteSpec(Route("facebook_post"), TextLimit(63_206, "characters"), images=True),
    window=ReplyWindow(timedelta(hours=24), "Messenger"),
    badge="teal",
    api_url_default=GRAPH_API_URL,
    domains=("facebook.com", "fb.com", "fb.me", "fbcdn.net", "fbsbx.com", "facebook.net", "messenger.com"),
    simulator=graph.router,
    simulated_oauth_hosts={"meta.dialog": ""},  # Meta Login's dialog, on www.facebook.com
    connector=FacebookConnector(),
    moderator=FacebookModerator(),
    # Facebook threads are two levels deep: a reply to a reply answers the top-level comment.
    comment_target=lambda external_id, parent_id: parent_id or external_id,
    reconciler=FacebookReconciler(_graph_url),
    reconcile_gaps=(
        "Messenger: only the 20 most recent messages of each conversation can be read back",
        "posts that visitors write on the Page, and edits, hides and deletions, are not read back",
    ),
    citizens=FacebookCitizens(),
    demo=facebook_demo.DEMO,
)
