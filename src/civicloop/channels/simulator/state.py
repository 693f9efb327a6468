"""What the simulated platforms share: injected faults, the requests received, media at expiring links,
dropped deliveries, and a slot per platform for what its simulated API knows (accounts, created objects,
windows), kept by the simulator in the platform's folder (``slot``).

One ``SimulatorState`` backs the whole simulator app; tests hold it to arrange a scene (a citizen
commented, a token expired, the next call fails with 503) and to assert on what was received.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from civicloop.kit.clock import utcnow

T = TypeVar("T")


@dataclass
class Fault:
    """One injected failure, consumed by the next matching request.

    ``after=True`` lets the request take effect first (the comment is created, the message
    delivered) and only then answers with the fault: the response lost on the way back, which is
    what makes blind resending produce a second copy.
    """

    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    after: bool = False

    @classmethod
    def timeout(cls, seconds: float, *, after: bool = False) -> Fault:
        """Answer only after ``seconds`` (longer than the client waits)."""
        return cls(status=504, delay=seconds, after=after)

    @classmethod
    def rate_limited(cls, *, retry_after: int | None = None, reset_at: int | None = None) -> Fault:
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        if reset_at is not None:
            headers.update(
                {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset_at)}
            )
        return cls(status=429, headers=headers)


@dataclass(frozen=True)
class Recorded:
    """A request as the simulated platform received it, and the status it answered."""

    endpoint: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int
    at: datetime


@dataclass
class SimulatorState:
    """Everything the simulated platforms know. Thread-safe: uvicorn serves requests from a pool."""

    now: Callable[[], datetime] = utcnow
    # The share of citizens' webhook deliveries the platforms never make (0.0–1.0): what happened is still
    # served by the list endpoints, which is what reconciliation reads back (``citizens.drive``).
    webhook_drop_share: float = 0.0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Recorded] = []
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        # Media citizens attach, served at expiring signed URLs as the platforms' CDNs serve them.
        self.base_url = ""  # set by the server that serves this state
        self.media: dict[str, tuple[bytes, str]] = {}
        self._media_secret = secrets.token_bytes(16)
        self.dropped: list[str] = []  # the kinds of the webhook deliveries dropped, in order
        self._delivered = 0
        # What the simulators kept in platforms' own folders remember, by platform name.
        self.platforms: dict[str, Any] = {}
        self._ids = itertools.count(1)

    # --- identities and the platforms' own parts -------------------------------------------------
    def next_number(self) -> int:
        return next(self._ids)

    def slot(self, name: str, make: Callable[[], T]) -> T:
        """What the simulator in a platform's folder keeps (made by ``make`` on first use), under its name."""
        with self.lock:
            if name not in self.platforms:
                self.platforms[name] = make()
            found: T = self.platforms[name]
            return found

    def drops_next(self, kind: str) -> bool:
        """Whether the platform fails to deliver the next webhook: exactly ``webhook_drop_share`` of them,
        spread evenly (every n-th for a share of 1/n), so a test knows what it lost."""
        with self.lock:
            before = int(self._delivered * self.webhook_drop_share + 1e-9)
            self._delivered += 1
            dropped = int(self._delivered * self.webhook_drop_share + 1e-9) > before
            if dropped:
                self.dropped.append(kind)
            return dropped

    # --- media ---------------------------------------------------------------------------------------
    def media_url(self, data: bytes, content_type: str, *, ttl: timedelta = timedelta(hours=1)) -> str:
        """Keep ``data`` and return its CDN link, valid for ``ttl`` like Meta's (``oe``: the expiry as hex UNIX
        seconds, ``oh``: a signature over the path and expiry; either changed or past → 403)."""
        with self.lock:
            key = secrets.token_hex(12)
            self.media[key] = (data, content_type)
            expires = f"{int((self.now() + ttl).timestamp()):x}"
            return f"{self.base_url}/_cdn/{key}?oe={expires}&oh={self.media_signature(key, expires)}"

    def media_signature(self, key: str, expires: str) -> str:
        return hmac.new(self._media_secret, f"{key}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    # --- switches ---------------------------------------------------------------------------------
    def inject(self, endpoint: str, *faults: Fault) -> None:
        """Queue faults for the next calls to ``endpoint`` (``"<platform>.<name>"``, as each simulator names
        its endpoints), one per call."""
        with self.lock:
            self.faults[endpoint].extend(faults)

    def take_fault(self, endpoint: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(endpoint)
            return queue.popleft() if queue else None

    # --- records ----------------------------------------------------------------------------------
    def record(self, entry: Recorded) -> None:
        with self.lock:
            self.requests.append(entry)

    def reset_records(self) -> None:
        """Forget the calls recorded so far, so a test counts only what its next step sends."""
        with self.lock:
            self.requests.clear()

    def calls(self, endpoint: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.endpoint == endpoint]
