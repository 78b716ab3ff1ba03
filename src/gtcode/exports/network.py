"""The category network: GraphML (networkx), and a PNG and an SVG drawn with matplotlib.

Nodes are the coded main categories (size: respondents coded) and the core
category; edges are co-occurrence within segments (undirected, weight =
Jaccard, ``n12`` segments), paradigm-model links between categories the
codebook gives roles, and each main category's tie to the core (directed).

The drawing uses a spring layout with a fixed seed, so the image is the same
on every run; edges are drawn under the nodes, each pair of categories once
(a paradigm link or tie to the core as a dashed arrow, thick as the pair's
co-occurrence when they also co-occur). Chinese labels need a CJK font:
gtcode looks for one among the fonts matplotlib knows (Noto Sans CJK, Source
Han, WenQuanYi, SimHei, Microsoft YaHei, PingFang, …), then among the font
files of the system (matplotlib's font list is a cache, built once, that
misses fonts installed later) and never downloads one; without one the
labels fall back to the English names (``name_en``), then to the code ids,
and :func:`font_warning` says so. The SVG keeps its text as text, in the
font found, so the labels stay searchable and editable.
"""

from __future__ import annotations

import functools
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
#: Font file names (lower case) of the same families, for fonts matplotlib has not listed.
CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "notosanssc", "notosanstc", "sourcehan",
                  "wqy", "simhei", "msyh", "pingfang", "stheiti", "simsun", "songti",
                  "hiragino sans gb", "droidsansfallback", "uming", "ukai")
TITLES = {"zh": "范畴网络：灰线 = 同一片段中共同编码（数字为片段数）；虚线箭头 = 与核心范畴的关系或范式联系",
          "en": "Category network: grey = coded together in a segment (label: segments), "
                "dashed = tie to the core / paradigm link"}


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


@functools.cache
def find_cjk_font() -> str | None:
    """The name of an installed CJK-capable font matplotlib can use, or None.

    First the fonts matplotlib has listed, then the system's font files
    (fontconfig's and the usual folders), added to matplotlib when found.
    """
    from matplotlib import font_manager

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    for hint in CJK_FONT_HINTS:
        for name in names:
            if hint.lower() in name.lower():
                return name
    # regular weights first: the name found is drawn at normal weight
    files = sorted(font_manager.findSystemFonts(), key=lambda f: (
        any(w in Path(f).name.lower() for w in ("bold", "black", "heavy", "light", "thin",
                                                 "medium", "demi")), f))
    for hint in CJK_FILE_HINTS:
        for file in files:
            if hint in Path(file).name.lower().replace("-", "").replace("_", ""):
                try:
                    font_manager.fontManager.addfont(file)
                    return font_manager.FontProperties(fname=file).get_name()
                except (OSError, RuntimeError, ValueError):
                    continue
    return None


def font_warning(lang: str) -> str | None:
    """The warning to give once when a Chinese figure cannot be drawn in Chinese."""
    if lang == "en" or find_cjk_font() is not None:
        return None
    return ("no Chinese (CJK) font was found, so network.png and network.svg label the "
            "categories with their English names; install one (e.g. Noto Sans CJK: "
            "apt-get install fonts-noto-cjk) and export again.")


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


