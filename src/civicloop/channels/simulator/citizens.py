"""Simulated citizens: webhooks in each platform's documented format, signed as the platform signs them.

A realistic mix of what citizens do on each platform with an account (comments, replies, direct
messages), from a stable cast of people, so that the same person writes again into the same
conversation. Each platform's part — what its citizens do and how often, the delivery in its own format,
its signature, what its simulated API must learn — is declared in its folder (``PlatformSpec.citizens``,
a ``CitizenSide``); this module asks the registry and names no platform. ``drive`` sends the deliveries
to a CivicLoop server at a bounded rate for a bounded time; the payload shapes match the inbound fixtures
in tests/channels/.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.agencies.service import webhook_path
from civicloop.channels import registry
from civicloop.channels.simulator import cast
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Addressee, Citizen, CitizenSide, Scene
from civicloop.errors import Invalid
from civicloop.kit.clock import utcnow
from civicloop.kit.http import http_client

MAX_RATE = 50.0
MAX_DURATION = 3600.0


def side(platform: str) -> CitizenSide | None:
    """The platform's part of the simulated citizens (None: no citizen writes there)."""
    found = registry.PLATFORMS.get(platform)
    return found.citizens if found is not None else None


@dataclass(frozen=True)
class Target:
    """An official account that simulated citizens write to, with what is needed to sign for it."""

    platform: Platform
    agency_code: str
    external_id: str
    name: str
    path: str
    credentials: Mapping[str, str]

    @property
    def addressee(self) -> Addressee:
        return Addressee(self.external_id, self.name, self.credentials)


def load_targets(session: Session, agency_codes: list[str] | None = None) -> list[Target]:
    """Active accounts on platforms where citizens write, whose webhook credentials are known."""
    query = (
        select(OfficialAccount, Agency.code)
        .join(Agency, Agency.id == OfficialAccount.agency_id)
        .where(OfficialAccount.status == AccountStatus.active)
        .order_by(OfficialAccount.id)
    )
    if agency_codes:
        query = query.where(Agency.code.in_([c.strip().upper() for c in agency_codes]))
    targets = []
    for account, code in session.execute(query).all():
        credentials = dict(account.credentials or {})
        writers = side(account.platform)
        if writers is not None and credentials.get(writers.needed):
            path = webhook_path(account)
            targets.append(Target(account.platform, code, account.external_id, account.name, path, credentials))
    return targets


def register_accounts(state: SimulatorState, targets: list[Target]) -> None:
    """Tell the simulated platform APIs about the accounts, so that their replies and posts are accepted."""
    for target in targets:
        writers = side(target.platform)
        if writers is not None:
            writers.register(state, target.external_id, target.credentials)


@dataclass(frozen=True)
class CitizenEvent:
    """One thing a citizen did, as the platform would report it (before signing)."""

    kind: str  # "<platform>.<what>", what being one of the kinds its CitizenSide declares
    target: Target
    body: bytes
    person: Citizen
    text: str


@dataclass(frozen=True)
class Webhook:
    """A signed delivery, ready to POST."""

    kind: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


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
        # Every kind of event of the platforms with an account, with its share (in the registry's order).
        self.mix = {
            f"{name}.{kind}": share
            for name, spec in registry.PLATFORMS.items()
            if name in platforms and spec.citizens is not None
            for kind, share in spec.citizens.kinds.items()
        }
        if not self.mix:
            raise Invalid("no social media account with webhook credentials to simulate citizens for")
        self.people = cast.people()
        # Each person's ids on every platform, drawn in the registry's order as the cast is formed.
        self.cast: dict[str, list[Citizen]] = {name: [] for name, s in registry.PLATFORMS.items() if s.citizens}
        for person in self.people:
            for name in self.cast:
                self.cast[name].append(replace(person, ids=self._side(name).identify(self.rng)))
        self.memory: dict[str, dict[Hashable, Any]] = defaultdict(dict)  # each platform's, for this run
        self.sequence = 0

    def _side(self, platform: str) -> CitizenSide:
        found = side(platform)
        if found is None:
            raise Invalid(f"no simulated citizens write on {registry.label(platform)}")
        return found

    def _scene(self, platform: str) -> Scene:
        return Scene(self.rng, self.now(), self.sequence, self.state, self.memory[platform])

    def next(self) -> CitizenEvent:
        kinds = list(self.mix)
        kind = self.rng.choices(kinds, weights=[self.mix[k] for k in kinds])[0]
        platform, what = kind.split(".", 1)
        target = self.rng.choice([t for t in self.targets if t.platform == platform])
        person = self.cast[platform][self.rng.choice(self.people).number - 1]
        writers = self._side(platform)
        text = str(self.rng.choice([*writers.messages, *cast.messages()]))
        self.sequence += 1
        body = writers.write(what, target.addressee, person, text, self._scene(platform))
        return CitizenEvent(kind, target, body, person, text)

    def sign(self, event: CitizenEvent) -> Webhook:
        platform = event.target.platform
        signed = self._side(platform).sign(event.body, event.target.addressee, event.person, self._scene(platform))
        headers = {"content-type": "application/json"} | dict(signed.headers)
        return Webhook(event.kind, event.target.path, dict(signed.params), headers, signed.body)


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
    stop: threading.Event | None = None,
    on_sent: Callable[[Webhook, int], None] | None = None,
) -> DriveReport:
    """POST signed events at ``rate`` per second for ``duration`` seconds (or ``count`` events): bounded both ways.
    Setting ``stop`` ends it at once, even between two events."""
    if not 0 < rate <= MAX_RATE:
        raise Invalid(f"the rate must be above 0 and at most {MAX_RATE:g} events per second")
    if not 0 < duration <= MAX_DURATION:
        raise Invalid(f"the duration must be above 0 and at most {MAX_DURATION:g} seconds")
    limit = int(rate * duration) if count is None else min(count, int(rate * duration) or 1)
    report = DriveReport()
    own = client is None
    http = client or http_client(10.0)
    stopping = stop or threading.Event()
    started = time.monotonic()
    try:
        while report.sent < limit and time.monotonic() - started < duration and not stopping.is_set():
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
                stopping.wait(pause)
    finally:
        if own:
            http.close()
    return report
