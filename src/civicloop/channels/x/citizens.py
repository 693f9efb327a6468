"""Simulated citizens on X: posts mentioning the account (some replying to an earlier one) and direct messages,
as Account Activity delivers them, signed with the consumer secret (``x-twitter-webhooks-signature``)."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Earlier, Scene, Signed, digits
from civicloop.channels.x.provider import sign
from civicloop.channels.x.simulator import XUser, x_api

CREDENTIALS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")
X_EPOCH_MILLIS = 1_288_834_974_657
THREAD_SHARE = 0.25  # of mentions replying to an earlier mention of the account
WEB_APP = "268278"  # the ``source_app_id`` of X's web client


def _x_time(at: datetime) -> str:
    return at.strftime("%a %b %d %H:%M:%S +0000 %Y")


def _snowflake(scene: Scene) -> str:
    # X ids grow with time: milliseconds since X's epoch, shifted, plus a sequence.
    millis = int(scene.at.timestamp() * 1000) - X_EPOCH_MILLIS
    return str((millis << 22) + (scene.sequence % 4096))


class XCitizens(CitizenSide):
    needed = "consumer_secret"
    kinds = MappingProxyType({"mention": 20, "dm": 10})

    def identify(self, rng: random.Random) -> dict[str, str]:
        return {"user": digits(rng, 19)}

    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        x_api(state).add_user(XUser(external_id, **{name: credentials.get(name, "") for name in CREDENTIALS}))

    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        user_id = citizen.ids["user"]
        if scene.state is not None:
            x_api(scene.state).profile(user_id, citizen.name, citizen.handle)
        build = self._mention if kind == "mention" else self._dm
        return json.dumps(build(account, citizen, user_id, text, scene), ensure_ascii=False).encode()

    def _mention(self, account: Addressee, citizen: Citizen, user_id: str, text: str, scene: Scene) -> dict[str, Any]:
        at, agency = scene.at, account.external_id
        handle = "".join(ch for ch in account.name.split(" —")[0].title() if ch.isalnum())[:15] or "Agency"
        earlier: list[tuple[str, str]] = scene.kept(("mentions", agency), list)
        parent = scene.rng.choice(earlier) if earlier and scene.rng.random() < THREAD_SHARE else None
        tweet_id = _snowflake(scene)
        full = f"@{handle} {text}"
        earlier.append((tweet_id, user_id))
        if scene.state is not None:
            x_api(scene.state).tweet(
                tweet_id, user_id, full, at, in_reply_to=parent[0] if parent else None, mentions=(agency,)
            )
        tweet = {
            "created_at": _x_time(at),
            "id": int(tweet_id),
            "id_str": tweet_id,
            "text": full,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "truncated": False,
            "in_reply_to_status_id": int(parent[0]) if parent else None,
            "in_reply_to_status_id_str": parent[0] if parent else None,
            "in_reply_to_user_id": int(agency),
            "in_reply_to_user_id_str": agency,
            "in_reply_to_screen_name": handle,
            "user": {"id": int(user_id), "id_str": user_id, "name": citizen.name, "screen_name": citizen.handle},
            "entities": {
                "hashtags": [],
                "urls": [],
                "user_mentions": [
                    {
                        "screen_name": handle,
                        "name": account.name,
                        "id": int(agency),
                        "id_str": agency,
                        "indices": [0, len(handle) + 1],
                    }
                ],
                "symbols": [],
            },
            "timestamp_ms": str(int(at.timestamp() * 1000)),
        }
        return {"for_user_id": agency, "user_has_blocked": "false", "tweet_create_events": [tweet]}

    def _dm(self, account: Addressee, citizen: Citizen, user_id: str, text: str, scene: Scene) -> dict[str, Any]:
        agency, event_id = account.external_id, _snowflake(scene)
        if scene.state is not None:
            x_api(scene.state).direct_message(agency, user_id, text, scene.at, event_id=event_id)
        event = {
            "type": "message_create",
            "id": event_id,
            "created_timestamp": str(int(scene.at.timestamp() * 1000)),
            "message_create": {
                "target": {"recipient_id": agency},
                "sender_id": user_id,
                "source_app_id": WEB_APP,
                "message_data": {
                    "text": text,
                    "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                },
            },
        }
        users = {
            user_id: {"id": user_id, "name": citizen.name, "screen_name": citizen.handle},
            agency: {"id": agency, "name": account.name, "screen_name": "agency"},
        }
        return {
            "for_user_id": agency,
            "direct_message_events": [event],
            "apps": {WEB_APP: {"id": WEB_APP, "name": "Twitter Web Client", "url": "http://twitter.com"}},
            "users": users,
        }

    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        return Signed(body, {"x-twitter-webhooks-signature": sign(body, account.credentials["consumer_secret"])})

    def remember(self, state: SimulatorState, earlier: Earlier) -> None:
        if earlier.comment:
            x_api(state).tweet(earlier.external_id, earlier.citizen, earlier.text, earlier.at)
        else:
            x_api(state).direct_message(earlier.account.external_id, earlier.citizen, earlier.text, earlier.at)
