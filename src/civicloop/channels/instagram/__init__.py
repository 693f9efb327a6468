"""Instagram (Meta Graph API, professional accounts): comments on the account's media and direct
messages, with the app secret's ``X-Hub-Signature-256``; replies to comments, and direct replies
within Instagram's 24-hour messaging window.

Everything the product knows of Instagram is declared here (``SPEC``), listed by ``channels/registry.py``.
"""

from __future__ import annotations

from datetime import timedelta

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.instagram import simulator
from civicloop.channels.instagram.connect import InstagramConnector
from civicloop.channels.instagram.moderation import InstagramModerator
from civicloop.channels.instagram.outbound import InstagramSender
from civicloop.channels.instagram.provider import InstagramProvider
from civicloop.channels.instagram.reconcile import InstagramReconciler
from civicloop.channels.spec import PlatformSpec, ReplyWindow, RouteSpec, TextLimit


def _api_url() -> str:
    return SPEC.api_url()


SPEC = PlatformSpec(
    name="instagram",
    label="Instagram",
    external_id="Instagram professional account id",
    credentials=Credentials(
        required=frozenset({"app_secret", "verify_token"}),
        optional=frozenset({"page_access_token", "page_id"}),
        identity="app_secret",
        for_sending=lambda c: "" if c.get("page_access_token") else "add the account's page_access_token credential",
    ),
    sender=InstagramSender(_api_url),
    provider=InstagramProvider(),
    signed_with="app secret",
    # Instagram's caption and comment limit is 2,200 characters; direct messages take 1,000.
    comment_reply=RouteSpec(Route("instagram_comment"), TextLimit(2200, "characters")),
    direct_reply=RouteSpec(Route("instagram_message"), TextLimit(1000, "characters")),
    # No text-only posts: Instagram publishes media (an image or video at a public URL), not text.
    window=ReplyWindow(timedelta(hours=24), "Instagram"),
    api_url_default="https://graph.facebook.com/v25.0",
    simulator=simulator.router,
    connector=InstagramConnector(),
    moderator=InstagramModerator(_api_url),
    citizens=simulator.InstagramCitizens(),
    # Instagram threads are two levels deep too: a reply to a reply answers the top-level comment.
    comment_target=lambda external_id, parent_id: parent_id or external_id,
    domains=("instagram.com", "cdninstagram.com"),
    reconciler=InstagramReconciler(_api_url),
    reconcile_gaps=(
        "direct messages are not read back yet (the Graph API could list them with "
        "/{page-id}/conversations?platform=instagram)",
        "edits and deletions are not read back",
    ),
)
