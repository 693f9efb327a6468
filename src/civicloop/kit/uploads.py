"""Uploaded files: checked by their bytes (never by the name or the browser's claim), stored under a random name.

Only PDF documents and PNG, JPEG or WebP images are accepted. SVG and HTML are refused outright because a
browser would run scripts inside them. PDFs are read with a real parser (pypdf), so that names written with
``#xx`` escapes and objects packed in compressed object streams are seen as a PDF reader sees them; any that
carry JavaScript, launch actions or embedded files are refused, and so are PDFs that cannot be parsed at all.
Images are opened with Pillow to read their dimensions only, so a decompression bomb is refused unread.
Files are served back with the type found here, ``X-Content-Type-Options: nosniff`` and a sandboxing CSP.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote

from PIL import Image

from civicloop.config import get_settings
from civicloop.errors import Invalid, NotFound, PayloadTooLarge

if TYPE_CHECKING:
    # pypdf is imported when a PDF is checked: every process that imports this module (the app, workers,
    # the CLI) would otherwise pay for it at start-up, and most never read a PDF.
    from pypdf import PdfReader
    from pypdf.generic import PdfObject

UPLOADS = "uploads"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
# Active content in a PDF: keys that hold scripts, forms with scripts or embedded files, and action types that
# run scripts, start programs or open embedded documents (ISO 32000-2, 12.6.4).
PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/XFA"})
PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/GoToE", "/ImportData", "/RichMediaExecute"})
# A 10 MB file holds far fewer objects than this; the walk stops here rather than chase a crafted maze.
PDF_MAX_OBJECTS = 200_000
PIL_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
log = logging.getLogger(__name__)
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg|webp)$")


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The content type proven by the leading bytes, or None for anything not on the allowed list."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def describe(data: bytes) -> str:
    """A human name for a refused file, so the message says what was uploaded."""
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        return "an SVG image (it can carry scripts)"
    if head.startswith((b"<!doctype html", b"<html")) or b"<script" in head:
        return "an HTML page"
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP or Office file"
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        return "a program"
    if data.startswith(b"GIF8"):
        return "a GIF image"
    return "a file of an unknown type"


def clean_filename(name: str, content_type: str) -> str:
    """A display name without folders or control characters, ending in the extension of the proven type."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"\s+", " ", stem)[:120] or "file"
    return stem + EXTENSIONS[content_type]


def read_limited(stream: BinaryIO, limit: int | None = None) -> bytes:
    """Read at most the configured limit; one byte more means the file is too large."""
    maximum = limit if limit is not None else get_settings().max_upload_bytes
    data = stream.read(maximum + 1)
    if len(data) > maximum:
        raise PayloadTooLarge(f"the file is larger than the limit of {maximum / 1_048_576:.1f} MB")
    return data


def check(data: bytes, *, filename: str, images_only: bool = False, limit: int | None = None) -> str:
    """Return the proven content type or raise with a message that names the problem."""
    maximum = limit if limit is not None else get_settings().max_upload_bytes
    if not data:
        raise Invalid(f"{filename or 'the file'} is empty", field="file")
    if len(data) > maximum:
        raise PayloadTooLarge(f"{filename} is larger than the limit of {maximum / 1_048_576:.1f} MB")
    content_type = sniff(data)
    allowed = "PNG, JPEG or WebP images" if images_only else "PDF documents and PNG, JPEG or WebP images"
    if content_type is None or (images_only and content_type not in IMAGE_TYPES):
        found = "a PDF document" if content_type == "application/pdf" else describe(data)
        raise Invalid(f"{filename or 'the file'} is {found}; only {allowed} are accepted", field="file")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise Invalid(f"{filename} is not a complete PDF document", field="file")
        if pdf_is_active(data, filename=filename):
            raise Invalid(f"{filename} contains scripts or embedded programs; save it as a plain PDF", field="file")
    else:
        _check_image(data, content_type, filename=filename)
    return content_type


def _pdf_objects(reader: PdfReader) -> Iterator[PdfObject]:
    """Every object reachable from the trailer, each indirect object once (a viewer can reach no others)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen or len(seen) > PDF_MAX_OBJECTS:
                continue
            seen.add((item.idnum, item.generation))
            stack.append(item.get_object())  # type: ignore[arg-type]
        elif isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def pdf_is_active(data: bytes, *, filename: str) -> bool:
    """Whether a PDF holds scripts, launch actions or embedded files, as a PDF reader would decode it."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import DictionaryObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Invalid(f"{filename} is password-protected, so it cannot be checked; save it without", field="file")
        for item in _pdf_objects(reader):
            assert isinstance(item, DictionaryObject)
            if PDF_ACTIVE_KEYS.intersection(item.keys()) or item.get("/S") in PDF_ACTIVE_ACTIONS:
                return True
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        log.info("refused an unreadable PDF: %s", exc)
        raise Invalid(f"{filename} could not be read as a PDF document", field="file") from exc
    return False


def _check_image(data: bytes, content_type: str, *, filename: str) -> None:
    """Read only the header: the dimensions decide, before anything decodes the pixels."""
    limit = get_settings().max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                found = PIL_FORMATS.get(image.format or "")
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        # Pillow refuses outright what it thinks a bomb; the message below gives the dimensions instead.
        if isinstance(exc, Image.DecompressionBombError):
            raise Invalid(
                f"{filename} has too many pixels; the largest accepted is {limit:,} pixels", field="file"
            ) from exc
        raise Invalid(f"{filename} could not be read as an image", field="file") from exc
    if found != content_type:
        raise Invalid(f"{filename} could not be read as an image", field="file")
    if width * height > limit:
        raise Invalid(
            f"{filename} is {width} × {height} pixels; the largest accepted is {limit:,} pixels in all", field="file"
        )


def upload_dir() -> Path:
    folder = get_settings().data_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(data: bytes, *, filename: str, images_only: bool = False) -> StoredFile:
    """Check and write the bytes under a random name; the caller records the returned facts."""
    content_type = check(data, filename=filename, images_only=images_only)
    stored_name = secrets.token_hex(16) + EXTENSIONS[content_type]
    (upload_dir() / stored_name).write_bytes(data)
    return StoredFile(
        stored_name=stored_name,
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def path_of(stored_name: str) -> Path:
    """The file on disk; the name is checked against the shape ``store`` makes, so no path can escape."""
    if not STORED_NAME_RE.match(stored_name):
        raise NotFound("file not found")
    path = upload_dir() / stored_name
    if not path.is_file():
        raise NotFound("file not found")
    return path


def remove(stored_name: str) -> None:
    if STORED_NAME_RE.match(stored_name):
        (upload_dir() / stored_name).unlink(missing_ok=True)


def download_headers(filename: str, content_type: str) -> dict[str, str]:
    """Images display inline; documents download. Nothing is sniffed, framed or allowed to run scripts."""
    disposition = "inline" if content_type in IMAGE_TYPES else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return {
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "public, max-age=86400",
    }
