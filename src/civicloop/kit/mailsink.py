"""A local mail sink: a real SMTP server (aiosmtpd) that keeps every message as an ``.eml`` file in a folder.

``make demo`` starts it as its own process (``python -m civicloop.kit.mailsink --port N --folder F``) and
points ``CIVICLOOP_SMTP_URL`` at it, so email replies to web-form citizens really go out over SMTP and
can be read afterwards: as files, or on the page ``/demo-mail`` that ``CIVICLOOP_MAIL_SINK_DIR`` turns on.
It accepts mail for anyone and delivers nothing onwards. Never point a production deployment at it.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

NAME_RE = re.compile(r"^\d{8}T\d{12}-\d{6}\.eml$")


class FolderHandler:
    """aiosmtpd handler: each accepted message becomes ``<UTC time>-<n>.eml`` in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{self.count:06d}.eml"
        data = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, self.folder / name)  # readers never see half a message
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Stored:
    name: str
    to: str
    subject: str
    date: str
    body: str


def read(folder: Path, name: str) -> Stored | None:
    """One stored message, by its file name (``None`` for anything that is not one of ours)."""
    if not NAME_RE.match(name):
        return None
    path = folder / name
    if not path.is_file():
        return None
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if part is not None else ""
    return Stored(name, str(message["To"] or ""), str(message["Subject"] or ""), str(message["Date"] or ""), body)


def stored(folder: Path, limit: int = 200) -> list[Stored]:
    """The newest messages first."""
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.glob("*.eml")), reverse=True)[:limit]
    return [m for m in (read(folder, n) for n in names) if m is not None]


def serve(host: str, port: int, folder: Path) -> None:
    from aiosmtpd.controller import Controller

    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(FolderHandler(folder), hostname=host, port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    serve(args.host, args.port, args.folder)


if __name__ == "__main__":
    main()
