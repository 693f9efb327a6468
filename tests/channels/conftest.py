"""Platform accounts and signed deliveries for channel tests.

Fixtures live in ``tests/channels/<platform>/fixtures/<event>__<variant>.json|xml`` in each platform's
documented format, with realistic fake people and places.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.channels.facebook.provider import sign as facebook_sign
from civicloop.channels.models import Message, RawEvent
from civicloop.channels.wechat import crypto as wechat_crypto
from civicloop.channels.wechat.provider import sign_query
from civicloop.channels.x.provider import sign as x_sign
from civicloop.kit.clock import utcnow
from tests.factories import create_account, create_agency

HERE = Path(__file__).parent

FB_SECRET = "3f9c2b7e8d1a4c6f0b5e9d2a7c3f1e8b"
FB_VERIFY = "thimphu-thromde-verify-2026"
FB_PAGE = "104958162837"  # Thimphu Thromde
FB_PAGE2 = "227436508194"  # Ministry of Health, same Meta app
X_SECRET = "kR8vT2mQ9xL4wN7pZ1cB5hJ3sF6dG0yE8uA2iO4rT6"
X_USER = "1455612345678901248"  # @ThimphuThromde
X_USER2 = "1501234567890123456"  # @MoHBhutan, same X app
WX_GH = "gh_3a7c1e5d9b20"
WX_TOKEN = "thromdeWeChatToken2026"
WX_APPID = "wx5f2c7a9e3b1d4068"
WX_AES = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


def fixture_path(name: str) -> Path:
    """``"facebook/comment__added.json"`` → the file under ``tests/channels/facebook/fixtures/``."""
    platform, _, file = name.partition("/")
    return HERE / platform / "fixtures" / file


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


def all_fixtures(platform: str) -> list[str]:
    return sorted(f"{platform}/{p.name}" for p in (HERE / platform / "fixtures").iterdir() if p.is_file())


@dataclass
class World:
    thromde: Agency
    health: Agency
    facebook: OfficialAccount
    facebook_health: OfficialAccount
    x: OfficialAccount
    x_health: OfficialAccount
    wechat: OfficialAccount
    wechat_safe: OfficialAccount

    def url(self, account: OfficialAccount) -> str:
        return urlsplit(AccountPublic.of(account).webhook_url).path


@pytest.fixture
def world(db: Session) -> World:
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde")
    health = create_agency(db, "MOH", name="Ministry of Health")
    fb_credentials = {"app_secret": FB_SECRET, "verify_token": FB_VERIFY, "page_access_token": "EAAG-page-token"}
    x_credentials = {"consumer_secret": X_SECRET, "access_token": "x-at", "access_token_secret": "x-ats"}
    return World(
        thromde=thromde,
        health=health,
        facebook=create_account(db, thromde, "facebook", FB_PAGE, dict(fb_credentials), "Thimphu Thromde"),
        facebook_health=create_account(
            db, health, "facebook", FB_PAGE2, {**fb_credentials, "verify_token": "moh-verify"}, "MoH Bhutan"
        ),
        x=create_account(db, thromde, "x", X_USER, dict(x_credentials), "@ThimphuThromde"),
        x_health=create_account(db, health, "x", X_USER2, dict(x_credentials), "@MoHBhutan"),
        wechat=create_account(db, thromde, "wechat", WX_GH, {"app_id": WX_APPID, "token": WX_TOKEN}, "Thromde WeChat"),
        wechat_safe=create_account(
            db,
            health,
            "wechat",
            "gh_9d8c7b6a5f40",
            {"app_id": "wx1a2b3c4d5e6f7081", "token": "mohWeChatToken", "encoding_aes_key": WX_AES},
            "MoH WeChat",
        ),
    )


def post_facebook(
    client: TestClient | httpx.Client, url: str, body: bytes, *, secret: str = FB_SECRET, signature: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/json", "x-hub-signature-256": signature or facebook_sign(body, secret)}
    return client.post(url, content=body, headers=headers)


def post_x(
    client: TestClient | httpx.Client, url: str, body: bytes, *, secret: str = X_SECRET, signature: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/json", "x-twitter-webhooks-signature": signature or x_sign(body, secret)}
    return client.post(url, content=body, headers=headers)


def post_wechat(
    client: TestClient | httpx.Client,
    url: str,
    body: bytes,
    *,
    token: str = WX_TOKEN,
    safe: tuple[str, str] | None = None,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> httpx.Response:
    """A push as WeChat sends it: plaintext, or with ``safe=(encoding_aes_key, app_id)`` encrypted; signed
    now with a new nonce unless told otherwise."""
    timestamp = str(int(utcnow().timestamp())) if timestamp is None else timestamp
    nonce = str(secrets.randbelow(10**10)) if nonce is None else nonce
    if safe is None:
        return client.post(url, content=body, params=sign_query(token, timestamp, nonce))
    encrypted = wechat_crypto.encrypt(body, encoding_aes_key=safe[0], app_id=safe[1])
    envelope = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return client.post(url, content=envelope.encode(), params=sign_query(token, timestamp, nonce, encrypted))


def deliver(client: TestClient | httpx.Client, world: World, name: str, **kwargs: object) -> httpx.Response:
    """POST fixture ``name`` to the account its platform's fixtures are written for, correctly signed."""
    body = fixture_bytes(name)
    platform = name.split("/")[0]
    if platform == "facebook":
        return post_facebook(client, world.url(world.facebook), body, **kwargs)  # type: ignore[arg-type]
    if platform == "x":
        return post_x(client, world.url(world.x), body, **kwargs)  # type: ignore[arg-type]
    return post_wechat(client, world.url(world.wechat), body, **kwargs)  # type: ignore[arg-type]


def count(db: Session, model: type[Message] | type[RawEvent]) -> int:
    db.rollback()  # a fresh snapshot: rows committed by requests and jobs since
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def messages(db: Session, account: OfficialAccount | None = None) -> list[Message]:
    db.rollback()
    query = select(Message).order_by(Message.id)
    if account is not None:
        query = query.where(Message.account_id == account.id)
    return list(db.scalars(query))
