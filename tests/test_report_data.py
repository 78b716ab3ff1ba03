"""The data behind each chart of the study report: known answers on a tiny coded study."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gtcode.codebook.model import Code, Codebook
from gtcode.coding.axial import CodedStudy, Hierarchy, Reference
from gtcode.exports.report import agreement, content, svg
from gtcode.store.analysis import CountedSegment


def tiny_book() -> Codebook:
    return Codebook(name="tiny", version="1", codes=[
        Code(id="core", name="核心", name_en="Core", level="core"),
        Code(id="a", name="资源压力", name_en="Resource", level="category", parent="core",
             paradigm="causal"),
        Code(id="a.a1", name="跑资金", level="concept", parent="a"),
        Code(id="a.a2", name="卡审批", level="concept", parent="a"),
        Code(id="b", name="经济压力", name_en="Economic", level="category", parent="core",
             paradigm="phenomenon"),
        Code(id="b.s", name="家庭负担", level="subcategory", parent="b"),
        Code(id="b.s.b1", name="欠债", level="concept", parent="b.s"),
        Code(id="c", name="人情压力", name_en="Favour", level="category", parent="core"),
        Code(id="c.c1", name="送礼", level="concept", parent="c"),
    ])


#: segment id -> (case, codes): K1 has segments 1, 2; K2 3, 4; K3 5, 6.
CODED = {1: ("K1", ["a.a1", "b.s.b1"]), 2: ("K1", ["a.a2"]), 3: ("K2", ["a.a1"]),
         5: ("K3", ["b.s.b1"]), 6: ("K3", ["a.a1", "a.a2"])}
CASE_OF = {1: "K1", 2: "K1", 3: "K2", 4: "K2", 5: "K3", 6: "K3"}


@pytest.fixture
def coded() -> CodedStudy:
    book = tiny_book()
    segments = [CountedSegment(i, f"{c}.txt", c, i, 10 * i, 10 * i + 8, i)
                for i, c in CASE_OF.items()]
    refs = [Reference(case, f"{case}.txt", seg, seg, code, False, 10 * seg, 10 * seg + 8,
                      10 * seg) for seg, (case, codes) in CODED.items() for code in codes]
    attrs = {"K1": {"position": "村级", "id": "1"}, "K2": {"position": "乡镇级", "id": "2"},
             "K3": {"position": "村级", "id": "3"}}
    return CodedStudy(Hierarchy.from_codebook(book), refs, ["K1", "K2", "K3"], segments,
                      attrs, {"position": "text", "id": "text"})


def test_text_counts() -> None:
    assert content.text_counts("我们跑资金, it's a well-known fact 2024") == (5, 5)
    assert content.text_counts("") == (0, 0)


def test_corpus_stats_count_respondent_turns_only() -> None:
    sources = [SimpleNamespace(name="A.txt", case="A", language="zh"),
               SimpleNamespace(name="B.txt", case=None, language="en")]
    seg = lambda source, role, text: SimpleNamespace(source=source, role=role, text=text)  # noqa
    segments = [seg("A.txt", "interviewer", "问一个问题"), seg("A.txt", "respondent", "跑资金难"),
                seg("A.txt", "unknown", "欠债"), seg("B.txt", "respondent", "We owed money."),
                seg("C.txt", "respondent", "unknown source is ignored")]
    corpus = content.corpus_stats(sources, segments, [("A", {"position": "村级"})], ["position"])
    a, b = corpus.sources
    assert (a.segments, a.respondent_segments, a.han_chars, a.latin_words) == (3, 2, 6, 0)
    assert (b.case, b.respondent_segments, b.han_chars, b.latin_words) == ("B.txt", 1, 0, 3)
    assert [c.name for c in corpus.cases] == ["A", "B.txt"]
    assert corpus.cases[0].attributes == {"position": "村级"} and corpus.cases[1].attributes == {}
    assert corpus.total("respondent_segments") == 3 and corpus.has_case_sheet


def test_codebook_tree_counts(coded) -> None:
    rows = {r.id: r for r in content.codebook_tree(coded)}
    assert [r.id for r in content.codebook_tree(coded)] == [c.id for c in tiny_book().codes]
    got = {k: (r.depth, r.direct, r.segments, r.cases) for k, r in rows.items()}
    assert got == {"core": (0, 0, 5, 3), "a": (1, 0, 4, 3), "a.a1": (2, 3, 3, 3),
                   "a.a2": (2, 2, 2, 2), "b": (1, 0, 2, 2), "b.s": (2, 0, 2, 2),
                   "b.s.b1": (3, 2, 2, 2), "c": (1, 0, 0, 0), "c.c1": (2, 0, 0, 0)}


def test_case_matrix(coded) -> None:
    m = content.case_matrix(coded, "zh")
    assert m.row_ids == ("K1", "K2", "K3") and m.col_ids == ("a", "b")
    assert m.col_labels == ("资源压力", "经济压力")
    assert m.values == ((2.0, 1.0), (1.0, 0.0), (1.0, 1.0)) and m.vmax == 2.0
    assert m.cells[0] == ("2", "1")
    assert content.case_matrix(coded, "en").col_labels == ("Resource", "Economic")


def test_attribute_matrix_shares(coded) -> None:
    m = content.attribute_matrix(coded, "position", "zh")
    assert m.row_ids == ("村级", "乡镇级")
    assert m.row_labels == ("村级 (n=2)", "乡镇级 (n=1)")
    assert m.values == ((1.0, 1.0), (1.0, 0.0))
    assert m.cells == (("100% (2/2)", "100% (2/2)"), ("100% (1/1)", "0% (0/1)"))


def test_chart_attributes_skip_identifiers(coded) -> None:
    assert content.chart_attributes(coded) == (["position"], ["id"])


def test_top_columns_keeps_the_most_used_in_order() -> None:
    m = content.Matrix(("r1", "r2"), ("r1", "r2"), ("x", "y", "z"), ("X", "Y", "Z"),
                    ((1, 5, 2), (0, 1, 2)), (("1", "5", "2"), ("0", "1", "2")), 5)
    top = content.top_columns(m, 2)
    assert top.col_ids == ("y", "z") and top.values == ((5, 2), (1, 2))
    assert content.top_columns(m, 3) is m


def test_network(coded) -> None:
    net = content.category_network(coded, "zh")
    assert net.nodes == (("a", "资源压力", 4), ("b", "经济压力", 2))
    assert net.edges == (("a", "b", 1, 0.2),)
    assert set(net.positions) == {"a", "b"} and net.left_out == 0
    assert content.category_network(coded, "zh", limit=1).left_out == 1
    assert content.category_network(coded, "zh").positions == net.positions  # seeded layout


def test_paradigm(coded) -> None:
    roles = content.paradigm_data(coded, "en")
    assert roles["causal"] == ["Resource"] and roles["phenomenon"] == ["Economic"]
    assert roles["strategy"] == [] and list(roles) == list(content.axial.PARADIGM_ORDER)


def test_paradigm_core_stands_for_a_missing_phenomenon() -> None:
    book = Codebook(name="p", codes=[
        Code(id="core", name="核心", level="core"),
        Code(id="a", name="资源", level="category", parent="core", paradigm="causal")])
    coded = CodedStudy(Hierarchy.from_codebook(book), [], [], [])
    assert content.paradigm_data(coded, "zh")["phenomenon"] == ["核心（核心范畴）"]
    flat = Codebook(name="f", codes=[Code(id="core", name="核心", level="core")])
    assert content.paradigm_data(CodedStudy(Hierarchy.from_codebook(flat), [], [], []),
                              "zh")["phenomenon"] == []


def test_human_coders_for_agreement() -> None:
    kinds = {"gtcode-rules": "rule", "ann": "human", "nv": "import"}
    origins = {"gtcode-rules": {"rule"}, "ann": {"human"}, "ben": {"human"}, "m": {"model"}}
    assert agreement.human_coders(kinds, origins) == ["ann", "ben", "nv"]
    assert agreement.human_coders({}, {"gtcode-rules": {"rule"}}) == []


# -- the chart toolkit -------------------------------------------------------------

def test_text_width_and_clip() -> None:
    assert svg.text_width("资源", 12) == 24 and svg.text_width("ab", 10) == 12
    assert svg.clip("资源压力很大", 40) == "资源…"  # 3 chars + … would be 43.2
    assert svg.clip("短", 40) == "短"


def test_wrap_long_names() -> None:
    assert svg.wrap("压力驱动的基层公职人员腐败", 60) == ["压力驱动的", "基层公职人", "员腐败"]
    assert svg.wrap("Pressure of a deviant subculture", 100) == ["Pressure of a", "deviant", "subculture"]
    assert svg.wrap("短", 60) == ["短"]
    assert svg.wrap("一二三四五六七八九十", 30, max_lines=2) == ["一二", "三…"]


def test_colour_scale_and_ticks() -> None:
    assert svg.colour(0) == "#f3f6fa" and svg.colour(1) == "#08306b"
    assert svg.colour(-1) == svg.colour(0) and svg.colour(2) == svg.colour(1)
    assert svg.nice_ticks(13) == [0, 5, 10, 15]
    assert svg.nice_ticks(0) == [0.0, 1.0]
    assert svg.nice_ticks(3, 8) == [0, 0.5, 1, 1.5, 2, 2.5, 3]
    assert svg.nice_ticks(3, 8, whole=True) == [0, 1, 2, 3]  # interviews are counted whole


def test_heatmap_grows_with_rows_and_escapes() -> None:
    small = svg.heatmap(["a"], ["<x>"], [[1]], label="t", legend="n")
    big = svg.heatmap([f"r{i}" for i in range(300)], ["<x>"], [[1]] * 300, label="t",
                      legend="n")
    height = lambda s: float(s.split('height="')[1].split('"')[0])  # noqa: E731
    assert height(big) - height(small) == pytest.approx(299 * 26)  # one row per label
    assert "&lt;x&gt;" in small and "<x>" not in small
    assert big.count('class="cell"') == 300


def test_line_chart_band_and_marker() -> None:
    chart = svg.line_chart([1, 2, 3], [svg.Series("s", [1, 2, 3])], band=([0, 1, 2], [2, 3, 4]),
                           band_label="band", label="t", x_label="x", y_label="y",
                           marker=(2, "here"))
    assert chart.count("<polygon") == 1 and chart.count("<polyline") == 1
    assert ">here</text>" in chart and ">band</text>" in chart


def test_numeric_attributes_with_many_values_are_not_charted(coded) -> None:
    cases = [f"K{i}" for i in range(10)]
    coded.cases = cases
    coded.attributes = {c: {"age": str(30 + i), "band": "old" if i % 2 else "young"}
                        for i, c in enumerate(cases)}
    coded.attribute_types = {"age": "integer", "band": "text"}
    assert content.chart_attributes(coded) == (["band"], ["age"])


def test_wide_or_tall_charts_scroll_instead_of_shrinking() -> None:
    from gtcode.exports.report.html import figure

    narrow = svg.heatmap(["a"], ["b"], [[1]], label="t", legend="n")
    wide = svg.heatmap(["a"], [f"c{i}" for i in range(40)], [[1] * 40], label="t", legend="n",
                       cells=[["100% (150/150)"] * 40])
    assert 'class="chart-box"' in figure(narrow)
    assert 'class="chart-box scroll"' in figure(wide)
    assert 'class="chart-box scroll"' in figure(narrow, tall=True)
