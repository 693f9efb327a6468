"""Signed checkpoints of the audit chain's head, kept outside the database.

Someone who can write to the database can delete the newest entries and rewind the head, or edit an
entry and recompute every hash after it: the chain alone still verifies. A checkpoint is the head's
sequence number and hash at an instant, signed with the deployment's Ed25519 key and appended to a
file in the checkpoint folder (``DATA_DIR/audit`` unless configured), and published in the open data.
``audit verify`` then also demands that every checkpoint's entry exists and still has that hash.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditHead
from civicloop.config import get_settings
from civicloop.kit.clock import utcnow

KEY_FILE = "checkpoint_key.pem"
PUBLIC_KEY_FILE = "checkpoint_key.pub.pem"
CHECKPOINTS_FILE = "checkpoints.jsonl"
# The signed text names what it is, so a signature made by this key for anything else never passes.
PURPOSE = "civicloop-audit-checkpoint"


class CheckpointError(Exception):
    """A checkpoint file or key that cannot be read or trusted; the message says which and why."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        return json.dumps([PURPOSE, self.seq, self.hash, self.at], separators=(",", ":")).encode()


def folder() -> Path:
    settings = get_settings()
    return settings.audit_checkpoint_dir or settings.data_dir / "audit"


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except ValueError as exc:
        raise CheckpointError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("the public key is not an Ed25519 key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The deployment's checkpoint key, created (readable by its owner only) on first use."""
    path = folder() / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:  # O_EXCL: two processes starting together keep the same key (the loser reads the winner's)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 private key")
    public = path.parent / PUBLIC_KEY_FILE
    if not public.exists():
        public.write_text(public_pem(loaded.public_key()))
    return loaded


def deployment_public_key() -> Ed25519PublicKey | None:
    """The public half written beside the key; None before the first checkpoint (reading never creates a key)."""
    path = folder() / PUBLIC_KEY_FILE
    return load_public_key(path.read_bytes()) if path.exists() else None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / (path.name + ".lock")).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write(session: Session) -> Checkpoint | None:
    """Sign and append the head if it moved since the last checkpoint; None if there is nothing new.

    A head behind the last checkpoint is never signed: that is the rewind ``audit verify`` reports.
    """
    head = session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return None
    path = folder() / CHECKPOINTS_FILE
    key = signing_key()
    with _locked(path):
        previous = read(path)
        if previous and previous[-1].seq >= head.seq:
            return None
        unsigned = Checkpoint(head.seq, head.hash, utcnow().isoformat(), key_id(key.public_key()), "")
        signature = base64.b64encode(key.sign(unsigned.message())).decode()
        checkpoint = Checkpoint(**{**asdict(unsigned), "signature": signature})
        with path.open("a") as out:
            out.write(json.dumps(asdict(checkpoint), separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())
    return checkpoint


def read(path: Path) -> list[Checkpoint]:
    """The checkpoints of a ``checkpoints.jsonl`` file (one JSON object a line); [] if there is none."""
    if not path.exists():
        return []
    try:
        return [_checkpoint(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]
    except (ValueError, TypeError, KeyError) as exc:
        raise CheckpointError(f"{path} is not a checkpoint file: {exc}") from exc


def _checkpoint(row: Any) -> Checkpoint:
    if not isinstance(row, dict):
        raise TypeError("a checkpoint is a JSON object")
    return Checkpoint(
        seq=int(row["seq"]),
        hash=str(row["hash"]),
        at=str(row["at"]),
        key_id=str(row["key_id"]),
        signature=str(row["signature"]),
    )


def genuine(checkpoints: Sequence[Checkpoint], public_key: Ed25519PublicKey) -> dict[int, str]:
    """``{seq: hash}`` of the checkpoints, each signature checked; CheckpointError names the first bad one."""
    anchors: dict[int, str] = {}
    for checkpoint in checkpoints:
        try:
            public_key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.message())
        except (InvalidSignature, ValueError) as exc:
            raise CheckpointError(
                f"the checkpoint of entry {checkpoint.seq} ({checkpoint.at}) is not signed by this deployment's key"
            ) from exc
        anchors[checkpoint.seq] = checkpoint.hash
    return anchors


def anchors(path: Path | None = None, public_key_file: Path | None = None) -> dict[int, str]:
    """The signature-checked ``{seq: hash}`` of the deployment's checkpoints, or of a copy at ``path``
    (e.g. downloaded from the open data), checked with this deployment's key or ``public_key_file``."""
    checkpoints = read(path or folder() / CHECKPOINTS_FILE)
    if path is not None and not path.exists():
        raise CheckpointError(f"{path} does not exist")
    if not checkpoints:
        return {}
    if public_key_file is not None:
        try:
            public_key = load_public_key(public_key_file.read_bytes())
        except OSError as exc:
            raise CheckpointError(f"cannot read {public_key_file}: {exc.strerror}") from exc
    else:
        found = deployment_public_key()
        if found is None:
            raise CheckpointError(f"there are checkpoints but no public key {PUBLIC_KEY_FILE} in {folder()}")
        public_key = found
    return genuine(checkpoints, public_key)


def published() -> dict[str, Any]:
    """What the open data publishes: the public key, and the latest checkpoint (all of them are at
    ``/transparency/audit-checkpoints.jsonl``)."""
    try:
        checkpoints = read(folder() / CHECKPOINTS_FILE)
        public_key = deployment_public_key()
    except CheckpointError as exc:  # published as it is: `audit verify` says what is wrong
        return {"public_key": None, "key_id": None, "latest": None, "count": 0, "error": str(exc)}
    return {
        "public_key": public_pem(public_key) if public_key else None,
        "key_id": key_id(public_key) if public_key else None,
        "latest": asdict(checkpoints[-1]) if checkpoints else None,
        "count": len(checkpoints),
    }
