"""YouTube (Data API v3): comments on the agency's channel videos, polled with ``commentThreads.list``
(YouTube has no webhooks for comments), answered with ``comments.insert``.

No posts: a YouTube upload is a video, not text, so the agency publishes nothing here. No direct
messages either: YouTube has none.

Everything the product knows of YouTube is declared here (``SPEC``), listed by ``channels/registry.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.spec import PlatformSpec, RouteSpec, TextLimit
from civicloop.channels.youtube import google_oauth as _google  # noqa: F401 - its routes join the simulator's
from civicloop.channels.youtube import simulator
from civicloop.channels.youtube.connect import YouTubeConnector
from civicloop.channels.youtube.moderation import YouTubeModerator
from civicloop.channels.youtube.outbound import YouTubeSender
from civicloop.channels.youtube.poller import YouTubePoller, YouTubeReconciler


def _health(session: Session, account_ids: Sequence[int]) -> dict[int, str]:
    from civicloop.channels import polling  # polling asks the registry, which lists this folder

    return polling.problems(session, account_ids)


def _api_url() -> str:
    return SPEC.api_url()


SPEC = PlatformSpec(
    name="youtube",
    label="YouTube",
    external_id="the channel id (UC…)",
    credentials=Credentials(
        # An OAuth 2.0 access token of the channel's owner with the youtube.force-ssl scope.
        required=frozenset({"access_token"}),
        optional=frozenset({"refresh_token"}),
        for_sending=lambda c: "" if c.get("access_token") else "add the channel's access_token credential",
    ),
    sender=YouTubeSender(_api_url),
    poller=YouTubePoller(_api_url),
    reconciler=YouTubeReconciler(YouTubePoller(_api_url)),
    reconcile_gaps=("replies beyond those commentThreads.list returns with their thread are not read back",),
    # Half of a project's default 10,000 daily units: replies (50 units each) need the rest.
    poll_budget_default=5000,
    health=_health,
    # YouTube takes comments of up to 10,000 characters.
    comment_reply=RouteSpec(Route("youtube_reply"), TextLimit(10_000, "characters")),
    api_url_default="https://www.googleapis.com/youtube/v3",
    simulator=simulator.router,
    connector=YouTubeConnector(_api_url),
    moderator=YouTubeModerator(_api_url),
    citizens=simulator.YouTubeCitizens(),
    # A reply to a reply answers the thread's top-level comment (comments.insert takes only those).
    comment_target=lambda external_id, parent_id: parent_id or external_id,
    domains=("youtube.com", "youtu.be", "ytimg.com", "googlevideo.com"),
)
