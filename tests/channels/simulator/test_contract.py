"""The simulator enforces each platform API's documented contract (pure HTTP, no database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.state import Fault, SimulatorState
from civicloop.channels.wechat.simulator import WeChatApp, wechat_api
from civicloop.channels.x.outbound import oauth1_header, oauth1_signature, weighted_length
from civicloop.channels.x.simulator import XUser, x_api
from civicloop.kit.clock import utcnow

PAGE, TOKEN = "104577788899900", "EAAG-page"
X = XUser("1450055566677788899", consumer_key="ck", consumer_secret="cs", access_token="at", access_token_secret="ats")


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer() as running:
        yield running


@pytest.fixture
def sim(server: SimulatorServer) -> SimulatorState:
    state = server.reset()
    facebook_graph(state).add_page(PAGE, TOKEN)
    x_api(state).add_user(X)
    wechat_api(state).add_app(WeChatApp("wx123", "secret", "gh_123"))
    return state


@pytest.fixture
def http(server: SimulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        yield client


def _graph_error(response: httpx.Response) -> tuple[int, int, int | None]:
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code", "fbtrace_id"}
    return response.status_code, error["code"], error.get("error_subcode")


def test_graph_checks_version_token_object_and_fields(sim: SimulatorState, http: httpx.Client) -> None:
    facebook_graph(sim).comment(PAGE, "900_1", post_id=f"{PAGE}_900", from_id="77", message="Hello")
    url = "/facebook/v25.0/900_1/comments"
    assert (
        _graph_error(http.post("/facebook/latest/900_1/comments", json={"message": "x", "access_token": TOKEN}))[1]
        == 2500
    )
    assert _graph_error(http.post(url, json={"message": "x"}))[1:] == (104, None)
    assert _graph_error(http.post(url, json={"message": "x", "access_token": "nope"}))[1] == 190
    assert _graph_error(http.post("/facebook/v25.0/404_4/comments", json={"message": "x", "access_token": TOKEN}))[
        1:
    ] == (100, 33)
    assert _graph_error(http.post(url, json={"access_token": TOKEN}))[1] == 100
    created = http.post(url, headers={"authorization": f"Bearer {TOKEN}"}, data={"message": "Thanks"})
    assert created.status_code == 200 and created.json()["id"].startswith("900_")
    listed = http.get(url, params={"access_token": TOKEN}).json()["data"]
    assert [(c["message"], c["from"]["id"]) for c in listed] == [("Thanks", PAGE)]


def test_messenger_answers_only_within_24_hours(sim: SimulatorState, http: httpx.Client) -> None:
    body = {
        "recipient": {"id": "psid-1"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Hi"},
        "access_token": TOKEN,
    }
    assert _graph_error(http.post(f"/facebook/v25.0/{PAGE}/messages", json=body))[2] == 2018001
    facebook_graph(sim).messenger_message(PAGE, "psid-1", utcnow() - timedelta(hours=25))
    assert _graph_error(http.post(f"/facebook/v25.0/{PAGE}/messages", json=body)) == (400, 10, 2018278)
    facebook_graph(sim).messenger_message(PAGE, "psid-1", utcnow() - timedelta(hours=23))
    sent = http.post("/facebook/v25.0/me/messages", json=body)
    assert sent.status_code == 200 and sent.json()["recipient_id"] == "psid-1"
    no_type = {k: v for k, v in body.items() if k != "messaging_type"}
    assert _graph_error(http.post(f"/facebook/v25.0/{PAGE}/messages", json=no_type))[1] == 100
    long = {**body, "message": {"text": "x" * 2001}}
    assert "2000" in http.post(f"/facebook/v25.0/{PAGE}/messages", json=long).json()["error"]["message"]


def test_page_posts_refuse_another_pages_token_and_duplicates(sim: SimulatorState, http: httpx.Client) -> None:
    assert _graph_error(http.post("/facebook/v25.0/999/feed", json={"message": "x", "access_token": TOKEN}))[:2] == (
        403,
        200,
    )
    first = http.post(f"/facebook/v25.0/{PAGE}/feed", json={"message": "Road closed", "access_token": TOKEN})
    assert first.json()["id"].startswith(f"{PAGE}_")
    assert (
        _graph_error(http.post(f"/facebook/v25.0/{PAGE}/feed", json={"message": "Road closed", "access_token": TOKEN}))[
            1
        ]
        == 506
    )


def _x(http: httpx.Client, method: str, path: str, user: XUser = X, **kwargs: object) -> httpx.Response:
    url = str(http.base_url).rstrip("/") + path
    params = kwargs.pop("params", {})
    creds = {
        "consumer_key": user.consumer_key,
        "consumer_secret": user.consumer_secret,
        "access_token": user.access_token,
        "access_token_secret": user.access_token_secret,
    }
    auth = oauth1_header(method, url, params, creds, utcnow())  # type: ignore[arg-type]
    return http.request(method, path, params=params, headers={"authorization": auth}, **kwargs)  # type: ignore[arg-type]


def test_x_checks_the_oauth1_signature_and_refuses_app_only_tokens(sim: SimulatorState, http: httpx.Client) -> None:
    created = _x(http, "POST", "/x/2/tweets", json={"text": "Hello Thimphu"})
    assert created.status_code == 201 and created.json()["data"]["text"] == "Hello Thimphu"
    assert created.headers["location"].endswith(created.json()["data"]["id"])
    forged = XUser(X.user_id, "ck", "cs", "at", "wrong-secret")
    assert _x(http, "POST", "/x/2/tweets", user=forged, json={"text": "x"}).json()["title"] == "Unauthorized"
    x_api(sim).app_bearer_tokens.add("app-only")
    refused = http.post("/x/2/tweets", headers={"authorization": "Bearer app-only"}, json={"text": "x"})
    assert refused.status_code == 403 and "Application-Only is forbidden" in refused.json()["detail"]


def test_x_enforces_length_threads_duplicates_and_rate_limits(sim: SimulatorState, http: httpx.Client) -> None:
    x_api(sim).limits["x.tweets"] = (3, 900)
    assert _x(http, "POST", "/x/2/tweets", json={"text": "界" * 141}).status_code == 403
    missing = _x(http, "POST", "/x/2/tweets", json={"text": "x", "reply": {"in_reply_to_tweet_id": "1"}})
    assert "deleted or not visible" in missing.json()["detail"]
    first = _x(http, "POST", "/x/2/tweets", json={"text": "Same"})
    assert first.headers["x-rate-limit-limit"] == "3" and first.headers["x-rate-limit-remaining"] == "0"
    limited = _x(http, "POST", "/x/2/tweets", json={"text": "Other"})
    assert limited.status_code == 429 and int(limited.headers["x-rate-limit-reset"]) > int(utcnow().timestamp())
    x_api(sim).limits["x.tweets"] = (100, 900)
    x_api(sim).rate.clear()
    assert "duplicate content" in _x(http, "POST", "/x/2/tweets", json={"text": "Same"}).json()["detail"]


def test_x_dms_only_to_people_who_wrote(sim: SimulatorState, http: httpx.Client) -> None:
    assert _x(http, "POST", "/x/2/dm_conversations/with/555/messages", json={"text": "Hi"}).status_code == 403
    x_api(sim).direct_message(X.user_id, "555", "Hello")
    sent = _x(http, "POST", "/x/2/dm_conversations/with/555/messages", json={"text": "Hi"})
    assert sent.status_code == 201 and set(sent.json()["data"]) == {"dm_conversation_id", "dm_event_id"}
    events = _x(http, "GET", "/x/2/dm_conversations/with/555/dm_events").json()["data"]
    assert [e["text"] for e in events] == ["Hi", "Hello"]


def _token(http: httpx.Client, **params: str) -> dict[str, object]:
    query = {"grant_type": "client_credential", "appid": "wx123", "secret": "secret", **params}
    body: dict[str, object] = http.get("/wechat/cgi-bin/token", params=query).json()
    return body


def _cs(http: httpx.Client, token: str, body: object) -> int:
    response = http.post("/wechat/cgi-bin/message/custom/send", params={"access_token": token}, json=body)
    assert response.status_code == 200
    code: int = response.json()["errcode"]
    return code


def test_wechat_tokens_windows_and_quota(sim: SimulatorState, http: httpx.Client) -> None:
    assert _token(http, appid="wx999")["errcode"] == 40013
    assert _token(http, secret="bad")["errcode"] == 40125
    assert _token(http, grant_type="password")["errcode"] == 40002
    first = _token(http)
    assert first["expires_in"] == 7200 and len(str(first["access_token"])) > 100
    token = str(first["access_token"])
    message = {"touser": "oCitizen", "msgtype": "text", "text": {"content": "您好"}}
    assert _cs(http, "", message) == 41001
    assert _cs(http, "short", message) == 40014
    assert _cs(http, "x" * 64, message) == 40001
    assert _cs(http, token, message) == 40003  # the citizen never wrote
    wechat_api(sim).message("wx123", "oCitizen", utcnow() - timedelta(hours=49))
    assert _cs(http, token, message) == 45015
    wechat_api(sim).message("wx123", "oCitizen")
    assert [_cs(http, token, message) for _ in range(6)] == [0, 0, 0, 0, 0, 45047]
    bad_json = http.post("/wechat/cgi-bin/message/custom/send", params={"access_token": token}, content=b"{not json")
    assert bad_json.json()["errcode"] == 47001
    newer = str(_token(http)["access_token"])
    assert _cs(http, token, message) == 45047  # the old token still works for 5 minutes
    wechat_api(sim).tokens[token].superseded_at = utcnow() - timedelta(minutes=6)
    assert _cs(http, token, message) == 40001
    wechat_api(sim).expire_tokens()
    assert _cs(http, newer, message) == 42001


def test_injected_faults_answer_before_or_after_the_request_takes_effect(
    sim: SimulatorState, http: httpx.Client
) -> None:
    sim.inject("facebook.feed", Fault(status=503), Fault(status=500, after=True))
    body = {"message": "Water cut on Tuesday", "access_token": TOKEN}
    before = http.post(f"/facebook/v25.0/{PAGE}/feed", json=body)
    assert before.status_code == 503 and before.json()["error"]["is_transient"] is True
    assert http.get(f"/facebook/v25.0/{PAGE}/feed", params={"access_token": TOKEN}).json()["data"] == []
    assert http.post(f"/facebook/v25.0/{PAGE}/feed", json=body).status_code == 500
    posts = http.get(f"/facebook/v25.0/{PAGE}/feed", params={"access_token": TOKEN}).json()["data"]
    assert [p["message"] for p in posts] == ["Water cut on Tuesday"]
    assert [r.status for r in sim.calls("facebook.feed")] == [503, 500]
    recorded = http.get("/_simulator/requests", params={"endpoint": "facebook.feed"}).json()
    assert [r["status"] for r in recorded] == [503, 500]


def test_oauth1_signature_matches_xs_documented_example() -> None:
    params = {
        "status": "Hello Ladies + Gentlemen, a signed OAuth request!",
        "include_entities": "true",
        "oauth_consumer_key": "xvz1evFS4wEEPTGEFPHBog",
        "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1318622958",
        "oauth_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "oauth_version": "1.0",
    }
    signature = oauth1_signature(
        "post",
        "https://api.twitter.com/1.1/statuses/update.json",
        params,
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
    assert signature == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Kuzuzangpo", 10),
        ("你好世界", 8),
        ("ཀུ་ཟུ་ཟང་པོ་", 12),
        ("see https://www.thimphucity.bt/notices/2026/road-closure", 27),
        ("👍🏽", 2),
        ("👩‍👩‍👧", 2),
        ("e\u0301", 1),
    ],
)
def test_weighted_length_follows_twitter_text(text: str, length: int) -> None:
    assert weighted_length(text) == length


def test_graph_lists_page_by_cursor_with_default_fields_only(sim: SimulatorState, http: httpx.Client) -> None:
    post = f"{PAGE}_900"
    start = utcnow() - timedelta(minutes=30)
    for n in range(30):
        parent = f"900_{n - 1}" if n % 3 == 2 else post
        facebook_graph(sim).comment(
            PAGE,
            f"900_{n}",
            post_id=post,
            from_id="77",
            message=f"c{n}",
            parent_id=parent,
            at=start + timedelta(seconds=n),
        )
    url = f"/facebook/v25.0/{post}/comments"
    first = http.get(url, params={"access_token": TOKEN}).json()
    assert len(first["data"]) == 20, "top-level only by default (every third comment is a reply)"
    assert set(first["data"][0]) == {"id", "message", "created_time", "from"} and "next" not in first["paging"]
    stream = http.get(url, params={"access_token": TOKEN, "filter": "stream", "limit": 200, "fields": "id,parent{id}"})
    page = stream.json()
    assert len(page["data"]) == 30 and set(page["data"][2]) == {"id", "parent"}, "limit is capped at 100, fields kept"
    small = http.get(url, params={"access_token": TOKEN, "filter": "stream", "limit": 12}).json()
    assert len(small["data"]) == 12 and small["paging"]["next"].startswith("http")
    rest = http.get(
        url,
        params={"access_token": TOKEN, "filter": "stream", "limit": 12, "after": small["paging"]["cursors"]["after"]},
    )
    assert rest.json()["data"][0]["id"] == "900_12"
    assert _graph_error(http.get(url, params={"access_token": TOKEN, "after": "not-a-cursor"}))[1] == 100
    assert _graph_error(http.get(url, params={"access_token": TOKEN, "filter": "everything"}))[1] == 100
    feed = http.get(f"/facebook/v25.0/{PAGE}/feed", params={"access_token": TOKEN, "fields": "id,updated_time"}).json()
    assert feed["data"] == [
        {"id": post, "updated_time": (start + timedelta(seconds=29)).strftime("%Y-%m-%dT%H:%M:%S+0000")}
    ]


def test_messenger_conversations_page_by_cursor_and_refuse_time_paging(sim: SimulatorState, http: httpx.Client) -> None:
    for n in range(25):
        facebook_graph(sim).messenger_message(
            PAGE, "psid-9", utcnow() - timedelta(minutes=25 - n), mid=f"m_{n}", text=f"t{n}"
        )
    threads = http.get(f"/facebook/v25.0/{PAGE}/conversations", params={"access_token": TOKEN, "platform": "messenger"})
    assert [set(t) for t in threads.json()["data"]] == [{"id", "updated_time"}]
    since = http.get(f"/facebook/v25.0/{PAGE}/conversations", params={"access_token": TOKEN, "since": "1"})
    assert "Time-based pagination is not available" in since.json()["error"]["message"]
    messages = http.get(
        "/facebook/v25.0/t_psid-9/messages", params={"access_token": TOKEN, "fields": "id,message,from", "limit": 100}
    ).json()["data"]
    assert len(messages) == 20 and messages[0] == {"id": "m_24", "message": "t24", "from": {"id": "psid-9"}}
    bare = http.get("/facebook/v25.0/t_psid-9/messages", params={"access_token": TOKEN}).json()["data"]
    assert set(bare[0]) == {"id", "created_time"}, "message details only when fields ask for them"


def test_x_lists_mentions_and_dm_events_with_token_paging(sim: SimulatorState, http: httpx.Client) -> None:
    for n in range(12):
        x_api(sim).tweet(str(1_800_000_000_000_000_000 + n), "555", f"@agency q{n}", mentions=(X.user_id,))
        x_api(sim).direct_message(X.user_id, "555", f"dm{n}", event_id=str(1_800_000_000_000_000_100 + n))
    x_api(sim).profile("555", "Sonam Dema", "sonamdema")
    assert _x(http, "GET", f"/x/2/users/{X.user_id}/mentions", params={"max_results": "4"}).status_code == 400
    first = _x(http, "GET", f"/x/2/users/{X.user_id}/mentions", params={"max_results": "5"}).json()
    assert len(first["data"]) == 5 and set(first["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    assert first["meta"]["next_token"] and "includes" not in first
    params = {
        "max_results": "10",
        "pagination_token": first["meta"]["next_token"],
        "tweet.fields": "author_id",
        "expansions": "author_id",
    }
    second = _x(http, "GET", f"/x/2/users/{X.user_id}/mentions", params=params).json()
    assert len(second["data"]) == 7 and "next_token" not in second["meta"]
    assert second["data"][0]["author_id"] == "555" and second["includes"]["users"][0]["username"] == "sonamdema"
    events = _x(http, "GET", "/x/2/dm_events", params={"dm_event.fields": "sender_id,created_at"}).json()
    assert len(events["data"]) == 12 and events["data"][0]["sender_id"] == "555" and "created_at" in events["data"][0]
    assert _x(http, "GET", "/x/2/dm_events", params={"max_results": "101"}).status_code == 400
