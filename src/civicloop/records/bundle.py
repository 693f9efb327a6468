"""A records bundle: a zip whose ``manifest.json`` lists every other file with its SHA-256, signed with the
deployment's Ed25519 key, so that anyone can check offline that nothing in it was changed, added or removed.

Layout of the signature files (both outside the manifest):

- ``manifest.sig``: JSON ``{"key_id", "manifest_sha256", "signature"}``; ``signature`` is the base64
  Ed25519 signature over the exact bytes of ``manifest.json``.
- ``public_key.pem``: the public key (its id, the first 16 hex digits of the SHA-256 of the raw key, is the
  one the deployment publishes on its transparency page).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from civicloop.audit.checkpoints import CheckpointError, key_id, load_public_key, public_pem

FORMAT = "civicloop-records-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public_key.pem"
SIGNATURE_FILES = frozenset({MANIFEST, SIGNATURE, PUBLIC_KEY})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class BundleWriter:
    """Write files into a zip, remembering each one's hash for the signed manifest."""

    out: IO[bytes]
    files: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.zip = zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: set[str] = set()

    def add(self, name: str, data: bytes, *, compress: bool = True) -> None:
        """``compress=False`` for what is compressed already (PDFs): deflating it again costs time for nothing."""
        if name in self._names or name in SIGNATURE_FILES:
            raise ValueError(f"{name} is already in the bundle")
        self._names.add(name)
        self.zip.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
        self.files.append({"path": name, "sha256": sha256(data), "size": len(data)})

    def add_lines(self, name: str, records: Iterator[dict[str, Any]]) -> int:
        """A JSON Lines file, one record per line; the number of records."""
        lines = [json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) for record in records]
        self.add(name, ("\n".join(lines) + ("\n" if lines else "")).encode())
        return len(lines)

    def sign_and_close(self, key: Ed25519PrivateKey, about: dict[str, Any]) -> dict[str, Any]:
        manifest = {"format": FORMAT, **about, "files": self.files}
        body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
        public = key.public_key()
        signature = {
            "key_id": key_id(public),
            "manifest_sha256": sha256(body),
            "signature": base64.b64encode(key.sign(body)).decode(),
        }
        self.zip.writestr(MANIFEST, body)
        self.zip.writestr(SIGNATURE, json.dumps(signature, indent=1).encode())
        self.zip.writestr(PUBLIC_KEY, public_pem(public).encode())
        self.zip.close()
        return manifest


@dataclass(frozen=True)
class Verdict:
    ok: bool
    files: int
    key_id: str | None
    problems: list[str]  # each names the file: "data/messages.jsonl: changed (…)"


def verify(path: Path, expected_public_key: Ed25519PublicKey | None = None) -> Verdict:
    """Check a bundle offline: its signature, then every file against the manifest, and nothing extra."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verdict(False, 0, None, [f"{path.name}: not a readable zip file ({exc})"])
    with archive:
        manifest, signer, problems = _check_signature(archive, expected_public_key)
        if manifest is None:
            return Verdict(False, 0, signer, problems)
        return _check_files(archive, manifest, signer, problems)


def _read(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:  # a damaged member (its CRC no longer matches)
        raise _Damaged(f"{name}: cannot be read ({exc})") from exc


class _Damaged(Exception):
    pass


def _check_signature(
    archive: zipfile.ZipFile, expected: Ed25519PublicKey | None
) -> tuple[dict[str, Any] | None, str | None, list[str]]:
    try:
        body, sig_body, pem = (_read(archive, n) for n in (MANIFEST, SIGNATURE, PUBLIC_KEY))
    except _Damaged as exc:
        return None, None, [str(exc)]
    missing = [n for n, v in ((MANIFEST, body), (SIGNATURE, sig_body), (PUBLIC_KEY, pem)) if v is None]
    if missing or body is None or sig_body is None or pem is None:
        return None, None, [f"{name}: missing (removed from the bundle)" for name in missing]
    try:
        public = load_public_key(pem)
    except CheckpointError as exc:
        return None, None, [f"{PUBLIC_KEY}: changed ({exc})"]
    signer = key_id(public)
    if expected is not None and key_id(expected) != signer:
        return None, signer, [f"{PUBLIC_KEY}: signed by key {signer}, not the expected {key_id(expected)}"]
    try:
        signature = json.loads(sig_body)
        raw_signature = base64.b64decode(signature["signature"], validate=True)
        recorded_hash, recorded_key = signature["manifest_sha256"], signature["key_id"]
    except (ValueError, KeyError, TypeError) as exc:
        return None, signer, [f"{SIGNATURE}: changed (unreadable: {exc})"]
    if recorded_key != signer:
        return None, signer, [f"{PUBLIC_KEY}: changed (its key is {signer}, the signature names {recorded_key})"]
    try:
        public.verify(raw_signature, body)
    except InvalidSignature:
        if recorded_hash != sha256(body):
            return None, signer, [f"{MANIFEST}: changed (its SHA-256 is not the one signed)"]
        return None, signer, [f"{SIGNATURE}: changed (the signature does not match {MANIFEST})"]
    if recorded_hash != sha256(body):
        return None, signer, [f"{SIGNATURE}: changed (the manifest's SHA-256 it records is wrong)"]
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        return None, signer, [f"{MANIFEST}: unreadable ({exc})"]
    if manifest.get("format") != FORMAT:
        return None, signer, [f"{MANIFEST}: not a {FORMAT} manifest"]
    return manifest, signer, []


def _check_files(
    archive: zipfile.ZipFile, manifest: dict[str, Any], signer: str | None, problems: list[str]
) -> Verdict:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    present = [info.filename for info in archive.infolist() if info.filename not in SIGNATURE_FILES]
    for name in present:
        if name not in listed:
            problems.append(f"{name}: added (not in the signed manifest)")
    names = set(present)
    for name, entry in listed.items():
        if name not in names:
            problems.append(f"{name}: removed (listed in the signed manifest)")
            continue
        try:
            data = _read(archive, name)
        except _Damaged as exc:
            problems.append(str(exc))
            continue
        if data is None or sha256(data) != entry["sha256"] or len(data) != entry["size"]:
            problems.append(f"{name}: changed (its SHA-256 is not the manifest's)")
    return Verdict(not problems, len(listed), signer, problems)
