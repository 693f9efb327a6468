"""Feedback gathered elsewhere (surveys, letters, meetings) imported from a CSV file, exactly once.

Each row becomes one inbound message (platform ``csv``) of an agency's account, in one ``import``
conversation per file. A row's id is a hash of the account and the row's normalized content, so
importing the same file again — or a longer version of it — adds only rows not seen before.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.service import get_agency_by_code, zone_name_of
from civicloop.channels import registry
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind
from civicloop.channels.service import record_inbound
from civicloop.errors import Invalid, NotFound
from civicloop.kit import csvfile
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import zone

FIELDS = ("text", "author", "created")
# Column names tried, in order, when --map does not name one (compared case-insensitively).
GUESSES = {
    "text": ("text", "message", "comment", "feedback", "body", "response"),
    "author": ("author", "name", "from", "respondent"),
    "created": ("created", "created_at", "date", "time", "timestamp", "submitted"),
}
MAX_TEXT = 20_000
BATCH_SIZE = 500
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y/%m/%d")
PLATFORM = "csv"


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class ImportReport:
    file: str
    agency: str
    account: str
    rows: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    guessed: str | None = None  # the CSV dialect guessed, when asked to guess

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "guessed_dialect": self.guessed,
            "agency": self.agency,
            "account": self.account,
            "rows": self.rows,
            "added": self.added,
            "duplicates": self.duplicates,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
        }


def parse_map(spec: str | None) -> dict[str, str]:
    """``"text=Comment,author=Name"`` → ``{"text": "Comment", "author": "Name"}``."""
    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        key, sep, column = part.partition("=")
        key = key.strip().lower()
        if not sep or not column.strip():
            raise Invalid(f"--map entry {part.strip()!r} must be written FIELD=COLUMN")
        if key not in FIELDS:
            raise Invalid(f"--map knows the fields {', '.join(FIELDS)}, not {key!r}")
        mapping[key] = column.strip()
    return mapping


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise Invalid(f"{path.name} is empty: a CSV import needs a header row and at least one row")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")  # Excel's "Unicode text"
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Invalid(
            f'{path.name} is not UTF-8 text (first bad byte on line {line}); save it as "CSV UTF-8" and try again'
        ) from exc


def _columns(header: list[str], mapping: dict[str, str], name: str) -> dict[str, int]:
    lowered = {column.strip().lower(): index for index, column in enumerate(header)}
    found: dict[str, int] = {}
    for key in FIELDS:
        wanted = mapping.get(key)
        if wanted is not None:
            if wanted.lower() not in lowered:
                raise Invalid(
                    f"column {wanted!r} (for {key}) is not in {name}; its columns are: {', '.join(header) or 'none'}"
                )
            found[key] = lowered[wanted.lower()]
            continue
        guess = next((lowered[g] for g in GUESSES[key] if g in lowered), None)
        if guess is not None:
            found[key] = guess
    if "text" not in found:
        raise Invalid(
            f"{name} has no text column (tried {', '.join(GUESSES['text'])}); name it with --map text=COLUMN. "
            f"Its columns are: {', '.join(header) or 'none'}"
        )
    return found


def read_rows(
    path: Path, mapping: dict[str, str], *, guess_dialect: bool = False
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]], int, str | None]:
    """(header, rows as (line number, {field: value}), number of data rows, the dialect guessed if
    ``guess_dialect``); the file is RFC 4180 otherwise. Clear errors for bad files."""
    table = csvfile.parse(_decode(path), name=path.name, guess=guess_dialect)
    lines = ((line, row) for line, row in table.rows() if any(cell.strip() for cell in row))
    try:
        _, header = next(lines)
    except StopIteration as exc:
        raise Invalid(f"{path.name} has no header row") from exc
    columns = _columns(header, mapping, path.name)
    total = sum(1 for _ in lines)
    if total <= 0:
        raise Invalid(f"{path.name} has a header but no rows to import")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        data = ((line, row) for line, row in table.rows() if any(cell.strip() for cell in row))
        next(data)  # the header
        for line, row in data:
            yield line, {key: (row[index] if index < len(row) else "") for key, index in columns.items()}

    return header, rows(), total, table.guessed


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def parse_created(value: str, zone_name: str, now: datetime) -> datetime:
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"date {value!r} is not understood (use 2026-03-02, 2026-03-02T09:30 or 02/03/2026)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(zone_name))
    parsed = parsed.astimezone(UTC)
    if parsed > now:
        raise ValueError(f"date {value!r} is in the future")
    return parsed


def _account(session: Session, agency: Agency, account_name: str | None) -> OfficialAccount:
    query = select(OfficialAccount).where(OfficialAccount.agency_id == agency.id)
    if account_name is None:
        # Without a name, the agency's feedback-form account (a platform whose replies answer a form).
        forms = [s.name for s in registry.PLATFORMS.values() if s.form_reply is not None]
        query = query.where(OfficialAccount.platform.in_(forms))
    else:
        query = query.where(OfficialAccount.name == account_name)
    accounts = list(session.scalars(query.order_by(OfficialAccount.id)))
    if not accounts:
        if account_name is None:
            raise NotFound(f"{agency.code} has no web-form account to hold imported feedback; name one with --account")
        raise NotFound(f"{agency.code} has no account named {account_name!r}")
    return accounts[0]


def row_id(account_id: int, text: str, author: str, created: str) -> str:
    """The row's stable id: the same content imported again into the same account is recognized."""
    content = "\x1f".join((str(account_id), _normalize(text), _normalize(author), created.strip()))
    return "csv:" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:40]


