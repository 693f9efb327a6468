"""Squid's external ACL helper protocol: channel ids, replies, garbage, a flaky database, a real process."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from civicloop.access import service
from civicloop.access.helper import MAX_LINE_BYTES, Helper, Refresher, quoted, serve
from civicloop.access.policy import AfterHours, OfficeHours, Rule
from civicloop.access.squidconf import helper_program
from civicloop.db.session import build_engine, get_sessionmaker
from civicloop.kit.clock import FixedClock
from civicloop.sla import service as calendar
from tests.access.test_policy import DESIGNATED, PEMA, TUESDAY, snapshot, thimphu
from tests.factories import create_agency, create_official


def _helper(at: datetime | None = None) -> Helper:
    helper = Helper(FixedClock(at or thimphu(10)))
    helper.snapshot = snapshot(Rule(OfficeHours.designated, 0, AfterHours.closed), PEMA, DESIGNATED)
    return helper


def _serve(helper: Helper, data: bytes) -> list[bytes]:
    """Feed ``data`` to ``serve`` through a pipe, as Squid does, and collect the reply lines."""
    read_in, write_in = os.pipe()
    read_out, write_out = os.pipe()
    thread = threading.Thread(target=serve, args=(helper, read_in, write_out))
    thread.start()
    with os.fdopen(write_in, "wb") as stdin:
        stdin.write(data)
    thread.join(timeout=10)
    os.close(write_out)
    with os.fdopen(read_out, "rb") as stdout:
        replies = stdout.read().splitlines()
    os.close(read_in)
    return replies


def test_replies_carry_the_channel_id_the_rule_and_a_quoted_reason() -> None:
    helper = _helper()
    assert helper.handle(b"0 kinley%40thromde.example www.facebook.com -") == (
        b"0 OK tag=social:designated log=THROMDE\n"
    )
    refused = helper.handle(b"17 pema%40thromde.example static.xx.fbcdn.net -")
    assert refused.startswith(b'17 ERR message="In office hours Thimphu Thromde opens social media')
    assert refused.endswith(b'" tag=social:not_designated log=THROMDE\n')
    assert helper.handle(b"3 pema www.gov.bt") == b"3 OK\n"  # not categorised: no tag
    night = _helper(thimphu(20)).handle(b"4 kinley%40thromde.example x.com -")
    assert b"ERR" in night and b"tag=social:after_hours_closed" in night
    assert quoted('say "hi" \\ bye') == b'"say \\"hi\\" \\\\ bye"'


def test_without_concurrency_there_is_no_channel_id() -> None:
    helper = _helper()
    helper.channel_ids = False
    assert helper.handle(b"kinley%40thromde.example www.facebook.com") == b"OK tag=social:designated log=THROMDE\n"


def test_garbage_lines_get_err_with_a_reason_and_the_next_line_is_served() -> None:
    helper = _helper()
    lines = [
        b"",
        b"5",
        b"6 pema%zz x.com",
        b"7 pema%C3%28 x.com",
        b"8 pema%0Aevil x.com",
        b"not-a-channel pema x.com",
        b"9 " + b"a" * (MAX_LINE_BYTES + 10) + b" x.com",
        b"10 kinley%40thromde.example www.facebook.com -",
    ]
    replies = _serve(helper, b"\n".join(lines) + b"\n")
    assert replies == [
        b'ERR message="empty request line"',
        b'5 ERR message="expected a login and a destination host (format %#LOGIN %#DST)"',
        b'6 ERR message="the login has a broken %-escape"',
        b'7 ERR message="the login is not UTF-8"',
        b'8 ERR message="the login contains control characters"',
        b'ERR message="the line does not start with a channel id (is concurrency= set in squid.conf?)"',
        b'9 ERR message="request line longer than 8192 bytes"',
        b"10 OK tag=social:designated log=THROMDE",
    ]


def test_a_line_that_never_ends_is_answered_once_and_skipped() -> None:
    helper = _helper()
    endless = b"11 " + b"x" * (MAX_LINE_BYTES * 20)
    replies = _serve(helper, endless + b" tail\n12 kinley%40thromde.example x.com -\n")
    assert replies == [
        b'11 ERR message="request line longer than 8192 bytes"',
        b"12 OK tag=social:designated log=THROMDE",
    ]


def test_a_repeated_request_is_decided_afresh_when_hours_end_the_day_turns_or_the_policy_changes() -> None:
    clock = FixedClock(thimphu(16, 59))
    helper = Helper(clock)
    helper.snapshot = snapshot(Rule(OfficeHours.designated, 0, AfterHours.closed), PEMA, DESIGNATED)
    request = b"kinley%40thromde.example www.facebook.com"
    assert b"tag=social:designated" in helper.handle(b"1 " + request)
    clock.advance(seconds=59)
    assert b"tag=social:designated" in helper.handle(b"2 " + request)  # 16:59:59, office hours still
    clock.advance(seconds=2)
    assert b"tag=social:after_hours_closed" in helper.handle(b"3 " + request)  # 17:00:01
    clock.at = thimphu(9, 30, TUESDAY + timedelta(days=1))
    assert b"tag=social:designated" in helper.handle(b"4 " + request)  # the next morning
    helper.snapshot = snapshot(Rule(OfficeHours.closed, 0, AfterHours.closed), PEMA, DESIGNATED)
    assert b"tag=social:office_hours_closed" in helper.handle(b"5 " + request)  # a reloaded policy
    clock.at = thimphu(20, 0, TUESDAY - timedelta(days=1))  # a clock set back
    assert b"tag=social:after_hours_closed" in helper.handle(b"7 " + request)


def test_requests_under_an_allowance_are_all_counted() -> None:
    clock = FixedClock(thimphu(10))
    helper = Helper(clock)
    helper.snapshot = snapshot(Rule(OfficeHours.designated, 2, AfterHours.closed), PEMA, DESIGNATED)
    replies = []
    for minute in range(4):  # each request counts as a minute
        clock.at = thimphu(10, minute)
        replies.append(helper.handle(b"%d pema%%40thromde.example x.com" % minute))
    assert [b"tag=social:allowance " in r for r in replies] == [True, True, False, False]
    assert b"tag=social:allowance_used_up" in replies[3]


def test_bh_only_for_the_helpers_own_failures() -> None:
    helper = Helper(FixedClock(thimphu(10)))
    assert helper.handle(b"1 pema x.com -") == b'1 BH message="the office access policy is not loaded yet"\n'
    broken = _helper()
    broken.snapshot.categories = {}  # type: ignore[union-attr]  # a category the snapshot cannot describe
    assert broken.handle(b"2 pema x.com -") == b'2 BH message="internal error in the CivicLoop helper"\n'
    assert broken.handle(b"3 pema www.gov.bt -") == b"3 OK\n"


def test_the_last_good_policy_keeps_answering_while_the_database_is_unreachable() -> None:
    helper = _helper()
    good = helper.snapshot
    # Nothing listens on port 1: every connection is refused, as when the database server is down.
    down = build_engine("postgresql+psycopg://postgres@127.0.0.1:1/civicloop", connect_args={"connect_timeout": 2})
    unreachable = sessionmaker(bind=down)
    refresher = Refresher(helper, unreachable, interval=0.05)
    assert refresher.refresh() is False and refresher.failures == 1
    assert helper.snapshot is good
    assert helper.handle(b"1 kinley%40thromde.example x.com -") == b"1 OK tag=social:designated log=THROMDE\n"


def test_policy_changes_reach_a_running_helper_without_a_restart(db: Session) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "officer@THROMDE", email="pema@thromde.example")
    at = datetime(2030, 3, 5, 4, 0, tzinfo=UTC)  # Tuesday 10:00 in Thimphu
    helper = Helper(FixedClock(at))
    refresher = Refresher(helper, get_sessionmaker(), interval=0.05)
    assert refresher.refresh()
    assert helper.handle(b"1 pema x.com -") == b"1 OK tag=social:office_hours_all log=THROMDE\n"
    service.set_policy(
        db,
        actor=None,
        agency_id=agency.id,
        category="social",
        office_hours=OfficeHours.closed,
        after_hours=AfterHours.open,
    )
    db.commit()
    refresher.start()
    deadline = time.monotonic() + 10
    while b"office_hours_closed" not in helper.handle(b"2 pema x.com -"):
        assert time.monotonic() < deadline, "the refresher did not pick up the policy change"
        time.sleep(0.05)
    # A closure declared in the calendar makes it "after hours" for the agency, without a restart either.
    calendar.add_closure(db, actor=None, scope="agency", day=date(2030, 3, 5), name="Flood", agency_id=agency.id)
    db.commit()
    while b"after_hours_open" not in helper.handle(b"3 pema x.com -"):
        assert time.monotonic() < deadline + 10, "the refresher did not pick up the calendar change"
        time.sleep(0.05)
    refresher.stop()


def test_the_helper_process_answers_squid_and_survives_garbage(db: Session, db_url: str, tmp_path: Path) -> None:
    create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    create_official(db, "officer@MOIT", email="tashi@moit.example")
    # A fresh data folder and a real (not immediate) job queue: the helper must not create jobs.db there,
    # since Squid runs it as an unprivileged user that may not write to the data folder.
    data = tmp_path / "data"
    env = {**os.environ, "CIVICLOOP_DATABASE_URL": db_url, "CIVICLOOP_DATA_DIR": str(data)}
    env["CIVICLOOP_JOBS_IMMEDIATE"] = "false"
    requests = b"0 tashi x.com -\n\n1 tashi%zz x.com -\n2 tashi%40moit.example www.example.org -\n"
    started = time.monotonic()
    answered = subprocess.run(
        [*shlex.split(helper_program()), "squid-helper", "--at", "2030-03-05T10:00"],  # as squid.conf runs it
        input=requests,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.splitlines() == [
        b"0 OK tag=social:office_hours_all log=MOIT",
        b'ERR message="empty request line"',
        b'1 ERR message="the login has a broken %-escape"',
        b"2 OK",
    ]
    assert time.monotonic() - started < 30
    assert not (data / "jobs.db").exists()
    bad_clock = subprocess.run(
        [sys.executable, "-m", "civicloop", "squid-helper", "--at", "yesterday"],
        input=b"", capture_output=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert bad_clock.returncode == 2 and bad_clock.stdout == b""
    assert not (data / "jobs.db").exists()
