"""Golden parse tests: every wechat fixture, split into events and parsed into facts, checked field by field."""

from __future__ import annotations

from typing import Any

import pytest

from civicloop.channels.wechat.provider import WeChatProvider
from tests.channels.golden import golden

EXPECTED: dict[str, dict[str, Any]] = {
    "event__click.xml": {
        "events": [
            [
                "event.CLICK",
                "gh_3a7c1e5d9b20:oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh:1767609000:event.CLICK",
                "gh_3a7c1e5d9b20",
                True,
            ]
        ],
        "facts": [
            {
                "action": "contact",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "",
                "conversation": "direct:",
                "at": "2026-01-05T10:30:00+00:00",
                "text": "",
                "contact": ["oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh", "", None],
            }
        ],
    },
    "event__subscribe.xml": {
        "events": [
            [
                "event.subscribe",
                "gh_3a7c1e5d9b20:oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF:1767606600:event.subscribe",
                "gh_3a7c1e5d9b20",
                True,
            ]
        ],
        "facts": [
            {
                "action": "contact",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "",
                "conversation": "direct:",
                "at": "2026-01-05T09:50:00+00:00",
                "text": "",
                "contact": ["oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF", "", None],
            }
        ],
    },
    "event__subscribe_qrscene.xml": {
        "events": [
            [
                "event.subscribe",
                "gh_3a7c1e5d9b20:oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh:1767606000:event.subscribe",
                "gh_3a7c1e5d9b20",
                True,
            ]
        ],
        "facts": [
            {
                "action": "contact",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "",
                "conversation": "direct:",
                "at": "2026-01-05T09:40:00+00:00",
                "text": "",
                "contact": ["oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh", "", None],
            }
        ],
    },
    "event__unsubscribe.xml": {
        "events": [
            [
                "event.unsubscribe",
                "gh_3a7c1e5d9b20:oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF:1767610800:event.unsubscribe",
                "gh_3a7c1e5d9b20",
                True,
            ]
        ],
        "facts": [
            {
                "action": "contact",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "",
                "conversation": "direct:",
                "at": "2026-01-05T11:00:00+00:00",
                "text": "",
                "contact": ["oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF", "", None],
            }
        ],
    },
    "image__photo.xml": {
        "events": [["image", "gh_3a7c1e5d9b20:24571234567890150", "gh_3a7c1e5d9b20", True]],
        "facts": [
            {
                "action": "message",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "24571234567890150",
                "conversation": "direct:oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh",
                "at": "2026-01-05T10:01:30+00:00",
                "text": "",
                "contact": ["oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh", "", None],
                "attachments": [
                    {
                        "type": "image",
                        "url": "http://mmbiz.qpic.cn/mmbiz_jpg/2xT8rq0hejo-bus-stop/0",
                        "media_id": "Hk3sB7_n2r9Zq1xYbT0mV5cW8uL4pA6dE",
                    }
                ],
            }
        ],
    },
    "text__dzongkha.xml": {
        "events": [["text", "gh_3a7c1e5d9b20:24571234567890199", "gh_3a7c1e5d9b20", True]],
        "facts": [
            {
                "action": "message",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "24571234567890199",
                "conversation": "direct:oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF",
                "at": "2026-01-05T10:05:00+00:00",
                "text": "ཀུ་ཟུ་ཟང་པོ་ལགས། Olakha ལམ་ཁ་ལུ་ཆུ་བཀག་སྟེ་འདུག",
                "contact": ["oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF", "", None],
            }
        ],
    },
    "text__plain.xml": {
        "events": [["text", "gh_3a7c1e5d9b20:24571234567890123", "gh_3a7c1e5d9b20", True]],
        "facts": [
            {
                "action": "message",
                "account": "gh_3a7c1e5d9b20",
                "direction": "in",
                "id": "24571234567890123",
                "conversation": "direct:oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh",
                "at": "2026-01-05T10:00:00+00:00",
                "text": "Kuzuzangpo la. The bus from Hejo to the city has not come for an hour this morning.",
                "contact": ["oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh", "", None],
            }
        ],
    },
    "voice__note.xml": {
        "events": [["voice", "gh_3a7c1e5d9b20:24571234567890177", "gh_3a7c1e5d9b20", False]],
        "facts": [],
    },
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_golden_parse(fixture: str) -> None:
    assert golden(WeChatProvider(), "wechat/" + fixture) == EXPECTED[fixture]
