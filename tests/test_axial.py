"""Axial coding on the hand-built study of tests/axial_study.py: every number by hand."""

import pytest

from axial_study import INTERVIEWS, build_study
from gtcode.coding import axial as ax
from gtcode.errors import GtcodeError


@pytest.fixture
def data(tmp_path):
    study, book = build_study(tmp_path / "s")
    yield ax.load_coded_study(study, book)
    study.close()


def _seg_len(case, idx):
    turns = next(t for c, _, t in INTERVIEWS if c == case)
    return len(turns[idx - 1][1])


def test_references_count_what_the_rules_say(data):
    refs = {(r.case, r.segment, r.code): r for r in data.references}
    assert len(refs) == 12
    # interviewer turn S1#1 is coded but never counted
    assert ("S1", 1, "res.funds.project") not in refs
    # a rule suggestion a human rejected does not count
    assert ("S2", 3, "eco.debt") not in refs
    # rule + human on the same segment and code: one reference, marked human
    assert refs[("S3", 2, "res.funds.project")].human
    assert not refs[("S1", 2, "res.funds.project")].human
    assert data.cases == ["S1", "S2", "S3", "S4"]
    assert len(data.segments) == 9  # respondent turns only
    assert data.rolled("category") == ["res", "fav", "eco", "act"]
    assert data.rolled("subcategory") == ["res.funds", "res.approval", "fav.kin"]


def test_matrix_references_presence_characters_words(data):
    refs = ax.study_matrix(data)
    assert refs.loc["S1"].tolist() == [2, 1, 1, 0]
    assert refs.loc["S2"].tolist() == [1, 1, 0, 1]
    assert refs.loc["S3"].tolist() == [1, 1, 0, 0]
    assert refs.loc["S4"].tolist() == [0, 0, 1, 1]
    presence = ax.study_matrix(data, cell="presence")
    assert presence.sum(axis=0).tolist() == [3, 3, 2, 2]
    chars = ax.study_matrix(data, cell="characters")
    assert chars.loc["S1", "res"] == _seg_len("S1", 2) + _seg_len("S1", 4) == 24
    assert chars.loc["S4", "act"] == _seg_len("S4", 2) == 10
    words = ax.study_matrix(data, cell="words", by="level")
    # 村级 = S1 + S3; res words: 12 + 8 CJK characters (S1) + 7 (S3), punctuation not counted
    assert words.loc["村级", "res"] == 27
    assert words.index.tolist() == ["村级", "乡镇级"]
    by_level = ax.study_matrix(data, by="level")
    assert by_level.loc["乡镇级"].tolist() == [1, 1, 1, 2]
    presence_by_level = ax.study_matrix(data, cell="presence", by="level")
    assert presence_by_level.loc["村级"].tolist() == [2, 2, 1, 0]  # cases coded


def test_percentages(data):
    refs = ax.study_matrix(data)
    rows = ax.percentages(refs, "row")
    assert rows.loc["S1"].tolist() == [50.0, 25.0, 25.0, 0.0]
    cols = ax.percentages(refs, "column")
    assert cols["res"].tolist() == [50.0, 25.0, 25.0, 0.0]
    assert cols["act"].tolist() == [0.0, 50.0, 0.0, 50.0]


def test_lower_levels_and_unknown_names(data):
    concepts = ax.study_matrix(data, level="concept")
    assert concepts.loc["S1", "res.funds.project"] == 2
    subs = ax.study_matrix(data, level="subcategory")
    assert subs.columns.tolist() == ["res.funds", "res.approval", "fav.kin"]
    assert subs.loc["S1"].tolist() == [2, 0, 1]
    for kwargs, code in (({"by": "crime"}, "E306"), ({"cell": "bytes"}, "E112"),
                         ({"level": "theme"}, "E112")):
        with pytest.raises(GtcodeError) as info:
            ax.study_matrix(data, **kwargs)
        assert info.value.code == code


def test_cooccurrence_within_segments_and_cases(data):
    seg = ax.cooccurrence(data, unit="segment")
    assert seg.n == 9
    assert seg.totals == {"res": 4, "fav": 3, "eco": 2, "act": 2}
    assert seg.n12("res", "fav") == 1 and seg.n12("res", "act") == 1
    assert seg.n12("eco", "act") == 1 and seg.n12("fav", "eco") == 0
    assert seg.pair("res", "fav").value("jaccard") == pytest.approx(1 / 6)
    case = ax.cooccurrence(data, unit="case")
    assert case.n == 4
    assert case.totals == {"res": 3, "fav": 3, "eco": 2, "act": 2}
    assert case.n12("res", "fav") == 3  # S1, S2, S3
    assert case.pair("res", "fav").value("jaccard") == 1.0
    assert case.n12("fav", "eco") == 1  # S1 only (S2's debt was rejected)
    with pytest.raises(GtcodeError):
        ax.cooccurrence(data, unit="paragraph")


