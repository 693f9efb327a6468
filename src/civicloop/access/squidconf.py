"""``civicloop squid-config``: the squid.conf fragment and block page that wire Squid to the helper.

The fragment goes into squid.conf after the site's ``auth_param`` lines and before its own
``http_access allow`` lines. It refuses unauthenticated requests (Squid asks for a password),
asks the helper about every other request, and shows CivicLoop's block page — not another
password prompt — when the helper says no: an ``http_access deny`` line whose last ACL is one that
needs a login would make Squid challenge again, so the line ends with an always-true ACL that
carries the ``deny_info`` page instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from civicloop import __version__
from civicloop.config import Settings
from civicloop.errors import Invalid

BLOCK_PAGE_NAME = "ERR_CIVICLOOP_BLOCKED"
LOG_FORMAT = "civicloop/1 %ts.%03tu %tr %>a %Ss/%03>Hs %<st %rm %#ru %#un %#et %#ea"


@dataclass(frozen=True)
class SquidOptions:
    # One helper answers thousands of requests a second; more children only add resilience,
    # and every child holds the whole policy in memory.
    children_max: int = 4
    children_startup: int = 1
    children_idle: int = 1
    concurrency: int = 64
    queue_size: int = 1024
    ttl: int = 30  # Squid's own cache of answers; with the helper's refresh, changes apply within a minute
    log_file: str = "/var/log/squid/civicloop.log"

    def __post_init__(self) -> None:
        if not 1 <= self.children_startup <= self.children_max <= 64:
            raise Invalid("helper children: 1 ≤ startup ≤ max ≤ 64")
        if not 1 <= self.concurrency <= 1000 or not 0 <= self.queue_size <= 100_000 or not 0 <= self.ttl <= 3600:
            raise Invalid("concurrency 1–1000, queue size 0–100000 and ttl 0–3600 seconds")


def helper_command(settings: Settings, python: str | None = None, at: str | None = None) -> str:
    """How Squid starts the helper: a Python with CivicLoop installed, and the settings it needs."""
    env = {
        "CIVICLOOP_DATABASE_URL": settings.resolved_database_url,
        "CIVICLOOP_TIMEZONE": settings.timezone,
        "CIVICLOOP_ACCESS_POLICY_REFRESH_SECONDS": f"{settings.access_policy_refresh_seconds:g}",
    }
    for name, value in env.items():
        if any(c.isspace() for c in value) or '"' in value:
            raise Invalid(f"{name} contains spaces or quotes, which squid.conf cannot pass to a helper")
    assignments = " ".join(f"{name}={value}" for name, value in env.items())
    if at is not None and (not at.strip() or any(c.isspace() for c in at.strip())):
        raise Invalid("--at must be one ISO 8601 word, e.g. 2026-03-02T10:00")
    clock = f" --at {at.strip()}" if at else ""
    return f"/usr/bin/env {assignments} {helper_program(python)} squid-helper{clock}"


def helper_program(python: str | None = None) -> str:
    """The ``civicloop`` command Squid runs: the console script installed beside this Python, or,
    for another Python (one Squid's user may run), that Python with ``-m civicloop``."""
    if python is None:
        script = Path(sys.executable).parent / "civicloop"
        if script.is_file():
            return _no_spaces(str(script))
        python = sys.executable
    return f"{_no_spaces(python)} -m civicloop"


def _no_spaces(path: str) -> str:
    if any(c.isspace() for c in path):
        raise Invalid(f"the helper's path must not contain spaces: {path}")
    return path


def fragment(settings: Settings, options: SquidOptions, *, python: str | None = None, at: str | None = None) -> str:
    o = options
    return f"""\
# ---- CivicLoop office access (civicloop squid-config, CivicLoop {__version__}) ----
# Put this after your auth_param lines and before your own "http_access allow" lines.
# The helper reads the database named below; keep this file readable by root and Squid only.
external_acl_type civicloop ttl={o.ttl} negative_ttl={o.ttl} children-max={o.children_max} \
children-startup={o.children_startup} children-idle={o.children_idle} concurrency={o.concurrency} \
queue-size={o.queue_size} %#LOGIN %#DST {helper_command(settings, python, at)}
acl civicloop_login proxy_auth REQUIRED
acl civicloop_allowed external civicloop
# Always true; as the last ACL of the deny line it makes Squid show the block page, not a password prompt.
acl civicloop_block_page src all
deny_info {BLOCK_PAGE_NAME} civicloop_block_page
http_access deny !civicloop_login
http_access deny !civicloop_allowed civicloop_block_page
logformat civicloop {LOG_FORMAT}
access_log stdio:{o.log_file} civicloop
# ---- end of CivicLoop office access ----
"""


BLOCK_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not open to you now: %H</title>
<style>
body { font: 17px/1.5 system-ui, sans-serif; color: #1b1f24; margin: 0; }
main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; }
.reason { border-left: 4px solid #0b3d2e; padding: .5rem .75rem; background: #f1f8f5; }
small { color: #57606a; }
</style>
</head>
<body>
<main>
<h1>%H is not open to you at this time</h1>
<p class="reason" id="civicloop-reason">%o</p>
<p>Your agency decides, under the government's social media policy, who may use social media
from the office network and when. If your work needs this site, ask your agency head to
designate you.</p>
<p><small>Signed in to the proxy as %a &middot; %T</small></p>
</main>
</body>
</html>
"""
