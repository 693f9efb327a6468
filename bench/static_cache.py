"""Pages drawn from the browser's cache: what a page costs once its style sheets, scripts and pictures have been
fetched, with CivicLoop's caching headers (``civicloop.web.static_files``: addresses carry the file's digest and are
kept for a year) side by side with Starlette's default for the same files just after a release is installed (an ETag
and a Last-Modified, no Cache-Control: Chromium keeps a file for a tenth of its age since Last-Modified, so it asks
again about a file installed a moment ago — and, days later, keeps an old release's file for hours after an upgrade).

One demo database (``civicloop demo --no-serve``), one uvicorn server in this process, Debian's Chromium driven by
Playwright. For each way, ``--rounds`` times in alternating order: a new browser context (an empty cache) signs in as
the national administrator and visits the pages of the navigation twice; the second visit is measured — wall time of
each navigation to its ``load`` event, and the requests for ``/static/`` the server received. The baseline strips
the Cache-Control header from the server's static answers and dates them as installed now; nothing else differs.

    .venv/bin/python bench/static_cache.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CIVICLOOP_CHROMIUM", "/usr/bin/chromium")
ADMIN = "admin@doim.example"
KEY = "bench-static-cache-key"  # the demo's stored credentials are encrypted with it; a throwaway folder
WAYS = ("CivicLoop caching", "Starlette default")


class Server:
    """The app behind a switch: ``strip`` removes Cache-Control from static answers and sets their Last-Modified to
    now (Starlette's default, for files installed a moment ago)."""

    def __init__(self, app: Any) -> None:
        self.app, self.strip, self.static_requests = app, False, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        static = scope["type"] == "http" and scope["path"].startswith("/static/")
        self.static_requests += static

        async def sending(message: Any) -> None:
            if static and self.strip and message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message["headers"] if k.lower() not in (b"cache-control", b"last-modified")]
                message["headers"] = [*kept, (b"last-modified", formatdate(usegmt=True).encode())]
            await send(message)

        await self.app(scope, receive, sending)


@contextmanager
def served(folder: Path) -> Iterator[tuple[str, Server]]:
    import uvicorn

    os.environ.update(
        CIVICLOOP_DATA_DIR=str(folder),
        CIVICLOOP_DATABASE_URL=f"sqlite:///{folder / 'civicloop.db'}",
        CIVICLOOP_SECRET_KEY=KEY,
        CIVICLOOP_TOTP_REQUIRED_ROLES="",
    )
    from civicloop.config import reset_settings

    reset_settings()  # read again: importing the demo's password may have read them before the folder was set
    from civicloop.channels import registry  # noqa: F401 - the platforms, as every entry point registers them
    from civicloop.guidelines import gate  # noqa: F401 - the before-send review, as every entry point registers it
    from civicloop.main import create_app

    server = Server(create_app())
    config = uvicorn.Config(server, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.02)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def demo(folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICLOOP_")}
    env["CIVICLOOP_SECRET_KEY"] = KEY
    command = [sys.executable, "-m", "civicloop", "demo", "--no-serve", "--folder", str(folder)]
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)


def visit(browser: Any, base: str, server: Server, password: str) -> tuple[list[float], int, int]:
    """Sign in, visit the navigation's pages twice; the second visit's times and static requests."""
    context = browser.new_context(base_url=base)
    tab = context.new_page()
    tab.goto("/login")
    tab.fill("#f-email", ADMIN)
    tab.fill("#f-password", password)
    tab.locator("main button[type=submit]").click()
    tab.wait_for_url(lambda url: "/login" not in url)
    links = tab.eval_on_selector_all("nav a[href]", "a => a.map(x => x.getAttribute('href'))")
    pages = sorted({link for link in links if re.fullmatch(r"/[a-z/-]*", link)})
    for page in pages:
        tab.goto(page)
    before = server.static_requests
    times = []
    for page in pages:
        started = time.perf_counter()
        tab.goto(page, wait_until="load")
        times.append(time.perf_counter() - started)
    context.close()
    return times, server.static_requests - before, len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from civicloop.demo import DEMO_PASSWORD

    results: dict[str, tuple[list[float], int, int]] = {way: ([], 0, 0) for way in WAYS}
    with tempfile.TemporaryDirectory(prefix="bench-static-") as tmp:
        folder = Path(tmp) / "demo"
        demo(folder)
        with served(folder) as (base, server), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for round_number in range(args.rounds):
                order = list(results) if round_number % 2 == 0 else list(reversed(results))
                for way in order:
                    server.strip = way == "Starlette default"
                    times, static, pages = visit(browser, base, server, DEMO_PASSWORD)
                    kept = results[way]
                    results[way] = (kept[0] + times, kept[1] + static, kept[2] + pages)
            browser.close()
    load = os.getloadavg()[0]
    print(f"{args.rounds} rounds, load average {load:.1f}")
    print("| way | pages | median ms per page | static requests per page |")
    print("|---|---|---|---|")
    for way, (times, static, pages) in results.items():
        print(f"| {way} | {pages} | {statistics.median(times) * 1000:.1f} | {static / pages:.2f} |")
    ours, theirs = (statistics.median(results[w][0]) for w in results)
    print(f"ratio (Starlette default / CivicLoop): {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