def test_paradigm_roles_and_relations(data):
    roles = dict(ax.paradigm_roles(data.hierarchy))
    assert roles["causal"] == ["res", "fav"] and roles["phenomenon"] == ["act"]
    assert roles["strategy"] == []
    found = {(r.source, r.target, r.kind): r for r in ax.relations(data)}
    assert set(found) == {("res", "act", "paradigm"), ("fav", "act", "paradigm"),
                          ("res", "fav", "cooccurrence"), ("eco", "act", "cooccurrence")}
    res_act = found[("res", "act", "paradigm")]
    assert (res_act.segments, res_act.cases) == (1, 1)
    assert res_act.jaccard == pytest.approx(1 / (4 + 2 - 1))
    assert res_act.value("lift") == pytest.approx(9 * 1 / (4 * 2))
    assert found[("fav", "act", "paradigm")].segments == 0
    assert [r.kind for r in ax.relations(data, min_segments=2)] == ["paradigm", "paradigm"]


def test_matrix_coding_is_a_pure_function():
    refs = [ax.Reference("A", "a.txt", 1, 1, "x1", False, 0, 5),
            ax.Reference("A", "a.txt", 1, 1, "x2", True, 0, 5),
            ax.Reference("A", "a.txt", 2, 2, "x1", False, 10, 13),
            ax.Reference("B", "b.txt", 3, 1, "y1", False, 0, 4)]
    column = {"x1": "X", "x2": "X", "y1": "Y"}.get
    frame = ax.matrix_coding(refs, columns=["X", "Y"], column_of=column, rows=["A", "B"],
                             row_of=lambda c: c)
    assert frame.to_numpy().tolist() == [[2, 0], [0, 1]]  # segment 1 counts once for X
    chars = ax.matrix_coding(refs, columns=["X", "Y"], column_of=column, rows=["A", "B"],
                             row_of=lambda c: c, cell="characters")
    assert chars.to_numpy().tolist() == [[8, 0], [0, 4]]
    grouped = ax.matrix_coding(refs, columns=["X", "Y"], column_of=column, rows=["all"],
                               row_of=lambda c: "all", cell="presence")
    assert grouped.to_numpy().tolist() == [[1, 1]]


def test_count_words():
    assert ax.count_words("我们村没啥资源。") == 7
    assert ax.count_words("The tea festival, 2023!") == 4
    assert ax.count_words("跑项目 and gifts") == 5


def test_codes_known_only_to_the_study_roll_up_through_stored_parents():
    nodes = [ax.Node("cat", "类", None, "category", None, None, None),
             ax.Node("imp", "导入", None, "concept", "cat", None, None)]
    hierarchy = ax.Hierarchy(nodes)
    assert hierarchy.category("imp") == "cat"
    assert hierarchy.subcategory("imp") is None
    assert hierarchy.category("unknown") is None
    assert hierarchy.below("cat") == ["cat", "imp"]


def test_axial_summary(data):
    assert ax.axial_summary(data) == (
        "axial coding: 6 concepts → 3 subcategories → 4 main categories in 4 cases; "
        "3 category pairs co-occur within segments")


def test_network_graphml_and_png(data, tmp_path):
    import networkx as nx

    from gtcode.coding.storyline import category_reach
    from gtcode.exports import network

    graph = network.build_graph(data, category_reach(data), "zh")
    assert list(graph.nodes) == ["res", "fav", "eco", "act", "core"]
    assert graph.nodes["res"]["cases"] == 3 and graph.nodes["core"]["level"] == "core"
    assert graph.edges["res", "act"]["kind"] == "paradigm"
    assert graph.edges["res", "fav"]["n12"] == 1
    assert graph.edges["res", "core"]["label"] == "因果条件"
    network.write_graphml(graph, tmp_path / "n.graphml")
    back = nx.read_graphml(tmp_path / "n.graphml")
    assert back.nodes["fav"]["label"] == "人情压力"
    assert back.edges["eco", "act"]["weight"] == pytest.approx(1 / 3)
    one = network.write_png(graph, tmp_path / "a.png").read_bytes()
    two = network.write_png(graph, tmp_path / "b.png").read_bytes()
    assert one[:4] == b"\x89PNG" and one == two
    labels = network.node_labels(graph, None)  # no CJK font: English names, wrapped
    assert labels["res"] == "Resource\npressure"
    assert network.node_labels(graph, "Some CJK")["res"] == "资源压力"
