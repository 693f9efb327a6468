"""Server-rendered SVG charts: no JavaScript, readable by screen readers, downloadable as .svg.

See docs/adr/0002-server-rendered-svg-charts.md for why this replaces a vendored JS library.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1f6feb", "#d97706", "#059669", "#b91c1c", "#7c3aed", "#0891b2", "#be185d", "#4b5563")


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str, unit: str = "", width: int = 560, bar_height: int = 22
) -> Markup:
    """Horizontal bars, one per (label, value); the table of values is in the <desc> too."""
    label_width, gap = 180, 6
    height = max(1, len(items)) * (bar_height + gap) + 30
    top = max((value for _, value in items), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(items):
        y = 24 + index * (bar_height + gap)
        length = (width - label_width - 70) * value / top
        shown = f"{value:g}{unit}"
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(_clip(label, 28))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.7:.1f}">{escape(shown)}</text>'
        )
    desc = "; ".join(f"{label}: {value:g}{unit}" for label, value in items) or "no data"
    return _svg(width, height, title, desc, "".join(rows))


def line_chart(
    series: dict[str, Sequence[tuple[str, float]]],
    *,
    title: str,
    width: int = 560,
    height: int = 220,
    colors: Sequence[str] = PALETTE,
) -> Markup:
    """One line per named series over shared x labels (e.g. dates), with a legend; ``colors`` in series order."""
    left, right, top, bottom = 40, 10, 24, 40
    labels = sorted({x for points in series.values() for x, _ in points})
    peak = max((v for points in series.values() for _, v in points), default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)
    position = {label: left + i * step for i, label in enumerate(labels)}
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888"/>',
        f'<text x="4" y="{top + 8}">{peak:g}</text><text x="4" y="{top + plot_h}">0</text>',
    ]
    for index, (name, points) in enumerate(series.items()):
        color = colors[index % len(colors)]
        coords = " ".join(f"{position[x]:.1f},{top + plot_h - plot_h * v / peak:.1f}" for x, v in points)
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        parts.append(
            f'<rect x="{left + index * 120}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + index * 120 + 14}" y="{height - 5}">{escape(_clip(name, 14))}</text>'
        )
    if labels:
        parts.append(
            f'<text x="{left}" y="{top + plot_h + 14}">{escape(labels[0])}</text>'
            f'<text x="{width - right}" y="{top + plot_h + 14}" text-anchor="end">'
            f"{escape(labels[-1])}</text>"
        )
    desc = "; ".join(f"{name}: " + ", ".join(f"{x}={v:g}" for x, v in points) for name, points in series.items())
    return _svg(width, height, title, desc or "no data", "".join(parts))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(  # noqa: S704 - every interpolated text above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        # Sized by attributes and the stylesheet (svg.chart), not a style attribute, which the CSP refuses.
        f'width="{width}" height="{height}" font-size="12" font-family="sans-serif">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )
