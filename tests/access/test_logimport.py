"""Importing Squid access logs: both formats, incremental and idempotent, malformed lines counted, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.access import logimport
from civicloop.access.logimport import Malformed, split_line
from civicloop.access.models import AccessDenial, AccessLogChunk, AccessSession
from civicloop.access.usage import sessions_from_requests
from tests.factories import create_agency, create_official

NINE = datetime(2030, 3, 5, 3, 0, tzinfo=UTC)  # Tuesday 09:00 in Thimphu


def native(at: datetime, user: str, url: str = "www.facebook.com:443", result: str = "TCP_TUNNEL/200") -> str:
    method = "CONNECT" if "://" not in url else "GET"
    return f"{at.timestamp():.3f}    120 10.0.0.7 {result} 5120 {method} {url} {user} HIER_DIRECT/157.240.1.35 -\n"


def own(at: datetime, user: str, tag: str, result: str = "TCP_DENIED/403", host: str = "x.com") -> str:
    return f"civicloop/1 {at.timestamp():.3f} 0 10.0.0.7 {result} 3900 CONNECT {host}:443 {user} {tag} MOIT\n"


def test_both_formats_are_read_and_lines_without_use_are_skipped() -> None:
    url = "http://www.facebook.com/groups/1?x=1"
    spaced = split_line(native(NINE, "Dorji Wangmo", url).encode())
    assert spaced == (NINE.timestamp(), b"Dorji Wangmo", url.encode(), False, None)
    tagged = split_line(own(NINE, "pem%27a%20%22p%22", "social%3Anot_designated").encode())
    assert tagged == (NINE.timestamp(), b"pem%27a%20%22p%22", b"x.com:443", True, b"social%3Anot_designated")
    assert split_line(native(NINE, "-").encode()) is None  # no login
    assert split_line(native(NINE, "pema", result="TCP_DENIED/407").encode()) is None  # the password prompt
    for bad, reason in [
        ("hello world", "at least 10 fields"),
        ("civicloop/1 1 2 3", "11 fields"),
        ("  ", "empty line"),
        ("\n", "longer than"),  # how the reader marks a line it skipped for its length
        (native(NINE, "pema").replace(f"{NINE.timestamp():.3f}", "yesterday"), "not a Unix timestamp"),
        (native(NINE, "pema").replace(f"{NINE.timestamp():.3f}", "-5"), "not a plausible timestamp"),
        (native(NINE, "pema", result="TCP_MISS"), "result code/status"),
    ]:
        with pytest.raises(Malformed, match=reason):
            split_line(bad.encode())


def test_importing_is_incremental_idempotent_and_follows_rotation(db: Session, tmp_path: Path) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "officer@THROMDE", email="pema@thromde.example")
    log = tmp_path / "access.log"
    morning = [NINE + timedelta(minutes=m) for m in (0, 1, 2, 4, 30, 31)]
    log.write_text(
        "".join(native(t, "pema") for t in morning[:4])
        + "garbage line\n"
        + native(NINE, "pema", "http://www.gov.bt/")
        + "\n"
    )
    first = logimport.import_log(db, path=log)
    db.commit()
    assert (first.lines, first.kept, first.malformed, first.uncategorised) == (7, 4, 2, 1)
    assert first.examples == [
        "line 5: expected at least 10 fields in Squid's native format, found 2",
        "line 7: empty line",
    ]
    assert logimport.import_log(db, path=log).lines == 0  # nothing new
    with log.open("a") as handle:
        handle.write(native(morning[4], "pema") + native(morning[5], "pema")[:20])  # Squid is mid-line
    assert logimport.import_log(db, path=log).kept == 1
    with log.open("a") as handle:
        handle.write(native(morning[5], "pema")[20:])
    log.rename(tmp_path / "access.log.1")  # logrotate renames; the next import continues where it stopped
    assert logimport.import_log(db, path=tmp_path / "access.log.1").kept == 1
    db.commit()
    stored = db.scalars(select(AccessSession).order_by(AccessSession.start)).all()
    expected = sessions_from_requests([t.timestamp() for t in morning])
    assert [(s.start.timestamp(), s.end.timestamp(), s.requests) for s in stored] == expected
    assert [(s.minutes, s.office_minutes) for s in stored] == [(5.0, 5.0), (2.0, 2.0)]
    assert db.scalar(select(func.sum(AccessLogChunk.lines))) == 6
    kept = list(logimport.raw_lines(db, since=NINE, until=NINE + timedelta(hours=1), login="PEMA"))
    assert kept == [native(t, "pema").rstrip("\n") for t in morning]


def test_refusals_are_counted_by_rule_and_raw_lines_expire(db: Session, tmp_path: Path) -> None:
    create_agency(db, "MOIT")
    create_official(db, "officer@MOIT", email="tashi@moit.example")
    log = tmp_path / "civicloop.log"
    log.write_text(
        own(NINE, "tashi%40moit.example", "social%3Anot_designated") * 3
        + own(NINE + timedelta(days=40), "tashi", "social%3Aallowance_used_up")
        + native(NINE, "tashi", result="TCP_DENIED/403")
        + own(NINE, "tashi", "-", result="TCP_MISS/200", host="www.gov.bt")
    )
    result = logimport.import_log(db, path=log)
    db.commit()
    assert (result.kept, result.uncategorised) == (5, 1)
    counts = dict(db.execute(select(AccessDenial.rule, func.sum(AccessDenial.count)).group_by(AccessDenial.rule)).all())
    assert counts == {"not_designated": 3, "allowance_used_up": 1, "unknown": 1}
    assert db.scalar(select(func.count()).select_from(AccessSession)) == 0  # refused requests are not use
    purged = logimport.purge(db, retention_days=30, now=NINE + timedelta(days=45))
    assert purged == 4
    assert db.scalar(select(func.count()).select_from(AccessDenial)) == 3  # the counts stay
