"""Golden parse tests: every x fixture, split into events and parsed into facts, checked field by field."""

from __future__ import annotations

from typing import Any

import pytest

from civicloop.channels.x.provider import XProvider
from tests.channels.golden import golden

EXPECTED: dict[str, dict[str, Any]] = {
    "dm__received.json": {
        "events": [
            [
                "direct_message_events.message_create",
                "1455612345678901248:dm:1875440000000000001",
                "1455612345678901248",
                True,
            ]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "in",
                "id": "1875440000000000001",
                "conversation": "direct:1322334455667788990-1455612345678901248",
                "at": "2026-01-05T07:30:00+00:00",
                "text": "Kuzuzangpo. My building permit application for Babesa (file "
                "TT/BP/2025/1187) has been pending for two months. Whom should I "
                "contact?",
                "contact": ["1322334455667788990", "Sonam Dorji", "sonamdorji88"],
            }
        ],
    },
    "dm__sent.json": {
        "events": [
            [
                "direct_message_events.message_create",
                "1455612345678901248:dm:1875440000000000002",
                "1455612345678901248",
                True,
            ]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "out",
                "id": "1875440000000000002",
                "conversation": "direct:1322334455667788990-1455612345678901248",
                "at": "2026-01-05T08:10:00+00:00",
                "text": "Kuzuzangpo la. Please visit the Building Section on the 2nd floor of the "
                "Thromde office with your file number; it is open 9 am to 5 pm.",
                "contact": ["1322334455667788990", "Sonam Dorji", "sonamdorji88"],
            }
        ],
    },
    "dm__users_inside_apps.json": {
        "events": [
            [
                "direct_message_events.message_create",
                "1455612345678901248:dm:1875440000000000003",
                "1455612345678901248",
                True,
            ]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "in",
                "id": "1875440000000000003",
                "conversation": "direct:1298765432109876543-1455612345678901248",
                "at": "2026-01-05T09:00:00+00:00",
                "text": "Is the Thromde office open on Zhabdrung Kuchoe?",
                "contact": ["1298765432109876543", "Pema Choden", "pemachoden_thim"],
            }
        ],
    },
    "favorite__added.json": {"events": [["favorite_events", "", "1455612345678901248", False]], "facts": []},
    "tweet__by_agency.json": {
        "events": [
            ["tweet_create_events", "1455612345678901248:tweet:1875435500000000444", "1455612345678901248", True]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "out",
                "id": "1875435500000000444",
                "conversation": "comment_thread:1875432109876543210",
                "at": "2026-01-05T06:00:00+00:00",
                "text": "@pemachoden_thim Thank you. The Motithang collection was delayed "
                "by a breakdown; the truck will come tomorrow at 8 am.",
                "reply_to": "1875432109876543210",
                "thread_parent": "1875432109876543210",
                "permalink": "https://x.com/ThimphuThromde/status/1875435500000000444",
            }
        ],
    },
    "tweet__deleted.json": {
        "events": [
            ["tweet_delete_events", "1455612345678901248:delete:1875432109876543210", "1455612345678901248", True]
        ],
        "facts": [
            {
                "action": "remove",
                "account": "1455612345678901248",
                "direction": "in",
                "id": "1875432109876543210",
                "conversation": "comment_thread:1875432109876543210",
                "at": "2026-01-05T07:00:00+00:00",
                "text": "",
            }
        ],
    },
    "tweet__extended.json": {
        "events": [
            ["tweet_create_events", "1455612345678901248:tweet:1875434400000000333", "1455612345678901248", True]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "in",
                "id": "1875434400000000333",
                "conversation": "comment_thread:1875434400000000333",
                "at": "2026-01-05T05:30:00+00:00",
                "text": "@ThimphuThromde Kuzuzangpo. The public toilet at the Norzin Lam "
                "taxi parking has had no water for three days and the door lock is "
                "broken. Many visitors use it, including tourists going to the "
                "weekend market. Could the Thromde send someone today? Thank you.",
                "contact": ["1298765432109876543", "Pema Choden", "pemachoden_thim"],
                "permalink": "https://x.com/pemachoden_thim/status/1875434400000000333",
            }
        ],
    },
    "tweet__mention.json": {
        "events": [
            ["tweet_create_events", "1455612345678901248:tweet:1875432109876543210", "1455612345678901248", True]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "in",
                "id": "1875432109876543210",
                "conversation": "comment_thread:1875432109876543210",
                "at": "2026-01-05T04:12:33+00:00",
                "text": "@ThimphuThromde the garbage truck has not come to Motithang since Friday. Can someone check?",
                "contact": ["1298765432109876543", "Pema Choden", "pemachoden_thim"],
                "permalink": "https://x.com/pemachoden_thim/status/1875432109876543210",
            }
        ],
    },
    "tweet__reply.json": {
        "events": [
            ["tweet_create_events", "1455612345678901248:tweet:1875433300000000222", "1455612345678901248", True]
        ],
        "facts": [
            {
                "action": "message",
                "account": "1455612345678901248",
                "direction": "in",
                "id": "1875433300000000222",
                "conversation": "comment_thread:1875400000000000100",
                "at": "2026-01-05T05:01:09+00:00",
                "text": "@ThimphuThromde Will the Olakha road closure also affect the bus to Babesa?",
                "contact": ["1322334455667788990", "Sonam Dorji", "sonamdorji88"],
                "reply_to": "1875400000000000100",
                "thread_parent": "1875400000000000100",
                "permalink": "https://x.com/sonamdorji88/status/1875433300000000222",
            }
        ],
    },
    "tweet__retweet.json": {
        "events": [
            [
                "tweet_create_events.retweet",
                "1455612345678901248:tweet:1875436600000000555",
                "1455612345678901248",
                False,
            ]
        ],
        "facts": [],
    },
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_golden_parse(fixture: str) -> None:
    assert golden(XProvider(), "x/" + fixture) == EXPECTED[fixture]
