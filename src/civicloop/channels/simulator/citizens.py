"""Simulated citizens: webhooks in each platform's documented format, signed as the platform signs them.

A realistic mix — Facebook comments (some replying to others) and Messenger messages, X mentions and
DMs, WeChat texts (encrypted for accounts in safe mode) — from a stable cast of people, so the same
person writes again into the same conversation. ``drive`` sends them to a CivicLoop server at a
bounded rate for a bounded time; the payload shapes match the inbound fixtures in tests/channels/.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import ipaddress
import json
import random
import secrets
import socket
import struct
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.agencies.service import webhook_path
from civicloop.channels import registry
from civicloop.channels.simulator.state import SimulatorState, WeChatApp, XUser
from civicloop.channels.spec import Citizen
from civicloop.errors import Invalid
from civicloop.kit.clock import utcnow

DATA = Path(__file__).parent / "data" / "citizens.json"
# Share of each event kind in the mix (only kinds whose platform has an account are drawn).
MIX = {
    "facebook.comment": 30,
    "facebook.message": 20,
    "x.mention": 20,
    "x.dm": 10,
    "wechat.text": 20,
}
MAX_RATE = 50.0
PHOTO_EVERY = 4
MAX_DURATION = 3600.0
POSTS_PER_PAGE = 3


def photo(seed: int) -> bytes:
    """A small PNG photo (a different colour for each seed), as a citizen's phone would send."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256)).save(buffer, "PNG")
    return buffer.getvalue()


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True)
class Target:
    """An official account that simulated citizens write to, with what is needed to sign for it."""

    platform: Platform
    agency_code: str
    external_id: str
    name: str
    path: str
    credentials: Mapping[str, str]


def load_targets(session: Session, agency_codes: list[str] | None = None) -> list[Target]:
    """Active social media accounts whose webhook credentials are known."""
    query = (
        select(OfficialAccount, Agency.code)
        .join(Agency, Agency.id == OfficialAccount.agency_id)
        .where(OfficialAccount.status == AccountStatus.active, OfficialAccount.platform != "web")
        .order_by(OfficialAccount.id)
    )
    if agency_codes:
        query = query.where(Agency.code.in_([c.strip().upper() for c in agency_codes]))
    needed = {"facebook": "app_secret", "x": "consumer_secret", "wechat": "token"}
    for name, platform in registry.PLATFORMS.items():
        if platform.citizens is not None:
            needed[Platform(name)] = platform.citizens.needed
    targets = []
    for account, code in session.execute(query).all():
        credentials = dict(account.credentials or {})
        if account.platform in needed and credentials.get(needed[account.platform]):
            path = webhook_path(account)
            targets.append(Target(account.platform, code, account.external_id, account.name, path, credentials))
    return targets


def register_accounts(state: SimulatorState, targets: list[Target]) -> None:
    """Tell the simulated platform APIs about the accounts, so that their replies and posts are accepted."""
    for target in targets:
        creds = target.credentials
        if target.platform == "facebook" and creds.get("page_access_token"):
            state.add_facebook_page(target.external_id, creds["page_access_token"])
        elif target.platform == "x":
            fields = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")
            state.add_x_user(XUser(target.external_id, **{name: creds.get(name, "") for name in fields}))
        elif target.platform == "wechat" and creds.get("app_id") and creds.get("app_secret"):
            state.add_wechat_app(WeChatApp(creds["app_id"], creds["app_secret"], target.external_id))
        elif (side := registry.spec(target.platform).citizens) is not None:
            side.register(state, target.external_id, creds)


@dataclass(frozen=True)
class Person:
    name: str
    handle: str
    facebook_id: str
    psid: str
    x_id: str
    openid: str


@dataclass(frozen=True)
class CitizenEvent:
    """One thing a citizen did, as the platform would report it (before signing)."""

    kind: str
    target: Target
    body: bytes
    person: Person
    text: str


@dataclass(frozen=True)
class Webhook:
    """A signed delivery, ready to POST."""

    kind: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randint(10 ** (count - 1), 10**count - 1))


def _x_time(at: datetime) -> str:
    return at.strftime("%a %b %d %H:%M:%S +0000 %Y")


