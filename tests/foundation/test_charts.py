"""Charts (web/charts.py): labels in full, a legend for several series, the figures as a table too."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from civicloop.web.charts import bar_chart, drawing, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own drawing, not outside input


def texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in parse(svg).iter(f"{SVG}text")]


class Cells(HTMLParser):
    """The rows of the table alternative: header cell then data cells, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None


def table_of(chart: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(chart[chart.index("<table") :])
    return parser.rows


def test_a_bar_chart_writes_long_labels_in_full_and_its_values_as_a_table() -> None:
    label = "Department of Information and Media, Facebook Page"  # 50 characters: clipped at 28 before
    chart = bar_chart([(label, 12.5), ("X", 3.0)], title="Median first response", unit=" min")
    svg = str(drawing(chart))
    assert svg.startswith("<svg") and "<table" not in svg  # the drawing alone, for downloads
    assert label in texts(svg) and "12.5 min" in texts(svg)
    assert chart.startswith('<figure class="chart-box">') and "<figcaption>Median first response</figcaption>" in chart
    assert table_of(chart) == [["", "Value"], [label, "12.5 min"], ["X", "3 min"]]


def test_a_value_that_does_not_exist_gets_no_bar_and_reads_no_data() -> None:
    chart = bar_chart([("Answered", 42.0), ("Never answered", None)], title="Median", unit=" min")
    root = parse(str(drawing(chart)))
    bars = [rect.findtext(f"{SVG}title") for rect in root.iter(f"{SVG}rect")]
    assert bars == ["Answered: 42 min"]  # one bar; none of 0 min for the account without answers
    assert "no data" in texts(str(drawing(chart))) and "0 min" not in str(chart)
    assert table_of(chart)[2] == ["Never answered", "no data"]


def test_a_line_chart_has_a_legend_naming_every_series_and_a_table_per_date() -> None:
    series = {
        "Citizen messages": [("2026-03-01", 4.0), ("2026-03-02", 9.0), ("2026-03-03", 1.0)],
        "Agency messages": [("2026-03-01", 2.0), ("2026-03-03", 5.0)],
    }
    chart = line_chart(series, title="Messages per day")
    shown = texts(str(drawing(chart)))
    assert {"Citizen messages", "Agency messages"} <= set(shown)  # the legend
    assert {"2026-03-01", "2026-03-02", "2026-03-03"} <= set(shown)  # first, middle and last dates
    swatches = [r.get("fill") for r in parse(str(drawing(chart))).iter(f"{SVG}rect")]
    lines = [p.get("stroke") for p in parse(str(drawing(chart))).iter(f"{SVG}polyline")]
    assert swatches == lines and len(set(lines)) == 2  # each legend swatch has its line's colour
    assert table_of(chart) == [
        ["", "Citizen messages", "Agency messages"],
        ["2026-03-01", "4", "2"],
        ["2026-03-02", "9", "no data"],
        ["2026-03-03", "1", "5"],
    ]


def test_citizen_text_in_labels_is_escaped() -> None:
    chart = bar_chart([("<script>alert(1)</script>", 1.0)], title="<b>t</b>")
    assert "<script>" not in chart and "<b>" not in chart
    assert not re.search(
        r"<(?!/?(svg|title|desc|text|rect|figure|figcaption|details|summary|div|table|caption|thead|tbody|tr|th|td)\b)",
        chart,
    )
