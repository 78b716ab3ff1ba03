"""The review sheet: export, apply, refusals naming rows, idempotence, re-runs."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from gtcode.coding.open_coding import open_code
from gtcode.coding.sheet import apply_sheet, export_sheet, split_codes, text_hash
from gtcode.coding.sheet_io import CODEBOOK_SHEET, SHEET_NAME
from gtcode.errors import GtcodeError, ProblemList
from gtcode.store import open_coding as db
from gtcode.store.codings import effective_codings
from open_coding_fixtures import make_study

TURNS = {
    "S01.txt": [("interviewer", "你们送礼吗？"),
                ("respondent", "逢年过节都要送礼，讲人情世故。"),
                ("respondent", "=SUM(A1) 月薪才三千"),
                ("respondent", "天气很好。")],
}


@pytest.fixture
def coded(tmp_path):
    study, book = make_study(tmp_path, TURNS)
    open_code(study, book, invivo=False)
    return study, book


def load_rows(path):
    sheet = openpyxl.load_workbook(path)[SHEET_NAME]
    return sheet, [list(r) for r in sheet.iter_rows(values_only=True)]


def save(sheet, path):
    sheet.parent.save(path)
    return path


def human(study):
    return study.conn.execute("SELECT g.idx, k.code_id, k.coder, k.status FROM all_codings k "
                              "JOIN segments g ON g.id = k.segment_id WHERE k.origin = 'human' "
                              "ORDER BY g.idx, k.code_id").fetchall()


def test_export_layout(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    report = export_sheet(study, book, path)
    assert report.rows == 4 and report.suggested == 3
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET_NAME, CODEBOOK_SHEET]
    sheet = wb[SHEET_NAME]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == ["片段 segment", "来源 source", "个案 case", "说话人 speaker",
                           "角色 role", "文本 text"]
    assert rows[0][6:] == ["建议编码 suggested", "依据 evidence", "编码 codes",
                           "新概念 new concept", "备忘 memo", "文本校验 text hash"]
    assert rows[2][0] == "S01.txt#2" and rows[2][4] == "respondent"
    assert rows[2][6] == "favour.renqing; favour.shigu"
    assert rows[2][7] == "favour.renqing: 送礼, 人情\nfavour.shigu: 人情世故"
    assert rows[2][8] == "favour.renqing; favour.shigu"
    assert rows[3][5] == "=SUM(A1) 月薪才三千" and sheet["F4"].data_type == "s"
    assert rows[2][11] == text_hash("逢年过节都要送礼，讲人情世故。")
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["L"].hidden
    assert sheet.column_dimensions["F"].width >= 60
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and validation.errorStyle == "information"
    assert str(validation.sqref) == "I2:I5"
    assert "$A$2:$A$" in validation.formula1
    codebook_rows = [list(r) for r in wb[CODEBOOK_SHEET].iter_rows(values_only=True)]
    assert codebook_rows[0] == ["编码 id", "名称 name", "英文名 name_en", "层级 level",
                                "上级 parent", "定义 definition"]
    assert codebook_rows[4][:5] == ["favour.renqing", "人情", "Favours", "concept",
                                    "favour.exchange"]


def test_export_is_deterministic(coded, tmp_path):
    study, book = coded
    export_sheet(study, book, tmp_path / "a.xlsx")
    export_sheet(study, book, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_apply_records_accept_reject_add_propose_memo(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, rows = load_rows(path)
    sheet["I3"] = "favour.renqing、economic.debt"  # shigu rejected, debt added
    sheet["J3"] = "逢年过节"
    sheet["K3"] = "典型的人情往来"
    report = apply_sheet(study, book, save(sheet, path), coder="li")
    assert (report.accepted, report.rejected, report.added, report.proposed, report.memos) == (
        2, 1, 1, 1, 1)
    assert report.rows == 4 and report.changed_rows == 2
    assert human(study) == [(2, "economic.debt", "li", "accepted"),
                            (2, "favour.renqing", "li", "accepted"),
                            (2, "favour.shigu", "li", "rejected"),
                            (3, "economic.low_pay", "li", "accepted")]
    # rows 1 and 4 had nothing to change: each is logged once as reviewed
    assert [d[1] for d in db.decisions(study.conn)] == [
        "review", "add", "accept", "reject", "propose", "memo", "accept", "review"]
    assert all(d[4].startswith("sheet.xlsx@sha256:") for d in db.decisions(study.conn))
    assert db.list_candidates(study.conn, "proposed")[0][:4] == ("逢年过节", "li", "S01.txt", 2)
    assert db.sheet_memo(study.conn, "S01.txt#2", "li")[1] == "典型的人情往来"
    effective = {c.code_id for c in effective_codings(study.conn) if c.segment == 2}
    assert effective == {"favour.renqing", "economic.debt"}
    again = apply_sheet(study, book, path, coder="li")
    assert again.changes == 0 and len(db.decisions(study.conn)) == 8


def test_human_decisions_survive_a_rerun_of_open(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, _ = load_rows(path)
    sheet["I3"] = "favour.renqing"
    apply_sheet(study, book, save(sheet, path), coder="li")
    before = human(study)
    open_code(study, book, invivo=False)
    assert human(study) == before
    effective = {c.code_id for c in effective_codings(study.conn) if c.segment == 2}
    assert effective == {"favour.renqing"}


def test_dropping_an_accepted_code_is_a_remove(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, _ = load_rows(path)
    sheet["I5"] = "economic.debt"
    apply_sheet(study, book, save(sheet, path), coder="li")
    export_sheet(study, book, path, coder="li")
    sheet, rows = load_rows(path)
    assert rows[4][8] == "economic.debt"
    sheet["I5"] = ""
    report = apply_sheet(study, book, save(sheet, path), coder="li")
    assert report.removed == 1 and report.changes == 1
    assert (4, "economic.debt", "li", "accepted") not in human(study)
    assert db.decisions(study.conn)[-1][1] == "remove"


def test_refusals_name_every_row_and_write_nothing(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, _ = load_rows(path)
    sheet["I3"] = "favour.renqing; no.such.code"
    sheet["A4"] = "S01.txt#99"
    sheet["F5"] = "天气很不好。"
    sheet["A2"] = "S01.txt"
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    problems = caught.value.problems
    assert problems == [p for p in problems if p.startswith("[E40")]
    assert [p.split(":")[0] for p in problems] == ["[E403] row 2", "[E402] row 3",
                                                   "[E403] row 4", "[E404] row 5"]
    assert "no.such.code" in problems[1] and "天气" not in str(caught.value)
    assert human(study) == [] and db.decisions(study.conn) == []


def test_changed_source_text_is_refused(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, _ = load_rows(path)
    sheet["L3"] = "0" * 16
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert caught.value.code == "E404" and "row 3" in str(caught.value)


def test_deleted_and_reordered_rows_are_fine(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    wb = openpyxl.load_workbook(path)
    sheet = wb[SHEET_NAME]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    sheet.delete_rows(2, 4)
    for number, row in enumerate([rows[3], rows[2]], start=2):  # reversed, two rows kept
        for col, value in enumerate(row, start=1):
            sheet.cell(number, col, value).data_type = "s"  # keep "=SUM(A1)..." as text
    wb.save(path)
    report = apply_sheet(study, book, path, coder="li")
    assert report.rows == 2
    assert {r[0] for r in human(study)} == {2, 3}


def test_formula_and_missing_columns_are_malformed(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, _ = load_rows(path)
    sheet["I3"] = "=A1"
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert caught.value.code == "E401" and "row 3" in str(caught.value)
    sheet["I3"] = ""
    sheet["I1"] = "whatever"
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert caught.value.code == "E401"
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, path, coder="")
    assert caught.value.code == "E112"
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, tmp_path / "bad.xlsx", coder="li")
    assert caught.value.code == "E401"


@pytest.mark.parametrize("bom", [True, False])
def test_csv_round_trip(coded, tmp_path, bom):
    study, book = coded
    path = tmp_path / "sheet.csv"
    export_sheet(study, book, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert records[3][5] == "'=SUM(A1) 月薪才三千"
    records[2][8] = "favour.renqing"
    text = "\r\n".join(",".join(f'"{c}"' for c in r) for r in records)
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    report = apply_sheet(study, book, path, coder="wang")
    assert (report.accepted, report.rejected) == (2, 1)
    assert apply_sheet(study, book, path, coder="wang").changes == 0


def test_split_codes():
    assert split_codes("a; b,c、d\ne；a") == ["a", "b", "c", "d", "e"]
    assert split_codes(None) == [] and split_codes(" ") == []


def test_untouched_rows_count_as_seen_for_agreement(coded, tmp_path):
    """A coder who leaves 天气很好 uncoded disagrees with one who codes it."""
    from gtcode.reliability.agree import agree_study

    study, book = coded
    for coder, weather_codes in (("li", ""), ("wang", "economic.debt")):
        path = tmp_path / f"{coder}.xlsx"
        export_sheet(study, book, path)
        sheet, rows = load_rows(path)
        sheet["I5"] = weather_codes
        apply_sheet(study, book, save(sheet, path), coder=coder)
    seen = study.conn.execute("SELECT COUNT(DISTINCT segment_id) FROM decisions "
                              "WHERE coder = 'li'").fetchone()[0]
    assert seen == 4  # every row of li's sheet, including the ones li left as they were
    result = agree_study(study, ["li", "wang"], level="concept")
    debt = {c.code: c for c in result.per_code.codes}["economic.debt"]
    assert debt.n_units == 4 and debt.percent_agreement == 0.75
