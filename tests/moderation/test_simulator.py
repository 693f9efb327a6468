"""The simulator's moderation endpoints refuse what the platforms refuse (called over HTTP, as CivicLoop
calls them), so that the product's moderators are tested against the documented contracts."""

from __future__ import annotations

import httpx

from civicloop.channels.instagram import simulator as instagram_sim
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Citizen
from civicloop.channels.telegram import simulator as telegram_sim
from civicloop.channels.x.outbound import oauth1_header
from civicloop.channels.x.simulator import XUser, x_api
from civicloop.channels.youtube import simulator as youtube_sim

PAGE, TOKEN = "104577788899900", "EAAG-page"


def test_graph_hides_only_others_comments_on_the_pages_posts(
    simulator_server: SimulatorServer, sim: SimulatorState
) -> None:
    url = f"{simulator_server.url}/facebook/v25.0"
    facebook_graph(sim).add_page(PAGE, TOKEN)
    facebook_graph(sim).add_page("999", "EAAG-other")
    facebook_graph(sim).comment(PAGE, "1_2", post_id=f"{PAGE}_1", from_id="555", message="spam")
    facebook_graph(sim).comment(PAGE, "1_3", post_id=f"{PAGE}_1", from_id=PAGE, message="our own reply")
    assert httpx.post(f"{url}/1_2", data={"is_hidden": "true"}).json()["error"]["code"] == 104
    other = httpx.post(f"{url}/1_2", data={"is_hidden": "true", "access_token": "EAAG-other"})
    assert other.status_code == 400 and other.json()["error"]["error_subcode"] == 33
    bad = httpx.post(f"{url}/1_2", data={"is_hidden": "maybe", "access_token": TOKEN})
    assert bad.json()["error"]["message"] == "(#100) Param is_hidden must be a boolean"
    own = httpx.post(f"{url}/1_3", data={"is_hidden": "true", "access_token": TOKEN})
    assert own.status_code == 400 and "its own comment" in own.json()["error"]["message"]
    post = httpx.post(f"{url}/{PAGE}_1", data={"is_hidden": "true", "access_token": TOKEN})
    assert post.status_code == 400  # a post is not a comment
    done = httpx.post(f"{url}/1_2", data={"is_hidden": "true", "access_token": TOKEN})
    assert done.json() == {"success": True} and facebook_graph(sim).objects["1_2"].is_hidden
    assert httpx.delete(f"{url}/1_2", params={"access_token": TOKEN}).json() == {"success": True}
    assert httpx.delete(f"{url}/1_2", params={"access_token": TOKEN}).status_code == 400


def test_x_hides_replies_in_the_users_own_conversations_with_a_rate_limit(
    simulator_server: SimulatorServer, sim: SimulatorState
) -> None:
    credentials = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "as"}
    x_api(sim).add_user(XUser("100", **credentials))
    x_api(sim).limits["x.hide"] = (2, 900)
    x_api(sim).tweet("1", "100", "our post")
    x_api(sim).tweet("2", "200", "a reply", in_reply_to="1")
    x_api(sim).tweet("3", "200", "a standalone mention of us")

    def put(tweet_id: str, body: object) -> httpx.Response:
        url = f"{simulator_server.url}/x/2/tweets/{tweet_id}/hidden"
        auth = oauth1_header("PUT", url, {}, credentials, sim.now())
        return httpx.put(url, json=body, headers={"authorization": auth})

    assert httpx.put(f"{simulator_server.url}/x/2/tweets/2/hidden", json={"hidden": True}).status_code == 401
    assert put("3", {"hidden": True}).status_code == 403
    ok = put("2", {"hidden": True})
    assert ok.json() == {"data": {"hidden": True}} and ok.headers["x-rate-limit-remaining"] == "0"
    assert x_api(sim).tweets["2"].hidden
    assert put("2", {"hidden": False}).status_code == 429


def test_youtube_moderation_status_follows_its_documented_rules(
    simulator_server: SimulatorServer, sim: SimulatorState
) -> None:
    channel = youtube_sim.add_channel(sim, "UC1", "tok")
    comment = youtube_sim.comment_on(sim, channel, "vid", Citizen(1, "Tashi", "tashi"), "spam")
    url, auth = f"{simulator_server.url}/youtube", {"Authorization": "Bearer tok"}

    def moderate(**params: str) -> httpx.Response:
        return httpx.post(f"{url}/comments/setModerationStatus", params=params, headers=auth)

    assert (
        moderate(id=comment, moderationStatus="heldForReview", banAuthor="true").json()["error"]["errors"][0]["reason"]
        == "banWithoutReject"
    )
    assert moderate(id="nope", moderationStatus="rejected").status_code == 404
    held = moderate(id=comment, moderationStatus="heldForReview")
    assert held.status_code == 204 and held.content == b""
    listed = httpx.get(
        f"{url}/commentThreads", params={"part": "snippet", "allThreadsRelatedToChannelId": "UC1"}, headers=auth
    )
    assert listed.json()["items"] == []  # a held comment is out of public view
    assert moderate(id=comment, moderationStatus="rejected").status_code == 204
    assert moderate(id=comment, moderationStatus="published").json()["error"]["errors"][0]["reason"] == (
        "processingFailure"
    )
    assert channel.quota_used == 1 + 50 * 5  # every setModerationStatus call costs 50 units, refused or not


def test_telegram_deletes_only_where_the_bot_may(simulator_server: SimulatorServer, sim: SimulatorState) -> None:
    bot = telegram_sim.add_bot(sim, 70, "70:secret", "bot")
    telegram_sim.group_message(sim, bot, "-100", 5, 51, admin=False)
    url = f"{simulator_server.url}/telegram/bot70:secret/deleteMessage"
    assert httpx.post(f"{simulator_server.url}/telegram/botnope/deleteMessage", json={}).status_code == 401
    refused = httpx.post(url, json={"chat_id": "-100", "message_id": 5})
    assert refused.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message can't be deleted"}
    bot.admin_in.add("-100")
    assert httpx.post(url, json={"chat_id": "-100", "message_id": 5}).json() == {"ok": True, "result": True}
    gone = httpx.post(url, json={"chat_id": "-100", "message_id": 5}).json()
    assert gone["description"] == "Bad Request: message to delete not found"


def test_instagram_hide_takes_hide_not_is_hidden(simulator_server: SimulatorServer, sim: SimulatorState) -> None:
    account = instagram_sim.add_account(sim, "178", "ig-tok")
    account.comments.add("c1")
    url, auth = f"{simulator_server.url}/instagram/c1", {"Authorization": "Bearer ig-tok"}
    assert httpx.post(url, data={"is_hidden": "true"}, headers=auth).json()["error"]["message"] == (
        "(#100) Param hide must be a boolean"
    )
    assert httpx.post(url, data={"hide": "true"}, headers=auth).json() == {"success": True}
    assert "c1" in account.hidden
    assert httpx.post(url, data={"hide": "true"}, headers={"Authorization": "Bearer x"}).json()["error"]["code"] == 190
    assert httpx.delete(url, headers=auth).json() == {"success": True} and "c1" not in account.comments
