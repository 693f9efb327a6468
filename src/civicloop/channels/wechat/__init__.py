"""WeChat Official Accounts: URL verification, safe-mode decryption, messages and events (XML)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.spec import PlatformSpec, ReplyWindow, RouteSpec, TextLimit, utf8_bytes
from civicloop.channels.wechat import demo as wechat_demo
from civicloop.channels.wechat import simulator
from civicloop.channels.wechat.citizens import WeChatCitizens
from civicloop.channels.wechat.connect import WeChatConnector
from civicloop.channels.wechat.media import WeChatMedia
from civicloop.channels.wechat.outbound import API_URL, WeChatSender, fetch_token
from civicloop.channels.wechat.provider import WeChatProvider

TEXT = TextLimit(2048, "bytes of UTF-8", utf8_bytes)
# Markdown-ish emphasis that WeChat would show literally.
MARKUP_RE = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


def plain_text(text: str) -> str:
    """WeChat shows no Markdown: drop emphasis markers and keep line breaks."""
    return MARKUP_RE.sub("", text)


def _aes_key(credentials: Mapping[str, str]) -> str:
    key = credentials.get("encoding_aes_key")
    return "a WeChat EncodingAESKey has exactly 43 characters" if key is not None and len(key) != 43 else ""


def _api_url() -> str:
    return SPEC.api_url()


SPEC = PlatformSpec(
    name="wechat",
    label="WeChat",
    external_id="original id (gh_...)",
    credentials=Credentials(
        required=frozenset({"app_id", "token"}),
        optional=frozenset({"app_secret", "encoding_aes_key"}),
        for_sending=lambda c: "" if c.get("app_secret") else "add the WeChat app_secret credential",
        checks=(_aes_key,),
    ),
    sender=WeChatSender(),
    provider=WeChatProvider(),
    signed_with="token (and EncodingAESKey in safe mode)",
    direct_reply=RouteSpec(Route("wechat_cs"), TEXT),
    post=RouteSpec(Route("wechat_mass"), TEXT),
    # Customer-service messages: 48 hours after the citizen's message, 5 per message (2023 rule).
    window=ReplyWindow(timedelta(hours=48), "WeChat", replies_per_message=5),
    post_text=plain_text,
    badge="green",
    contact_words=("wechat",),
    variant_hint="plain text, 2048 bytes",
    api_url_default=API_URL,
    domains=("wechat.com", "weixin.qq.com", "wx.qq.com", "wx2.qq.com", "wechat.qq.com"),
    simulator=simulator.router,
    fetch_token=fetch_token,
    reconcile_gaps=(
        "the Official Account API has no way to list the messages followers sent: a push WeChat gave up on "
        "(after three tries within 15 seconds) cannot be read back",
    ),
    connector=WeChatConnector(),
    citizens=WeChatCitizens(),
    demo=wechat_demo.DEMO,
    media=WeChatMedia(_api_url),
)
