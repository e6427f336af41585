"""Charts drawn on the server as inline SVG: no script, no external file, ready for print.

Pure functions of labels and numbers returning :class:`markupsafe.Markup`;
every label goes through :func:`markupsafe.escape`, every number through
:func:`number`, so a unit named ``<script>`` is text inside the drawing.
The pages' Content-Security-Policy (``style-src 'self'``) refuses ``style``
attributes, so the drawing uses SVG presentation attributes only (``fill``,
``stroke``, ``font-size``), which WeasyPrint also reads for the PDF report.

Black on white: series are told apart by their fill (dark, white with an
outline, light grey) and by the legend, never by colour; every bar and point
carries its value as text. Each chart is an ``<svg role="img">`` named by its
``<title>`` and described by a ``<desc>`` listing the values; pages put the
same figures in a table beside or below it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape

INK = "#000000"
PAPER = "#ffffff"
GRID = "#bfbfbf"
# Dark, white (outlined), light grey: three series distinguishable in black and white.
FILLS = ("#404040", "#ffffff", "#a6a6a6", "#e3e3e3")
LIGHT_TEXT_ON = {"#404040"}
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
WIDTH = 640
HEAD = 24.0  # the drawn title's band
CHAR_WIDTH = 6.4  # average advance of an 11 px sans-serif glyph, for layout only

Value = float | int | None


def number(value: Value, unit: str = "") -> str:
    """``1,234``, ``85.5``, ``12.25 %``; ``—`` for no value. Rounded to two decimals."""
    if value is None:
        return "—"
    value = round(float(value), 2)
    text = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}" if unit else text


def signed(value: Value) -> str:
    """A change: ``+3``, ``−2.5`` (a true minus sign), ``0``; ``—`` for none."""
    if value is None:
        return "—"
    text = number(abs(float(value)))
    if round(float(value), 2) > 0:
        return f"+{text}"
    return f"−{text}" if round(float(value), 2) < 0 else text


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    base = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * base + 1e-9:
            return step * base
    return 10.0 * base  # pragma: no cover - the loop always returns


def _round_step(step: float, counts: bool) -> bool:
    if step <= 0 or (counts and not step.is_integer()):
        return False
    mantissa = step / 10.0 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, nice) for nice in (1.0, 2.0, 2.5, 5.0))


def scale(values: Sequence[Value], top: float | None = None) -> tuple[float, int]:
    """The axis: its top value and how many intervals to mark, every mark a
    round number (a whole number when the values are counts)."""
    found = [float(v) for v in values if v is not None]
    counts = all(v.is_integer() for v in found)
    if top is not None and top > 0:
        highest = float(top)
    else:
        highest = nice_ceiling(max(found, default=0.0))
        if counts:
            highest = max(highest, 4.0)  # no marks at a quarter of a request
    for intervals in (4, 5):
        if _round_step(highest / intervals, counts):
            return highest, intervals
    return highest, 4


def _id(kind: str, title: str, data: object) -> str:
    digest = hashlib.sha1(f"{kind}|{title}|{data!r}".encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _f(value: float) -> str:
    """A coordinate, short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, anchor: str = "middle", **extra: str) -> str:
    attributes = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in extra.items())
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}"{attributes}>{escape(content)}</text>'
    )


def _lines(x: float, y: float, content: str, *, anchor: str = "middle") -> str:
    """Text on several lines (split at ``\\n``), the first at ``y``."""
    spans = "".join(
        f'<tspan x="{_f(x)}" dy="{0 if i == 0 else 12}">{escape(part)}</tspan>'
        for i, part in enumerate(content.split("\n"))
    )
    return f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}">{spans}</text>'


def _open(ident: str, title: str, description: str, width: float, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{_f(width)}" '
        f'height="{_f(height)}" viewBox="0 0 {_f(width)} {_f(height)}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" {FONT} font-size="11" fill="{INK}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{_f(width)}" height="{_f(height)}" fill="{PAPER}"/>'
        + _text(4, 15, title, anchor="start", font_size="13", font_weight="bold")
    )


