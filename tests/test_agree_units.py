"""Building agreement units from a study and from filled sheets; known answers.

The study is ``agree_fixtures.build_study`` (its docstring has the table of
who coded what). Every expected figure below was worked out by hand.
"""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from agree_fixtures import HUMANS, build_study
from gtcode.codebook import load_codebook
from gtcode.coding.sheet import export_sheet
from gtcode.coding.sheet_io import COLUMNS
from gtcode.errors import GtcodeError, ProblemList
from gtcode.exports.disagreements import write_disagreements
from gtcode.reliability import krippendorff_alpha
from gtcode.reliability.agree import agree_code_units, agree_study, check_min_alpha
from gtcode.reliability.coding_units import (
    CodeUnits,
    UnitInfo,
    document_units,
    table_disagreements,
)
from gtcode.reliability.sheets import agree_sheets, read_sheet_units, sheet_coder_names
from gtcode.reliability.study_units import build_study_units, load_study_codings
from sheet_helpers import mark_xlsx


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    opened = build_study(tmp_path_factory.mktemp("agree") / "study")
    yield opened
    opened.close()


def sets(units: CodeUnits, coder: str) -> dict[str, set[str]]:
    return {unit: set(codes) for unit, codes in units.codings[coder].items()}


def figures(result, overall: str) -> tuple[float, float, float]:
    row = result.to_dict()["overall"][overall]
    return row["percent_agreement"], row["kappa"], row.get("krippendorff_alpha")


# -- which units count for whom ---------------------------------------------------------

def test_human_coders_see_only_segments_they_decided(study):
    units = build_study_units(study, ["ann", "ben"])
    assert [u.id for u in units.units] == ["S01#2", "S01#3", "S01#4", "S02#1", "S02#2"]
    assert sets(units, "ann") == {"S01#2": {"res.a"}, "S01#3": {"res.b"}, "S01#4": {"eco.a"},
                                  "S02#1": {"res.b"}}
    # S01#3: ben only rejected a suggestion there: seen, with no code.
    assert sets(units, "ben") == {"S01#2": {"res.a", "res.b"}, "S01#3": set(),
                                  "S02#1": {"res.b"}, "S02#2": {"eco.a"}}
    assert units.n_pairable() == 3
    assert any("ann 4, ben 4 of 5 respondent turns" in n for n in units.notes)
    assert any("1 interviewer turn(s) left out" in n for n in units.notes)
    info = units.units[0]
    assert (info.source, info.case, info.speaker, info.start, info.end) == \
        ("S01", "C1", "答", 10, 20)


def test_all_units_counts_every_respondent_segment(study):
    units = build_study_units(study, ["ann", "ben"], all_units=True)
    assert set(units.codings["ann"]) == set(units.codings["ben"]) == \
        {"S01#2", "S01#3", "S01#4", "S02#1", "S02#2"}
    assert units.codings["ann"]["S02#2"] == frozenset()
    assert units.n_pairable() == 5
    assert not any("recorded decision" in n for n in units.notes)


def test_rule_coder_sees_every_respondent_segment(study):
    units = build_study_units(study, ["gtcode-rules", "ann"])
    assert sets(units, "gtcode-rules") == {"S01#2": {"res.a"}, "S01#3": {"eco.a"},
                                           "S01#4": set(), "S02#1": {"res.b"}, "S02#2": set()}


def test_imported_span_lands_on_every_segment_it_overlaps(study):
    units = build_study_units(study, ["nv", "ann"])
    # [15, 25) overlaps S01#2 and S01#3; nv looked at every respondent segment of S01.
    assert sets(units, "nv") == {"S01#2": {"res.a"}, "S01#3": {"res.a"}, "S01#4": set()}


def test_category_level_rolls_concepts_up(study):
    units = build_study_units(study, ["ann", "ben"], level="category")
    assert sets(units, "ann") == {"S01#2": {"res"}, "S01#3": {"res"}, "S01#4": {"eco"},
                                  "S02#1": {"res"}}
    assert sets(units, "ben") == {"S01#2": {"res"}, "S01#3": set(), "S02#1": {"res"},
                                  "S02#2": {"eco"}}


