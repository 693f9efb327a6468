"""Reading a user's CSV or JSON Lines file of messages, with errors a person can act on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicloop.errors import Invalid
from civicloop.kit import csvfile


@dataclass(frozen=True)
class MessageFile:
    texts: list[str]
    ids: list[str]
    labels: list[str] | None
    guessed: str | None = None  # the CSV dialect guessed, when the caller asked for a guess


def _rows(path: Path, guess: bool) -> tuple[list[str], list[dict[str, Any]], str | None]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise Invalid(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise Invalid(f"{path} is a folder, not a file") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
            "save it as UTF-8 and try again"
        ) from exc
    if not content.strip():
        raise Invalid(f"{path} is empty")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows: list[dict[str, Any]] = []
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise Invalid(f"{path}, line {number}: not a JSON object ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise Invalid(f"{path}, line {number}: each line must be a JSON object")
            rows.append(row)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        return columns, rows, None
    table = csvfile.parse(content, name=str(path), guess=guess)
    lines = [cells for _, cells in table.rows() if any(cell.strip() for cell in cells)]
    header = lines[0] if lines else []
    return header, [dict(zip(header, cells, strict=False)) for cells in lines[1:]], table.guessed


def read_messages(
    path: Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    label_column: str | None = None,
    guess_dialect: bool = False,
) -> MessageFile:
    """Texts (and ids, labels) of every row; ids are 1-based row numbers without ``id_column``.

    A CSV file is read as RFC 4180 (comma-separated, quoted fields may hold line breaks and doubled
    quotes); ``guess_dialect`` guesses its delimiter and quoting instead.
    """
    columns, rows, guessed = _rows(path, guess_dialect)
    if not rows:
        raise Invalid(f"{path} has a header but no rows")
    for wanted, option in (
        (text_column, "--text-column"),
        (id_column, "--id-column"),
        (label_column, "--label-column"),
    ):
        if wanted is not None and wanted not in columns:
            shown = ", ".join(repr(c) for c in columns[:20]) or "none"
            raise Invalid(f"{path} has no column {wanted!r} (given by {option}); its columns are: {shown}")

    def cell(row: dict[str, Any], column: str) -> str:
        value = row.get(column)
        return "" if value is None else str(value)

    ids = [cell(row, id_column) for row in rows] if id_column else [str(n) for n in range(1, len(rows) + 1)]
    if id_column and len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicate = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise Invalid(f"{path}: the id column {id_column!r} repeats the value {duplicate!r}; ids must be unique")
    return MessageFile(
        texts=[cell(row, text_column) for row in rows],
        ids=ids,
        labels=[cell(row, label_column) for row in rows] if label_column else None,
        guessed=guessed,
    )
