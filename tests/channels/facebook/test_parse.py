"""Golden parse tests: every facebook fixture, split into events and parsed into facts, checked field by field."""

from __future__ import annotations

from typing import Any

import pytest

from civicloop.channels.facebook.provider import FacebookProvider
from tests.channels.golden import golden

EXPECTED: dict[str, dict[str, Any]] = {
    "batch__mixed_pages.json": {
        "events": [
            ["feed.comment", "104958162837:feed.comment:918273645512_1203949001:add", "104958162837", True],
            ["feed.reaction", "104958162837:feed.reaction:104958162837_918273645512:add", "104958162837", False],
            ["messaging.message", "227436508194:mid:m_SGVhbHRoLWZsdS1jbGluaWMtMDEwNQ", "227436508194", True],
            ["messaging.read", "227436508194:messaging.read:af7e62b443da1ae41c32", "227436508194", False],
            ["messaging.delivery", "104958162837:messaging.delivery:f6e75ad8f290adf38849", "104958162837", False],
            ["feed.comment", "555000111222:feed.comment:100200300_400500600:add", "555000111222", True],
        ],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203949001",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T08:59:40+00:00",
                "text": "Please also fix the light near the Memorial Chorten.",
                "contact": ["3918274650192837", "Dechen Wangmo", None],
                "permalink": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7Qm3uTn8Lr5Wc1Vb9Za",
            },
            {
                "action": "message",
                "account": "227436508194",
                "direction": "in",
                "id": "m_SGVhbHRoLWZsdS1jbGluaWMtMDEwNQ",
                "conversation": "direct:5102938475610001",
                "at": "2026-01-05T08:59:55.440000+00:00",
                "text": "Is the flu vaccination clinic at the JDWNR Hospital open on Saturday?",
                "contact": ["5102938475610001", "", None],
            },
            {
                "action": "message",
                "account": "555000111222",
                "direction": "in",
                "id": "100200300_400500600",
                "conversation": "comment_thread:555000111222_100200300",
                "at": "2026-01-05T08:59:30+00:00",
                "text": "Is the Dechencholing road open?",
                "contact": ["1928374650192837", "Kinley Dem", None],
            },
        ],
    },
    "comment__added.json": {
        "events": [["feed.comment", "104958162837:feed.comment:918273645512_1203948576:add", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203948576",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T03:59:58+00:00",
                "text": "The streetlight at the Norzin Lam traffic circle has been out for a "
                "week. It is very dark for people walking home.",
                "contact": ["7395028461937265", "Karma Wangchuk", None],
                "permalink": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7Qm3uTn8Lr5Wc1Vb9Za",
            }
        ],
    },
    "comment__by_page.json": {
        "events": [["feed.comment", "104958162837:feed.comment:918273645512_1203948702:add", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "out",
                "id": "918273645512_1203948702",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T04:31:09+00:00",
                "text": "Thank you, Karma. Our electrical team will replace the lamp at the "
                "Norzin Lam circle by Wednesday.",
                "reply_to": "918273645512_1203948576",
                "permalink": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7Qm3uTn8Lr5Wc1Vb9Za",
            }
        ],
    },
    "comment__edited.json": {
        "events": [
            [
                "feed.comment",
                "104958162837:feed.comment:918273645512_1203948576:edited:a94693cef7662acfe167",
                "104958162837",
                True,
            ]
        ],
        "facts": [
            {
                "action": "edit",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203948576",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T03:59:58+00:00",
                "text": "The streetlight at the Norzin Lam traffic circle has been out for "
                "ten days now. It is very dark for people walking home.",
                "contact": ["7395028461937265", "Karma Wangchuk", None],
                "permalink": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7Qm3uTn8Lr5Wc1Vb9Za",
            }
        ],
    },
    "comment__hidden.json": {
        "events": [
            [
                "feed.comment",
                "104958162837:feed.comment:918273645512_1203948576:hide:c177069bcd1a9a3eff71",
                "104958162837",
                True,
            ]
        ],
        "facts": [
            {
                "action": "hide",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203948576",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T05:45:00+00:00",
                "text": "",
                "contact": ["7395028461937265", "Karma Wangchuk", None],
            }
        ],
    },
    "comment__removed.json": {
        "events": [["feed.comment", "104958162837:feed.comment:918273645512_1203948576:remove", "104958162837", True]],
        "facts": [
            {
                "action": "remove",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203948576",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T06:02:10+00:00",
                "text": "",
                "contact": ["7395028461937265", "Karma Wangchuk", None],
            }
        ],
    },
    "comment__reply.json": {
        "events": [["feed.comment", "104958162837:feed.comment:918273645512_1203948611:add", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203948611",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T04:07:12+00:00",
                "text": "Same on Chang Lam near the Centenary Farmers' Market.",
                "contact": ["6120938475610293", "Pema Choden", None],
                "reply_to": "918273645512_1203948576",
                "permalink": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7Qm3uTn8Lr5Wc1Vb9Za",
            }
        ],
    },
    "comment__with_photo.json": {
        "events": [["feed.comment", "104958162837:feed.comment:918273645512_1203948790:add", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "918273645512_1203948790",
                "conversation": "comment_thread:104958162837_918273645512",
                "at": "2026-01-05T04:40:00+00:00",
                "text": "This is the drain in Changzamtog after last night's rain.",
                "contact": ["5820193746502918", "Tshering Yangzom", None],
                "attachments": [
                    {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t39.30808-6/471203948_1029384756_n.jpg"}
                ],
                "permalink": "https://www.facebook.com/ThimphuThromde/posts/pfbid02Xk7Qm3uTn8Lr5Wc1Vb9Za",
            }
        ],
    },
    "message__attachment.json": {
        "events": [["messaging.message", "104958162837:mid:m_Q2hhbmd6YW10b2ctcGhvdG8tMDEwNQ", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "m_Q2hhbmd6YW10b2ctcGhvdG8tMDEwNQ",
                "conversation": "direct:6219384750192837",
                "at": "2026-01-05T08:03:40.012000+00:00",
                "text": "",
                "contact": ["6219384750192837", "", None],
                "attachments": [
                    {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/471209988_88213_n.jpg"}
                ],
            }
        ],
    },
    "message__echo.json": {
        "events": [["messaging.message", "104958162837:mid:m_VGhyb21kZS1yZXBseS0wMTA1", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "out",
                "id": "m_VGhyb21kZS1yZXBseS0wMTA1",
                "conversation": "direct:6219384750192837",
                "at": "2026-01-05T08:20:05.301000+00:00",
                "text": "Kuzuzangpo la. A pipe burst at Changzamtog; the water team expects supply back by 4 pm today.",
                "contact": ["6219384750192837", "", None],
            }
        ],
    },
    "message__edited.json": {
        "events": [
            [
                "messaging.message_edit",
                "104958162837:mid:m_Q2hhbmd6YW10b2ctd2F0ZXItMDEwNQ:edit:1:e6127bac2193cef508c9",
                "104958162837",
                True,
            ]
        ],
        "facts": [
            {
                "action": "edit",
                "account": "104958162837",
                "direction": "in",
                "id": "m_Q2hhbmd6YW10b2ctd2F0ZXItMDEwNQ",
                "conversation": "direct:6219384750192837",
                "at": "2026-01-05T08:05:00+00:00",
                "text": "Kuzuzangpo la. There has been no water in lower Changzamtog since "
                "yesterday morning. When will supply resume?",
                "contact": ["6219384750192837", "", None],
            }
        ],
    },
    "message__text.json": {
        "events": [["messaging.message", "104958162837:mid:m_Q2hhbmd6YW10b2ctd2F0ZXItMDEwNQ", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "m_Q2hhbmd6YW10b2ctd2F0ZXItMDEwNQ",
                "conversation": "direct:6219384750192837",
                "at": "2026-01-05T08:02:11.870000+00:00",
                "text": "Kuzuzangpo la. There has been no water in Changzamtog since yesterday "
                "morning. When will supply resume?",
                "contact": ["6219384750192837", "", None],
            }
        ],
    },
    "post__by_visitor.json": {
        "events": [["feed.post", "104958162837:feed.post:104958162837_918299001122:add", "104958162837", True]],
        "facts": [
            {
                "action": "message",
                "account": "104958162837",
                "direction": "in",
                "id": "104958162837_918299001122",
                "conversation": "comment_thread:104958162837_918299001122",
                "at": "2026-01-05T07:15:30+00:00",
                "text": "Kuzuzangpo la. The footpath from Motithang to the Takin Preserve "
                "is broken in three places. Children walk on the road.",
                "contact": ["4739201857364920", "Ugyen Tenzin", None],
                "permalink": "https://www.facebook.com/104958162837/posts/918299001122",
                "subject": "Kuzuzangpo la. The footpath from Motithang to the Takin "
                "Preserve is broken in three places. Children walk on the "
                "road.",
            }
        ],
    },
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_golden_parse(fixture: str) -> None:
    assert golden(FacebookProvider(), "facebook/" + fixture) == EXPECTED[fixture]
