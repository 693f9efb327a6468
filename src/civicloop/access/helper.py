"""``civicloop squid-helper``: Squid's external ACL helper protocol on stdin/stdout.

Squid starts it as ``civicloop squid-helper`` (the line ``civicloop squid-config`` writes). Running
as Squid's unprivileged user it needs nothing but read access to the database (SQLite: write access
to its folder, for WAL); importing CivicLoop creates no files (the job queue opens its storage on
first use).

Squid (configured with ``concurrency=N`` and the format ``%#LOGIN %#DST``) writes one request
per line: a channel id, the URL-encoded login, the URL-encoded destination host and whatever
``%DATA`` adds (``-`` when the ACL has no arguments). Each answer goes back on one line with the
same channel id, in any order:

    7 OK tag=social:designated log=THROMDE
    8 ERR message="It is outside office hours, and ..." tag=social:after_hours_closed log=THROMDE

``message`` appears on the block page (``%o``), ``tag`` and ``log`` in the access log (``%et``,
``%ea``). A line that cannot be read (empty, fields missing, a broken %-escape, far too long) gets
``ERR`` with a message saying why, and the helper goes on with the next line; ``BH`` is kept for
the helper's own failures (no policy loaded yet, a bug).

The policy is loaded from the database into memory and reloaded by a background thread every
``access_policy_refresh_seconds``; if the database cannot be reached the last good policy keeps
answering. Allowance time this process allows is recorded in memory and shared with the other
helper processes (and proxies) through the ``access_grants`` table at each refresh.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import unquote_to_bytes

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from civicloop.access.models import AccessGrant
from civicloop.access.policy import PolicySnapshot, UsageLedger, decide
from civicloop.access.snapshot import load_snapshot
from civicloop.db.base import Base
from civicloop.db.session import read_mostly
from civicloop.kit.clock import Clock

log = logging.getLogger("civicloop.squid_helper")

MAX_LINE_BYTES = 8192  # Squid's own requests are far shorter: a login and a host name
READ_BYTES = 65536
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_CHANNEL = re.compile(rb"^[0-9]{1,10}$")
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_FIELD_CACHE_SIZE = 50_000


class BadRequest(ValueError):
    """A line that is not a request this helper understands."""


def _field(raw: bytes, what: str) -> str:
    if b"%" in raw:
        if _BAD_ESCAPE.search(raw):
            raise BadRequest(f"the {what} has a broken %-escape")
        raw = unquote_to_bytes(raw)
    if _CONTROL.search(raw):
        raise BadRequest(f"the {what} contains control characters")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {what} is not UTF-8") from exc


def quoted(value: str) -> bytes:
    """A reply value in Squid's double-quoted form (backslash before ``"`` and ``\\``)."""
    return b'"' + value.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8") + b'"'


class Helper:
    """Answers request lines from the current snapshot; ``snapshot`` is swapped whole by the refresher."""

    def __init__(self, clock: Clock, *, channel_ids: bool = True, ledger: UsageLedger | None = None) -> None:
        self.clock = clock
        self.channel_ids = channel_ids
        self.ledger = ledger or UsageLedger()
        self.snapshot: PolicySnapshot | None = None
        self._decoded: dict[bytes, str] = {}

    def _field(self, raw: bytes, what: str) -> str:
        """A decoded field; the same logins and hosts come back all day, so they are decoded once."""
        found = self._decoded.get(raw)
        if found is None:
            found = _field(raw, what)
            if len(self._decoded) >= _FIELD_CACHE_SIZE:
                self._decoded.clear()
            self._decoded[raw] = found
        return found

    def handle(self, line: bytes) -> bytes:
        """One request line (without its newline) → one reply line (with it)."""
        line = line.rstrip(b"\r")
        channel = b""
        try:
            fields = line.split()
            if self.channel_ids:
                if not fields:
                    raise BadRequest("empty request line")
                if not _CHANNEL.match(fields[0]):
                    raise BadRequest("the line does not start with a channel id (is concurrency= set in squid.conf?)")
                channel = fields[0] + b" "
                fields = fields[1:]
            if len(line) > MAX_LINE_BYTES:
                raise BadRequest(f"request line longer than {MAX_LINE_BYTES} bytes")
            if len(fields) < 2:
                raise BadRequest("expected a login and a destination host (format %#LOGIN %#DST)")
            login = self._field(fields[0], "login")
            host = self._field(fields[1], "destination host")
            if not host.strip() or " " in host.strip():
                raise BadRequest("the destination host is empty or has spaces")
        except BadRequest as exc:
            return channel + b"ERR message=" + quoted(str(exc)) + b"\n"
        snapshot = self.snapshot
        if snapshot is None:
            return channel + b'BH message="the office access policy is not loaded yet"\n'
        try:
            decision = decide(snapshot, login, host, self.clock.now(), ledger=self.ledger)
        except Exception:  # a bug must not stop the helper: Squid gets BH and the next line is served
            log.exception("deciding %r → %r failed", login, host)
            return channel + b'BH message="internal error in the CivicLoop helper"\n'
        if decision.category is None:
            return channel + b"OK\n"
        extra = b" tag=" + decision.tag.encode() + b" log=" + (decision.agency_code or "-").encode()
        if decision.allow:
            return channel + b"OK" + extra + b"\n"
        return channel + b"ERR message=" + quoted(decision.reason) + extra + b"\n"

    def overlong(self, head: bytes) -> bytes:
        """The reply for a line that grew past the limit before its newline arrived."""
        fields = head.split(maxsplit=1)
        channel = fields[0] + b" " if self.channel_ids and fields and _CHANNEL.match(fields[0]) else b""
        return channel + b"ERR message=" + quoted(f"request line longer than {MAX_LINE_BYTES} bytes") + b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def serve(helper: Helper, infd: int = 0, outfd: int = 1) -> None:
    """Answer until Squid closes our stdin. Reads whatever has arrived and answers it in one write,
    so a busy Squid gets batched replies and an idle one an immediate answer."""
    pending = b""
    skipping = False  # inside an overlong line, dropping bytes up to its newline
    while True:
        chunk = os.read(infd, READ_BYTES)
        if not chunk:
            return
        if skipping:
            newline = chunk.find(b"\n")
            if newline == -1:
                continue
            chunk, skipping = chunk[newline + 1 :], False
        pending += chunk
        replies = []
        if b"\n" in pending:
            *lines, pending = pending.split(b"\n")
            replies = [helper.handle(line) for line in lines]
        if len(pending) > MAX_LINE_BYTES:
            replies.append(helper.overlong(pending[:64]))
            pending, skipping = b"", True
        if replies:
            _write_all(outfd, b"".join(replies))


