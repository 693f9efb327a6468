"""Import Squid access logs: incremental, idempotent, malformed lines counted and never fatal.

Two formats are read, line by line, whichever each line is in:

* Squid's native format (``logformat squid``)::

    1767582000.123     59 10.0.0.7 TCP_MISS/200 919 GET http://www.facebook.com/ pema HIER_DIRECT/1.2.3.4 text/html

  The user name is written as-is and may contain spaces, so the fields around it are counted
  from both ends.
* CivicLoop's own format (``logformat civicloop``, see ``squidconf``): every field URL-encoded,
  and the helper's tag (``category:rule``) and log note (agency code) at the end, so that a
  refusal's reason is known.

A file is recognised by a hash of its first line, so a rotated file (renamed ``access.log.1``) is
continued where the last import stopped, and importing the same lines twice adds nothing. Only
lines for categorised sites are kept: verbatim, compressed a batch at a time
(``access_log_chunks``, deleted after the retention period), and folded into the sessions
(``access_sessions``) and refusal counts (``access_denials``) the reports read. Lines for other
sites are counted and dropped: CivicLoop has no business keeping the rest of anyone's browsing.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from civicloop.access.domains import host_of_url
from civicloop.access.models import AccessDenial, AccessGrant, AccessLogChunk, AccessLogSource, AccessSession
from civicloop.access.policy import Office, PolicySnapshot
from civicloop.access.snapshot import load_snapshot
from civicloop.access.usage import REQUEST_SECONDS, merge_sessions, overlap_seconds
from civicloop.access.usage import Session as Span
from civicloop.db.base import Base
from civicloop.errors import Invalid
from civicloop.kit.clock import utcnow

OWN_FORMAT_MARK = b"civicloop/1"
BATCH_LINES = 200_000
READ_BYTES = 4 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024
OVERLONG = b"\n"  # never a line's content (lines are split on it), so it can mark a skipped one
MAX_EXAMPLES = 5
FINGERPRINT_BYTES = 4096
_QUERY_CHUNK = 500


class Malformed(ValueError):
    """A line that is in neither format; counted, with a few examples kept for the report."""


Fields = tuple[float, bytes, bytes, bool, bytes | None]
"""(instant, login as logged, URL, refused, the helper's tag if the line carries one)."""


def split_line(raw: bytes) -> Fields | None:
    """The fields of one line in either format; None for a line that records no use
    (no login, or Squid asking for a password)."""
    parts = raw.split()
    count = len(parts)
    if not count:
        raise Malformed("empty line" if raw != OVERLONG else f"line longer than {MAX_LINE_BYTES} bytes")
    if parts[0] == OWN_FORMAT_MARK:
        if count != 11:
            raise Malformed(f"expected 11 fields in CivicLoop's format, found {count}")
        _, ts, _, _, result, _, _, url, user, tag, _ = parts
    elif count >= 10:
        ts, _, _, result, _, _, url = parts[:7]
        user = parts[7] if count == 10 else b" ".join(parts[7:-2])
        tag = b"-"
    else:
        raise Malformed(f"expected at least 10 fields in Squid's native format, found {count}")
    try:
        at = float(ts)
    except ValueError:
        raise Malformed(f"{ts.decode(errors='replace')!r} is not a Unix timestamp") from None
    # Squid writes the status with three digits (%03>Hs), after the result code and a slash.
    if result[-4:-3] != b"/" or not result[-3:].isdigit():
        raise Malformed(f"{result.decode(errors='replace')!r} is not a Squid result code/status")
    if not 0 < at < 1e11:
        raise Malformed(f"{ts.decode()!r} is not a plausible timestamp")
    if user == b"-" or result[-3:] == b"407":
        return None
    return at, user, url, b"DENIED" in result, tag if tag != b"-" else None


def _overlong() -> Fields | None:
    raise Malformed(f"line longer than {MAX_LINE_BYTES} bytes")


@dataclass
class ImportResult:
    path: str
    lines: int = 0
    malformed: int = 0
    kept: int = 0
    uncategorised: int = 0
    anonymous: int = 0
    bytes_read: int = 0
    total_bytes: int = 0
    examples: list[str] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "lines": self.lines,
            "malformed": self.malformed,
            "kept": self.kept,
            "uncategorised": self.uncategorised,
            "anonymous": self.anonymous,
            "malformed_examples": self.examples,
            "note": self.note,
        }


