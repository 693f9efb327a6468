"""``civicloop demo``: a fresh demo database under var/demo/, then the app on it."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from civicloop import jobs, migrations
from civicloop.cli._common import console
from civicloop.config import get_settings, reset_settings
from civicloop.db.session import reset_engine, session_scope

DEMO_DIR = Path("var/demo")


def _use_demo_folder(folder: Path) -> None:
    """Point settings, the database engine and the job queue at a fresh folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["CIVICLOOP_DATA_DIR"] = str(folder)
    os.environ["CIVICLOOP_DATABASE_URL"] = f"sqlite:///{(folder / 'civicloop.db').resolve()}"
    os.environ.pop("CIVICLOOP_REDIS_URL", None)
    # The demo's logins are printed for anyone to try: no authenticator app asked for unless set.
    os.environ.setdefault("CIVICLOOP_TOTP_REQUIRED_ROLES", "")
    reset_settings()
    reset_engine()
    jobs.configure(get_settings())


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_mail_sink(folder: Path) -> subprocess.Popen[bytes]:
    """The demo's own SMTP server (``civicloop.kit.mailsink``) as a separate process, keeping every message
    in ``folder/mail``; email settings point at it, so web-form replies really go out by email."""
    port = _free_port("127.0.0.1")
    mail = (folder / "mail").resolve()
    command = [sys.executable, "-m", "civicloop.kit.mailsink", "--port", str(port), "--folder", str(mail)]
    process = subprocess.Popen(command)
    atexit.register(process.terminate)  # whatever way the demo ends
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the demo's mail sink did not start") from None
            time.sleep(0.1)
    os.environ["CIVICLOOP_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["CIVICLOOP_MAIL_SINK_DIR"] = str(mail)
    os.environ.setdefault("CIVICLOOP_MAIL_FROM", "civicloop@demo.example")
    reset_settings()
    return process


def demo(
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8000,
    host: Annotated[str, typer.Option(help="Address to serve on")] = "127.0.0.1",
    folder: Annotated[Path, typer.Option(help="Where the demo database goes (wiped first)")] = DEMO_DIR,
    serve_app: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding")] = True,
    citizens: Annotated[
        bool,
        typer.Option(
            "--citizens/--no-citizens",
            help="Simulated citizens write in while the demo runs (the simulated platforms are served either way)",
        ),
    ] = True,
) -> None:
    """Build a fresh demo (agencies, officials, accounts, activity) and serve it."""
    from civicloop.cli.server import CHATTY_LOGGERS, quiet_chatty_libraries, serve
    from civicloop.demo import DEMO_PASSWORD, seed

    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - compared, not bound
    # Webhook addresses and the consultation links announced on the platforms name the port served on,
    # unless a public address was set on purpose (a proxy in front).
    if not os.environ.get("CIVICLOOP_BASE_URL"):
        os.environ["CIVICLOOP_BASE_URL"] = f"http://{local}:{port}"
    _use_demo_folder(folder)
    # Email only while the demo serves: seeding sends nothing, and a --no-serve run leaves no process behind.
    sink = start_mail_sink(folder) if serve_app else None
    migrations.upgrade(get_settings().resolved_database_url)
    with session_scope() as session:
        world = seed(session)
        logins = world.logins()
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    for column in ("email", "role", "agency"):
        table.add_column(column)
    for row in logins:
        table.add_row(*row)
    console.print(table)
    base_url = get_settings().base_url
    console.print(f"Open {base_url}/ and sign in with any login above.")
    if sink is not None:
        console.print(
            f"Email goes to a local mail sink: read it at {base_url}/demo-mail "
            f"(or the .eml files in {get_settings().mail_sink_dir})."
        )
    console.print(
        "To use the command line on this demo's database, in another terminal:\n"
        f"  export CIVICLOOP_DATA_DIR={folder.resolve()}\n"
        f"  export CIVICLOOP_DATABASE_URL={get_settings().resolved_database_url}",
        highlight=False,
    )
    if serve_app:
        from civicloop.channels.simulator import live as live_demo

        # The platforms' APIs and sign-in pages are simulated in this process, so "Connect …" on the accounts
        # page (an agency administrator, e.g. itadmin@thromde.example) completes against them.
        live = live_demo.start(f"http://{local}:{port}", citizens=citizens)
        console.print(
            f"Platform APIs and sign-in pages simulated at {live.simulator.url}"
            + ("; simulated citizens write in every few seconds." if citizens else ".")
        )
        for hint in live.connect_hints:
            console.print(f"  {hint}", highlight=False)
        # The simulated traffic would bury the logins above: keep requests and routine jobs out of the log.
        for noisy in ("huey", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        # The demo's PDFs hold Dzongkha the machine may have no font for: one warning per glyph is not news.
        quiet_chatty_libraries({**CHATTY_LOGGERS, "weasyprint": logging.ERROR})
        try:
            serve(host=host, port=port, access_log=False)
        finally:
            live.stop()
            if sink is not None:
                sink.terminate()
