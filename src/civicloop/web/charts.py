"""Server-rendered SVG charts: no JavaScript, readable by screen readers, downloadable as .svg.

See docs/adr/0002-server-rendered-svg-charts.md for why this replaces a vendored JS library.

A chart is shown as a ``<figure>``: the SVG (its labels written in full above each bar, so nothing is clipped
on a phone, and a legend for several series), then the same numbers as a table for those who cannot read a
chart (a screen reader, a keyboard user who wants exact values, a printout). The returned ``Chart`` is the
figure's HTML; ``drawing(chart)`` is the SVG alone, for downloads (oversight's SVG and PNG exports).

A value that does not exist (no answered conversation, so no median) is ``None``: it gets no bar and reads
"no data", never a bar of 0, which would say that somebody answered in no time.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

# Colours that keep 3:1 contrast against white (WCAG 1.4.11) and stay apart for the common colour blindness
# (Okabe-Ito's order, darkened where a tint was too light); a legend names each anyway.
PALETTE = ("#0b5d8a", "#b35a00", "#00703c", "#a8005e", "#5b3f9e", "#00756b", "#8f2a0e", "#4b5563")
BAR_COLOUR = "#0b5d8a"
NO_DATA = "no data"
# The table under a chart: its summary and value column, in English unless the caller passes them translated.
TABLE_SUMMARY = "The figures of this chart as a table"
VALUE = "Value"


class Chart(Markup):
    """The figure's HTML (a ``Markup``, so templates print it as is); ``svg`` is the drawing alone."""

    svg: Markup


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "",
    width: int = 560,
    bar_height: int = 18,
    table_labels: tuple[str, str] = (TABLE_SUMMARY, VALUE),
) -> Markup:
    """Horizontal bars, one per (label, value), each label written in full on its own line above its bar."""
    label_line, gap, top = 18, 12, 8
    row = label_line + bar_height + gap
    height = top + max(1, len(items)) * row
    peak = max((value for _, value in items if value is not None), default=0) or 1
    room = width - 90  # space for the value written after the longest bar
    rows = []
    for index, (label, value) in enumerate(items):
        y = top + index * row
        shown = _shown(value, unit)
        rows.append(f'<text x="0" y="{y + 13}" font-weight="bold">{escape(_clip(label, 70))}</text>')
        bar_y = y + label_line
        length = 0.0 if value is None else max(room * value / peak, 1.5 if value else 0)
        if length:
            rows.append(
                f'<rect x="0" y="{bar_y}" width="{length:.1f}" height="{bar_height}" fill="{BAR_COLOUR}">'
                f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            )
        rows.append(f'<text x="{length + 6:.1f}" y="{bar_y + bar_height - 4}">{escape(shown)}</text>')
    svg = _svg(width, height, title, _bar_desc(items, unit), "".join(rows))
    summary, value_header = table_labels
    table = _table(title, ["", value_header], [(label, [_shown(value, unit)]) for label, value in items], summary)
    return _figure(svg, title, table)


def line_chart(
    series: dict[str, Sequence[tuple[str, float]]],
    *,
    title: str,
    width: int = 640,
    height: int = 260,
    colors: Sequence[str] = PALETTE,
) -> Markup:
    """One line per named series over shared x labels (e.g. dates), with a legend; ``colors`` in series order."""
    names = list(series)
    legend_rows = (len(names) + 2) // 3
    left, right, top = 48, 12, 12
    bottom = 34 + 20 * legend_rows
    labels = sorted({x for points in series.values() for x, _ in points})
    peak = max((v for points in series.values() for _, v in points), default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)
    position = {label: left + i * step for i, label in enumerate(labels)}
    axis_y = top + plot_h
    parts = []
    for fraction in (0, 0.5, 1):  # gridlines with their values, so a reader can read a level off the chart
        y = axis_y - plot_h * fraction
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#b1b4b6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{peak * fraction:g}</text>'
        )
    for index, name in enumerate(names):
        color = colors[index % len(colors)]
        points = series[name]
        coords = " ".join(f"{position[x]:.1f},{axis_y - plot_h * v / peak:.1f}" for x, v in points)
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{coords}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        if len(points) == 1:  # a single point draws no line: mark it
            x, v = points[0]
            parts.append(f'<circle cx="{position[x]:.1f}" cy="{axis_y - plot_h * v / peak:.1f}" r="4" fill="{color}"/>')
        lx = left + (index % 3) * ((width - left) / 3)
        ly = axis_y + 34 + 20 * (index // 3)
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 11}" width="14" height="14" fill="{color}"/>'
            f'<text x="{lx + 20:.1f}" y="{ly}">{escape(_clip(name, 26))}</text>'
        )
    if labels:
        parts.append(f'<text x="{left}" y="{axis_y + 18}">{escape(labels[0])}</text>')
        if len(labels) > 2:
            middle = labels[len(labels) // 2]
            parts.append(
                f'<text x="{position[middle]:.1f}" y="{axis_y + 18}" text-anchor="middle">{escape(middle)}</text>'
            )
        if len(labels) > 1:
            parts.append(f'<text x="{width - right}" y="{axis_y + 18}" text-anchor="end">{escape(labels[-1])}</text>')
    desc = "; ".join(f"{name}: " + ", ".join(f"{x}={v:g}" for x, v in points) for name, points in series.items())
    svg = _svg(width, height, title, desc or NO_DATA, "".join(parts))
    values = {name: dict(points) for name, points in series.items()}
    rows = [(x, [_shown(values[name].get(x), "") for name in names]) for x in labels]
    return _figure(svg, title, _table(title, ["", *names], rows))


def drawing(chart: Markup) -> Markup:
    """The SVG of a chart made here, without its figure and table (a downloadable .svg)."""
    svg: Markup = chart.svg if isinstance(chart, Chart) else chart
    return svg


def _shown(value: float | None, unit: str) -> str:
    return NO_DATA if value is None else f"{value:g}{unit}"


def _bar_desc(items: Sequence[tuple[str, float | None]], unit: str) -> str:
    return "; ".join(f"{label}: {_shown(value, unit)}" for label, value in items) or NO_DATA


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(  # noqa: S704 - every interpolated text above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        # Sized by attributes and the stylesheet (svg.chart), not a style attribute, which the CSP refuses.
        f'width="{width}" height="{height}" font-size="14" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Noto Sans Tibetan, sans-serif" '
        f'fill="#0b0c0c"><title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>'
    )


def _table(
    title: str, header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], summary: str = TABLE_SUMMARY
) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>{"".join(f"<td class=num>{escape(c)}</td>" for c in cells)}</tr>'
        for label, cells in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(header)}">{NO_DATA}</td></tr>'
    return (
        f'<details class="chart-table"><summary>{escape(summary)}</summary>'
        f'<div class="table-wrap"><table><caption class="govuk-visually-hidden">{escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _figure(svg: Markup, title: str, table: str) -> Chart:
    # The SVG and the table escape every text they hold.
    chart = Chart(f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>{svg}{table}</figure>')
    chart.svg = svg
    return chart
