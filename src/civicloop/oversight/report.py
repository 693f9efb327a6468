"""The building blocks of every oversight page: figures, tables and charts, and their exports.

A page is a list of these; the HTML shows them, and the same objects export as CSV, JSON or an image,
so a download always matches what the page shows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from civicloop.errors import Invalid, NotFound
from civicloop.kit.i18n import N_

Cell = str | int | float | bool | date | datetime | None
NAME_RE = re.compile(r"^[a-z0-9_]{1,64}$")


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change from ``previous`` to ``current`` (0.25 = up a quarter); None when undefined."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True)
class Figure:
    """One headline number, the same number for the previous period, and where its rows are listed."""

    key: str
    label: str
    value: float | None
    previous: float | None = None
    unit: str = ""
    href: str | None = None
    definition: str = ""
    # Whether a rise is good news (response rate) or bad (backlog); None when neither.
    higher_is_better: bool | None = None

    @property
    def change(self) -> float | None:
        return change(self.value, self.previous)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "previous": self.previous,
            "change": self.change,
            "unit": self.unit,
            "definition": self.definition,
        }


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


# Columns many tables share.
PREVIOUS = Column("previous", "Previous period", numeric=True)
CITIZEN_CONVERSATIONS = Column("conversations", N_("Citizen conversations"), numeric=True)
CITIZEN_MESSAGES = Column("messages_in", "Citizen messages", numeric=True)
MESSAGES = (CITIZEN_MESSAGES, Column("messages_out", "Agency messages", numeric=True))


@dataclass
class Table:
    """Rows of plain values; ``links[i][key]`` makes a cell a link to the rows behind it."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Cell]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    note: str = ""
    empty: str = N_("Nothing in this period.")

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ValueError(f"table name {self.name!r} must be lower-case letters, digits and _")

    def add(self, row: dict[str, Cell], links: dict[str, str] | None = None) -> None:
        self.rows.append(row)
        self.links.append(links or {})

    def link(self, index: int, key: str) -> str | None:
        return self.links[index].get(key) if index < len(self.links) else None

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_cell(row.get(c.key)) for c in self.columns])
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.name,
            "title": self.title,
            "note": self.note,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [{c.key: _json_cell(row.get(c.key)) for c in self.columns} for row in self.rows],
        }


def compared(name: str, title: str, *columns: Column, note: str = "", empty: str = "Nothing in this period.") -> Table:
    """A table whose rows give a count in the period beside the same count in the previous period.

    ``columns`` are what each row is and its count; further columns follow the previous period's.
    """
    return Table(name, title, [*columns[:2], PREVIOUS, *columns[2:]], note=note, empty=empty)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    # Spreadsheets run cells that start with these as formulas; agency and account names come from people.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _json_cell(value: Cell) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    figure: Markup  # the figure shown on the page (web.charts); its drawing is what downloads


def find_table(tables: Sequence[Table], name: str) -> Table:
    for table in tables:
        if table.name == name:
            return table
    raise NotFound(f"this page has no table {name!r}")


def find_chart(charts: Sequence[Chart], name: str) -> Chart:
    for chart in charts:
        if chart.name == name:
            return chart
    raise NotFound(f"this page has no chart {name!r}")


def svg_to_png(svg: str) -> bytes:
    """Rasterize one of our charts (resvg, no browser); fonts come from the system's font folders."""
    import resvg_py

    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="#ffffff", zoom=2.0))
    except ValueError as exc:
        raise Invalid(f"the chart could not be drawn as PNG: {exc}") from exc


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def figures_table(figures: Sequence[Figure], name: str = "figures") -> Table:
    """The page's headline figures as a table, so that they export like every other table."""
    table = Table(
        name,
        "Headline figures",
        [
            Column("key", "Figure"),
            Column("label", "Label"),
            Column("value", "Value", numeric=True),
            PREVIOUS,
            Column("change", "Change", numeric=True),
            Column("unit", "Unit"),
            Column("definition", "Definition"),
        ],
    )
    for figure in figures:
        delta = figure.change
        table.add(
            {
                "key": figure.key,
                "label": figure.label,
                "value": figure.value,
                "previous": figure.previous,
                "change": round(delta, 4) if delta is not None else None,
                "unit": figure.unit,
                "definition": figure.definition,
            }
        )
    return table