def test_document_units_union_the_segments(study):
    units = build_study_units(study, ["ann", "ben"], unit="document")
    assert [u.id for u in units.units] == ["S01", "S02"]
    assert sets(units, "ann") == {"S01": {"res.a", "res.b", "eco.a"}, "S02": {"res.b"}}
    assert sets(units, "ben") == {"S01": {"res.a", "res.b"}, "S02": {"res.b", "eco.a"}}


def test_character_units_take_the_coded_spans(study):
    units = build_study_units(study, ["ann", "ben"], unit="character")
    assert dict(units.spans) == {
        ("res.a", "S01"): ([(10, 20)], [(10, 20)]),
        ("res.b", "S01"): ([(20, 30)], [(10, 20)]),
        ("eco.a", "S01"): ([(30, 40)], []),
        ("res.b", "S02"): ([(0, 10)], [(0, 10)]),
        ("eco.a", "S02"): ([], [(10, 20)]),
    }
    assert dict(units.lengths) == {"S01": 40, "S02": 20}


# -- known answers in a study --------------------------------------------------------------

def test_segment_concept_known_answers(study):
    result = agree_study(study, ["ann", "ben"])
    data = result.to_dict()
    assert (data["n_units"], data["n_pairable_units"], data["n_coders"]) == (5, 3, 2)
    # pooled: 9 pairable unit x code decisions, 7 agree; both coders 3 of 9 present.
    assert figures(result, "pooled") == pytest.approx((7 / 9, 0.5, 38 / 72))
    assert data["percent_agreement"] == pytest.approx(7 / 9)
    assert data["cohen_kappa"] == pytest.approx(0.5)
    assert data["fleiss_kappa"] == pytest.approx(0.5)
    assert data["krippendorff_alpha"] == pytest.approx(38 / 72)
    # res.a kappa 1 alpha 1; res.b kappa -0.5 alpha -0.25; eco.a undefined (never used).
    per_code = {row["code"]: row for row in data["per_code"]}
    assert per_code["res.b"]["kappa"] == pytest.approx(-0.5)
    assert per_code["res.b"]["krippendorff_alpha"] == pytest.approx(-0.25)
    assert per_code["eco.a"]["kappa"] is None and per_code["eco.a"]["krippendorff_alpha"] is None
    assert figures(result, "unweighted_mean") == pytest.approx((7 / 9, 0.25, 0.375))
    # weights n_used, pairable units with the code: res.a 1, res.b 3, eco.a 0
    assert figures(result, "weighted_mean") == pytest.approx((0.5, -0.125, 0.0625))
    assert [row["n_used"] for row in data["per_code"]] == [1, 3, 0]
    assert data["overall"]["unweighted_mean"]["excluded_codes"] == ["eco.a"]


def test_overall_choice_sets_the_headline(study):
    result = agree_study(study, ["ann", "ben"], overall="weighted_mean")
    data = result.to_dict()
    assert data["overall_method"] == "weighted_mean"
    assert data["krippendorff_alpha"] == pytest.approx(0.0625)
    assert data["cohen_kappa"] == pytest.approx(-0.125) and data["fleiss_kappa"] is None


def test_segment_category_known_answers(study):
    result = agree_study(study, ["ann", "ben"], level="category")
    assert figures(result, "pooled") == pytest.approx((5 / 6, 2 / 3, 24 / 35))
    assert figures(result, "unweighted_mean") == pytest.approx((5 / 6, 0.0, 0.0))


def test_document_known_answers(study):
    concept = agree_study(study, ["ann", "ben"], unit="document")
    assert (concept.n_units, concept.n_pairable_units) == (2, 2)
    assert figures(concept, "pooled") == pytest.approx((2 / 3, 0.25, 0.3125))
    category = agree_study(study, ["ann", "ben"], unit="document", level="category")
    assert figures(category, "pooled") == pytest.approx((0.5, -1 / 3, -1 / 6))
    # the disagreement view stays at segment level
    assert category.to_dict()["disagreement_unit"] == "segment"
    assert [row.unit.id for row in category.disagreements] == ["S01#3"]


