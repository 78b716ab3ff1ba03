"""Memos: targets, validation, listing, exports, and memos beside their targets in tables."""

import csv

import docx
import pytest

from axial_study import build_study
from gtcode.coding import memos as lib
from gtcode.coding.selective import SaturationOptions
from gtcode.errors import GtcodeError
from gtcode.exports.memos import export_memos
from gtcode.tables.matrices import build_tables


@pytest.fixture
def study(tmp_path):
    study, book = build_study(tmp_path / "s")
    yield study, book
    study.close()


def test_parse_target():
    assert lib.parse_target("code:res") == ("code", "res")
    assert lib.parse_target("segment:S1.txt#2") == ("segment", "S1.txt#2")
    assert lib.parse_target("study") == ("study", None)
    for bad in ("theme:x", "code:", "case"):
        with pytest.raises(GtcodeError) as info:
            lib.parse_target(bad)
        assert info.value.code == "E112"


def test_add_list_show(study):
    s, book = study
    codes = [c.id for c in book.codes]
    one = lib.add_memo(s, "code:res", "资源压力多与项目有关。", author="ana", title="资源",
                       known_codes=codes)
    lib.add_memo(s, "case:S2", "S2 说话谨慎。", author="ben")
    lib.add_memo(s, "source:S3.txt", "录音质量差。", author="ana")
    lib.add_memo(s, "segment:S1.txt#4", "红包是关键词。", author="ana")
    lib.add_memo(s, "study", "整体印象。", author="ana")
    assert one.target_type == "code" and one.target == "res" and one.author == "ana"
    assert one.created_at.endswith("Z") and one.guid and one.origin == "cli"
    assert [m.target_type for m in lib.list_memos(s)] == ["code", "case", "source", "segment",
                                                         "study"]
    assert [m.text for m in lib.list_memos(s, "case:S2")] == ["S2 说话谨慎。"]
    assert lib.get_memo(s, one.id).title == "资源"
    with pytest.raises(GtcodeError) as info:
        lib.get_memo(s, 99)
    assert info.value.code == "E306"


@pytest.mark.parametrize("target", ["code:nothing", "case:S9", "source:S9.txt",
                                    "segment:S1.txt#99", "segment:S1.txt"])
def test_unknown_targets_are_refused(study, target):
    with pytest.raises(GtcodeError) as info:
        lib.add_memo(study[0], target, "x", author="ana")
    assert info.value.code == "E306"


def test_empty_text_is_refused(study):
    with pytest.raises(GtcodeError) as info:
        lib.add_memo(study[0], "study", "   ", author="ana")
    assert info.value.code == "E112"


def test_exports_read_back(study, tmp_path):
    s, _ = study
    lib.add_memo(s, "case:S1", "第一条\n第二行", author="ana", title="T1")
    lib.add_memo(s, "study", "=1+1 looks like a formula", author="ben")
    assert export_memos(s, tmp_path / "m.md") == 2
    markdown = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert "## 1. T1" in markdown and "case:S1 · ana" in markdown and "第二行" in markdown
    export_memos(s, tmp_path / "m.csv")
    with open(tmp_path / "m.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["target"] for r in rows] == ["S1", ""]
    assert rows[1]["text"] == "=1+1 looks like a formula"  # verbatim: csv is data
    export_memos(s, tmp_path / "m.csv", excel_safe=True)
    with open(tmp_path / "m.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1]["text"] == "'=1+1 looks like a formula"  # guarded for spreadsheets
    export_memos(s, tmp_path / "m.docx")
    paragraphs = [p.text for p in docx.Document(tmp_path / "m.docx").paragraphs]
    assert "1. T1" in paragraphs and "第二行" in paragraphs
    with pytest.raises(GtcodeError) as info:
        export_memos(s, tmp_path / "m.pdf")
    assert info.value.code == "E112"


def test_memos_appear_beside_their_targets(study):
    s, book = study
    lib.add_memo(s, "code:res", "项目制是根源。", author="ana", known_codes=["res"])
    lib.add_memo(s, "case:S2", "谨慎。", author="ana")
    tables = {t.key: t for t in build_tables(s, book,
                                             options=SaturationOptions(permutations=20)).tables}
    reach = tables["reach"]
    memo_col = reach.headers.index("备忘录")
    res_row = next(r for r in reach.rows if r[0] == "资源压力")
    # the codebook's own memo first, then the study's memos (dated, attributed)
    assert res_row[memo_col].startswith("资源压力多见于村干部。\n[")
    assert res_row[memo_col].endswith("ana] 项目制是根源。")
    matrix = tables["matrix_references"]
    s2 = next(r for r in matrix.rows if r[0] == "S2")
    assert s2[matrix.headers.index("备忘录")].endswith("ana] 谨慎。")
    assert [r[1] for r in tables["memos"].rows] == ["code:res", "case:S2"]
