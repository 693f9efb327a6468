"""CSV import: good rows stored once, bad rows reported by line, bad files refused with a clear reason."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.channels.csv.importer import import_csv, parse_map
from civicloop.channels.models import Contact, Conversation, ConversationKind, Message
from civicloop.errors import Invalid, NotFound
from civicloop.kit.clock import FixedClock, set_clock
from tests.conftest import run_civicloop
from tests.factories import create_account, create_agency

SURVEY = (
    "Respondent,Comment,Date\n"
    "Tshering Yangden,The bus to Babesa is always late in the morning.,02/03/2026 08:15\n"
    'Ugyen,"Please add benches.\nAnd a roof against the rain.",2026-03-01\n'
    ",,2026-03-01\n"
    "Dorji,Streetlights in Changjiji are out.,31/02/2026\n"
    "Pema,Great new footpath!,2027-01-01\n"
    "Anonymous,ཐིམ་ཕུ་ལུ་ཆུ་མེདཔ་ཨིན།,\n"
)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    restore = set_clock(fixed)
    yield fixed
    restore()


@pytest.fixture
def agency(db: Session) -> Agency:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_account(db, agency, "web", "thromde-feedback", {}, "Feedback form")
    create_account(db, agency, "facebook", "104577788899900", None, "Thimphu Thromde Page")
    return agency


def _write(tmp_path: Path, text: str | bytes, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _import(db: Session, path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    report = import_csv(db, path=path, agency_code="THROMDE", checkpoint=db.commit, **kwargs)  # type: ignore[arg-type]
    db.commit()
    return report


def test_good_rows_are_stored_and_bad_rows_reported_by_line(db: Session, agency: Agency, tmp_path: Path) -> None:
    path = _write(tmp_path, SURVEY)
    report = _import(db, path, column_map=parse_map("text=Comment,author=Respondent,created=Date"))
    assert (report.rows, report.added, report.duplicates) == (6, 3, 0)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (5, "the text is empty"),
        (6, "date '31/02/2026' is not understood (use 2026-03-02, 2026-03-02T09:30 or 02/03/2026)"),
        (7, "date '2027-01-01' is in the future"),
    ]
    stored = list(db.scalars(select(Message).order_by(Message.created_at)))
    assert [m.text for m in stored] == [
        "Please add benches.\nAnd a roof against the rain.",
        "The bus to Babesa is always late in the morning.",
        "ཐིམ་ཕུ་ལུ་ཆུ་མེདཔ་ཨིན།",
    ]
    assert stored[1].created_at == datetime(2026, 3, 2, 2, 15, tzinfo=UTC)  # 08:15 in Thimphu
    assert {m.platform for m in stored} == {"csv"}
    conversation = db.get(Conversation, stored[0].conversation_id)
    assert conversation is not None and conversation.kind is ConversationKind.import_
    assert conversation.subject == "Imported from survey.csv"
    names = {db.get(Contact, m.contact_id).display_name for m in stored if m.contact_id}  # type: ignore[union-attr]
    assert names == {"Tshering Yangden", "Ugyen", "Anonymous"}


def test_importing_the_same_file_again_adds_nothing_and_a_longer_one_only_the_new_rows(
    db: Session, agency: Agency, tmp_path: Path
) -> None:
    columns = parse_map("author=Respondent,text=Comment,created=Date")
    _import(db, _write(tmp_path, SURVEY), column_map=columns)
    again = _import(db, _write(tmp_path, SURVEY), column_map=columns)
    assert (again.added, again.duplicates, len(again.rejected)) == (0, 3, 3)
    longer = _import(
        db,
        _write(tmp_path, SURVEY + "Kinley,More bins at the weekend market.,01/03/2026\n", "v2.csv"),
        column_map=columns,
    )
    assert (longer.added, longer.duplicates) == (1, 3)
    assert len(db.scalars(select(Message)).all()) == 4


def test_columns_are_guessed_and_semicolons_and_utf16_are_read_when_asked_to_guess(
    db: Session, agency: Agency, tmp_path: Path
) -> None:
    report = _import(db, _write(tmp_path, "name;feedback\nSonam;Water was cut for two days.\n"), guess_dialect=True)
    assert (report.added, report.account) == (1, "Feedback form")
    assert report.guessed == "semicolon-separated, quote character '\"'"
    utf16 = "message\tdate\nThe park needs lights.\t2026-02-27\n".encode("utf-16")
    report = _import(
        db, _write(tmp_path, utf16, "letters.csv"), account_name="Thimphu Thromde Page", guess_dialect=True
    )
    assert (report.added, report.account) == (1, "Thimphu Thromde Page")
    assert report.guessed is not None and report.guessed.startswith("tab-separated")


def test_an_rfc_4180_file_of_10_mb_with_multi_line_quoted_fields_is_imported_exactly(
    db: Session, agency: Agency, tmp_path: Path
) -> None:
    """Read as RFC 4180 without guessing: a start full of semicolons no longer fools the reader. The file's size is
    what is tested, so its rows are long (17 KB, below the 20,000-character limit) rather than many."""
    paragraph = 'The stop floods; we wait in the rain; "fix it", please. ' * 300
    texts = [f"Row {n}: {paragraph}\r\nSecond line, with a comma\nThird; line" for n in range(600)]
    path = tmp_path / "survey.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["comment", "date"], *([text, "2026-03-01"] for text in texts)])
    assert path.stat().st_size > 10_000_000
    report = _import(db, path)
    assert (report.rows, report.added, report.rejected, report.guessed) == (600, 600, [], None)
    stored = db.scalars(select(Message.text).order_by(Message.id)).all()
    assert stored == texts


@pytest.mark.parametrize(
    ("content", "column_map", "message"),
    [
        ("", {}, "survey.csv is empty"),
        ("Comment\n", {}, "has a header but no rows"),
        ("Name,Remark\nA,b\n", {}, "has no text column (tried text, message"),
        (
            "Name,Comment\nA,b\n",
            {"text": "Feedback"},
            "column 'Feedback' (for text) is not in survey.csv; its columns are: Name, Comment",
        ),
        (b"Comment\nok\n" + b"caf\xe9\n", {}, "not UTF-8 text (first bad byte on line 3)"),
    ],
)
def test_bad_files_are_refused_with_a_clear_reason(
    db: Session, agency: Agency, tmp_path: Path, content: str | bytes, column_map: dict[str, str], message: str
) -> None:
    with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        _import(db, _write(tmp_path, content), column_map=column_map)
    assert db.scalars(select(Message)).all() == []


def test_bad_arguments_are_refused(db: Session, agency: Agency, tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="FIELD=COLUMN"):
        parse_map("text")
    with pytest.raises(Invalid, match="not 'colour'"):
        parse_map("colour=Red")
    with pytest.raises(NotFound, match="no account named 'Nope'"):
        _import(db, _write(tmp_path, SURVEY), account_name="Nope")
    with pytest.raises(NotFound, match="no file"):
        _import(db, tmp_path / "missing.csv")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_civicloop("import", "csv", *args)  # in this process (the process boundary: tests/foundation/test_cli.py)


def test_the_command_reports_json_and_one_line_errors(db: Session, agency: Agency, tmp_path: Path) -> None:
    path = _write(tmp_path, SURVEY)
    first = _cli(str(path), "--agency", "THROMDE", "--map", "text=Comment,author=Respondent,created=Date", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["added"], [r["line"] for r in report["rejected"]]) == (3, [5, 6, 7])
    second = _cli(str(path), "--agency", "THROMDE", "--map", "text=Comment,author=Respondent,created=Date")
    assert second.returncode == 0 and "0 added" in second.stdout and "Rejected rows" in second.stdout
    broken = _cli(str(path), "--agency", "THROMDE", "--map", "text=Missing")
    assert broken.returncode == 2
    assert broken.stderr.strip().splitlines()[-1].startswith("error: column 'Missing' (for text) is not in survey.csv")