def test_character_known_answers(study):
    result = agree_study(study, ["ann", "ben"], unit="character")
    data = result.to_dict()
    assert data["n_units"] == 160 and len(data["rows"]) == 5
    kappas = {(r["code"], r["source"]): r["kappa"] for r in data["rows"]}
    assert kappas == pytest.approx({("res.a", "S01"): 1.0, ("res.b", "S01"): -1 / 3,
                                    ("eco.a", "S01"): 0.0, ("res.b", "S02"): 1.0,
                                    ("eco.a", "S02"): 0.0})
    assert figures(result, "pooled") == pytest.approx((0.75, 1 / 3, None))
    assert figures(result, "unweighted_mean") == pytest.approx((0.75, 1 / 3, None))
    assert figures(result, "weighted_mean") == pytest.approx((0.75, 46.6666667 / 160, None))
    assert data["cohen_kappa"] == pytest.approx(1 / 3) and data["krippendorff_alpha"] is None
    category = agree_study(study, ["ann", "ben"], unit="character", level="category")
    assert figures(category, "pooled") == pytest.approx((0.75, 0.4, None))
    overlap = agree_study(study, ["ann", "nv"], unit="character").to_dict()["rows"]
    row = next(r for r in overlap if (r["code"], r["source"]) == ("res.a", "S01"))
    assert (row["a_and_b"], row["a_not_b"], row["b_not_a"]) == (5, 5, 5)
    assert row["kappa"] == pytest.approx(1 / 3)


def test_three_coders_match_the_hand_built_matrix(study):
    result = agree_study(study, ["ann", "ben", "gtcode-rules"])
    n = None
    # units S01#2, S01#3, S01#4, S02#1, S02#2; columns ann, ben, rules
    res_a = [[1, 1, 1], [0, 0, 0], [0, n, 0], [0, 0, 0], [n, 0, 0]]
    res_b = [[0, 1, 0], [1, 0, 0], [0, n, 0], [1, 1, 1], [n, 0, 0]]
    eco_a = [[0, 0, 0], [0, 0, 1], [1, n, 0], [0, 0, 0], [n, 1, 0]]
    assert result.per_code.code("res.b").krippendorff_alpha == \
        pytest.approx(krippendorff_alpha(res_b).value)
    assert result.per_code.code("eco.a").krippendorff_alpha == \
        pytest.approx(krippendorff_alpha(eco_a).value)
    assert result.alpha == pytest.approx(krippendorff_alpha(res_a + res_b + eco_a).value)
    assert result.per_code.kappa_kind == "fleiss" and result.headline["cohen_kappa"] is None


def test_study_refusals(study):
    with pytest.raises(GtcodeError) as info:
        build_study_units(study, ["ann", "nobody"])
    assert info.value.code == "E306" and "ben" in info.value.hint
    for coders, kwargs in ((["ann"], {}), (["ann", "ann"], {}),
                           (["ann", "ben", "gtcode-rules"], {"unit": "character"}),
                           (["ann", "ben"], {"unit": "paragraph"}),
                           (["ann", "ben"], {"level": "core"})):
        with pytest.raises(GtcodeError) as info:
            build_study_units(study, coders, **kwargs)
        assert info.value.code == "E112"
    with pytest.raises(GtcodeError) as info:
        agree_study(study, ["ann", "dan"])  # no segment in common
    assert info.value.code == "E601"


def test_min_alpha_check(study):
    result = agree_study(study, ["ann", "ben"])
    check_min_alpha(result, 0.5)
    with pytest.raises(GtcodeError) as info:
        check_min_alpha(result, 0.6)
    assert info.value.code == "E603"
    with pytest.raises(GtcodeError) as info:
        check_min_alpha(agree_study(study, ["ann", "ben"], unit="character"), 0.5)
    assert info.value.code == "E112"


def test_orphaned_and_uncategorised_codings_are_left_out(tmp_path):
    opened = build_study(tmp_path / "s")
    with opened.write() as conn:
        conn.execute("UPDATE codings SET orphaned = 1, segment_id = NULL "
                     "WHERE coder = 'ben' AND code_id = 'eco.a' AND status = 'accepted'")
        conn.execute("UPDATE codings SET code_id = 'core' WHERE coder = 'ann' "
                     "AND code_id = 'eco.a' AND status = 'accepted'")
    codings = load_study_codings(opened, ["ann", "ben"], level="category")
    opened.close()
    assert any("lost their passage" in n for n in codings.notes)
    assert any("no main category" in n for n in codings.notes)
    s01_4 = next(s for s in codings.segments if (s.source, s.idx) == ("S01", 4))
    assert codings.present["ann"].get(s01_4.id) == set()


