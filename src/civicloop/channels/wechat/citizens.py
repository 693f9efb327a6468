"""Simulated citizens on WeChat: followers' text messages (some in Chinese) as the Official Account platform
pushes them, signed with the server token and, for an account in safe mode (an ``encoding_aes_key``),
AES-encrypted with ``msg_signature`` (platforms.md §3.1, §3.4)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import MappingProxyType

from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Earlier, Scene, Signed
from civicloop.channels.wechat import crypto
from civicloop.channels.wechat.provider import sign_query
from civicloop.channels.wechat.simulator import WeChatApp, wechat_api

OPENID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789_-"
# Followers writing in Chinese, beside the cast's English and Dzongkha.
MESSAGES = (
    "你好，Motithang的水管漏水了，请尽快修理。",
    "请问建筑许可证延期需要什么材料？",
    "公交车今天早上又晚点了。",
)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class WeChatCitizens(CitizenSide):
    needed = "token"
    kinds = MappingProxyType({"text": 20})
    messages = MESSAGES

    def register(self, state: SimulatorState, external_id: str, credentials: Mapping[str, str]) -> None:
        if credentials.get("app_id") and credentials.get("app_secret"):
            wechat_api(state).add_app(WeChatApp(credentials["app_id"], credentials["app_secret"], external_id))

    def identify(self, rng: random.Random) -> dict[str, str]:
        # The follower's OpenID: "o" and 27 URL-safe characters.
        return {"openid": "o" + "".join(rng.choice(OPENID_ALPHABET) for _ in range(27))}

    def write(self, kind: str, account: Addressee, citizen: Citizen, text: str, scene: Scene) -> bytes:
        openid = citizen.ids["openid"]
        app_id = account.credentials.get("app_id", "")
        if scene.state is not None and app_id:
            wechat_api(scene.state).message(app_id, openid, scene.at)
        return (
            f"<xml><ToUserName>{_cdata(account.external_id)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(scene.at.timestamp())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(text)}</Content><MsgId>{scene.digits(17)}</MsgId></xml>"
        ).encode()

    def sign(self, body: bytes, account: Addressee, citizen: Citizen, scene: Scene) -> Signed:
        creds = account.credentials
        timestamp, nonce = str(int(scene.at.timestamp())), scene.digits(10)
        encrypted = None
        if creds.get("encoding_aes_key") and creds.get("app_id"):
            encrypted = crypto.encrypt(
                body, encoding_aes_key=creds["encoding_aes_key"], app_id=creds["app_id"], random=scene.rng.randbytes(16)
            )
            body = (
                f"<xml><ToUserName>{_cdata(account.external_id)}</ToUserName>"
                f"<Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
            ).encode()
        params = sign_query(creds["token"], timestamp, nonce, encrypted) | {"openid": citizen.ids["openid"]}
        return Signed(body, {"content-type": "text/xml"}, params)

    def remember(self, state: SimulatorState, earlier: Earlier) -> None:
        wechat_api(state).message(earlier.account.credentials.get("app_id", ""), earlier.citizen, earlier.at)
