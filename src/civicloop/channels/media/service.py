"""Recording citizens' attachments and downloading them: checked by their bytes, kept under their SHA-256.

A new inbound message's attachments become ``media_files`` rows (``record_attachments``, from the
``ON_MESSAGE`` hook) and a job downloads them right away, because the platforms' links expire (Meta's CDN
links within days, signed by ``oe``/``oh``). What is kept is checked as uploads are (``kit.uploads``): the
type is proven by the leading bytes, never taken from the platform's or the sender's word; PDFs with scripts
and images with too many pixels are refused; HTML, SVG and programs are never kept.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels import registry
from civicloop.channels.base import AppAccount
from civicloop.channels.media import storage
from civicloop.channels.media.download import Refused, Wanted, size, stream
from civicloop.channels.media.models import MediaFile, MediaStatus
from civicloop.channels.models import Message
from civicloop.config import get_settings
from civicloop.errors import AppError, Invalid, NotFound, PayloadTooLarge
from civicloop.kit import uploads
from civicloop.kit.clock import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_SECONDS = 60.0
KEPT_TYPES = "images (PNG, JPEG, WebP), PDF documents, video (MP4, QuickTime, WebM) and audio (Ogg, MP3, AAC, AMR, M4A)"
# Audio and video, proven by their containers' magic bytes (the upload checks cover images and PDFs).
PLAYABLE = (
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "audio/mp4",
    "audio/ogg",
    "audio/mpeg",
    "audio/aac",
    "audio/amr",
)


@dataclass(frozen=True)
class Fetched:
    status: MediaStatus
    error: str | None = None
    retry: bool = False


def sniff_media(data: bytes) -> str | None:
    """The audio or video type the leading bytes prove, or None."""
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if data.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"#!AMR"):
        return "audio/amr"
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0:
        return "audio/aac"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def check_media(data: bytes, *, name: str) -> str:
    """The proven content type of a citizen's file, or an AppError saying why it is not kept."""
    limit = get_settings().max_media_bytes
    if len(data) > limit:
        raise PayloadTooLarge(f"{name} is larger than the limit of {size(limit)}")
    playable = sniff_media(data)
    if playable is not None:
        return playable
    if data and uploads.sniff(data) is None:
        raise Invalid(f"{name} is {uploads.describe(data)}; {KEPT_TYPES} are kept")
    return uploads.check(data, filename=name, limit=limit)


def record_attachments(session: Session, message: Message) -> list[int]:
    """A ``media_files`` row for each of a new inbound message's attachments that can be downloaded (a link,
    or an id the platform's ``MediaSource`` fetches); returns the ids to download. Each attachment in the
    message is tagged with its record's id."""
    attachments: list[dict[str, Any]] = [dict(a) for a in message.attachments or [] if isinstance(a, dict)]
    by_id = registry.spec(message.platform).media is not None
    created = []
    for position, attachment in enumerate(attachments):
        url = str(attachment.get("url") or "")
        media_ref = _media_ref(attachment)
        linked = url.startswith(("https://", "http://"))
        if not (linked or (by_id and media_ref)) or "media_file_id" in attachment:
            continue
        row = MediaFile(
            agency_id=message.agency_id,
            message_id=message.id,
            account_id=message.account_id,
            position=position,
            platform=message.platform,
            kind=str(attachment.get("type") or "file")[:16],
            # The platform's own id of the file, under whichever key its provider put it.
            platform_media_id=media_ref[:255] or None,
            platform_message_id=message.external_id,
            source_url=url[:4000] if linked else "",
        )
        session.add(row)
        session.flush()
        attachment["media_file_id"] = row.id
        created.append(row.id)
    if created:
        message.attachments = attachments
    return created


def _media_ref(attachment: dict[str, Any]) -> str:
    return str(attachment.get("media_id") or attachment.get("file_id") or attachment.get("id") or "")


@dataclass(frozen=True)
class Claimed:
    """One attachment to download, with what the download needs (read in one transaction, used outside it)."""

    media_id: int
    platform: str
    name: str
    wanted: Wanted
    account: AppAccount | None
    attempts: int


def claim(session: Session, media_id: int) -> Claimed | None:
    """Count an attempt at a pending attachment and say what to download; None if it is not pending."""
    row = session.get(MediaFile, media_id)
    if row is None or row.status != MediaStatus.pending.value:
        return None
    row.attempts += 1
    account = session.get(OfficialAccount, row.account_id)
    target = (
        AppAccount(account.id, account.agency_id, account.external_id, dict(account.credentials or {}))
        if account is not None
        else None
    )
    return Claimed(
        media_id=row.id,
        platform=row.platform,
        name=f"the {row.kind} sent with message {row.platform_message_id or row.message_id}",
        wanted=Wanted(row.kind, row.platform_media_id or "", row.source_url),
        account=target,
        attempts=row.attempts,
    )


