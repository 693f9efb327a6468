"""X (Twitter) Account Activity: CRC, signature, posts mentioning the agency and direct messages."""

from __future__ import annotations

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.spec import PlatformSpec, RouteSpec, TextLimit
from civicloop.channels.x import demo as x_demo
from civicloop.channels.x import oauth_simulator as _oauth  # noqa: F401 - its routes join the API's
from civicloop.channels.x import simulator
from civicloop.channels.x.citizens import XCitizens
from civicloop.channels.x.connect import XConnector
from civicloop.channels.x.media import XMedia
from civicloop.channels.x.moderation import XModerator
from civicloop.channels.x.outbound import API_URL, DM_LIMIT, POST_LIMIT, XSender, api_base, can_post, weighted_length
from civicloop.channels.x.provider import XProvider
from civicloop.channels.x.reconcile import XReconciler

POST = TextLimit(POST_LIMIT, "weighted characters", weighted_length)


def _direct_recipient(conversation_ref: str, account_id: str) -> str | None:
    """A DM conversation's ref is the two user ids joined by '-': the citizen is the other one."""
    return next((p for p in conversation_ref.split("-") if p != account_id), None)


SPEC = PlatformSpec(
    name="x",
    label="X",
    external_id="X user id",
    credentials=Credentials(
        required=frozenset({"consumer_secret"}),
        optional=frozenset({"access_token", "access_token_secret", "bearer_token", "consumer_key", "refresh_token"}),
        identity="consumer_secret",
        for_sending=lambda c: (
            ""
            if can_post(c)
            else "X needs user-context credentials to post — consumer_key, consumer_secret, access_token and "
            "access_token_secret, or an OAuth 2.0 bearer_token"
        ),
    ),
    sender=XSender(),
    provider=XProvider(),
    signed_with="consumer secret",
    comment_reply=RouteSpec(Route("x_reply"), POST),
    direct_reply=RouteSpec(Route("x_dm"), TextLimit(DM_LIMIT, "characters")),
    post=RouteSpec(Route("x_post"), POST, images=True),
    variant_hint="280 weighted characters; a link counts 23",
    short_posts=True,
    badge="grey",
    api_url_default=API_URL,
    domains=("x.com", "twitter.com", "twimg.com", "t.co"),
    simulator=simulator.router,
    simulated_api_hosts={"x.ton": "/ton"},  # direct-message media (``media.py``), on ton.twitter.com
    connector=XConnector(),
    direct_recipient=_direct_recipient,
    reconciler=XReconciler(api_base),
    reconcile_gaps=(
        "mentions: only the 800 most recent can be read back; replies that do not @mention the account are not",
        "direct messages: only those of the last 30 days",
        "deletions are not read back",
    ),
    moderator=XModerator(),
    citizens=XCitizens(),
    demo=x_demo.DEMO,
    media=XMedia(),
)