# -- units and disagreements without a study -------------------------------------------------

def test_document_units_from_segments():
    seg = CodeUnits("segment", "concept", ("a", "b"),
                    (UnitInfo("X#1", "X"), UnitInfo("X#2", "X"), UnitInfo("Y#1", "Y")),
                    {"a": {"X#1": frozenset({"p"}), "X#2": frozenset({"q"})},
                     "b": {"X#2": frozenset({"p"}), "Y#1": frozenset()}})
    docs = document_units(seg)
    assert [u.id for u in docs.units] == ["X", "Y"]
    assert docs.codings == {"a": {"X": {"p", "q"}}, "b": {"X": {"p"}, "Y": frozenset()}}


def test_table_disagreements():
    rows = table_disagreements(["u1", "u2", "u3", "u4"], ["a", "b", "c"],
                               [["x", "x", "x"], ["x", "y", None], ["x", None, None],
                                [None, "y", "x"]])
    assert [r.unit.id for r in rows] == ["u2", "u4"]
    assert rows[0].codes == {"a": ("x",), "b": ("y",), "c": None}
    assert rows[1].disputed == ("x", "y")


def test_no_code_at_all_is_e601():
    units = CodeUnits("segment", "concept", ("a", "b"), (UnitInfo("u"),),
                      {"a": {"u": frozenset()}, "b": {"u": frozenset()}})
    with pytest.raises(GtcodeError) as info:
        agree_code_units(units)
    assert info.value.code == "E601"


# -- sheets -------------------------------------------------------------------------------------

def heading(key: str) -> str:
    return next(h for k, h, _w in COLUMNS if k == key)