@dataclass(frozen=True)
class Downloaded:
    status: MediaStatus
    data: bytes = b""
    content_type: str = ""
    error: str | None = None
    retry: bool = False


def download(claimed: Claimed, http: httpx.Client, token: Callable[[str | None], str]) -> Downloaded:
    """Fetch and check one attachment, outside any transaction (a platform's source may need the account's
    cached access token, which is fetched in a transaction of its own)."""
    spec = registry.spec(claimed.platform)
    limit = get_settings().max_media_bytes
    again = claimed.attempts < MAX_ATTEMPTS
    try:
        if spec.media is not None and claimed.account is not None:
            got = spec.media.download(claimed.account, claimed.wanted, http, limit=limit, token=token)
        elif claimed.wanted.url:
            got = stream(http, claimed.wanted.url, limit=limit, label=spec.name)
        else:
            return Downloaded(MediaStatus.failed, error=f"{spec.label} gave no link to the file")
        content_type = check_media(got.data, name=claimed.name)
    except Refused as exc:
        retry = exc.retry and again
        return Downloaded(MediaStatus.pending if retry else MediaStatus.failed, error=exc.reason, retry=retry)
    except httpx.HTTPError as exc:
        reason = f"{spec.name} could not be reached: {exc.__class__.__name__}"
        return Downloaded(MediaStatus.pending if again else MediaStatus.failed, error=reason, retry=again)
    except AppError as exc:
        return Downloaded(MediaStatus.refused, error=f"not kept: {exc.message}")
    return Downloaded(MediaStatus.stored, got.data, content_type)


def keep(session: Session, media_id: int, downloaded: Downloaded, *, attempts: int) -> Fetched:
    """Put a downloaded file in the store and record how it went on its row. Never commits."""
    row = session.get(MediaFile, media_id)
    if row is None or row.status != MediaStatus.pending.value:
        return Fetched(MediaStatus(row.status) if row else MediaStatus.failed)
    if downloaded.status is not MediaStatus.stored:
        return _settle(session, row, downloaded.status, downloaded.error, downloaded.retry)
    data = downloaded.data
    digest = hashlib.sha256(data).hexdigest()
    key = storage.key_for(digest)
    try:
        store = storage.current()
        store.put(key, data, downloaded.content_type)
    except storage.StoreFailed as exc:
        retry = attempts < MAX_ATTEMPTS
        return _settle(session, row, MediaStatus.pending if retry else MediaStatus.failed, str(exc), retry)
    row.sha256, row.storage_key, row.store = digest, key, store.name
    row.size, row.content_type, row.fetched_at = len(data), downloaded.content_type, utcnow()
    return _settle(session, row, MediaStatus.stored, None, False)


def _settle(session: Session, row: MediaFile, status: MediaStatus, error: str | None, retry: bool) -> Fetched:
    row.status, row.error = status.value, error
    if error:
        log.warning("media %s of message %s: %s", row.id, row.message_id, error)
    message = session.get(Message, row.message_id)
    if message is not None:
        attachments = [dict(a) for a in message.attachments or []]
        if row.position < len(attachments):
            attachments[row.position] |= {
                "media_file_id": row.id,
                "status": status.value,
                "content_type": row.content_type,
            }
            if error:
                attachments[row.position]["error"] = error
            message.attachments = attachments
    return Fetched(status, error, retry)


def pending_ids(session: Session, *, limit: int = 200) -> list[int]:
    """Attachments still to download (a lost job, a retry due), oldest first."""
    query = select(MediaFile.id).where(MediaFile.status == MediaStatus.pending.value).order_by(MediaFile.id)
    return list(session.scalars(query.limit(limit)))


def read(row: MediaFile) -> bytes:
    """The bytes of a stored file, from the store it was kept in."""
    return storage.named(row.store or "local").get(row.storage_key or "")


def for_agency(session: Session, *, media_id: int, agency_ids: set[int] | None) -> MediaFile:
    """A stored file the official may see (NotFound otherwise, so another agency's is not confirmed)."""
    row = session.get(MediaFile, media_id)
    if row is None or row.status != MediaStatus.stored.value or row.storage_key is None:
        raise NotFound("file not found")
    if agency_ids is not None and row.agency_id not in agency_ids:
        raise NotFound("file not found")
    return row