def _describe(pairs: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{label.replace(chr(10), ' ')}: {value}" for label, value in pairs)


def _values(names: Sequence[str], values: Sequence[Value], unit: str) -> str:
    return ", ".join(f"{name} {number(v, unit)}" for name, v in zip(names, values, strict=False))


def _empty(width: float, height: float, message: str) -> str:
    return _text(width / 2, height / 2, message, font_size="13")


def _legend(series: Sequence[str], width: float) -> tuple[str, float]:
    """The swatches and names of ``series`` under the title, wrapped to ``width``;
    returns the drawing and the height of the band it takes."""
    parts = []
    x, y = 8.0, HEAD + 12
    for index, name in enumerate(series):
        room = 14 + len(name) * CHAR_WIDTH + 16
        if x > 8 and x + room > width:
            x, y = 8.0, y + 16
        fill = FILLS[index % len(FILLS)]
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="10" height="10" fill="{fill}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        parts.append(_text(x + 14, y, name, anchor="start"))
        x += room
    return "".join(parts), y - HEAD + 10


def _axis_line(x1: float, y1: float, x2: float, y2: float, colour: str = INK) -> str:
    width = "1" if colour == INK else "0.6"
    return (
        f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
        f'stroke="{colour}" stroke-width="{width}"/>'
    )


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(
    points: Sequence[tuple[str, Value]],
    *,
    title: str,
    unit: str = "",
    line: bool = False,
    top: float | None = None,
    empty: str = "Sin datos",
    width: float = WIDTH,
    height: float = 250,
) -> Markup:
    """A monthly (or yearly) series: columns, or a line with ``line=True``.

    :param points: ``(label, value)`` in order; a label may hold ``\\n`` for two
        lines ("nov\\n2026"); a None value is drawn as a gap.
    :param unit: ``"%"`` writes the values as percentages.
    :param top: the value at the top of the axis (100 for a percentage); by
        default the round number just above the largest value.
    :param empty: the text drawn when no point has a value.
    """
    values = [value for _, value in points]
    ident = _id("column", title, points)
    description = _describe([(label, number(value, unit)) for label, value in points])
    parts = [_open(ident, title, description, width, height)]
    if not points or all(value is None for value in values):
        parts.append(_empty(width, height, empty))
        return _close(parts)
    left, right, above, below = 48.0, 12.0, HEAD + 18, 34.0
    plot_width, plot_height = width - left - right, height - above - below
    base = above + plot_height
    shown = "%" if unit == "%" else ""
    highest, intervals = scale(values, top)
    for tick in range(intervals + 1):
        y = base - plot_height * tick / intervals
        parts.append(_axis_line(left, y, width - right, y, GRID))
        parts.append(
            _text(left - 5, y + 4, number(highest * tick / intervals, shown), anchor="end")
        )
    slot = plot_width / len(points)
    centres = [left + slot * (index + 0.5) for index in range(len(points))]

    def y_of(value: float) -> float:
        return base - plot_height * min(max(float(value), 0.0), highest) / highest

    if line:
        # One polyline per run of values: a month without a value is a gap.
        run: list[str] = []
        for centre, value in [*zip(centres, values, strict=True), (0.0, None)]:
            if value is not None:
                run.append(f"{_f(centre)},{_f(y_of(value))}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{INK}" '
                    'stroke-width="2"/>'
                )
            run = []
    for centre, value in zip(centres, values, strict=True):
        if value is None:
            continue
        top_y = y_of(value)
        if line:
            parts.append(
                f'<circle cx="{_f(centre)}" cy="{_f(top_y)}" r="3.5" fill="{PAPER}" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
        else:
            bar = slot * 0.6
            parts.append(
                f'<rect x="{_f(centre - bar / 2)}" y="{_f(top_y)}" width="{_f(bar)}" '
                f'height="{_f(base - top_y)}" fill="{FILLS[0]}" stroke="{INK}" '
                'stroke-width="0.6"/>'
            )
        parts.append(_text(centre, top_y - 6, number(value, shown)))
    parts.append(_axis_line(left, base, width - right, base))
    for centre, (label, _) in zip(centres, points, strict=True):
        parts.append(_lines(centre, base + 14, label))
    return _close(parts)


def _fit(label: str, room: float) -> str:
    chars = max(int(room / CHAR_WIDTH), 4)
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _label_room(rows: Sequence[tuple[str, Sequence[Value]]], width: float) -> float:
    longest = max(len(label) for label, _ in rows) * CHAR_WIDTH + 10
    return min(max(longest, 60.0), width * 0.38)


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Value]]],
    *,
    series: Sequence[str],
    title: str,
    unit: str = "",
    top: float | None = None,
    empty: str = "Sin datos",
    width: float = WIDTH,
) -> Markup:
    """Horizontal bars for a breakdown: one group per row, one bar per series.

    :param rows: ``(label, values)`` with one value per name in ``series``.
        Long labels are shortened on the drawing; the ``<desc>`` and the
        table beside the chart keep them whole.
    """
    ident = _id("bar", title, (rows, series))
    description = _describe([(label, _values(series, values, unit)) for label, values in rows])
    every = [value for _, values in rows for value in values]
    bar, gap = 12.0, 10.0
    key, band = _legend(series, width) if len(series) > 1 else ("", 4.0)
    legend = HEAD + band
    group = bar * len(series) + gap
    height = legend + group * max(len(rows), 1) + 24
    parts = [_open(ident, title, description, width, height)]
    if not rows or all(value is None for value in every):
        parts.append(_empty(width, height, empty))
        return _close(parts)
    left = _label_room(rows, width)
    plot = width - left - 64.0
    highest, intervals = scale(every, top)
    if len(series) > 1:
        parts.append(key)
    y = legend
    for label, values in rows:
        parts.append(_text(left - 6, y + group / 2, _fit(label, left - 10), anchor="end"))
        for index, value in enumerate(values):
            top_y = y + index * bar
            end = left
            if value is not None:
                end += plot * min(max(float(value), 0.0), highest) / highest
                parts.append(
                    f'<rect x="{_f(left)}" y="{_f(top_y)}" width="{_f(end - left)}" '
                    f'height="{_f(bar - 2)}" fill="{FILLS[index % len(FILLS)]}" '
                    f'stroke="{INK}" stroke-width="0.6"/>'
                )
            parts.append(_text(end + 4, top_y + bar - 3, number(value, unit), anchor="start"))
        y += group
    parts.append(_axis_line(left, legend - 4, left, y))
    for tick in range(intervals + 1):
        x = left + plot * tick / intervals
        parts.append(_text(x, y + 14, number(highest * tick / intervals, unit), font_size="9"))
    return _close(parts)


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[Value]]],
    *,
    levels: Sequence[str],
    title: str,
    empty: str = "Sin datos",
    width: float = WIDTH,
) -> Markup:
    """One bar per row split into ``levels`` (percentages: satisfied, regular,
    unsatisfied). A row whose shares add up to more than 100 is scaled to its sum;
    a row without values says ``empty``."""
    ident = _id("stacked", title, (rows, levels))
    description = _describe([(label, _values(levels, values, "%")) for label, values in rows])
    bar, gap = 22.0, 10.0
    key, band = _legend(levels, width)
    legend = HEAD + band
    height = legend + (bar + gap) * max(len(rows), 1) + 8
    parts = [_open(ident, title, description, width, height)]
    every = [value for _, values in rows for value in values]
    if not rows or all(value is None for value in every):
        parts.append(_empty(width, height, empty))
        return _close(parts)
    left = _label_room(rows, width)
    plot = width - left - 12
    parts.append(key)
    y = legend
    for label, values in rows:
        parts.append(_text(left - 6, y + bar / 2 + 4, _fit(label, left - 10), anchor="end"))
        shares = [max(float(v), 0.0) if v is not None else 0.0 for v in values]
        total = max(sum(shares), 100.0)
        if not any(shares):
            parts.append(_text(left + 4, y + bar / 2 + 4, empty, anchor="start"))
        x = left
        for index, share in enumerate(shares):
            if not share:
                continue
            length = plot * share / total
            fill = FILLS[index % len(FILLS)]
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(length)}" height="{_f(bar)}" '
                f'fill="{fill}" stroke="{INK}" stroke-width="0.8"/>'
            )
            caption = number(share, "%")
            if length >= len(caption) * CHAR_WIDTH + 4:
                colour = PAPER if fill in LIGHT_TEXT_ON else INK
                parts.append(_text(x + length / 2, y + bar / 2 + 4, caption, fill=colour))
            x += length
        y += bar + gap
    return _close(parts)
