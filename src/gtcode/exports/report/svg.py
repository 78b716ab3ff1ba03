"""Charts as inline SVG, written in pure Python.

Every label is a ``<text>`` element (never a path or a picture), so Chinese
renders in the reader's own fonts, can be searched and copied, and prints
sharp. Each chart has a ``viewBox`` and scales with the page; its height
grows with the number of labels, so a chart of 300 cases stays legible
(the page puts tall charts in a scrolling box). Output is deterministic:
the same data gives the same bytes.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = 12
#: Sequential colour scale for heat maps (light to dark blue).
SCALE = ((0xF3, 0xF6, 0xFA), (0x6B, 0xAE, 0xD6), (0x08, 0x30, 0x6B))
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9e2ec"
ACCENT = "#2166ac"
BAND = "#9ecae1"


def esc(text: object) -> str:
    """Text escaped for SVG/HTML content and attributes."""
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float = FONT) -> float:
    """Estimated rendered width: full-width (CJK) characters 1 em, others ~0.6 em."""
    width = 0.0
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        width += size if wide else size * 0.6
    return width


def clip(text: str, max_width: float, size: float = FONT) -> str:
    """``text`` shortened with an ellipsis to fit ``max_width`` (estimated)."""
    if text_width(text, size) <= max_width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…", size) > max_width:
            break
        out += char
    return out + "…"


def wrap(text: str, max_width: float, size: float = FONT, max_lines: int = 3) -> list[str]:
    """``text`` broken into lines that fit ``max_width`` (at spaces when it has them,
    else between characters, as Chinese is); the last line is clipped with …."""
    words = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    lines: list[str] = []
    for word in words:
        if lines and text_width(lines[-1] + joiner + word, size) <= max_width:
            lines[-1] += joiner + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [joiner.join(lines[max_lines - 1:])]
    return [clip(line, max_width, size) for line in lines]


def colour(share: float) -> str:
    """The heat-map colour for ``share`` in [0, 1]."""
    share = min(1.0, max(0.0, share))
    low, high = (SCALE[0], SCALE[1]) if share <= 0.5 else (SCALE[1], SCALE[2])
    part = share * 2 if share <= 0.5 else share * 2 - 1
    rgb = (round(a + (b - a) * part) for a, b in zip(low, high))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def open_svg(width: float, height: float, label: str, kind: str) -> str:
    """The ``<svg>`` start tag with a viewBox, an accessible name and a ``<title>``."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" '
            f'viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" '
            f'height="{num(height)}" role="img" aria-label="{esc(label)}">'
            f"<title>{esc(label)}</title>")


def text(x: float, y: float, content: str, *, anchor: str = "start", size: float = FONT,
         cls: str = "", extra: str = "", full: str | None = None) -> str:
    """A ``<text>``; ``full`` adds a tooltip with the unshortened label."""
    attrs = f' class="{cls}"' if cls else ""
    tip = f"<title>{esc(full)}</title>" if full and full != content else ""
    return (f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" '
            f'text-anchor="{anchor}"{attrs}{extra}>{tip}{esc(content)}</text>')


def label_column(labels: Sequence[str], limit: float = 220) -> float:
    """Width for a column of labels, capped at ``limit``."""
    widest = max((text_width(x) for x in labels), default=0)
    return min(limit, widest) + 10


# -- heat map -----------------------------------------------------------------

