"""``civicloop analyse --input FILE`` on the files people bring: CSV, JSON Lines, and the mistakes in them."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pytest

from civicloop.analysis.files import read_messages
from civicloop.cli import main
from tests.analysis.corpus import generate
from tests.conftest import run_civicloop

CORPUS = generate()


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """The entry point in this process, as a shell would call it: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["civicloop", "analyse", *args])
    with pytest.raises(SystemExit) as exited:
        main()
        sys.exit(0)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def corpus_csv(path: Path, *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["comment", "theme"])
        writer.writerows(zip(CORPUS.texts, CORPUS.themes, strict=True))
    return path


def test_a_csv_gives_themes_json_for_every_row_and_agreement_with_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = corpus_csv(tmp_path / "feedback.csv", delimiter=";", encoding="utf-8-sig")
    out_file = tmp_path / "out.json"
    code, out, err = run(
        capsys,
        monkeypatch,
        *("--input", str(source), "--text-column", "comment", "--label-column", "theme", "--json", str(out_file)),
        "--guess-dialect",
    )
    assert code == 0, err
    assert "Guessed the CSV dialect: semicolon-separated" in out
    assert f"{len(CORPUS.texts)} messages" in out and "Campaigns" in out
    agreement = re.search(r"Agreement with 'theme': NMI (\d\.\d+), ARI (\d\.\d+)", out)
    assert agreement and float(agreement[1]) >= 0.4
    data = json.loads(out_file.read_text())
    # No --id-column: rows are numbered from 1, and every row is assigned, Other included.
    assert set(data["assignments"]) == {str(n) for n in range(1, len(CORPUS.texts) + 1)}
    assert {t["id"] for t in data["themes"]} >= set(data["assignments"].values())
    assert data["run"]["messages"] == len(CORPUS.texts) and data["campaigns"]


def test_json_lines_with_an_id_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "messages.jsonl"
    rows = [{"id": f"fb-{n}", "text": text} for n, text in enumerate(CORPUS.texts[:200])]
    rows.append({"id": "dz-1", "text": "ལམ་འདི་ལུ་ཆུ་མེད།"})
    source.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n\n", encoding="utf-8")
    out_file = tmp_path / "out.json"
    code, _out, err = run(capsys, monkeypatch, "--input", str(source), "--id-column", "id", "--json", str(out_file))
    assert code == 0, err
    assert set(json.loads(out_file.read_text())["assignments"]) == {row["id"] for row in rows}


@pytest.mark.parametrize(
    ("content", "name", "extra", "message"),
    [
        (
            b"comment,theme\nroad broken,roads\n",
            "a.csv",
            (),
            "a.csv has no column 'text' (given by --text-column); its columns are: 'comment', 'theme'",
        ),
        (b"", "a.csv", (), "a.csv is empty"),
        (b"text,theme\n", "a.csv", (), "a.csv has a header but no rows"),
        ("text\nCaf\xe9 closed early\n".encode("latin-1"), "a.csv", (), "is not UTF-8 text (byte 0xe9 at position 8)"),
        (b"id,text\n1,a road\n1,a bus\n", "a.csv", ("--id-column", "id"), "repeats the value '1'"),
        (b'{"text": "road"}\nroad\n', "a.jsonl", (), "a.jsonl, line 2: not a JSON object"),
        (b"text\nroad\n", "a.csv", ("--label-column", "topic"), "has no column 'topic' (given by --label-column)"),
        (None, "missing.csv", (), "missing.csv: no such file"),
    ],
    ids=["missing-column", "empty", "header-only", "not-utf8", "repeated-id", "bad-json-line", "no-label", "no-file"],
)
def test_bad_files_get_one_clear_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes | None,
    name: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, monkeypatch, "--input", str(path), *extra)
    assert code == 2
    assert err.startswith("error: ") and message in " ".join(err.split()), err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--agency", "THROMDE", "--sample-size", "500"), "--sample-size applies to --input"),
        (("--input", "a.csv", "--embedder", "best"), "unknown embedder 'best'"),
        ((), "give either --input FILE or --agency CODE"),
    ],
)
def test_contradictory_options_are_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    code, _out, err = run(capsys, monkeypatch, *args)
    assert code == 2 and message in err


def test_a_sample_below_100_is_a_usage_error(tmp_path: Path) -> None:
    """Typer checks the range before the command runs: the console entry point, as a person would see it."""
    source = corpus_csv(tmp_path / "feedback.csv")
    done = run_civicloop("analyse", "--input", str(source), "--sample-size", "50")
    said = " ".join(done.stderr.replace("│", " ").split())
    assert (
        done.returncode == 2
        and "Invalid value for '--sample-size': Input should be greater than or equal to 100" in said
    )
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_quality_embedder_with_a_small_sample_says_how_many_texts_minilm_embedded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, quality_embedder: None
) -> None:
    source = corpus_csv(tmp_path / "feedback.csv")
    out_file = tmp_path / "out.json"
    code, out, err = run(
        capsys,
        monkeypatch,
        *("--input", str(source), "--text-column", "comment", "--embedder", "quality", "--sample-size", "100"),
        *("--label-column", "theme", "--json", str(out_file)),
    )
    assert code == 0, err
    run_facts = json.loads(out_file.read_text())["run"]
    assert run_facts["embedded"] == 100 < run_facts["unique"]
    assert f"100 of {run_facts['unique']:,} distinct texts embedded" in run_facts["model"]
    agreement = re.search(r"NMI (\d\.\d+), ARI (\d\.\d+)", out)
    assert agreement and float(agreement[2]) >= 0.7


def rfc4180_file(path: Path, rows: int, paragraph: str) -> tuple[Path, list[str]]:
    """Rows whose text spans lines and holds commas, semicolons and doubled quotes, as a spreadsheet saves them."""
    texts = [f'Row {n}: "{paragraph}"; shelter, bench\r\nsecond line of row {n}\nthird; line' for n in range(rows)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "text"], *([str(n), text] for n, text in enumerate(texts))])
    return path, texts


def test_an_rfc_4180_file_with_multi_line_quoted_fields_is_read_exactly_even_at_10_mb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A semicolon-heavy start once made the guess pick ';' and split every row in the wrong place. The size is what
    # is tested: 600 long rows (17 KB each) rather than many short ones.
    path, texts = rfc4180_file(tmp_path / "survey.csv", 600, "We need a roof; and lights; " * 600)
    assert path.stat().st_size > 10_000_000
    assert read_messages(path, id_column="id").texts == texts
    out_file = tmp_path / "out.json"
    code, out, err = run(
        capsys, monkeypatch, "--input", str(path), "--id-column", "id", "--embedder", "fast", "--json", str(out_file)
    )
    assert code == 0, err
    assert "600 messages" in out and "Guessed" not in out
    assert set(json.loads(out_file.read_text())["assignments"]) == {str(n) for n in range(600)}


def test_a_malformed_quote_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('text\n"fine, quoted"\n"open "quote" inside"\n', encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "--input", str(path))
    assert code == 2 and "line 3: the CSV is malformed" in err and "Traceback" not in err
