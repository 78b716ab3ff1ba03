"""network.png and network.svg: a CJK font found, edges once and under the nodes, a warning."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from axial_study import build_study
from gtcode.coding import axial as ax
from gtcode.coding.storyline import category_reach
from gtcode.exports import network

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def graph(tmp_path):
    study, book = build_study(tmp_path / "s")
    data = ax.load_coded_study(study, book)
    yield network.build_graph(data, category_reach(data), "zh")
    study.close()


@pytest.fixture
def cjk_font():
    network.find_cjk_font.cache_clear()
    font = network.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (scripts/test-setup.sh installs fonts-noto-cjk)")
    return font


def test_each_pair_is_drawn_once():
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(["a", "b", "c"])
    graph.add_edge("a", "b", kind="cooccurrence", weight=0.5, n12=3)
    graph.add_edge("b", "a", kind="paradigm", weight=0.0, n12=0)  # the same pair again
    graph.add_edge("a", "c", kind="cooccurrence", weight=0.2, n12=1)
    edges = network.drawn_edges(graph)
    assert sorted(edges) == [("a", "c", False, 0.2, 1), ("b", "a", True, 0.5, 3)]


def test_edges_are_drawn_under_the_nodes(graph):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    try:
        network._draw(graph, axes, network.find_cjk_font(), network.LAYOUT_SEED)
        nodes = [c for c in axes.collections if c.get_offsets().shape[0] == len(graph)]
        edges = [*axes.patches, *(c for c in axes.collections if c not in nodes)]
        assert nodes and edges
        assert max(e.get_zorder() for e in edges) < min(n.get_zorder() for n in nodes)
    finally:
        plt.close(figure)


def test_svg_holds_the_chinese_label_in_a_cjk_font(graph, cjk_font, tmp_path):
    path = network.write_png(graph, tmp_path / "n.svg", fmt="svg")
    texts = [t for t in ET.parse(path).iter(f"{SVG}text") if "资源压力" in "".join(t.itertext())]
    assert texts
    assert cjk_font in texts[0].get("style", "")
    assert path.read_bytes() == network.write_png(graph, tmp_path / "m.svg", fmt="svg") \
        .read_bytes()


def test_png_differs_from_a_latin_only_rendering(graph, cjk_font, tmp_path, monkeypatch):
    chinese = network.write_png(graph, tmp_path / "zh.png").read_bytes()
    monkeypatch.setattr(network, "find_cjk_font", lambda: None)
    latin = network.write_png(graph, tmp_path / "en.png").read_bytes()
    assert chinese != latin


def test_a_system_font_matplotlib_has_not_listed_is_found(cjk_font, monkeypatch):
    """matplotlib's font list is a cache: a Noto CJK installed after it was built is missed."""
    from matplotlib import font_manager

    listed = [f for f in font_manager.fontManager.ttflist
              if not any(h.lower() in f.name.lower() for h in network.CJK_FONT_HINTS)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", listed)
    network.find_cjk_font.cache_clear()
    try:
        assert network.find_cjk_font() is not None
    finally:
        network.find_cjk_font.cache_clear()


def test_no_cjk_font_gives_one_warning(monkeypatch):
    monkeypatch.setattr(network, "find_cjk_font", lambda: None)
    assert "fonts-noto-cjk" in network.font_warning("zh")
    assert network.font_warning("en") is None
