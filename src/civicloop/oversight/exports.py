"""One answer for every oversight page: the HTML, or one of its tables as CSV/JSON, or a chart as SVG/PNG.

``?table=NAME&format=csv|json`` and ``?chart=NAME&format=svg|png`` on any oversight page download
exactly what that page shows, for the same period and filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from civicloop.errors import Invalid
from civicloop.oversight.periods import Period
from civicloop.oversight.report import Chart, Table, dumps, find_chart, find_table, svg_to_png
from civicloop.oversight.sources import Basis
from civicloop.web.charts import drawing
from civicloop.web.templating import render

Format = Literal["csv", "json", "svg", "png"]
EXPORT_PARAMS = ("table", "chart", "format")


@dataclass(frozen=True)
class Export:
    """What the page was asked for instead of its HTML: ``?table=NAME&format=…`` or ``?chart=NAME&format=…``."""

    format: Format | None = None
    table: str | None = None
    chart: str | None = None


def export_query(
    format: Annotated[Format | None, Query()] = None,
    table: Annotated[str | None, Query(max_length=64)] = None,
    chart: Annotated[str | None, Query(max_length=64)] = None,
) -> Export:
    return Export(format, table, chart)


ExportDep = Annotated[Export, Depends(export_query)]


def export_base(request: Request) -> str:
    """This page's URL with its filters and without any export parameter, ready for ``table=...``."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in EXPORT_PARAMS]
    query = urlencode(kept)
    return f"{request.url.path}?{query}&" if query else f"{request.url.path}?"


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _stem(basename: str, period: Period | None, part: str) -> str:
    dates = f"-{period.start.isoformat()}-{period.end.isoformat()}" if period else ""
    return f"civicloop-{basename}-{part}{dates}"


def respond(
    request: Request,
    template: str,
    page: object,
    *,
    tables: Sequence[Table],
    charts: Sequence[Chart] = (),
    basename: str,
    period: Period | None,
    basis: Basis | None = None,
    export: Export,
    lang: str | None = None,
) -> Response:
    """``lang``: a page for citizens in that language (the transparency page); officials' pages are English."""
    format, table, chart = export.format, export.table, export.chart
    if format is None and table is None and chart is None:
        if lang:
            return render(request, template, page, export_base=export_base(request), lang=lang)
        return render(request, template, page, export_base=export_base(request))
    if table is not None and format in ("csv", "json"):
        found = find_table(tables, table)
        stem = _stem(basename, period, found.name)
        if format == "csv":
            return Response(found.to_csv(), media_type="text/csv; charset=utf-8", headers=attachment(f"{stem}.csv"))
        meta: dict[str, Any] = {
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None,
            "basis": basis.to_json() if basis else None,
        }
        body = dumps({**meta, **found.to_json()})
        return Response(body, media_type="application/json", headers=attachment(f"{stem}.json"))
    if chart is not None and format in ("svg", "png"):
        found_chart = find_chart(charts, chart)
        stem = _stem(basename, period, found_chart.name)
        svg = str(drawing(found_chart.figure))
        if format == "svg":
            return Response(svg, media_type="image/svg+xml", headers=attachment(f"{stem}.svg"))
        return Response(svg_to_png(svg), media_type="image/png", headers=attachment(f"{stem}.png"))
    raise Invalid("ask for table=NAME with format=csv or json, or chart=NAME with format=svg or png", field="format")
