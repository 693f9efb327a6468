"""Simulated citizens on Facebook: comments on the Page's posts (some replying to earlier ones) and Messenger
messages (every fourth with a photo at an expiring CDN link), as Meta delivers them, signed with the app secret
(``X-Hub-Signature-256``)."""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from civicloop.channels.facebook.provider import sign
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.cast import photo
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Earlier, Scene, Signed, digits

POSTS_PER_PAGE = 3
PHOTO_EVERY = 4
REPLY_SHARE = 0.3  # of comments answering an earlier comment under the same post


class FacebookCitizens(CitizenSide):
    needed = "app_secret"
    kinds = MappingProxyType({"comment": 30, "message": 20})

    def identify(self, rng: random.Random) -> dict[str, str]:
        # The person's Facebook user id (on comments) and their Page-scoped id (in Messenger).
        return {"user": digits(rng, 16), "psid": digits(rng, 16)}

    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        if credentials.get("page_access_token"):
            facebook_graph(state).add_page(external_id, credentials["page_access_token"])

    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        build = self._comment if kind == "comment" else self._message
        return json.dumps(build(account, citizen, text, scene), ensure_ascii=False).encode()

    def _comment(self, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> dict[str, Any]:
        page, at = account.external_id, scene.at
        # The Page's posts, drawn at every comment and kept from the first: the draws the simulation has always
        # made, so that a seed gives the same citizens' traffic (and the same demo) as before.
        drawn = [f"{page}_{scene.digits(15)}" for _ in range(POSTS_PER_PAGE)]
        posts = scene.memory.setdefault(("posts", page), drawn)
        post_id = scene.rng.choice(posts)
        earlier = scene.kept(("comments", post_id), list)
        parent = scene.rng.choice(earlier) if earlier and scene.rng.random() < REPLY_SHARE else post_id
        comment_id = f"{post_id.split('_')[1]}_{scene.digits(16)}"
        earlier.append(comment_id)
        from_id = citizen.ids["user"]
        if scene.state is not None:
            facebook_graph(scene.state).comment(
                page,
                comment_id,
                post_id=post_id,
                from_id=from_id,
                message=text,
                parent_id=parent,
                at=at,
                from_name=citizen.name,
            )
        value = {
            "from": {"id": from_id, "name": citizen.name},
            "post": {
                "status_type": "mobile_status_update",
                "is_published": True,
                "updated_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": f"https://www.facebook.com/{page}/posts/{post_id.split('_')[1]}",
                "promotion_status": "inactive",
                "id": post_id,
            },
            "message": text,
            "post_id": post_id,
            "comment_id": comment_id,
            "created_time": int(at.timestamp()),
            "item": "comment",
            "parent_id": parent,
            "verb": "add",
        }
        return {
            "object": "page",
            "entry": [{"id": page, "time": int(at.timestamp()), "changes": [{"field": "feed", "value": value}]}],
        }

    def _message(self, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> dict[str, Any]:
        millis = int(scene.at.timestamp() * 1000)
        psid = citizen.ids["psid"]
        mid = "m_" + secrets.token_urlsafe(24)
        message: dict[str, Any] = {"mid": mid, "text": text}
        attachments: list[dict[str, Any]] = []
        if scene.state is not None and scene.sequence % PHOTO_EVERY == 0:
            attachments = [{"type": "image", "url": scene.state.media_url(photo(scene.sequence), "image/png")}]
            message["attachments"] = [{"type": "image", "payload": {"url": attachments[0]["url"]}}]
        if scene.state is not None:
            facebook_graph(scene.state).messenger_message(
                account.external_id, psid, scene.at, mid=mid, text=text, attachments=attachments
            )
        event = {
            "sender": {"id": psid},
            "recipient": {"id": account.external_id},
            "timestamp": millis,
            "message": message,
        }
        return {"object": "page", "entry": [{"id": account.external_id, "time": millis, "messaging": [event]}]}

    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        return Signed(body, {"x-hub-signature-256": sign(body, account.credentials["app_secret"])})

    def remember(self, state: SimulatorState, earlier: Earlier) -> None:
        graph = facebook_graph(state)
        if earlier.comment:
            graph.comment(
                earlier.account.external_id,
                earlier.external_id,
                post_id=earlier.thread,
                from_id=earlier.citizen,
                message=earlier.text,
                parent_id=earlier.reply_to,
                at=earlier.at,
            )
        else:
            graph.messenger_message(earlier.account.external_id, earlier.citizen, earlier.at)
