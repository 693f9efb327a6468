"""The real Squid enforcing each agency's rule through CivicLoop's helper, and the usage it logs.

Squid runs on loopback with the configuration ``civicloop squid-config`` prints; every platform
host name resolves (through Squid's hosts_file) to a local origin server; staff sign in with
basic authentication (any password) so that ``%LOGIN`` is set; the helper's clock is fixed with
``--at`` on a working morning. Squid's own answer cache is off (``--ttl 0``) so that every request
reaches the helper, and the helper reloads the policy every 0.2 seconds.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from civicloop.access import logimport, queries, reports, service
from civicloop.access.models import AccessDenial, AccessSession
from civicloop.access.policy import AfterHours, OfficeHours
from civicloop.agencies.models import AgencyKind
from civicloop.kit.clock import utcnow
from civicloop.kit.http import tls_context
from civicloop.sla.calendar import calendar_for
from tests.access.squid_harness import (
    PASSWORD,
    Squid,
    helper_python,
    new_folder,
    office_morning,
    start_squid,
    unprivileged_user,
)
from tests.conftest import run_civicloop
from tests.factories import create_account, create_agency, create_official

pytestmark = pytest.mark.slow

ODD_LOGIN = 'pem\'a "p" <b>&+%'  # reaches the helper URL-encoded; Squid lower-cases basic-auth names


def _office_morning(db: Session) -> datetime:
    return office_morning(calendar_for(db, None))


def _sign(db: Session, code: str, head: str, hours: OfficeHours, allowance: int | None, after: AfterHours) -> None:
    from civicloop.auth.models import Official

    signer = db.scalar(select(Official).where(Official.email == head))
    service.set_policy(
        db,
        actor=None,
        agency_id=queries.agency_for_code(db, code),
        category="social",
        office_hours=hours,
        allowance_minutes=allowance,
        after_hours=after,
        signed_by=signer,
    )


def _world(db: Session, at: datetime, folder: Path) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde", kind=AgencyKind.city)
    create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport", kind=AgencyKind.ministry)
    create_agency(db, "NYMISSION", name="Permanent Mission in New York", timezone="America/New_York")
    thromde = queries.agency_for_code(db, "THROMDE")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    create_official(db, "agency_head@MOIT", email="head@moit.example", name="Jigme Namgyel")
    create_official(db, "agency_head@NYMISSION", email="head@nymission.example", name="Sonam Tobgay")
    kinley = create_official(db, "officer@THROMDE", email="kinley@thromde.example", name="Kinley Penjor")
    create_official(db, "officer@THROMDE", email="sonam@thromde.example", name="Sonam Choden")
    create_official(db, "officer@MOIT", email="tashi@moit.example", name="Tashi Yangzom")
    create_official(db, "officer@NYMISSION", email="norbu@nymission.example", name="Norbu Wangdi")
    from civicloop.agencies.models import Agency

    page = create_account(db, db.get(Agency, thromde), "facebook", name="Thimphu Thromde Page")  # type: ignore[arg-type]
    page.responsible_official_id = kinley.id
    _sign(db, "THROMDE", "head@thromde.example", OfficeHours.designated, 30, AfterHours.open)
    _sign(db, "MOIT", "head@moit.example", OfficeHours.designated, 0, AfterHours.closed)
    _sign(db, "NYMISSION", "head@nymission.example", OfficeHours.designated, None, AfterHours.closed)
    directory = io.StringIO()
    csv.writer(directory).writerows(
        [["login", "agency", "name"], ["dorji wangmo", "MOIT", "Dorji Wangmo"], [ODD_LOGIN, "MOIT", "Odd"]]
    )
    service.import_directory(db, actor=None, text=directory.getvalue())
    service.designate(db, actor=None, agency_id=queries.agency_for_code(db, "MOIT"), login="Dorji Wangmo")
    service.designate(db, actor=None, agency_id=queries.agency_for_code(db, "NYMISSION"), login="norbu")
    db.commit()
    for code in ("THROMDE", "MOIT"):
        assert calendar_for(db, queries.agency_for_code(db, code)).is_open(at)
    assert not calendar_for(db, queries.agency_for_code(db, "NYMISSION")).is_open(at)
    # Sonam already spent 29 minutes on Facebook this morning (09:00–09:29), per the imported log.
    native_minutes(db, folder, "sonam@thromde.example", at - timedelta(hours=1), 29)


def native_minutes(db: Session, folder: Path, login: str, start: datetime, minutes: int) -> None:
    """Import a Squid log of ``login`` on Facebook once a minute for ``minutes`` minutes from ``start``."""
    earlier = folder / "earlier-access.log"
    earlier.write_text(
        "".join(
            f"{(start + timedelta(minutes=m)).timestamp():.3f}     12 10.0.0.9 TCP_TUNNEL/200 4512 CONNECT "
            f"www.facebook.com:443 {login} HIER_DIRECT/157.240.1.35 -\n"
            for m in range(minutes)
        )
    )
    logimport.import_log(db, path=earlier)
    db.commit()


def _share_sqlite_with_squid(url: str) -> None:
    """Squid's helpers run as its unprivileged user: let it read the SQLite file (and write the WAL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or os.geteuid() != 0:
        return
    database = Path(str(parsed.database))
    database.parent.parent.chmod(0o711)
    database.parent.chmod(0o777)
    for path in database.parent.iterdir():
        path.chmod(0o666)


