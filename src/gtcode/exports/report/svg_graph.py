"""Diagrams as inline SVG: the co-occurrence network and the paradigm model.

Like :mod:`gtcode.exports.report.svg`, every label is a ``<text>`` element
and every chart has a ``viewBox``. Node positions come from the caller
(a seeded layout), so the drawing is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gtcode.exports.report.svg import (
    ACCENT,
    GRID,
    INK,
    MUTED,
    clip,
    esc,
    num,
    open_svg,
    text,
    text_width,
    wrap,
)

PALETTE = ("#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#35978f", "#8c510a",
           "#c51b7d", "#4d4d4d", "#5aae61")


@dataclass(frozen=True)
class Node:
    """A network node: id, label, size (e.g. coded segments) and colour."""

    id: str
    label: str
    size: float
    colour: str = ACCENT


@dataclass(frozen=True)
class Edge:
    """A weighted, undirected edge between two node ids."""

    a: str
    b: str
    weight: float
    shown: str = ""


def network(nodes: Sequence[Node], edges: Sequence[Edge],
            positions: Mapping[str, tuple[float, float]], *, label: str) -> str:
    """Nodes sized by ``size`` (area), edges widened by ``weight``.

    ``positions`` maps node ids to coordinates in any range; they are fitted
    into the drawing with room for the labels. With many nodes the drawing
    grows and the nodes shrink, so that labels stay apart.
    """
    many = max(0, len(nodes) - 12)
    width, height = 720 + 10 * many, 520 + 10 * many
    largest = 20 * math.sqrt(12 / max(12, len(nodes)))
    pad_x, pad_y = 110, 40
    fit = _fitter(positions, width, height, pad_x, pad_y)
    big = max((n.size for n in nodes), default=1) or 1
    heavy = max((e.weight for e in edges), default=1) or 1
    parts = [open_svg(width, height, label, "network")]
    for edge in sorted(edges, key=lambda e: (e.weight, e.a, e.b)):
        if edge.a not in positions or edge.b not in positions:
            continue
        (x1, y1), (x2, y2) = fit(edge.a), fit(edge.b)
        stroke = 1 + 7 * edge.weight / heavy
        parts.append(f'<line class="edge" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" '
                     f'y2="{num(y2)}" stroke="{MUTED}" stroke-opacity="0.45" '
                     f'stroke-width="{num(stroke)}"><title>{esc(edge.shown)}</title></line>')
    for node in nodes:
        if node.id not in positions:
            continue
        x, y = fit(node.id)
        radius = 5 + largest * math.sqrt(max(node.size, 0) / big)
        parts.append(f'<circle class="node" cx="{num(x)}" cy="{num(y)}" r="{num(radius)}" '
                     f'fill="{node.colour}" stroke="#ffffff" stroke-width="2">'
                     f"<title>{esc(node.label)}: {esc(_short(node.size))}</title></circle>")
        parts.append(text(x, y + radius + 14, clip(node.label, 150), anchor="middle",
                          cls="halo", full=node.label))
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _fitter(positions, width, height, pad_x, pad_y):
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)

    def fit(key: str) -> tuple[float, float]:
        x, y = positions[key]
        fx = (x - x0) / (x1 - x0) if x1 > x0 else 0.5
        fy = (y - y0) / (y1 - y0) if y1 > y0 else 0.5
        return pad_x + fx * (width - 2 * pad_x), pad_y + fy * (height - 2 * pad_y - 20)

    return fit


# -- paradigm model --------------------------------------------------------------

#: Box placement of Strauss & Corbin's paradigm model: role -> (column, row).
LAYOUT: dict[str, tuple[int, int]] = {
    "causal": (0, 1), "phenomenon": (1, 1), "context": (2, 0), "intervening": (2, 2),
    "strategy": (3, 1), "consequence": (4, 1),
}
ARROWS: tuple[tuple[str, str], ...] = (("causal", "phenomenon"), ("phenomenon", "strategy"),
                                       ("context", "strategy"), ("intervening", "strategy"),
                                       ("strategy", "consequence"))
BOX_W, GAP_X, LINE_H = 168, 36, 18


def paradigm(roles: Mapping[str, tuple[str, Sequence[str]]], *, label: str) -> str:
    """The paradigm model as boxes and arrows.

    Args:
        roles: role -> (heading, category names), for the roles in
            :data:`LAYOUT`; a role without categories is drawn empty.
        label: the chart's accessible name.
    """
    lines = {role: [part for name in roles.get(role, ("", ()))[1]
                    for part in wrap(name, BOX_W - 14)] for role in LAYOUT}
    heights = {role: 34 + LINE_H * max(1, len(lines[role])) for role in LAYOUT}
    row_h = [max(heights[r] for r, (_, row) in LAYOUT.items() if row == k) for k in range(3)]
    row_y = [10, 10 + row_h[0] + 30, 10 + row_h[0] + row_h[1] + 60]
    width = 5 * BOX_W + 4 * GAP_X + 20
    height = row_y[2] + row_h[2] + 10
    boxes = {}
    for role, (col, row) in LAYOUT.items():
        y = row_y[row] + (row_h[row] - heights[role]) / 2
        boxes[role] = (10 + col * (BOX_W + GAP_X), y, BOX_W, heights[role])
    parts = [open_svg(width, height, label, "paradigm"), _arrowhead()]
    for a, b in ARROWS:
        parts.append(_arrow(boxes[a], boxes[b]))
    for role, box in boxes.items():
        heading = roles.get(role, ("", ()))[0]
        parts.append(_box(box, heading, lines[role], role == "phenomenon"))
    parts.append("</svg>")
    return "".join(parts)


def _arrowhead() -> str:
    return (f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{MUTED}"/></marker></defs>')


def _arrow(src, dst) -> str:
    sx, sy, sw, sh = src
    dx, dy, dw, dh = dst
    if abs((sy + sh / 2) - (dy + dh / 2)) < 1:  # same row: left to right
        x1, y1, x2, y2 = sx + sw, sy + sh / 2, dx - 2, dy + dh / 2
    else:  # context above / intervening below the strategies
        x1, y1 = sx + sw, sy + sh / 2
        x2, y2 = dx + dw / 2, (dy - 2) if sy < dy else (dy + dh + 2)
    return (f'<line class="arrow" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
            f'stroke="{MUTED}" stroke-width="1.6" marker-end="url(#arrow)"/>')


def _box(box, heading: str, names: Sequence[str], central: bool) -> str:
    """A role's box: its heading and one text line per (wrapped) category name."""
    x, y, w, h = box
    fill = "#e8f1fa" if central else "#f7f9fb"
    stroke = ACCENT if central else GRID
    out = [f'<g class="role"><rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
           f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.4"/>',
           text(x + w / 2, y + 20, clip(heading, w - 12), anchor="middle", cls="strong",
                full=heading)]
    for k, name in enumerate(names):
        out.append(text(x + w / 2, y + 40 + LINE_H * k, name, anchor="middle",
                        extra=f' fill="{INK}"'))
    if not names:
        out.append(text(x + w / 2, y + 40, "—", anchor="middle", cls="muted"))
    out.append("</g>")
    return "".join(out)


def widest(labels: Sequence[str]) -> float:
    """Estimated width of the widest label (for callers sizing boxes)."""
    return max((text_width(label) for label in labels), default=0.0)
