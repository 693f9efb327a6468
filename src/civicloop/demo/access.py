"""Office access in the demo: each agency's signed rule, designations, a staff directory, and three
weeks of proxy log decided by the same function the Squid helper uses, imported for the reports."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.orm import Session

from civicloop.access import logimport, service
from civicloop.access.policy import AfterHours, Decision, OfficeHours, UsageLedger, decide
from civicloop.access.snapshot import load_snapshot
from civicloop.config import get_settings
from civicloop.demo.foundation import DemoWorld, demo_email
from civicloop.kit.clock import utcnow

RULES = {  # agency: (office hours, daily minutes for others, after hours)
    "THROMDE": (OfficeHours.designated, 30, AfterHours.open),
    "MOIT": (OfficeHours.designated, 0, AfterHours.closed),
    "PUNAKHA": (OfficeHours.all, None, AfterHours.closed),
}
DIRECTORY = """login,agency,name
karma.dorji,THROMDE,Karma Dorji
sonam.choki,THROMDE,Sonam Choki
ugyen.wangdi,MOIT,Ugyen Wangdi
tshering.yangden,PUNAKHA,Tshering Yangden
"""
# (login, minutes of browsing on a typical working day, share of it in the evening)
BROWSERS = [
    (demo_email("officer", "THROMDE"), 90, 0.1),
    (demo_email("analyst", "THROMDE"), 40, 0.0),
    ("karma.dorji", 35, 0.3),
    ("sonam.choki", 15, 0.5),
    (demo_email("officer", "MOIT"), 70, 0.0),
    ("ugyen.wangdi", 10, 0.2),
    (demo_email("officer", "PUNAKHA"), 45, 0.1),
    ("tshering.yangden", 20, 0.4),
]
HOSTS = ["www.facebook.com", "static.xx.fbcdn.net", "x.com", "pbs.twimg.com", "www.youtube.com", "web.wechat.com"]
DAYS = 21


def seed_access(session: Session, world: DemoWorld) -> None:
    for code, (hours, minutes, after) in RULES.items():
        head = world.officials[demo_email("agency_head", code)]
        row = service.set_policy(
            session,
            actor=None,
            agency_id=world.agencies[code].id,
            category="social",
            office_hours=hours,
            allowance_minutes=minutes,
            after_hours=after,
            signed_by=head,
        )
        # The demo shows three weeks of use under these rules, so they were signed three weeks ago.
        row.effective_from -= timedelta(days=DAYS)
        row.signed_at -= timedelta(days=DAYS)
    service.import_directory(session, actor=None, text=DIRECTORY)
    service.designate(
        session,
        actor=None,
        agency_id=world.agencies["THROMDE"].id,
        login=demo_email("analyst", "THROMDE"),
        until=utcnow().date() + timedelta(days=90),
    )
    session.flush()
    log = get_settings().data_dir / "demo-access.log"
    _simulate(session, log)
    logimport.import_log(session, path=log)


def _simulate(session: Session, path: Path) -> None:
    """Three weeks of browsing, each request decided as the helper would, written in CivicLoop's log format."""
    now = utcnow()
    snapshot = load_snapshot(session, now=now, usage_days=0)
    rnd = random.Random(8)  # noqa: S311 - demo data, not security
    ledger = UsageLedger()
    lines = []
    for back in range(DAYS, 0, -1):
        for login, minutes, evening in BROWSERS:
            person = snapshot.person(login)
            office = snapshot.office(person.agency_id)
            day = office.local_day(now - timedelta(days=back))
            zone = office.calendar.zone
            windows = office.windows(day)
            if not windows:
                continue
            for _ in range(rnd.randint(1, 4)):
                out_of_hours = rnd.random() < evening
                start = (
                    datetime.combine(day, time(19, 0), tzinfo=zone).astimezone(UTC).timestamp()
                    if out_of_hours
                    else rnd.uniform(windows[0][0], windows[-1][1] - 3600)
                )
                for step in range(max(1, int(minutes * rnd.uniform(0.5, 1.3) / 3))):
                    at = datetime.fromtimestamp(start + step * 60 + rnd.uniform(0, 20), UTC)
                    host = rnd.choice(HOSTS)
                    decision = decide(snapshot, login, host, at, ledger=ledger)
                    lines.append(_line(at, login, host, decision, rnd))
                    if not decision.allow:
                        break  # a refused person stops trying for a while
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(sorted(lines, key=lambda line: float(line.split()[1]))))


def _line(at: datetime, login: str, host: str, decision: Decision, rnd: random.Random) -> str:
    result = "TCP_TUNNEL/200" if decision.allow else "TCP_DENIED/403"
    client = f"10.10.{rnd.randint(1, 9)}.{rnd.randint(2, 250)}"
    return (
        f"civicloop/1 {at.timestamp():.3f} {rnd.randint(20, 900)} {client} {result} {rnd.randint(400, 90000)} "
        f"CONNECT {host}:443 {quote(login, safe='')} {quote(decision.tag, safe='') or '-'} "
        f"{decision.agency_code or '-'}\n"
    )