def write_csv_sheet(path, rows):
    """A hand-made sheet: (segment, text, codes[, decision]) rows."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([heading("segment"), heading("text"), heading("codes"),
                         heading("decision")])
        writer.writerows([[*row, ""] if len(row) == 3 else row for row in rows])
    return path


def test_sheets_from_the_study_agree_with_the_study(study, tmp_path):
    book = load_codebook(study.codebook_path)
    paths = []
    for coder in ("ann", "ben"):  # each coder marks the rows she decided in the study
        path = tmp_path / f"{coder}.xlsx"
        export_sheet(study, book, path, coder=coder)
        marks = {}
        for (source, idx), codes in HUMANS[coder].items():
            accepted = "; ".join(c for c, status in codes if status == "accepted")
            marks[f"{source}#{idx}"] = (None, accepted) if accepted else ("拒绝 reject", None)
        paths.append(mark_xlsx(path, path, marks))
    from_sheets = agree_sheets(paths, codebook=book)
    from_study = agree_study(study, ["ann", "ben"])
    assert from_sheets.coders == ("ann", "ben")
    assert from_sheets.to_dict()["overall"] == from_study.to_dict()["overall"]
    assert from_sheets.disagreements[0].unit.text == "答：天天都在跑项目。"
    category = agree_sheets(paths, codebook=book, level="category", unit="document")
    assert figures(category, "pooled") == pytest.approx((0.5, -1 / 3, -1 / 6))


def test_csv_sheets_missing_rows_are_missing_values(tmp_path):
    a = write_csv_sheet(tmp_path / "a.csv", [["S#1", "t1", "p; q"], ["S#2", "t2", "", "无编码"],
                                             ["S#3", "t3", "p"], ["S#4", "t4", ""]])
    b = write_csv_sheet(tmp_path / "b.csv", [["S#1", "t1", "p"], ["S#2", "t2", "q"],
                                             ["S#4", "t4", "", "none"]])
    units = read_sheet_units([a, b])
    assert units.coders == ("a", "b")
    assert units.codings["a"] == {"S#1": {"p", "q"}, "S#2": set(), "S#3": {"p"}}
    assert units.codings["b"] == {"S#1": {"p"}, "S#2": {"q"}, "S#4": set()}
    # S#4 is undecided in a: not looked at there, so only S#1 and S#2 pair up
    assert units.n_pairable() == 2 and len(units.units) == 4
    assert any("a: 3 decided row(s) compared; 1 undecided" in n for n in units.notes)
    assert read_sheet_units([a, b], coders=["甲", "乙"]).coders == ("甲", "乙")


def test_sheet_problems_are_all_reported(tmp_path):
    a = write_csv_sheet(tmp_path / "a.csv", [["S#1", "t", "p"], ["S#1", "t", "q"],
                                             ["bad", "t", "p"]])
    b = write_csv_sheet(tmp_path / "b.csv", [["S#1", "t", "p"]])
    with pytest.raises(ProblemList) as info:
        read_sheet_units([a, b])
    assert len(info.value.problems) == 2
    assert "row 3" in info.value.problems[0] and "[E403]" in info.value.problems[1]
    with pytest.raises(GtcodeError) as info:
        read_sheet_units([a, b], level="category")
    assert info.value.code == "E112"
    with pytest.raises(GtcodeError) as info:
        agree_sheets([a, b], unit="character")
    assert info.value.code == "E112"


def test_sheet_coder_names(tmp_path):
    assert sheet_coder_names([tmp_path / "x" / "s.csv", tmp_path / "y" / "s.csv"]) == \
        [str(tmp_path / "x" / "s.csv"), str(tmp_path / "y" / "s.csv")]
    with pytest.raises(GtcodeError):
        sheet_coder_names([tmp_path / "a.csv", tmp_path / "b.csv"], ["only-one"])


# -- the disagreement workbook ---------------------------------------------------------------

def test_disagreement_workbook_reads_back(study, tmp_path):
    result = agree_study(study, ["ann", "ben", "gtcode-rules"], texts=True)
    path = tmp_path / "d.xlsx"
    assert write_disagreements(result, path) == 4
    book = openpyxl.load_workbook(path, rich_text=True)
    assert book.sheetnames == ["分歧 Disagreements", "按编码 Per code", "说明 About"]
    rows = [list(r) for r in book["分歧 Disagreements"].iter_rows(values_only=True)]
    assert rows[0][:5] == ["单元 Unit", "来源 Source", "个案 Case", "说话人 Speaker", "文本 Text"]
    assert rows[0][5:] == ["ann 的编码 Codes by ann", "ben 的编码 Codes by ben",
                           "gtcode-rules 的编码 Codes by gtcode-rules", "争议编码 Codes in dispute"]
    assert [r[0] for r in rows[1:]] == ["S01#2", "S01#3", "S01#4", "S02#2"]
    s01_3 = rows[2]
    assert s01_3[4] == "=A1+1工资太低。"  # formula-like text stays text
    assert book["分歧 Disagreements"]["E3"].data_type == "s"
    assert s01_3[8] == "res.b 争资金\neco.a 工资低"
    assert rows[3][6] == "（未看过 not seen）" and rows[3][7] == "（无编码 no code）"
    # S01#2: ben's res.b is in dispute (bold red), res.a is not
    blocks = rows[1][6]
    hot = [b for b in blocks if not isinstance(b, str)]
    assert [b.text for b in hot] == ["res.b 争资金"] and hot[0].font.b
    codes = [list(r) for r in book["按编码 Per code"].iter_rows(values_only=True)]
    assert codes[1][:4] == ["res.a", "跑项目", 0, 1]
    assert codes[2][2] == 2 and codes[2][6] == pytest.approx(0.4)


def test_disagreement_workbook_is_deterministic(study, tmp_path):
    result = agree_study(study, ["ann", "ben"], texts=True)
    write_disagreements(result, tmp_path / "1.xlsx")
    write_disagreements(result, tmp_path / "2.xlsx")
    assert (tmp_path / "1.xlsx").read_bytes() == (tmp_path / "2.xlsx").read_bytes()


def test_nan_never_reaches_json(study):
    for kwargs in ({}, {"unit": "character"}, {"level": "category"}):
        data = agree_study(study, ["ann", "ben"], **kwargs).to_dict()
        json.dumps(data, allow_nan=False)  # raises on NaN or infinity
    assert data["per_code"] and data["overall"]
