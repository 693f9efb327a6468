"""A real Squid on loopback for the office access tests: its own config, logs and error pages in a
temporary folder, a stand-in origin server for the platforms, and CivicLoop's helper as Squid
starts it (from ``civicloop squid-config``)."""

from __future__ import annotations

import atexit
import functools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from civicloop.access.squidconf import BLOCK_PAGE, BLOCK_PAGE_NAME
from civicloop.kit.clock import utcnow
from civicloop.sla.calendar import OfficeCalendar
from tests.conftest import free_port, unavailable

# Every name the tests visit resolves to the origin server, through Squid's own hosts_file.
PASSWORD = "any-password"  # the test's authenticator accepts every password
PLATFORM_HOSTS = ["www.facebook.com", "static.xx.fbcdn.net", "x.com", "www.example.org"]
ERROR_TEMPLATES = [Path("/usr/share/squid/errors/templates"), Path("/usr/share/squid-langpack/templates")]


def office_morning(calendar: OfficeCalendar) -> datetime:
    """An hour after the office opens on the first working day after today, in the calendar's own zone: office
    hours whatever the time of day the test runs (tomorrow at this hour may be after closing)."""
    local_now = utcnow().astimezone(calendar.zone)
    tomorrow = (local_now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return calendar.next_open(tomorrow) + timedelta(hours=1)


def squid_binary() -> str:
    found = shutil.which("squid") or ("/usr/sbin/squid" if Path("/usr/sbin/squid").exists() else None)
    if found is None:
        unavailable("squid is not installed (make squid, or apt-get install squid)")
    assert found is not None
    return found


class _Origin(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"origin page for {self.headers.get('Host', '?')}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


def unprivileged_user() -> str | None:
    """The user Squid drops to when started as root (Debian's package creates ``proxy``)."""
    if os.geteuid() != 0:
        return None
    for name in ("proxy", "squid", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    unavailable("no unprivileged user for Squid to run as")
    return None


@functools.cache
def helper_python(user: str | None) -> str:
    """A Python that Squid's user can run with CivicLoop importable (built once per test run).

    Usually this interpreter. When it lives where that user may not enter (e.g. a pyenv under
    /root), a small venv on the system's Python 3 is built that adds this environment's
    site-packages; the installed packages and CivicLoop are the same ones the tests use.
    """
    if user is None or _can_import(user, sys.executable):
        return sys.executable
    system_python = shutil.which("python3", path="/usr/bin:/bin")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if system_python is None:
        unavailable(f"{sys.executable} is not usable by {user} and there is no system python3")
    assert system_python is not None
    venv = Path(tempfile.mkdtemp(prefix="civicloop-helper-python-"))
    venv.chmod(0o755)
    atexit.register(shutil.rmtree, venv, True)
    subprocess.run([system_python, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    target = venv / "lib" / version / "site-packages"
    if not target.is_dir():
        unavailable(f"the system python3 is not {version}, so it cannot load this environment's packages")
    (target / "civicloop_tests.pth").write_text(f"import site; site.addsitedir({str(site_packages)!r})\n")
    python = str(venv / "bin" / "python3")
    if not _can_import(user, python):
        unavailable(f"no Python that {user} can run with CivicLoop installed")
    return python


def _can_import(user: str, python: str) -> bool:
    """Whether ``user`` can run ``python`` and import CivicLoop and its libraries from where they are installed (the
    packages themselves, not the whole command: importing all of CivicLoop costs more than a second)."""
    probe = subprocess.run(
        ["runuser", "-u", user, "--", python, "-c", "import civicloop.access.policy, sqlalchemy, typer"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return probe.returncode == 0


def _error_directory(folder: Path) -> Path:
    source = next((p for p in ERROR_TEMPLATES if (p / "ERR_ACCESS_DENIED").exists()), None)
    if source is None:
        unavailable("Squid's error page templates are missing")
    assert source is not None
    target = folder / "errors"
    shutil.copytree(source, target)
    (target / BLOCK_PAGE_NAME).write_text(BLOCK_PAGE)
    return target


@dataclass
class Squid:
    folder: Path
    port: int
    origin_port: int
    process: subprocess.Popen[bytes]
    origin: ThreadingHTTPServer
    access_log: Path
    civicloop_log: Path
    cache_log: Path
    hosts: list[str] = field(default_factory=lambda: list(PLATFORM_HOSTS))
    at: datetime = field(default_factory=lambda: datetime.now(UTC))  # the helper's fixed clock

    def proxy_url(self, login: str) -> str:
        from urllib.parse import quote

        return f"http://{quote(login, safe='')}:{PASSWORD}@127.0.0.1:{self.port}"

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.origin_port}{path}"

    def stop(self) -> None:
        """Squid killed once its logs are quiet, then its helpers awaited. Squid's own shutdown takes at least a second
        and a half whatever ``shutdown_lifetime`` says; a kill loses nothing a test reads, since Squid writes each log
        line as it is made (``buffered_logs`` is off) and the logs are left to settle first. The helpers see their
        input close and exit; they are awaited so that none writes into the next test's database."""
        try:
            if self.process.poll() is None:
                _await_quiet(self.access_log, self.civicloop_log)
                os.kill(self.process.pid, signal.SIGSTOP)  # no helper starts between listing them and the kill
                helpers = _children(self.process.pid)
                self.process.kill()
                self.process.wait(timeout=10)
                _await_exit(helpers, timeout=10)
        finally:
            # Squid's shared memory, which it removes only when it stops of itself (the service name is per port).
            for segment in Path("/dev/shm").glob(f"civicloop{self.port}-*"):
                segment.unlink(missing_ok=True)
            self.origin.shutdown()
            self.origin.server_close()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _stat(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state, parent, …); none if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _children(pid: int) -> list[int]:
    return [int(entry.name) for entry in Path("/proc").glob("[0-9]*") if _stat(entry.name)[1:2] == [str(pid)]]


def _await_quiet(*logs: Path, quiet: float = 0.2, timeout: float = 10) -> None:
    """Until the logs have not grown for ``quiet`` seconds: Squid logs a request once it has sent the answer, so
    its line may come just after the client has the answer."""
    deadline = time.monotonic() + timeout
    sizes: tuple[int, ...] | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        now = tuple(log.stat().st_size if log.exists() else 0 for log in logs)
        if now != sizes:
            sizes, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.02)


def _running(pid: int) -> bool:
    """Whether the process runs (an exited one its new parent has not reaped yet does not)."""
    return _stat(pid)[:1] not in ([], ["Z"])


def _await_exit(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(_running(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Squid's helpers {pids} still run {timeout:g} s after Squid was stopped")
        time.sleep(0.01)


def start_squid(fragment: str, folder: Path) -> Squid:
    """Start Squid in the foreground (``-N``) with ``fragment`` included; returns once it accepts."""
    binary = squid_binary()
    user = unprivileged_user()
    origin = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    port = free_port()
    logs = folder / "logs"
    logs.mkdir()
    (folder / "cache").mkdir()
    (folder / "hosts").write_text(f"127.0.0.1 {' '.join(PLATFORM_HOSTS)}\n")
    # Basic authentication that accepts any password: the tests are about what happens after login.
    auth = folder / "any_password_auth"
    auth.write_text("#!/bin/sh\nwhile read -r line; do echo OK; done\n")
    (folder / "civicloop.conf").write_text(fragment)
    config = folder / "squid.conf"
    config.write_text(
        f"""\
http_port 127.0.0.1:{port}
pid_filename {folder}/squid.pid
cache_log stdio:{logs}/cache.log
coredump_dir {folder}/cache
{f"cache_effective_user {user}" if user else ""}
hosts_file {folder}/hosts
dns_nameservers 127.0.0.1
pinger_enable off
shutdown_lifetime 0 seconds
cache deny all
error_directory {_error_directory(folder)}
auth_param basic program {auth}
auth_param basic children 2
auth_param basic realm CivicLoop test office
include {folder}/civicloop.conf
http_access allow all
access_log stdio:{logs}/access.log squid
"""
    )
    # Squid and its helpers run as the unprivileged user: it writes the logs and reads the rest.
    for writable in (logs, folder / "cache"):
        writable.chmod(0o777)
    auth.chmod(0o755)
    # A service name of its own keeps this Squid's shared-memory segments apart from any other Squid's.
    service = ["-n", f"civicloop{port}"]
    parsed = subprocess.run(
        [binary, *service, "-k", "parse", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert parsed.returncode == 0, parsed.stderr[-2000:]
    process = subprocess.Popen(
        [binary, *service, "-N", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    squid = Squid(
        folder, port, origin.server_address[1], process, origin, logs / "access.log", logs / "civicloop.log",
        logs / "cache.log",
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            error += squid.cache_log.read_text(errors="replace") if squid.cache_log.exists() else ""
            squid.remove()
            raise RuntimeError(f"squid exited: {error[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return squid
        except OSError:
            if time.monotonic() > deadline:
                squid.remove()
                raise RuntimeError("squid did not start listening within 30 s") from None
            time.sleep(0.1)


def new_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="civicloop-squid-"))
    folder.chmod(0o755)
    return folder