def heatmap(rows: Sequence[str], cols: Sequence[str], values: Sequence[Sequence[float]], *,
            label: str, legend: str, cells: Sequence[Sequence[str]] | None = None,
            vmax: float | None = None, high_label: str | None = None, cell_w: float = 52,
            cell_h: float = 26) -> str:
    """A rows x columns heat map with value labels and a colour legend.

    Args:
        rows, cols: row and column labels.
        values: ``values[i][j]`` for row i, column j (>= 0).
        label: the chart's accessible name.
        legend: what the colour measures (under the legend bar).
        cells: text shown in each cell (defaults to the value); cells widen to fit it.
        vmax: value of the darkest colour (defaults to the largest value).
        high_label: how the legend writes ``vmax`` (e.g. ``100%``).
    """
    if cells:
        widest = max((text_width(c, 11) for row in cells for c in row), default=0)
        cell_w = max(cell_w, widest + 10)
    top = max((text_width(clip(c, 150)) for c in cols), default=0) * 0.71 + 18
    left = label_column(rows)
    body_w, body_h = cell_w * len(cols), cell_h * len(rows)
    width = left + body_w + top * 0.71 + 20
    height = top + body_h + 56
    high = vmax if vmax is not None else max((v for r in values for v in r), default=0)
    parts = [open_svg(width, height, label, "heatmap")]
    for j, col in enumerate(cols):
        x, short = left + cell_w * (j + 0.5), clip(col, 150)
        parts.append(text(x, top - 6, short, cls="col", full=col,
                          extra=f' transform="rotate(-45 {num(x)} {num(top - 6)})"'))
    for i, row in enumerate(rows):
        y = top + cell_h * i
        short = clip(row, left - 10)
        parts.append(text(left - 6, y + cell_h * 0.68, short, anchor="end", full=row))
        for j, value in enumerate(values[i]):
            parts.append(_cell(left + cell_w * j, y, cell_w, cell_h, value, high,
                               cells[i][j] if cells else _short(value)))
    parts.append(_legend(left, top + body_h + 14, high_label or _short(high), legend))
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _cell(x: float, y: float, w: float, h: float, value: float, high: float, label: str) -> str:
    share = value / high if high else 0.0
    ink = "#ffffff" if share > 0.55 else INK
    shown = label if value or label not in ("0", "0%") else ""
    return (f'<rect class="cell" x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
            f'fill="{colour(share)}" stroke="#ffffff"><title>{esc(label)}</title></rect>'
            + (text(x + w / 2, y + h * 0.68, shown, anchor="middle", size=11,
                    extra=f' fill="{ink}"') if shown else ""))


def _legend(x: float, y: float, high: str, caption: str) -> str:
    stops = "".join(f'<stop offset="{k / 4:.2f}" stop-color="{colour(k / 4)}"/>'
                    for k in range(5))
    return ('<g class="legend"><defs><linearGradient id="heat-scale">' + stops
            + "</linearGradient></defs>"
            f'<rect x="{num(x)}" y="{num(y)}" width="160" height="10" fill="url(#heat-scale)" '
            f'stroke="{GRID}"/>'
            + text(x, y + 24, "0", size=11, cls="muted")
            + text(x + 160, y + 24, high, anchor="end", size=11, cls="muted")
            + text(x + 172, y + 9, caption, size=11, cls="muted") + "</g>")


# -- horizontal bars --------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    """One bar: its label, length and the text written after it."""

    label: str
    value: float
    shown: str
    colour: str = ACCENT


def hbar(bars: Sequence[Bar], *, label: str, vmax: float | None = None,
         bar_area: float = 320, row_h: float = 22) -> str:
    """A horizontal bar chart, one row per bar, in the given order."""
    left = label_column([b.label for b in bars])
    high = vmax if vmax is not None else max((b.value for b in bars), default=0) or 1
    width = left + bar_area + 70
    height = row_h * len(bars) + 10
    parts = [open_svg(width, height, label, "hbar")]
    for i, bar in enumerate(bars):
        y = 5 + row_h * i
        length = max(0.0, bar.value) / high * bar_area
        short = clip(bar.label, left - 10)
        parts.append(text(left - 6, y + row_h * 0.66, short, anchor="end", full=bar.label))
        parts.append(f'<rect class="bar" x="{num(left)}" y="{num(y + 3)}" '
                     f'width="{num(max(length, 1))}" height="{num(row_h - 6)}" '
                     f'fill="{bar.colour}"><title>{esc(bar.shown)}</title></rect>')
        parts.append(text(left + length + 5, y + row_h * 0.66, bar.shown, size=11,
                          cls="muted"))
    parts.append("</svg>")
    return "".join(parts)


# -- line chart with a band ---------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """A line of a line chart: y per x, its legend text and style."""

    label: str
    ys: Sequence[float]
    colour: str = ACCENT
    dashed: bool = False


