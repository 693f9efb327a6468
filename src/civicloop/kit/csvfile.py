"""CSV files as spreadsheets and survey tools write them: RFC 4180 unless the user asks for a guess.

RFC 4180: comma-separated, fields in double quotes may hold commas, line breaks and doubled quotes
(``""``). Guessing the dialect from a file's first kilobytes can go wrong on exactly those files
(a quoted paragraph full of semicolons looks like a semicolon-separated file), so it happens only
when asked, and the caller says what was guessed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from civicloop.errors import Invalid

SNIFF_CHARS = 64 * 1024
# A long answer in one field (a pasted letter) is still a field.
csv.field_size_limit(10_000_000)


class Rfc4180(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


@dataclass(frozen=True)
class CsvText:
    """A decoded CSV file: its rows with the line each starts on, and what was guessed, if anything."""

    name: str
    text: str
    dialect: type[csv.Dialect] | csv.Dialect
    guessed: str | None  # e.g. "delimiter ';'", only when the dialect was guessed

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line the row starts on, cells) for every row, blank rows included; a malformed row is an
        ``Invalid`` naming its line."""
        reader = csv.reader(io.StringIO(self.text, newline=""), self.dialect)
        line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise Invalid(f"{self.name}, line {line}: the CSV is malformed ({exc})") from exc
            yield line, row
            line = reader.line_num + 1


def parse(text: str, *, name: str, guess: bool = False) -> CsvText:
    """``text`` read as RFC 4180, or in the dialect guessed from its start with ``guess=True``."""
    if not guess:
        return CsvText(name, text, Rfc4180, None)
    try:
        sniffed = csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=",;\t|")
    except csv.Error:
        return CsvText(name, text, Rfc4180, "nothing (no delimiter stood out), so RFC 4180 commas")
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(sniffed.delimiter, repr(sniffed.delimiter))
    return CsvText(name, text, sniffed, f"{shown}-separated, quote character {sniffed.quotechar!r}")
