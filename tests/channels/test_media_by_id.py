"""Attachments the platforms give by id or behind the account's credentials: Telegram's ``file_id``
(``getFile``, then the file at ``/file/bot<token>/<path>``), WeChat's ``MediaId`` (``media/get`` with the
cached access token; a video through its ``video_url``) and X's direct-message media (OAuth 1.0a-signed).
Each is downloaded right after ingest and kept as links are; what the platform refuses is recorded with its
reason, and the bot token in Telegram's file link is never stored."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.channels.media.models import MediaFile
from civicloop.channels.media.storage import media_dir
from civicloop.channels.models import Message
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.cast import photo
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.telegram import simulator as telegram_sim
from civicloop.channels.wechat import simulator as wechat_sim
from civicloop.channels.wechat.provider import sign_query
from civicloop.channels.wechat.simulator import WeChatApp, wechat_api
from civicloop.channels.x import simulator as xapi
from civicloop.channels.x.provider import sign as x_sign
from civicloop.channels.x.simulator import XUser, x_api
from civicloop.config import reset_settings
from civicloop.kit.clock import utcnow
from tests.factories import create_account, create_agency, create_official, login

BOT_TOKEN = "7012345678:AAH-thromde-media-secret"
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead" + b"\x01" * 200
AMR = b"#!AMR\n" + b"\x3c" * 300
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 400
WECHAT = {"app_id": "wx5c0e1d2b3a4f", "app_secret": "wechat-media-secret", "token": "wechat-push-token"}
X_USER = "1455612345678901248"
CITIZEN = "1322334455667788990"
X_OAUTH1 = {
    "consumer_key": "thromde-ck",
    "consumer_secret": "thromde-cs",
    "access_token": "thromde-at",
    "access_token_secret": "thromde-ats",
}


@dataclass
class Scene:
    agency: Agency
    state: SimulatorState


@pytest.fixture
def scene(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setenv("CIVICLOOP_MEDIA_DOWNLOAD", "true")
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    with SimulatorServer() as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        yield Scene(agency, sim.state)
    reset_settings()


def _path(account: OfficialAccount) -> str:
    return urlsplit(AccountPublic.of(account).webhook_url).path


def _media(db: Session, external_id: str) -> tuple[Message, list[MediaFile]]:
    db.rollback()
    message = db.scalars(select(Message).where(Message.external_id == external_id)).one()
    rows = db.scalars(select(MediaFile).where(MediaFile.message_id == message.id).order_by(MediaFile.position)).all()
    return message, list(rows)


def _kept(data: bytes) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    return (media_dir() / f"{digest[:2]}/{digest}").read_bytes()


# --- Telegram --------------------------------------------------------------------------------------


def _telegram_update(client: TestClient, account: OfficialAccount, number: int, media: dict[str, object]) -> str:
    person = {"id": 5_100_000_042, "first_name": "Pema", "username": "pema_t"}
    message = {"message_id": number, "from": {**person, "is_bot": False}, "chat": {**person, "type": "private"}}
    message |= {"date": int(utcnow().timestamp()), "caption": "The drain on Norzin Lam"} | media
    body = json.dumps({"update_id": 400_000_000 + number, "message": message}).encode()
    headers = {"x-telegram-bot-api-secret-token": "tg-secret"}
    assert client.post(_path(account), content=body, headers=headers).status_code == 200
    return f"{person['id']}:{number}"


def test_telegram_files_are_fetched_with_getfile_and_the_token_never_kept(
    db: Session, client: TestClient, scene: Scene
) -> None:
    account = create_account(
        db, scene.agency, "telegram", "7012345678", {"bot_token": BOT_TOKEN, "secret_token": "tg-secret"}
    )
    bot = telegram_sim.add_bot(scene.state, 7012345678, BOT_TOKEN, "ThromdeBot")
    image, small = photo(21), photo(3)
    big_id, small_id = (
        telegram_sim.add_file(scene.state, bot, image, "image/png"),
        telegram_sim.add_file(scene.state, bot, small, "image/png"),
    )
    voice_id = telegram_sim.add_file(scene.state, bot, OGG, "audio/ogg")
    sizes = [{"file_id": small_id, "width": 90, "height": 90}, {"file_id": big_id, "width": 800, "height": 600}]
    photo_key = _telegram_update(client, account, 1, {"photo": sizes})
    voice_key = _telegram_update(client, account, 2, {"voice": {"file_id": voice_id, "duration": 4}})

    message, [row] = _media(db, photo_key)
    assert (row.status, row.kind, row.content_type, row.size) == ("stored", "photo", "image/png", len(image))
    assert row.platform_media_id == big_id and row.source_url == "" and _kept(image) == image  # the largest size
    assert message.attachments[0]["status"] == "stored" and BOT_TOKEN not in json.dumps(message.attachments)
    _, [voice] = _media(db, voice_key)
    assert (voice.status, voice.content_type) == ("stored", "audio/ogg") and _kept(OGG) == OGG
    calls = [r.endpoint for r in scene.state.requests if r.endpoint.startswith("telegram.")]
    assert calls.count("telegram.get_file") == 2 and calls.count("telegram.file") == 2

    # Another bot's (or an unknown) file_id, and a file over the Bot API's 20 MB: recorded with Telegram's reason.
    unknown_key = _telegram_update(client, account, 3, {"document": {"file_id": "BQACAgUAAxkBAAIBunknown"}})
    _, [unknown] = _media(db, unknown_key)
    assert unknown.status == "failed" and "Telegram refused getFile: Bad Request: invalid file_id" in (
        unknown.error or ""
    )
    huge_id = telegram_sim.add_file(scene.state, bot, b"\x00" * (telegram_sim.FILE_LIMIT + 1), "video/mp4")
    huge_key = _telegram_update(client, account, 4, {"video": {"file_id": huge_id}})
    _, [huge] = _media(db, huge_key)
    assert huge.status == "refused" and "up to 20.0 MB" in (huge.error or "")
    assert all(BOT_TOKEN not in (r.error or "") + r.source_url for r in db.scalars(select(MediaFile)))

    # The file link works for an hour; then only a new getFile gives one (the simulator enforces both).
    path = next(iter(bot.files[big_id].paths))
    assert telegram_sim.file_download(scene.state, BOT_TOKEN, path).status == 200
    assert telegram_sim.file_download(scene.state, "7012345678:another-token", path).status == 404
    now = utcnow()
    scene.state.now = lambda: now + telegram_sim.FILE_LINK_TTL
    assert telegram_sim.file_download(scene.state, BOT_TOKEN, path).status == 404


# --- WeChat ----------------------------------------------------------------------------------------


def _wechat_push(client: TestClient, account: OfficialAccount, msg_id: int, fields: str) -> str:
    body = (
        f"<xml><ToUserName><![CDATA[{account.external_id}]]></ToUserName>"
        "<FromUserName><![CDATA[oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh]]></FromUserName>"
        f"<CreateTime>{int(utcnow().timestamp())}</CreateTime>{fields}<MsgId>{msg_id}</MsgId></xml>"
    ).encode()
    query = sign_query(WECHAT["token"], str(int(time.time())), f"nonce{msg_id}")
    response = client.post(_path(account), params=query, content=body, headers={"content-type": "text/xml"})
    assert response.status_code == 200, response.text
    return str(msg_id)


def test_wechat_voice_video_and_images_are_fetched_by_media_id(db: Session, client: TestClient, scene: Scene) -> None:
    account = create_account(db, scene.agency, "wechat", "gh_3a7c1e5d9b20", dict(WECHAT))
    wechat_api(scene.state).apps[WECHAT["app_id"]] = WeChatApp(
        WECHAT["app_id"], WECHAT["app_secret"], "gh_3a7c1e5d9b20"
    )
    voice_id = wechat_sim.add_media(scene.state, WECHAT["app_id"], AMR, "audio/amr")
    video_id = wechat_sim.add_media(scene.state, WECHAT["app_id"], MP4, "video/mp4")
    image = photo(33)
    image_id = wechat_sim.add_media(scene.state, WECHAT["app_id"], image, "image/png")
    other_app = wechat_sim.add_media(scene.state, "wx-another-app", photo(34), "image/png")

    voice_key = _wechat_push(
        client,
        account,
        24571234567890301,
        f"<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[{voice_id}]]></MediaId>"
        "<Format><![CDATA[amr]]></Format><Recognition><![CDATA[The bus did not come]]></Recognition>",
    )
    message, [voice] = _media(db, voice_key)
    assert message.text == "The bus did not come"  # WeChat's transcript, when recognition is on
    assert (voice.status, voice.kind, voice.content_type) == ("stored", "voice", "audio/amr") and _kept(AMR) == AMR

    # The cached token was retired meanwhile: refused (40001), fetched anew, asked again.
    wechat_api(scene.state).expire_tokens()
    video_key = _wechat_push(
        client,
        account,
        24571234567890302,
        f"<MsgType><![CDATA[video]]></MsgType><MediaId><![CDATA[{video_id}]]></MediaId>"
        "<ThumbMediaId><![CDATA[thumb]]></ThumbMediaId>",
    )
    _, [video] = _media(db, video_key)
    assert (video.status, video.content_type) == ("stored", "video/mp4") and _kept(MP4) == MP4
    # voice; video refused with 42001 (HTTP 200, as WeChat answers), then video again with a second token
    assert len([r for r in scene.state.requests if r.endpoint == "wechat.media"]) == 3
    assert len(wechat_api(scene.state).tokens) == 2

    image_key = _wechat_push(
        client,
        account,
        24571234567890303,
        "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl>"
        f"<MediaId><![CDATA[{image_id}]]></MediaId>",
    )
    _, [kept] = _media(db, image_key)
    assert (kept.status, kept.content_type, kept.sha256) == ("stored", "image/png", hashlib.sha256(image).hexdigest())

    # Another account's media id (or one past WeChat's three days): 40007, said in the record.
    gone_key = _wechat_push(
        client,
        account,
        24571234567890304,
        f"<MsgType><![CDATA[shortvideo]]></MsgType><MediaId><![CDATA[{other_app}]]></MediaId>",
    )
    _, [gone] = _media(db, gone_key)
    assert (
        gone.status == "failed"
        and "40007 invalid media_id" in (gone.error or "")
        and "three days" in (gone.error or "")
    )
    login(client, create_official(db, "officer@THROMDE"))
    page = client.get(f"/inbox/{message.conversation_id}").text
    assert f'<audio controls preload="metadata" src="/media/{voice.id}"' in page


# --- X ---------------------------------------------------------------------------------------------


def _x_dm(client: TestClient, account: OfficialAccount, event_id: str, url: str) -> str:
    document = {
        "for_user_id": X_USER,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": event_id,
                "created_timestamp": str(int(utcnow().timestamp() * 1000)),
                "message_create": {
                    "target": {"recipient_id": X_USER},
                    "sender_id": CITIZEN,
                    "message_data": {
                        "text": "The pothole, photographed https://t.co/abc",
                        "attachment": {"type": "media", "media": {"type": "photo", "media_url_https": url}},
                    },
                },
            }
        ],
        "users": {CITIZEN: {"id": CITIZEN, "name": "Sonam Dorji", "screen_name": "sonamdorji88"}},
    }
    body = json.dumps(document).encode()
    headers = {"x-twitter-webhooks-signature": x_sign(body, X_OAUTH1["consumer_secret"])}
    assert client.post(_path(account), content=body, headers=headers).status_code == 200
    return event_id


def test_x_direct_message_media_is_fetched_with_an_oauth1_signed_request(
    db: Session, client: TestClient, scene: Scene
) -> None:
    signed = create_account(db, scene.agency, "x", X_USER, dict(X_OAUTH1), "@ThimphuThromde")
    x_api(scene.state).add_user(XUser(X_USER, **X_OAUTH1))
    image = photo(41)
    x_api(scene.state).direct_message(X_USER, CITIZEN, "photo", event_id="1875440000000000101")
    url = xapi.add_dm_media(scene.state, "1875440000000000101", image, "image/jpeg")
    _, [row] = _media(db, _x_dm(client, signed, "1875440000000000101", url))
    assert (row.status, row.content_type, row.source_url) == ("stored", "image/png", url)  # the bytes decide
    [call] = [r for r in scene.state.requests if r.endpoint == "x.dm_media"]
    assert call.status == 200 and call.headers["authorization"].startswith("OAuth ")

    # Without OAuth 1.0a user credentials (an account connected with OAuth 2.0 alone) the file stays on X,
    # and the record says why; the simulator refuses a bearer token for it as X does.
    bearer_only = {"consumer_secret": X_OAUTH1["consumer_secret"], "bearer_token": "x-user-bearer"}
    signed.credentials = bearer_only
    db.commit()
    x_api(scene.state).direct_message(X_USER, CITIZEN, "photo", event_id="1875440000000000102")
    url = xapi.add_dm_media(scene.state, "1875440000000000102", photo(42), "image/jpeg")
    _, [unsigned] = _media(db, _x_dm(client, signed, "1875440000000000102", url))
    assert unsigned.status == "failed" and "OAuth 1.0a" in (unsigned.error or "")
    assert httpx.get(url, headers={"authorization": "Bearer x-user-bearer"}, timeout=5).status_code == 401
