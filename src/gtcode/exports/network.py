"""The category network: GraphML (networkx) and a PNG drawn with matplotlib.

Nodes are the coded main categories (size: respondents coded) and the core
category; edges are co-occurrence within segments (undirected, weight =
Jaccard, ``n12`` segments), paradigm-model links between categories the
codebook gives roles, and each main category's tie to the core (directed).

The drawing uses a spring layout with a fixed seed, so the image is the same
on every run. Chinese labels need a CJK font: gtcode looks for one among the
fonts matplotlib knows (Noto Sans CJK, Source Han, WenQuanYi, SimHei,
Microsoft YaHei, PingFang, …) and never downloads one; without one the
labels fall back to the English names (``name_en``), then to the code ids.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import networkx as nx

from gtcode.coding.axial import CodedStudy, load_coded_study, relations
from gtcode.coding.sheet import unapplied_review
from gtcode.coding.storyline import CategoryReach, category_reach
from gtcode.files import atomic_write_bytes, guard_output, xml_text

LAYOUT_SEED = 7
CJK_FONT_HINTS = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "SimHei",
                  "Microsoft YaHei", "PingFang", "Heiti", "SimSun", "Songti", "Hiragino Sans GB",
                  "AR PL", "Droid Sans Fallback", "Noto Sans SC", "Noto Sans TC")


def build_graph(data: CodedStudy, reach: list[CategoryReach], lang: str = "zh") -> nx.DiGraph:
    """The category network with labels and counts as attributes (insertion order stable)."""
    graph = nx.DiGraph()
    h = data.hierarchy
    for r in reach:
        node = h.nodes[r.id]
        graph.add_node(r.id, label=node.label(lang), name=node.name, name_en=node.name_en or "",
                       level="category", paradigm=node.paradigm or "", cases=r.cases,
                       segments=r.segments)
    core = h.core()
    if core is not None:
        graph.add_node(core.id, label=core.label(lang), name=core.name,
                       name_en=core.name_en or "", level="core", paradigm=core.paradigm or "",
                       cases=len(data.cases), segments=0)
        for r in reach:
            graph.add_edge(r.id, core.id, kind="core", label=r.core_tie or "", directed=True,
                           n12=0, weight=0.0, cases=r.cases)
    for rel in relations(data):
        if rel.source not in graph or rel.target not in graph:
            continue
        graph.add_edge(rel.source, rel.target, kind=rel.kind, label=rel.label,
                       directed=rel.kind == "paradigm", n12=rel.segments,
                       weight=float(rel.jaccard), cases=rel.cases)
    return graph


def write_graphml(graph: nx.DiGraph, path: Path) -> Path:
    """GraphML of the network (temp file, then rename); text XML cannot hold is removed."""
    graph = graph.copy()
    for _node, attrs in [*graph.nodes(data=True), *((e, a) for *e, a in graph.edges(data=True))]:
        for key, value in attrs.items():
            if isinstance(value, str):
                attrs[key] = xml_text(value)
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def find_cjk_font() -> str | None:
    """The name of an installed CJK-capable font matplotlib can use, or None."""
    from matplotlib import font_manager

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    for hint in CJK_FONT_HINTS:
        for name in names:
            if hint.lower() in name.lower():
                return name
    return None


def node_labels(graph: nx.DiGraph, font: str | None) -> dict[str, str]:
    """Labels to draw, wrapped: the label with a CJK font, else ASCII-safe fallbacks."""
    labels = {}
    for node, attrs in graph.nodes(data=True):
        label = attrs.get("label") or node
        if font is None and not label.isascii():
            label = attrs.get("name_en") or node
        width = 16 if label.isascii() else 8
        labels[node] = "\n".join(textwrap.wrap(label, width)) if label.isascii() else \
            "\n".join(label[i:i + width] for i in range(0, len(label), width))
    return labels


def write_png(graph: nx.DiGraph, path: Path, *, seed: int = LAYOUT_SEED) -> Path:
    """Draw the network (Agg backend, seeded spring layout) to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = find_cjk_font()
    figure, axes = plt.subplots(figsize=(9, 7), dpi=120)
    try:
        _draw(graph, axes, font, seed)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    finally:
        plt.close(figure)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def _draw(graph: nx.DiGraph, axes, font: str | None, seed: int) -> None:
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes)
    for a, b, attrs in graph.edges(data=True):
        undirected.add_edge(a, b, weight=max(attrs.get("weight", 0.0), 0.05))
    positions = nx.spring_layout(undirected, seed=seed, weight="weight")
    co = [(a, b) for a, b, k in graph.edges(data="kind") if k == "cooccurrence"]
    typed = [(a, b) for a, b, k in graph.edges(data="kind") if k != "cooccurrence"]
    widths = [1 + 8 * graph.edges[e]["weight"] for e in co]
    nx.draw_networkx_edges(graph, positions, edgelist=co, width=widths, edge_color="#9E9E9E",
                           arrows=False, ax=axes)
    nx.draw_networkx_edges(graph, positions, edgelist=typed, edge_color="#37474F", arrows=True,
                           arrowsize=14, style="dashed", ax=axes)
    sizes = [400 + 180 * graph.nodes[n].get("cases", 0) for n in graph.nodes]
    colours = ["#F4B183" if graph.nodes[n].get("level") == "core" else "#9DC3E6"
               for n in graph.nodes]
    nx.draw_networkx_nodes(graph, positions, node_size=sizes, node_color=colours, ax=axes)
    nx.draw_networkx_labels(graph, positions, labels=node_labels(graph, font), font_size=9,
                            font_family=font or "DejaVu Sans", ax=axes)
    edge_labels = {e: str(graph.edges[e]["n12"]) for e in co}
    nx.draw_networkx_edge_labels(graph, positions, edge_labels=edge_labels, font_size=7,
                                 ax=axes)
    axes.set_title("Category network: grey = coded together in a segment (label: segments), "
                   "dashed = tie to the core / paradigm link", fontsize=8,
                   fontfamily="DejaVu Sans")
    axes.margins(0.18)
    axes.set_axis_off()


def write_network(data: CodedStudy, path: Path, lang: str) -> list[Path]:
    """Write the network as GraphML to ``path`` and as a PNG beside it (same name, ``.png``)."""
    path = Path(path)
    for target in (path, path.with_suffix(".png")):
        guard_output(target, inspect=unapplied_review(None))
    graph = build_graph(data, category_reach(data, lang), lang)
    return [write_graphml(graph, path), write_png(graph, path.with_suffix(".png"))]


def export_network(study, book, path: Path, *, lang: str | None = None) -> list[Path]:
    """The network of a study (:func:`write_network`), in the codebook's language by default."""
    lang = lang or ("en" if (book.language or "zh").startswith("en") else "zh")
    return write_network(load_coded_study(study, book), path, lang)