class _Resolver:
    """What each line needs from the policy, cached: a log repeats the same hosts, logins and hours."""

    def __init__(self, snapshot: PolicySnapshot) -> None:
        self.snapshot = snapshot
        self.categories: dict[bytes, tuple[str, str | None]] = {}
        self.people: dict[bytes, tuple[str, Office, object]] = {}  # (person key, office, its zone)
        self.agency_of: dict[str, int | None] = {}  # person key → agency, for every person seen
        self.tags: dict[bytes, tuple[str, str]] = {}
        self.days: dict[tuple[object, int], date] = {}

    def category(self, url: bytes) -> tuple[str, str | None]:
        """(host, category) of a URL; the cache is keyed by the URL up to its path."""
        start = url.find(b"://")
        key = url[start + 3 :].split(b"/", 1)[0] if start != -1 else url
        found = self.categories.get(key)
        if found is None:
            host = host_of_url(unquote(key.decode("utf-8", "replace")))
            found = self.categories[key] = (host, self.snapshot.matcher.category_of(host))
        return found

    def person(self, login: bytes) -> tuple[str, Office, object]:
        found = self.people.get(login)
        if found is None:
            person = self.snapshot.person(unquote(login.decode("utf-8", "replace")))
            key = person.key[:254]
            office = self.snapshot.office(person.agency_id)
            found = self.people[login] = (key, office, office.calendar.zone)
            self.agency_of[key] = person.agency_id
        return found

    def tag(self, tag: bytes) -> tuple[str, str]:
        found = self.tags.get(tag)
        if found is None:
            category, _, rule = unquote(tag.decode("utf-8", "replace")).partition(":")
            found = self.tags[tag] = (category, rule or "unknown")
        return found

    def day(self, office: Office, at: float) -> date:
        """Local day in the office's zone, cached per quarter hour (every UTC offset is whole quarters)."""
        key = (office.calendar.zone, int(at // 900))
        found = self.days.get(key)
        if found is None:
            found = self.days[key] = office.local_day(datetime.fromtimestamp(at, UTC))
        return found


def fingerprint(path: Path) -> str | None:
    """The hash of a file's first complete line, or None while it has none."""
    with path.open("rb") as handle:
        head = handle.read(FINGERPRINT_BYTES)
    end = head.find(b"\n")
    if end == -1:
        return None
    return hashlib.sha256(head[:end]).hexdigest()


def _lines(path: Path, offset: int) -> Iterator[tuple[list[bytes], int]]:
    """Complete lines from ``offset`` in chunks, each chunk with the file offset just after it.

    A line longer than a whole read is skipped and stands in the output as ``OVERLONG``.
    """
    with path.open("rb") as handle:
        handle.seek(offset)
        rest, skipping = b"", False
        while chunk := handle.read(READ_BYTES):
            data = rest + chunk
            cut = data.rfind(b"\n")
            if cut == -1:
                skipping = skipping or len(data) > MAX_LINE_BYTES
                if skipping:
                    offset, rest = offset + len(data), b""
                else:
                    rest = data
                continue
            lines = data[:cut].split(b"\n")
            if skipping:
                lines[0], skipping = OVERLONG, False
            rest = data[cut + 1 :]
            offset += cut + 1
            yield lines, offset


def import_log(
    session: Session,
    *,
    path: Path,
    on_batch: Callable[[ImportResult], None] | None = None,
    snapshot: PolicySnapshot | None = None,
) -> ImportResult:
    """Import what is new in ``path``. ``on_batch`` runs after each flushed batch (the CLI commits there)."""
    result = ImportResult(path=str(path))
    if not path.is_file():
        raise Invalid(f"{path} is not a readable file")
    result.total_bytes = path.stat().st_size
    digest = fingerprint(path)
    if digest is None:
        result.note = "the file has no complete line yet"
        return result
    source = session.scalar(select(AccessLogSource).where(AccessLogSource.fingerprint == digest))
    if source is None:
        source = AccessLogSource(fingerprint=digest, path=str(path), offset=0, lines=0, malformed=0, kept=0)
        session.add(source)
        session.flush()
    source.path = str(path)
    if result.total_bytes < source.offset:
        result.note = "the file is shorter than when it was last imported; nothing was imported"
        return result
    result.bytes_read = source.offset
    resolver = _Resolver(snapshot or load_snapshot(session, now=utcnow(), usage_days=0))
    pending: list[bytes] = []
    pending_end = source.offset
    for lines, end_offset in _lines(path, source.offset):
        pending += lines
        pending_end = end_offset
        if len(pending) >= BATCH_LINES:
            _import_batch(session, resolver, source, pending, pending_end, result)
            pending = []
            if on_batch is not None:
                on_batch(result)
    if pending or pending_end != source.offset:
        _import_batch(session, resolver, source, pending, pending_end, result)
        if on_batch is not None:
            on_batch(result)
    return result


def _import_batch(
    session: Session,
    resolver: _Resolver,
    source: AccessLogSource,
    raw_lines: list[bytes],
    end_offset: int,
    result: ImportResult,
) -> None:
    kept: dict[int, list[tuple[float, bytes]]] = defaultdict(list)  # by UTC day, so retention is to the day
    allowed: dict[tuple[str, str, date], list[float]] = defaultdict(list)
    denials: Counter[tuple[str, str, date, str]] = Counter()
    malformed = anonymous = uncategorised = 0
    tag_of, category_of, person_of, day_of = resolver.tag, resolver.category, resolver.person, resolver.day
    known_days, known_people = resolver.days, resolver.people
    # URLs repeat (a page's images, a feed polled every minute): their category is looked up once a batch.
    url_category: dict[bytes, str | None] = {}
    for index, raw in enumerate(raw_lines):
        try:
            fields = split_line(raw) if len(raw) <= MAX_LINE_BYTES else _overlong()
        except Malformed as exc:
            malformed += 1
            if len(result.examples) < MAX_EXAMPLES:
                result.examples.append(f"line {source.lines + index + 1}: {exc}")
            continue
        if fields is None:
            anonymous += 1
            continue
        at, login, url, denied, tag = fields
        category: str | None
        if tag is not None:
            category, rule = tag_of(tag)
        else:
            rule = "unknown"
            if url in url_category:
                category = url_category[url]
            else:
                category = url_category[url] = category_of(url)[1]
        if category is None:
            uncategorised += 1
            continue
        person, office, zone = known_people.get(login) or person_of(login)
        day = known_days.get((zone, int(at // 900))) or day_of(office, at)
        kept[int(at // 86400)].append((at, raw))
        if denied:
            denials[(person, category, day, rule)] += 1
        else:
            allowed[(person, category, day)].append(at)
    for day_lines in kept.values():
        instants = [at for at, _ in day_lines]
        session.add(
            AccessLogChunk(
                source_id=source.id,
                first_at=datetime.fromtimestamp(min(instants), UTC),
                last_at=datetime.fromtimestamp(max(instants), UTC),
                lines=len(day_lines),
                body=zlib.compress(b"\n".join(raw for _, raw in day_lines), 1),
            )
        )
    kept_count = sum(len(day_lines) for day_lines in kept.values())
    _merge_sessions(session, resolver.snapshot, allowed, resolver.agency_of)
    _add_denials(session, denials, resolver.agency_of)
    source.offset = end_offset
    source.lines += len(raw_lines)
    source.malformed += malformed
    source.kept += kept_count
    session.flush()
    result.lines += len(raw_lines)
    result.malformed += malformed
    result.kept += kept_count
    result.anonymous += anonymous
    result.uncategorised += uncategorised
    result.bytes_read = end_offset


def _chunks(keys: list[tuple[str, str, date]]) -> Iterator[list[tuple[str, str, date]]]:
    for start in range(0, len(keys), _QUERY_CHUNK):
        yield keys[start : start + _QUERY_CHUNK]


def _merge_sessions(
    session: Session,
    snapshot: PolicySnapshot,
    allowed: dict[tuple[str, str, date], list[float]],
    agency_of: dict[str, int | None],
) -> None:
    """Fold the batch's allowed requests into the stored sessions of the same person, category and day."""
    keys = sorted(allowed)
    found: dict[tuple[str, str, date], list[Span]] = defaultdict(list)
    stale: list[int] = []
    for chunk in _chunks(keys):
        query = select(
            AccessSession.id,
            AccessSession.person,
            AccessSession.category,
            AccessSession.day,
            AccessSession.start,
            AccessSession.end,
            AccessSession.requests,
        ).where(tuple_(AccessSession.person, AccessSession.category, AccessSession.day).in_(chunk))
        for row_id, person, category, day, began, ended, requests in session.execute(query):
            found[(person, category, day)].append((began.timestamp(), ended.timestamp(), requests))
            stale.append(row_id)
    for offset in range(0, len(stale), _QUERY_CHUNK):
        session.execute(delete(AccessSession).where(AccessSession.id.in_(stale[offset : offset + _QUERY_CHUNK])))
    rows = []
    for key in keys:
        person, category, day = key
        windows = snapshot.office(agency_of.get(person)).windows(day)
        spans = found.get(key, [])
        spans += [(t, t + REQUEST_SECONDS, 1) for t in allowed[key]]
        for begin, finish, requests in merge_sessions(spans):
            rows.append(
                {
                    "person": person,
                    "agency_id": agency_of.get(person),
                    "category": category,
                    "day": day,
                    "start": datetime.fromtimestamp(begin, UTC),
                    "end": datetime.fromtimestamp(finish, UTC),
                    "requests": requests,
                    "minutes": round((finish - begin) / 60.0, 3),
                    "office_minutes": round(overlap_seconds([(begin, finish)], windows) / 60.0, 3),
                }
            )
    if rows:
        session.execute(insert(Base.metadata.tables[AccessSession.__tablename__]), rows)


def _add_denials(
    session: Session, denials: Counter[tuple[str, str, date, str]], agency_of: dict[str, int | None]
) -> None:
    keys = list(denials)
    existing: dict[tuple[str, str, date, str], AccessDenial] = {}
    for start in range(0, len(keys), _QUERY_CHUNK):
        chunk = keys[start : start + _QUERY_CHUNK]
        query = select(AccessDenial).where(
            tuple_(AccessDenial.person, AccessDenial.category, AccessDenial.day, AccessDenial.rule).in_(chunk)
        )
        for row in session.scalars(query):
            existing[(row.person, row.category, row.day, row.rule)] = row
    new_rows: list[dict[str, object]] = []
    for key, count in denials.items():
        found = existing.get(key)
        if found is not None:
            found.count += count
        else:
            person, category, day, rule = key
            new_rows.append(
                {
                    "person": person,
                    "agency_id": agency_of.get(person),
                    "category": category,
                    "day": day,
                    "rule": rule,
                    "count": count,
                }
            )
    if new_rows:
        session.execute(insert(Base.metadata.tables[AccessDenial.__tablename__]), new_rows)


def raw_lines(session: Session, *, since: datetime, until: datetime, login: str | None = None) -> Iterator[str]:
    """Kept lines between two instants (still within the retention period), optionally of one login."""
    wanted = login.strip().lower() if login else None
    query = (
        select(AccessLogChunk.body)
        .where(AccessLogChunk.last_at >= since, AccessLogChunk.first_at <= until)
        .order_by(AccessLogChunk.first_at, AccessLogChunk.id)
    )
    low, high = since.timestamp(), until.timestamp()
    for body in session.scalars(query):
        for raw in zlib.decompress(body).split(b"\n"):
            fields = split_line(raw)
            if fields is None or not low <= fields[0] <= high:
                continue
            if wanted is None or unquote(fields[1].decode("utf-8", "replace")).lower() == wanted:
                yield raw.decode("utf-8", "replace")


def purge(session: Session, *, retention_days: int, now: datetime) -> int:
    """Delete raw lines older than the retention period (and helper grants older than two days)."""
    cutoff = now - timedelta(days=retention_days)
    lines = sum(session.scalars(select(AccessLogChunk.lines).where(AccessLogChunk.last_at < cutoff)))
    session.execute(delete(AccessLogChunk).where(AccessLogChunk.last_at < cutoff))
    session.execute(delete(AccessGrant).where(AccessGrant.day < (now - timedelta(days=2)).date()))
    return lines