def write_png(graph: nx.DiGraph, path: Path, *, seed: int = LAYOUT_SEED,
              fmt: str = "png") -> Path:
    """Draw the network (Agg backend, seeded spring layout) to a PNG (or ``fmt="svg"``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = find_cjk_font()
    # SVG: text stays text (in the font found) and ids are salted, so the bytes repeat
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "gtcode"}):
        figure, axes = plt.subplots(figsize=(9, 7), dpi=120)
        try:
            _draw(graph, axes, font, seed)
            buffer = io.BytesIO()
            metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
            figure.savefig(buffer, format=fmt, metadata=metadata)
        finally:
            plt.close(figure)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def drawn_edges(graph: nx.DiGraph) -> list[tuple[str, str, bool, float, int]]:
    """Each pair of nodes once: (a, b, typed, weight, n12).

    ``typed``: a paradigm link or tie to the core (drawn as an arrow, in its
    direction); ``weight`` and ``n12`` are the pair's co-occurrence, if any.
    """
    pairs: dict[frozenset[str], list[object]] = {}
    for a, b, attrs in graph.edges(data=True):
        entry = pairs.setdefault(frozenset((a, b)), [a, b, False, 0.0, 0])
        if attrs.get("kind") == "cooccurrence":
            entry[3] = max(entry[3], attrs.get("weight", 0.0))
            entry[4] = max(entry[4], attrs.get("n12", 0))
        elif not entry[2]:
            entry[0], entry[1], entry[2] = a, b, True
    return [tuple(e) for e in pairs.values()]  # type: ignore[misc]


def _draw(graph: nx.DiGraph, axes, font: str | None, seed: int) -> None:
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes)
    edges = drawn_edges(graph)
    for a, b, _typed, weight, _n12 in edges:
        undirected.add_edge(a, b, weight=max(weight, 0.05))
    positions = nx.spring_layout(undirected, seed=seed, weight="weight")
    sizes = {n: 400 + 180 * graph.nodes[n].get("cases", 0) for n in graph.nodes}
    for typed in (False, True):
        chosen = [e for e in edges if e[2] == typed]
        if not chosen:
            continue
        arrows = {"arrows": True, "arrowsize": 14, "node_size": list(sizes.values())} \
            if typed else {"arrows": False}
        drawn = nx.draw_networkx_edges(
            graph, positions, edgelist=[(a, b) for a, b, *_ in chosen],
            width=[1 + 8 * e[3] for e in chosen], edge_color="#37474F" if typed else "#9E9E9E",
            style="dashed" if typed else "solid", ax=axes, **arrows)
        for artist in drawn if isinstance(drawn, list) else [drawn]:
            artist.set_zorder(1)  # under the nodes
    nodes = nx.draw_networkx_nodes(graph, positions, node_size=list(sizes.values()),
                                   node_color=["#F4B183" if graph.nodes[n].get("level") == "core"
                                               else "#9DC3E6" for n in graph.nodes], ax=axes)
    nodes.set_zorder(2)
    family = font or "DejaVu Sans"
    nx.draw_networkx_labels(graph, positions, labels=node_labels(graph, font), font_size=9,
                            font_family=family, ax=axes)
    edge_labels = {(a, b): str(n12) for a, b, _t, _w, n12 in edges if n12}
    nx.draw_networkx_edge_labels(graph, positions, edge_labels=edge_labels, font_size=7,
                                 font_family=family, ax=axes)
    lang = "zh" if font and not all(label.isascii() for label in
                                     nx.get_node_attributes(graph, "label").values()) else "en"
    axes.set_title(TITLES[lang], fontsize=8, fontfamily=family)
    axes.margins(0.18)
    axes.set_axis_off()


def write_network(data: CodedStudy, path: Path, lang: str) -> list[Path]:
    """Write the network as GraphML to ``path``, and a PNG and an SVG beside it (same name)."""
    path = Path(path)
    for target in (path, path.with_suffix(".png"), path.with_suffix(".svg")):
        guard_output(target, inspect=unapplied_review(None))
    graph = build_graph(data, category_reach(data, lang), lang)
    return [write_graphml(graph, path), write_png(graph, path.with_suffix(".png")),
            write_png(graph, path.with_suffix(".svg"), fmt="svg")]


def book_language(book) -> str:
    """``en`` for an English codebook, else ``zh``."""
    return "en" if (book.language or "zh").startswith("en") else "zh"


def export_network(study, book, path: Path, *, lang: str | None = None) -> list[Path]:
    """The network of a study (:func:`write_network`), in the codebook's language by default."""
    lang = lang or book_language(book)
    return write_network(load_coded_study(study, book), path, lang)