def import_csv(
    session: Session,
    *,
    path: Path,
    agency_code: str,
    account_name: str | None = None,
    column_map: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: Callable[[], None] | None = None,
    batch_size: int = BATCH_SIZE,
    guess_dialect: bool = False,
) -> ImportReport:
    """Import ``path``. ``progress(rows_done, rows_total)`` runs after every row; ``checkpoint()`` after
    every ``batch_size`` rows and at the end — the caller commits there, so an interrupted import keeps
    what it did and a second run adds only the rest."""
    if not path.is_file():
        raise NotFound(f"no file {str(path)!r}")
    agency = get_agency_by_code(session, agency_code)
    account = _account(session, agency, account_name)
    _header, rows, total, guessed = read_rows(path, column_map or {}, guess_dialect=guess_dialect)
    report = ImportReport(file=path.name, agency=agency.code, account=account.name, guessed=guessed)
    file_ref = "csv-file:" + hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    zone_name = zone_name_of(agency)
    now = utcnow()
    for line, values in rows:
        report.rows += 1
        text = values.get("text", "").strip()
        author = values.get("author", "").strip()
        try:
            if not text:
                raise ValueError("the text is empty")
            if len(text) > MAX_TEXT:
                raise ValueError(f"the text has {len(text):,} characters; the limit is {MAX_TEXT:,}")
            created = parse_created(values["created"], zone_name, now) if values.get("created", "").strip() else now
        except ValueError as exc:
            report.rejected.append(Rejected(line, str(exc)))
        else:
            contact = None
            if author:
                author_key = hashlib.sha256(_normalize(author).lower().encode()).hexdigest()[:24]
                contact = ContactRef(f"csv-author:{author_key}", author[:200])
            recorded = record_inbound(
                session,
                account=account,
                platform=PLATFORM,
                inbound=Inbound(
                    action=Action.message,
                    account_ref=account.external_id,
                    conversation_kind=ConversationKind.import_,
                    conversation_ref=file_ref,
                    created_at=created,
                    external_id=row_id(account.id, text, author, values.get("created", "")),
                    contact=contact,
                    text=text,
                    subject=f"Imported from {path.name}"[:300],
                ),
            )
            if recorded.created:
                report.added += 1
            else:
                report.duplicates += 1
        if progress is not None:
            progress(report.rows, total)
        if checkpoint is not None and report.rows % batch_size == 0:
            checkpoint()
    if checkpoint is not None and report.rows % batch_size:
        checkpoint()
    return report
