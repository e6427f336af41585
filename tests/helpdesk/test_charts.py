"""Server-drawn SVG charts (helpdesk/charts.py): pure functions, tested without Flask."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from helpdesk import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
EVIL = '<script>alert("x")</script>" onload="alert(1)'
MONTHS = [("ene\n2026", 3), ("feb\n2026", 5), ("mar\n2026", None), ("abr\n2026", 7)]


def parse(svg: str) -> ET.Element:
    """The drawing as XML: fails on anything unescaped."""
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{{{NS['svg']}}}text")]


def shapes(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(f"{{{NS['svg']}}}{tag}"))


def bars(root: ET.Element) -> list[ET.Element]:
    """The drawn bars (every rect but the white background and legend swatches)."""
    return [r for r in shapes(root, "rect")[1:] if r.get("width") not in ("10",)]


ALL_CHARTS = [
    lambda label: charts.column_chart([(label, 4)], title=label),
    lambda label: charts.column_chart([(label, 40.5)], title=label, unit="%", line=True, top=100),
    lambda label: charts.bar_chart([(label, [1, 2])], series=[label, "b"], title=label),
    lambda label: charts.stacked_bars(
        [(label, [50, 30, 20])], levels=[label, "r", "i"], title=label
    ),
]


# -- safety and accessibility ------------------------------------------------------------


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_labels_are_escaped_everywhere(draw):
    svg = draw(EVIL)
    assert isinstance(svg, Markup)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert 'onload="' not in svg
    root = parse(svg)  # well-formed: nothing broke out of an attribute or element
    assert root.find("svg:title", NS).text == EVIL
    assert any(EVIL[:20] in text for text in texts(root))


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_every_chart_is_an_image_named_and_described(draw):
    root = parse(draw("Solicitudes"))
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert list(root)[0] is title
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_no_style_attribute_and_black_on_white(draw):
    """The CSP refuses style attributes; print needs no colour."""
    svg = str(draw("x"))
    assert "style=" not in svg
    assert "<style" not in svg
    root = parse(svg)
    assert shapes(root, "rect")[0].get("fill") == "#ffffff"
    colours = {node.get("fill") for node in root.iter() if node.get("fill")}
    colours |= {node.get("stroke") for node in root.iter() if node.get("stroke")}
    # Greys only: red, green and blue equal.
    assert all(c[1:3] == c[3:5] == c[5:7] for c in colours if c and c.startswith("#"))


def test_the_description_lists_every_value_for_screen_readers():
    root = parse(charts.column_chart(MONTHS, title="Recibidas"))
    assert root.find("svg:desc", NS).text == ("ene 2026: 3; feb 2026: 5; mar 2026: —; abr 2026: 7")


# -- empty and missing values ------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        charts.column_chart([], title="t", empty="Sin datos"),
        charts.column_chart([("a", None), ("b", None)], title="t", empty="Sin datos"),
        charts.column_chart([("a", None)], title="t", line=True, unit="%", empty="Sin datos"),
        charts.bar_chart([], series=["a"], title="t", empty="Sin datos"),
        charts.bar_chart([("x", [None, None])], series=["a", "b"], title="t", empty="Sin datos"),
        charts.stacked_bars([], levels=["a"], title="t", empty="Sin datos"),
        charts.stacked_bars(
            [("2026", [None, None, None])], levels="abc", title="t", empty="Sin datos"
        ),
    ],
)
def test_empty_or_all_none_draws_the_empty_message(svg):
    root = parse(svg)
    assert "Sin datos" in texts(root)
    assert bars(root) == []
    assert shapes(root, "polyline") == []


def test_a_none_breaks_the_line_and_draws_no_point():
    points = [("a", 10), ("b", 20), ("c", None), ("d", 30), ("e", 40)]
    root = parse(charts.column_chart(points, title="t", line=True, unit="%", top=100))
    assert len(shapes(root, "polyline")) == 2
    assert len(shapes(root, "circle")) == 4
    assert "10 %" in texts(root) and "40 %" in texts(root)


def test_a_lone_value_between_gaps_is_a_point_without_line():
    root = parse(charts.column_chart([("a", None), ("b", 50), ("c", None)], title="t", line=True))
    assert shapes(root, "polyline") == []
    assert len(shapes(root, "circle")) == 1


def test_zeros_are_drawn_not_empty():
    root = parse(charts.column_chart([("a", 0), ("b", 0)], title="t"))
    assert "Sin datos" not in texts(root)
    assert [b.get("height") for b in bars(root)] == ["0", "0"]


# -- scaling -----------------------------------------------------------------------------


def test_columns_are_scaled_to_a_round_top():
    root = parse(charts.column_chart([("a", 7), ("b", 5), ("c", 0)], title="t"))
    heights = [float(b.get("height")) for b in bars(root)]
    # Counts up to 7: the axis goes to 10 in steps of 2.
    assert heights[0] / heights[1] == pytest.approx(7 / 5)
    marks = [t for t in texts(root) if t in {"0", "2", "4", "6", "8", "10"}][:6]
    assert marks == ["0", "2", "4", "6", "8", "10"]
    base = float(shapes(root, "line")[-1].get("y1"))
    top_mark = [float(line.get("y1")) for line in shapes(root, "line")][5]
    assert heights[0] == pytest.approx((base - top_mark) * 0.7, abs=0.2)


def test_percentages_go_to_100_in_quarters():
    root = parse(charts.column_chart([("a", 75)], title="t", unit="%", top=100))
    assert [t for t in texts(root) if t.endswith("%")][:5] == [
        "0 %",
        "25 %",
        "50 %",
        "75 %",
        "100 %",
    ]


def test_values_above_the_top_are_clipped():
    root = parse(charts.column_chart([("a", 150), ("b", 100)], title="t", top=100))
    heights = [float(b.get("height")) for b in bars(root)]
    assert heights[0] == heights[1]
    assert "150" in texts(root)


def test_horizontal_bars_are_proportional_and_labelled():
    rows = [("DGD", [8, 4]), ("DCII", [2, None])]
    root = parse(charts.bar_chart(rows, series=["Recibidas", "Concluidas"], title="Carga"))
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[0] == pytest.approx(widths[1] * 2)
    assert widths[0] == pytest.approx(widths[2] * 4)
    assert len(widths) == 3  # the missing value draws no bar but says "—"
    assert {"DGD", "DCII", "8", "4", "2", "—", "Recibidas", "Concluidas"} <= set(texts(root))
    fills = [b.get("fill") for b in bars(root)]
    assert fills[0] != fills[1]  # the two series differ without colour


def test_long_labels_are_shortened_on_the_drawing_only():
    label = "Sistema Municipal para el Desarrollo Integral de la Familia " * 2
    root = parse(charts.bar_chart([(label, [1])], series=["a"], title="t"))
    drawn = [t for t in texts(root) if t.startswith("Sistema")]
    assert drawn and drawn[0].endswith("…") and len(drawn[0]) < len(label)
    assert label.strip() in root.find("svg:desc", NS).text


def test_stacked_bars_split_the_whole_width():
    rows = [("2025", [50, 25, 25]), ("2026", [96.34, 2.07, 0.73])]
    root = parse(charts.stacked_bars(rows, levels=["S", "R", "I"], title="Satisfacción"))
    segments = [float(b.get("width")) for b in bars(root)]
    assert segments[0] == pytest.approx(segments[1] * 2)
    assert sum(segments[:3]) == pytest.approx(sum(segments[3:]) / 0.9914, rel=1e-3)
    assert "96.34 %" in texts(root)


def test_stacked_shares_over_100_are_scaled_to_their_sum():
    root = parse(charts.stacked_bars([("x", [100, 100])], levels=["a", "b"], title="t"))
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[0] == widths[1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (0.3, 0.5), (1, 1), (3, 5), (7, 10), (12, 20), (21, 25), (26, 50), (99, 100)],
)
def test_nice_ceiling(value, expected):
    assert charts.nice_ceiling(value) == expected


@pytest.mark.parametrize(
    ("values", "top", "expected"),
    [
        ([1], None, (4, 4)),
        ([7], None, (10, 5)),
        ([18], None, (20, 4)),
        ([21, None], None, (25, 5)),
        ([0.3], None, (0.5, 5)),
        ([40.5], 100, (100, 4)),
        ([None], None, (4, 4)),
    ],
)
def test_scale_marks_round_numbers(values, top, expected):
    assert charts.scale(values, top) == expected


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (None, "", "—"),
        (3.0, "", "3"),
        (2934, "", "2,934"),
        (66.666, "%", "66.67 %"),
        (85.5, "%", "85.5 %"),
        (12.0, "solicitudes", "12 solicitudes"),
        (0, "%", "0 %"),
    ],
)
def test_number(value, unit, expected):
    assert charts.number(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "—"), (3, "+3"), (-2.5, "−2.5"), (0, "0"), (0.001, "0")]
)
def test_signed(value, expected):
    assert charts.signed(value) == expected


def test_a_long_legend_wraps_and_the_drawing_grows():
    short = parse(charts.bar_chart([("a", [1, 2, 3])], series=["x", "y", "z"], title="t"))
    names = ["Solicitudes recibidas en el periodo" * 2, "Concluidas", "Abiertas al cierre"]
    long = parse(charts.bar_chart([("a", [1, 2, 3])], series=names, title="t"))
    swatches = [r for r in shapes(long, "rect") if r.get("width") == "10"]
    assert len({s.get("y") for s in swatches}) == 2  # two lines of legend
    assert all(float(s.get("x")) + 10 <= charts.WIDTH for s in swatches)
    assert float(long.get("height")) > float(short.get("height"))
