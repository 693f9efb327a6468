"""Moderation tests share the channels' outbound scene (an agency with accounts, the platform simulator
served over HTTP, a clock that stands still), plus the agency head and accounts on the platforms that
moderate differently: Instagram, YouTube and a Telegram group the bot administers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels.instagram import simulator as instagram_sim
from civicloop.channels.models import ConversationKind, Message
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Citizen
from civicloop.channels.telegram import simulator as telegram_sim
from civicloop.channels.youtube import simulator as youtube_sim
from tests.channels.outbound.conftest import PAGE, Scene, scene, sim, simulator_server
from tests.factories import create_account, create_official
from tests.inbox.builders import clock

__all__ = ["PAGE", "clock", "scene", "sim", "simulator_server"]

IG_ACCOUNT = "17841405822304914"
IG_TOKEN = "EAAG-thromde-instagram"
YT_CHANNEL = "UCq3Wd7Bv0sTtkY5oN2hRm8A"
YT_TOKEN = "ya29.thromde-youtube"
BOT_ID = 7012345678
BOT_TOKEN = f"{BOT_ID}:thromde-bot-secret"
GROUP = "-1001234567890"


@dataclass
class Moderation:
    scene: Scene
    head: Official
    instagram: OfficialAccount
    youtube: OfficialAccount
    telegram: OfficialAccount

    @property
    def db(self) -> Session:
        return self.scene.db

    @property
    def sim(self) -> SimulatorState:
        return self.scene.sim

    @property
    def officer(self) -> Actor:
        return self.scene.actor

    @property
    def head_actor(self) -> Actor:
        official = self.db.get(Official, self.head.id)
        assert official is not None
        return Actor.of(official)

    def ig_comment(self, text: str, number: int = 1) -> Message:
        comment_id = str(17_900_000_000_000_000 + number)
        instagram_sim.accounts(self.sim)[IG_ACCOUNT].comments.add(comment_id)
        return self.scene.inbound(
            self.instagram,
            ConversationKind.comment_thread,
            f"1795{number}",
            comment_id,
            text,
            citizen=f"178414{number}",
        )

    def yt_comment(self, text: str) -> Message:
        channel = youtube_sim.channels(self.sim)[YT_CHANNEL]
        comment_id = youtube_sim.comment_on(self.sim, channel, "d9Xq2LpR7sA", Citizen(3, "Tashi", "tashi"), text)
        return self.scene.inbound(
            self.youtube, ConversationKind.comment_thread, "d9Xq2LpR7sA", comment_id, text, citizen="UCsim3"
        )

    def group_message(self, text: str, message_id: int, *, admin: bool = True) -> Message:
        bot = telegram_sim.bots(self.sim)[BOT_TOKEN]
        telegram_sim.group_message(self.sim, bot, GROUP, message_id, 5_100_000_004, admin=admin)
        return self.scene.inbound(
            self.telegram, ConversationKind.comment_thread, GROUP, f"{GROUP}:{message_id}", text, citizen="5100000004"
        )


@pytest.fixture
def mod(scene: Scene) -> Moderation:
    db = scene.db
    head = create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    instagram = create_account(
        db,
        scene.agency,
        "instagram",
        IG_ACCOUNT,
        {"app_secret": "ig-secret", "verify_token": "ig-verify", "page_access_token": IG_TOKEN},
        "Thromde on Instagram",
    )
    youtube = create_account(db, scene.agency, "youtube", YT_CHANNEL, {"access_token": YT_TOKEN}, "Thromde TV")
    telegram = create_account(
        db,
        scene.agency,
        "telegram",
        str(BOT_ID),
        {"bot_token": BOT_TOKEN, "secret_token": "thromde-telegram"},
        "Thromde bot",
    )
    instagram_sim.add_account(scene.sim, IG_ACCOUNT, IG_TOKEN)
    youtube_sim.add_channel(scene.sim, YT_CHANNEL, YT_TOKEN)
    telegram_sim.add_bot(scene.sim, BOT_ID, BOT_TOKEN, "thromdebot")
    return Moderation(scene, head, instagram, youtube, telegram)