class Refresher(threading.Thread):
    """Reloads the policy and shares allowance grants every ``interval`` seconds, in the background,
    so that a slow or unreachable database never holds up an answer."""

    def __init__(
        self,
        helper: Helper,
        sessions: Callable[[], Session],
        *,
        interval: float,
        instance: str | None = None,
    ) -> None:
        super().__init__(name="civicloop-policy-refresher", daemon=True)
        self.helper = helper
        self.sessions = sessions
        self.interval = interval
        self.instance = instance or uuid.uuid4().hex
        self.stopping = threading.Event()
        self.failures = 0

    def refresh(self) -> bool:
        """One reload (and grant flush); False, with the last good policy kept, if it failed."""
        now = self.helper.clock.now()
        try:
            self.save_grants(now)
            with self.sessions() as session:
                snapshot = load_snapshot(
                    read_mostly(session), now=now, exclude_instance=self.instance, previous=self.helper.snapshot
                )
                session.rollback()
        except Exception as exc:  # any database trouble: keep serving the last good policy
            self.failures += 1
            log.warning("could not reload the office access policy (%s); still answering from the last one", exc)
            return False
        self.helper.snapshot = snapshot
        self.failures = 0
        return True

    def save_grants(self, now: datetime | None = None) -> None:
        """Share what this process allowed under allowances (also called once more on exit)."""
        now = now or self.helper.clock.now()
        grants = self.helper.ledger.export(since=(now - timedelta(days=1)).date())
        if not grants:
            return
        with self.sessions() as session:
            session.execute(delete(AccessGrant).where(AccessGrant.instance == self.instance))
            session.execute(
                insert(Base.metadata.tables[AccessGrant.__tablename__]),
                [
                    {
                        "instance": self.instance,
                        "person": person[:254],
                        "category": category,
                        "day": day,
                        "intervals": [[round(s, 3), round(e, 3)] for s, e in intervals],
                    }
                    for (person, category, day), intervals in grants.items()
                ],
            )
            session.commit()

    def run(self) -> None:
        while not self.stopping.wait(self.interval if self.helper.snapshot is not None else min(self.interval, 2.0)):
            self.refresh()

    def stop(self) -> None:
        self.stopping.set()


def run(at: str | None = None, *, channel_ids: bool = True) -> None:
    """Load the policy, start the refresher, and serve stdin until Squid closes it."""
    import sys

    from civicloop.config import get_settings
    from civicloop.db.session import get_sessionmaker
    from civicloop.kit.clock import FixedClock
    from civicloop.kit.timezones import parse_instant

    settings = get_settings()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="civicloop squid-helper: %(message)s")
    clock: Clock = FixedClock(parse_instant(at, settings.timezone)) if at else Clock()
    helper = Helper(clock, channel_ids=channel_ids)
    refresher = Refresher(helper, get_sessionmaker(), interval=settings.access_policy_refresh_seconds)
    refresher.refresh()  # until a first load succeeds, requests get BH and the refresher keeps trying
    # What start-up built (imported modules, the first policy) lives as long as the process: moved out
    # of the collector's reach, a full collection no longer walks it and stalls an answer for milliseconds.
    gc.collect()
    gc.freeze()
    refresher.start()
    # The serving loop should get the interpreter back quickly while the refresher works.
    sys.setswitchinterval(0.0005)
    try:
        serve(helper)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        refresher.stop()
        refresher.save_grants()
