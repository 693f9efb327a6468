"""What the simulated Graph API knows of Facebook Pages: their tokens, their posts and comments, and the
Messenger messages people sent them (which open the 24-hour window). Kept in the simulator state's slot
for Facebook (``facebook_graph(state)``); tests arrange a scene with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from civicloop.channels.simulator.state import SimulatorState

MESSENGER_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


@dataclass
class GraphObject:
    """A Page post, a comment, or a Messenger message held by the simulated Graph API."""

    id: str
    page_id: str
    from_id: str
    message: str
    created: datetime
    parent_id: str | None = None
    thread_with: str | None = None  # Messenger: the PSID of the other side
    from_name: str = ""
    # The Comment node's ``can_comment``: False once the Page or the author turned replies off (or the
    # post's commenting was limited); a reply is then refused as an unsupported operation.
    can_comment: bool = True
    is_hidden: bool = False  # hidden by the Page (still shown to its author)
    # Media the citizen attached: ``{"type": "image"|"video"|"audio"|"file", "url": ...}`` (expiring URLs).
    attachments: list[dict[str, Any]] = field(default_factory=list)


class FacebookGraph:
    """The Pages the simulated Graph API knows (by access token), their objects, and Messenger's windows."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.page_tokens: dict[str, str] = {}  # token -> Page id
        self.objects: dict[str, GraphObject] = {}
        self.messenger_last_user_message: dict[tuple[str, str], datetime] = {}

    def add_page(self, page_id: str, page_token: str) -> None:
        with self.state.lock:
            self.page_tokens[page_token] = page_id

    def post(self, page_id: str, post_id: str, message: str = "", at: datetime | None = None) -> None:
        with self.state.lock:
            self.objects[post_id] = GraphObject(post_id, page_id, page_id, message, at or self.state.now())

    def comment(
        self,
        page_id: str,
        comment_id: str,
        *,
        post_id: str,
        from_id: str,
        message: str,
        parent_id: str | None = None,
        at: datetime | None = None,
        from_name: str = "",
    ) -> None:
        """A person commented on the Page's post ``post_id`` (or replied to ``parent_id`` under it)."""
        with self.state.lock:
            at = at or self.state.now()
            if post_id not in self.objects:
                self.objects[post_id] = GraphObject(post_id, page_id, page_id, "", at)
            self.objects[comment_id] = GraphObject(
                comment_id, page_id, from_id, message, at, parent_id=parent_id or post_id, from_name=from_name
            )

    def messenger_message(
        self,
        page_id: str,
        psid: str,
        at: datetime | None = None,
        *,
        mid: str = "",
        text: str = "",
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        """A person wrote to the Page (opening the 24-hour window); with ``mid`` the message is kept, so the
        conversations API lists it."""
        with self.state.lock:
            at = at or self.state.now()
            self.messenger_last_user_message[(page_id, psid)] = at
            if mid:
                self.objects[mid] = GraphObject(
                    mid, page_id, psid, text, at, thread_with=psid, attachments=list(attachments or [])
                )

    def page_comments_by(self, page_id: str) -> list[GraphObject]:
        """Comments the Page itself wrote (our replies)."""
        with self.state.lock:
            return [o for o in self.objects.values() if o.from_id == page_id and o.parent_id is not None]


def facebook_graph(state: SimulatorState) -> FacebookGraph:
    """The simulated Graph API's Facebook Pages in ``state``."""
    return state.slot("facebook", lambda: FacebookGraph(state))