def nice_ticks(high: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least ``high`` (``whole``: integer steps only)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def line_chart(xs: Sequence[float], series: Sequence[Series], *, label: str, x_label: str,
               y_label: str, band: tuple[Sequence[float], Sequence[float]] | None = None,
               band_label: str = "", marker: tuple[float, str] | None = None) -> str:
    """Lines over a shared x axis, an optional shaded band and a vertical marker.

    Args:
        xs: x values (ascending).
        series: the lines.
        band: (lower, upper) per x, drawn as a shaded area under the lines.
        marker: (x, text) drawn as a dashed vertical line, e.g. where
            saturation was reached.
    """
    width, height, left, right, top, bottom = 680, 360, 56, 20, 20, 84
    lows = [v for s in series for v in s.ys] + (list(band[1]) if band else [])
    y_ticks = nice_ticks(max(lows, default=1), whole=True)
    x_high = max(xs, default=1)
    x_min = min(xs, default=0)
    x_ticks = [x for x in nice_ticks(x_high, 8, whole=True) if x_min <= x <= x_high] or [x_min]
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        span = (x_high - x_min) or 1
        return left + (x - x_min) / span * plot_w

    def sy(y: float) -> float:
        return top + plot_h - y / y_ticks[-1] * plot_h

    parts = [open_svg(width, height, label, "line"),
             _axes(x_ticks, y_ticks, sx, sy, left, top, plot_w, plot_h),
             _lines(xs, series, band, sx, sy)]
    if marker:
        mx = sx(marker[0])
        parts.append(f'<line x1="{num(mx)}" y1="{top}" x2="{num(mx)}" y2="{num(top + plot_h)}" '
                     f'stroke="#b2182b" stroke-dasharray="3 3"/>')
        parts.append(text(mx + 4, top + 12, marker[1], size=11, extra=' fill="#b2182b"'))
    parts.append(text(left + plot_w / 2, top + plot_h + 34, x_label, anchor="middle"))
    parts.append(text(14, top + plot_h / 2, y_label, anchor="middle",
                      extra=f' transform="rotate(-90 14 {num(top + plot_h / 2)})"'))
    parts.append(_line_legend(series, band_label if band else "", left, height - 26))
    parts.append("</svg>")
    return "".join(parts)


def _lines(xs, series: Sequence[Series], band, sx, sy) -> str:
    """The shaded band (if any) under the series' polylines."""
    out = []
    if band:
        upper = [f"{num(sx(x))},{num(sy(y))}" for x, y in zip(xs, band[1])]
        lower = [f"{num(sx(x))},{num(sy(y))}" for x, y in zip(xs, band[0])][::-1]
        out.append(f'<polygon class="band" points="{" ".join(upper + lower)}" '
                   f'fill="{BAND}" fill-opacity="0.45" stroke="none"/>')
    for s in series:
        points = " ".join(f"{num(sx(x))},{num(sy(y))}" for x, y in zip(xs, s.ys))
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        out.append(f'<polyline class="series" points="{points}" fill="none" '
                   f'stroke="{s.colour}" stroke-width="2"{dash}/>')
    return "".join(out)


def _axes(x_ticks, y_ticks, sx, sy, left, top, plot_w, plot_h) -> str:
    out = []
    for y in y_ticks:
        out.append(f'<line x1="{left}" y1="{num(sy(y))}" x2="{num(left + plot_w)}" '
                   f'y2="{num(sy(y))}" stroke="{GRID}"/>')
        out.append(text(left - 6, sy(y) + 4, _short(y), anchor="end", size=11, cls="muted"))
    for x in x_ticks:
        out.append(text(sx(x), top + plot_h + 16, _short(x), anchor="middle", size=11,
                        cls="muted"))
    out.append(f'<line x1="{left}" y1="{num(top + plot_h)}" x2="{num(left + plot_w)}" '
               f'y2="{num(top + plot_h)}" stroke="{MUTED}"/>')
    return '<g class="axes">' + "".join(out) + "</g>"


def _line_legend(series: Sequence[Series], band_label: str, x: float, y: float) -> str:
    out, cursor = [], x
    for s in series:
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        out.append(f'<line x1="{num(cursor)}" y1="{num(y - 4)}" x2="{num(cursor + 22)}" '
                   f'y2="{num(y - 4)}" stroke="{s.colour}" stroke-width="2"{dash}/>')
        out.append(text(cursor + 27, y, s.label, size=11))
        cursor += 40 + text_width(s.label, 11)
    if band_label:
        out.append(f'<rect x="{num(cursor)}" y="{num(y - 9)}" width="22" height="10" '
                   f'fill="{BAND}" fill-opacity="0.45"/>')
        out.append(text(cursor + 27, y, band_label, size=11))
    return '<g class="legend">' + "".join(out) + "</g>"
