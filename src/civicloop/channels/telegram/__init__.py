"""Telegram (Bot API): one bot per official account, its private chats, the groups it administers
and the posts of its channel; replies with ``sendMessage`` and ``reply_parameters``.

Everything the product knows of Telegram is declared here (``SPEC``), listed by ``channels/registry.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.spec import PlatformSpec, RouteSpec, TextLimit
from civicloop.channels.telegram import simulator
from civicloop.channels.telegram.connect import TelegramConnector
from civicloop.channels.telegram.media import TelegramMedia
from civicloop.channels.telegram.moderation import TelegramModerator
from civicloop.channels.telegram.outbound import TEXT_LIMIT, TelegramSender
from civicloop.channels.telegram.provider import TelegramProvider

# setWebhook's secret_token: 1–256 characters, A-Z a-z 0-9 _ - (Bot API); a token is "<bot id>:<secret>".
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
TEXT = TextLimit(TEXT_LIMIT, "characters")


def _token_shapes(credentials: Mapping[str, str]) -> str:
    if not BOT_TOKEN.match(credentials.get("bot_token", "")):
        return "a Telegram bot_token looks like 123456789:AAH... (the bot's id, a colon, the secret)"
    if not SECRET_TOKEN.match(credentials.get("secret_token", "")):
        return "a Telegram secret_token has 1–256 characters, only A-Z, a-z, 0-9, _ and -"
    return ""


def _for_sending(credentials: Mapping[str, str]) -> str:
    return "" if credentials.get("bot_token") else "add the bot_token credential"


def _api_url() -> str:
    return SPEC.api_url()


SPEC = PlatformSpec(
    name="telegram",
    label="Telegram",
    external_id="the bot's numeric id (the part of its token before the colon)",
    credentials=Credentials(
        required=frozenset({"bot_token", "secret_token"}),
        optional=frozenset({"channel_id"}),
        for_sending=_for_sending,
        checks=(_token_shapes,),
    ),
    sender=TelegramSender(_api_url),
    provider=TelegramProvider(),
    signed_with="secret_token (the one given to setWebhook)",
    comment_reply=RouteSpec(Route.telegram_reply, TEXT),
    direct_reply=RouteSpec(Route.telegram_message, TEXT),
    post=RouteSpec(Route.telegram_post, TEXT),
    api_url_default="https://api.telegram.org",
    simulator=simulator.router,
    moderator=TelegramModerator(_api_url),
    citizens=simulator.TelegramCitizens(),
    connector=TelegramConnector(_api_url),
    media=TelegramMedia(_api_url),
    access_category="messaging",
    domains=("telegram.org", "t.me", "telegram.me"),
    reconcile_gaps=(
        "the Bot API cannot list past messages: getUpdates is refused while a webhook is set, and Telegram keeps "
        "an undelivered update 24 hours at most — a message missed longer than that is lost",
    ),
)