def _fragment(db_url: str, folder: Path, at: datetime, python: str) -> str:
    env: dict[str, str | None] = {"CIVICLOOP_DATABASE_URL": db_url, "CIVICLOOP_ACCESS_POLICY_REFRESH_SECONDS": "0.2"}
    printed = run_civicloop(
        "squid-config", "--ttl", "0", "--log-file", str(folder / "logs" / "civicloop.log"), "--python", python,
        "--at", at.astimezone(UTC).isoformat(timespec="seconds"), env=env,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    return printed.stdout


_clients: dict[tuple[int, str], httpx.Client] = {}


def _client(squid: Squid, login: str) -> httpx.Client:
    # One client (one kept-alive connection) per login: building a client costs more than a request.
    key = (squid.port, login)
    if key not in _clients:
        _clients[key] = httpx.Client(proxy=squid.proxy_url(login), timeout=30, verify=tls_context())
    return _clients[key]


def _get(squid: Squid, login: str, host: str) -> httpx.Response:
    return _client(squid, login).get(squid.url(host))


def _connect(squid: Squid, login: str, host: str) -> str:
    """The status line Squid answers to CONNECT (what a browser sends for https://host)."""
    token = base64.b64encode(f"{login}:{PASSWORD}".encode()).decode()
    with socket.create_connection(("127.0.0.1", squid.port), timeout=30) as sock:
        sock.sendall(
            f"CONNECT {host}:{squid.origin_port} HTTP/1.1\r\nHost: {host}:{squid.origin_port}\r\n"
            f"Proxy-Authorization: Basic {token}\r\n\r\n".encode()
        )
        return sock.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


@pytest.fixture
def squid(db: Session, db_url: str) -> Iterator[Squid]:
    folder = new_folder()
    at = _office_morning(db)
    _world(db, at, folder)
    _share_sqlite_with_squid(db_url)
    python = helper_python(unprivileged_user())
    running = start_squid(_fragment(db_url, folder, at, python), folder)
    running.at = at
    yield running
    running.remove()


def test_squid_enforces_each_agencys_rule_through_the_helper(db: Session, squid: Squid) -> None:
    # A designated officer (she runs the agency's Facebook Page) in office hours.
    allowed = _get(squid, "kinley@thromde.example", "www.facebook.com")
    assert allowed.status_code == 200 and allowed.text.startswith("origin page for www.facebook.com")
    # MOIT opens social media to designated staff only; Tashi is not designated.
    refused = _get(squid, "tashi@moit.example", "www.facebook.com")
    assert refused.status_code == 403
    assert "designated staff only; tashi@moit.example is not." in refused.text  # the block page, not a login prompt
    assert _get(squid, "tashi@moit.example", "static.xx.fbcdn.net").status_code == 403
    assert _connect(squid, "tashi@moit.example", "x.com").split()[1] == "403"  # https: decided on the host alone
    assert _get(squid, "tashi@moit.example", "www.example.org").status_code == 200  # not a categorised site
    # A login with a space (from the staff directory, designated by MOIT's head) and one with odd characters.
    assert _get(squid, "Dorji Wangmo", "www.facebook.com").status_code == 200
    odd = _get(squid, ODD_LOGIN, "www.facebook.com")
    assert odd.status_code == 403  # the whole login, decoded, and escaped on the block page
    assert "designated staff only; pem&#39;a &quot;p&quot; &lt;b&gt;&amp;+% is not.</p>" in odd.text
    # Sonam is not designated; Thromde allows others 30 minutes a day and she has used 29.
    assert _get(squid, "sonam@thromde.example", "www.facebook.com").status_code == 200
    used_up = _get(squid, "sonam@thromde.example", "www.facebook.com")
    assert used_up.status_code == 403 and "has used 30 of the 30 minutes" in used_up.text
    # It is night in New York: the mission closes social media after hours, designated or not.
    for login in ("norbu@nymission.example", "head@nymission.example"):
        night = _get(squid, login, "www.facebook.com")
        assert night.status_code == 403 and "outside office hours" in night.text

    # MOIT's head opens social media to all staff: Squid keeps running and picks it up.
    _sign(db, "MOIT", "head@moit.example", OfficeHours.all, 0, AfterHours.closed)
    db.commit()
    deadline = time.monotonic() + 20
    while _get(squid, "tashi@moit.example", "www.facebook.com").status_code != 200:
        assert time.monotonic() < deadline, "the policy change did not reach the helper within 20 s"
        time.sleep(0.05)  # the helper reloads the policy every 0.2 s (CIVICLOOP_ACCESS_POLICY_REFRESH_SECONDS)

    # 32 staff at once: every request answered by the rule, none refused for a full helper queue.
    logins = ["kinley@thromde.example", "tashi@moit.example", "norbu@nymission.example", "dorji wangmo"]
    expected = {"kinley@thromde.example": 200, "tashi@moit.example": 200, "norbu@nymission.example": 403}
    expected["dorji wangmo"] = 200

    def browse(worker: int) -> list[tuple[str, httpx.Response]]:
        login = logins[worker % len(logins)]
        with httpx.Client(proxy=squid.proxy_url(login), timeout=30, verify=tls_context()) as client:
            return [(login, client.get(squid.url("www.facebook.com"))) for _ in range(10)]

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = [pair for batch in pool.map(browse, range(32)) for pair in batch]
    wrong = [(login, r.status_code, r.text[:200]) for login, r in results if r.status_code != expected[login]]
    assert not wrong, wrong[:3]
    squid.stop()
    cache_log = squid.cache_log.read_text(errors="replace") if squid.cache_log.exists() else ""
    assert "queue full" not in cache_log

    # The access log in CivicLoop's format carries each decision's rule into the usage report.
    imported = logimport.import_log(db, path=squid.civicloop_log)
    db.commit()
    assert imported.malformed == 0 and imported.kept >= 330
    refusals = dict(
        db.execute(select(AccessDenial.rule, func.sum(AccessDenial.count)).group_by(AccessDenial.rule)).all()
    )
    assert refusals["allowance_used_up"] == 1
    assert refusals["after_hours_closed"] == 2 + 80
    assert refusals["not_designated"] >= 4
    # Squid logs its own (real) time, not the helper's fixed clock: the new sessions fall on today.
    today = local_day(db, utcnow())
    kinley = db.scalars(select(AccessSession).where(AccessSession.person == "kinley@thromde.example")).all()
    assert [s.day for s in kinley] == [today] and sum(s.requests for s in kinley) == 81
    report = reports.usage_report(
        db, actor=None, agency_id=queries.agency_for_code(db, "THROMDE"), weeks=2, end=local_day(db, squid.at)
    )
    assert {r.rule: r.count for r in report.refusals} == {"allowance_used_up": 1}
    assert report.categories[0].key == "social" and report.categories[0].people == 2
    assert [n.person for n in report.near_allowance or []] == ["sonam@thromde.example"]


def local_day(db: Session, at: datetime) -> date:
    return at.astimezone(calendar_for(db, None).zone).date()