class Citizens:
    """Draws citizens' events; deterministic for a given ``seed`` and clock."""

    def __init__(
        self,
        targets: list[Target],
        *,
        seed: int | None = None,
        now: Callable[[], datetime] = utcnow,
        state: SimulatorState | None = None,
    ) -> None:
        self.targets = targets
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self.now = now
        self.state = state
        platforms = {t.platform for t in targets}
        # Platforms whose citizens are declared in their own folder write one kind: a message.
        self.mix = MIX | {f"{p}.message": 1 for p in platforms if registry.spec(p).citizens is not None}
        self.kinds = [k for k in self.mix if k.split(".")[0] in platforms]
        if not self.kinds:
            raise Invalid("no social media account with webhook credentials to simulate citizens for")
        self.people = [
            Person(
                name,
                handle,
                _digits(self.rng, 16),
                _digits(self.rng, 16),
                _digits(self.rng, 19),
                "o"
                + "".join(
                    self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789_-") for _ in range(27)
                ),
            )
            for name, handle in _data()["people"]
        ]
        self.posts: dict[str, list[str]] = {}
        self.comments: dict[str, list[str]] = {}
        self.mentions: dict[str, list[tuple[str, str]]] = {}
        self.sequence = 0

    # --- drawing -------------------------------------------------------------------------------
    def next(self) -> CitizenEvent:
        kind = self.rng.choices(self.kinds, weights=[self.mix[k] for k in self.kinds])[0]
        platform = Platform(kind.split(".")[0])
        target = self.rng.choice([t for t in self.targets if t.platform == platform])
        person = self.rng.choice(self.people)
        pool = _data()["wechat_messages"] + _data()["messages"] if platform == "wechat" else _data()["messages"]
        text = str(self.rng.choice(pool))
        self.sequence += 1
        side = registry.spec(platform).citizens
        if side is not None:
            citizen = Citizen(self.people.index(person) + 1, person.name, person.handle)
            body = side.write(self.state, target.external_id, citizen, text, self.now(), self.sequence)
            return CitizenEvent(kind, target, body, person, text)
        build = {
            "facebook.comment": self._comment,
            "facebook.message": self._messenger,
            "x.mention": self._mention,
            "x.dm": self._dm,
            "wechat.text": self._wechat,
        }[kind]
        return CitizenEvent(kind, target, build(target, person, text), person, text)

    def _snowflake(self) -> str:
        # X ids grow with time: milliseconds since X's epoch, shifted, plus a sequence.
        millis = int(self.now().timestamp() * 1000) - 1_288_834_974_657
        return str((millis << 22) + (self.sequence % 4096))

    def _comment(self, target: Target, person: Person, text: str) -> bytes:
        page = target.external_id
        posts = self.posts.setdefault(page, [f"{page}_{_digits(self.rng, 15)}" for _ in range(POSTS_PER_PAGE)])
        post_id = self.rng.choice(posts)
        earlier = self.comments.setdefault(post_id, [])
        parent = self.rng.choice(earlier) if earlier and self.rng.random() < 0.3 else post_id
        comment_id = f"{post_id.split('_')[1]}_{_digits(self.rng, 16)}"
        earlier.append(comment_id)
        at = self.now()
        if self.state is not None:
            self.state.facebook_comment(
                page,
                comment_id,
                post_id=post_id,
                from_id=person.facebook_id,
                message=text,
                parent_id=parent,
                at=at,
                from_name=person.name,
            )
        value = {
            "from": {"id": person.facebook_id, "name": person.name},
            "post": {
                "status_type": "mobile_status_update",
                "is_published": True,
                "updated_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": f"https://www.facebook.com/{page}/posts/{post_id.split('_')[1]}",
                "promotion_status": "inactive",
                "id": post_id,
            },
            "message": text,
            "post_id": post_id,
            "comment_id": comment_id,
            "created_time": int(at.timestamp()),
            "item": "comment",
            "parent_id": parent,
            "verb": "add",
        }
        document = {
            "object": "page",
            "entry": [{"id": page, "time": int(at.timestamp()), "changes": [{"field": "feed", "value": value}]}],
        }
        return json.dumps(document, ensure_ascii=False).encode()

    def _messenger(self, target: Target, person: Person, text: str) -> bytes:
        at = self.now()
        millis = int(at.timestamp() * 1000)
        mid = "m_" + secrets.token_urlsafe(24)
        message: dict[str, Any] = {"mid": mid, "text": text}
        attachments: list[dict[str, Any]] = []
        # Every fourth Messenger message carries a photo, at an expiring CDN link as Meta sends it.
        if self.state is not None and self.sequence % PHOTO_EVERY == 0:
            attachments = [{"type": "image", "url": self.state.media_url(photo(self.sequence), "image/png")}]
            message["attachments"] = [{"type": "image", "payload": {"url": attachments[0]["url"]}}]
        if self.state is not None:
            self.state.messenger_message(
                target.external_id, person.psid, at, mid=mid, text=text, attachments=attachments
            )
        event = {
            "sender": {"id": person.psid},
            "recipient": {"id": target.external_id},
            "timestamp": millis,
            "message": message,
        }
        document = {"object": "page", "entry": [{"id": target.external_id, "time": millis, "messaging": [event]}]}
        return json.dumps(document, ensure_ascii=False).encode()

    def _mention(self, target: Target, person: Person, text: str) -> bytes:
        at = self.now()
        handle = "".join(ch for ch in target.name.split(" —")[0].title() if ch.isalnum())[:15] or "Agency"
        earlier = self.mentions.setdefault(target.external_id, [])
        parent = self.rng.choice(earlier) if earlier and self.rng.random() < 0.25 else None
        tweet_id = self._snowflake()
        full = f"@{handle} {text}"
        earlier.append((tweet_id, person.x_id))
        if self.state is not None:
            self.state.x_profile(person.x_id, person.name, person.handle)
            self.state.x_tweet(
                tweet_id,
                person.x_id,
                full,
                at,
                in_reply_to=parent[0] if parent else None,
                mentions=(target.external_id,),
            )
        tweet = {
            "created_at": _x_time(at),
            "id": int(tweet_id),
            "id_str": tweet_id,
            "text": full,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "truncated": False,
            "in_reply_to_status_id": int(parent[0]) if parent else None,
            "in_reply_to_status_id_str": parent[0] if parent else None,
            "in_reply_to_user_id": int(target.external_id),
            "in_reply_to_user_id_str": target.external_id,
            "in_reply_to_screen_name": handle,
            "user": {"id": int(person.x_id), "id_str": person.x_id, "name": person.name, "screen_name": person.handle},
            "entities": {
                "hashtags": [],
                "urls": [],
                "user_mentions": [
                    {
                        "screen_name": handle,
                        "name": target.name,
                        "id": int(target.external_id),
                        "id_str": target.external_id,
                        "indices": [0, len(handle) + 1],
                    }
                ],
                "symbols": [],
            },
            "timestamp_ms": str(int(at.timestamp() * 1000)),
        }
        document = {"for_user_id": target.external_id, "user_has_blocked": "false", "tweet_create_events": [tweet]}
        return json.dumps(document, ensure_ascii=False).encode()

    def _dm(self, target: Target, person: Person, text: str) -> bytes:
        at = self.now()
        event_id = self._snowflake()
        if self.state is not None:
            self.state.x_profile(person.x_id, person.name, person.handle)
            self.state.x_direct_message(target.external_id, person.x_id, text, at, event_id=event_id)
        millis = str(int(at.timestamp() * 1000))
        event = {
            "type": "message_create",
            "id": event_id,
            "created_timestamp": millis,
            "message_create": {
                "target": {"recipient_id": target.external_id},
                "sender_id": person.x_id,
                "source_app_id": "268278",
                "message_data": {
                    "text": text,
                    "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                },
            },
        }
        users = {
            person.x_id: {"id": person.x_id, "name": person.name, "screen_name": person.handle},
            target.external_id: {"id": target.external_id, "name": target.name, "screen_name": "agency"},
        }
        document = {
            "for_user_id": target.external_id,
            "direct_message_events": [event],
            "apps": {"268278": {"id": "268278", "name": "Twitter Web Client", "url": "http://twitter.com"}},
            "users": users,
        }
        return json.dumps(document, ensure_ascii=False).encode()

    def _wechat(self, target: Target, person: Person, text: str) -> bytes:
        at = self.now()
        app_id = target.credentials.get("app_id", "")
        if self.state is not None and app_id:
            self.state.wechat_message(app_id, person.openid, at)
        safe_text = text.replace("]]>", "]]]]><![CDATA[>")
        return (
            f"<xml><ToUserName><![CDATA[{target.external_id}]]></ToUserName>"
            f"<FromUserName><![CDATA[{person.openid}]]></FromUserName>"
            f"<CreateTime>{int(at.timestamp())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{safe_text}]]></Content><MsgId>{_digits(self.rng, 17)}</MsgId></xml>"
        ).encode()

    # --- signing -------------------------------------------------------------------------------
    def sign(self, event: CitizenEvent) -> Webhook:
        creds = event.target.credentials
        headers = {"content-type": "application/json"}
        side = registry.spec(event.target.platform).citizens
        if side is not None:
            headers |= side.authenticate(event.body, creds)
            return Webhook(event.kind, event.target.path, {}, headers, event.body)
        if event.target.platform == "facebook":
            digest = hmac.new(creds["app_secret"].encode(), event.body, hashlib.sha256).hexdigest()
            headers["x-hub-signature-256"] = f"sha256={digest}"
            return Webhook(event.kind, event.target.path, {}, headers, event.body)
        if event.target.platform == "x":
            mac = hmac.new(creds["consumer_secret"].encode(), event.body, hashlib.sha256).digest()
            headers["x-twitter-webhooks-signature"] = "sha256=" + base64.b64encode(mac).decode()
            return Webhook(event.kind, event.target.path, {}, headers, event.body)
        timestamp, nonce = str(int(self.now().timestamp())), _digits(self.rng, 10)
        params = {"timestamp": timestamp, "nonce": nonce, "openid": event.person.openid}
        params["signature"] = _sha1_sorted(creds["token"], timestamp, nonce)
        body = event.body
        if creds.get("encoding_aes_key") and creds.get("app_id"):
            encrypted = wechat_encrypt(body, creds["encoding_aes_key"], creds["app_id"], self.rng.randbytes(16))
            body = (
                f"<xml><ToUserName><![CDATA[{event.target.external_id}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            ).encode()
            params.update(encrypt_type="aes", msg_signature=_sha1_sorted(creds["token"], timestamp, nonce, encrypted))
        return Webhook(event.kind, event.target.path, params, {"content-type": "text/xml"}, body)


def _sha1_sorted(*values: str) -> str:
    return hashlib.sha1("".join(sorted(values)).encode()).hexdigest()  # noqa: S324 - WeChat's own scheme


def wechat_encrypt(message: bytes, encoding_aes_key: str, app_id: str, random_prefix: bytes) -> str:
    """WeChat safe mode: AES-256-CBC, IV = first 16 key bytes, PKCS#7 to 32-byte blocks (platforms.md §3.4)."""
    key = base64.b64decode(encoding_aes_key + "=")
    plain = random_prefix + struct.pack(">I", len(message)) + message + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


# --- driving a server ----------------------------------------------------------------------------


def check_loopback(url: str) -> None:
    """Refuse a target that is not this machine, unless the caller explicitly allows other hosts."""
    host = urlsplit(url).hostname
    if not host:
        raise Invalid(f"{url!r} is not a URL such as http://127.0.0.1:8000")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise Invalid(f"cannot resolve {host!r}") from exc
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise Invalid(f"{host} is not this machine; simulated traffic goes to loopback only unless --allow-remote")


@dataclass
class DriveReport:
    sent: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    dropped: int = 0  # deliveries the simulated platform never made (``SimulatorState.webhook_drop_share``)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "by_kind": dict(self.by_kind),
            "by_status": dict(self.by_status),
            "errors": self.errors,
            "dropped": self.dropped,
        }


def drive(
    base_url: str,
    citizens: Citizens,
    *,
    rate: float,
    duration: float,
    count: int | None = None,
    client: httpx.Client | None = None,
    stop: Callable[[], bool] = lambda: False,
    on_sent: Callable[[Webhook, int], None] | None = None,
) -> DriveReport:
    """POST signed events at ``rate`` per second for ``duration`` seconds (or ``count`` events): bounded both ways."""
    if not 0 < rate <= MAX_RATE:
        raise Invalid(f"the rate must be above 0 and at most {MAX_RATE:g} events per second")
    if not 0 < duration <= MAX_DURATION:
        raise Invalid(f"the duration must be above 0 and at most {MAX_DURATION:g} seconds")
    limit = int(rate * duration) if count is None else min(count, int(rate * duration) or 1)
    report = DriveReport()
    own = client is None
    http = client or httpx.Client(timeout=10.0)
    started = time.monotonic()
    try:
        while report.sent < limit and time.monotonic() - started < duration and not stop():
            hook = citizens.sign(citizens.next())
            if not hook.path:
                status = 0  # a polled platform: nothing is delivered, the comment waits there for the next poll
            elif citizens.state is not None and citizens.state.drops_next(hook.kind):
                status = 0  # the platform never delivers it; its list endpoints still serve it
                report.dropped += 1
            else:
                try:
                    response = http.post(
                        base_url.rstrip("/") + hook.path, params=hook.params, headers=hook.headers, content=hook.body
                    )
                    status = response.status_code
                except httpx.HTTPError:
                    report.errors += 1
                    status = 0
            report.sent += 1
            report.by_kind[hook.kind] += 1
            report.by_status[str(status)] += 1
            if on_sent is not None:
                on_sent(hook, status)
            pause = started + report.sent / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
    finally:
        if own:
            http.close()
    return report
