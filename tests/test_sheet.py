"""The review sheet: only explicit decisions count, blind sheets, refusals naming rows."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from gtcode.coding.open_coding import open_code
from gtcode.coding.sheet import export_sheet, text_hash
from gtcode.coding.sheet_apply import apply_sheet
from gtcode.coding.sheet_help import STEPS
from gtcode.coding.sheet_io import CODEBOOK_SHEET, HEADINGS, HELP_SHEET, SHEET_NAME
from gtcode.coding.sheet_rows import read_decision, split_codes
from gtcode.errors import GtcodeError, ProblemList
from gtcode.store import open_coding as db
from gtcode.store.codings import effective_codings
from open_coding_fixtures import make_study
from sheet_helpers import col, mark_xlsx, read_csv, write_csv

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


def load(path):
    sheet = openpyxl.load_workbook(path)[SHEET_NAME]
    header = [c.value for c in sheet[1]]
    return sheet, header


def cell(sheet, header, row: int, key: str):
    return sheet.cell(row, col(header, key) + 1)


def save(sheet, path):
    sheet.parent.save(path)
    return path


def human(study):
    return study.conn.execute("SELECT g.idx, k.code_id, k.coder, k.status FROM all_codings k "
                              "JOIN segments g ON g.id = k.segment_id WHERE k.origin = 'human' "
                              "ORDER BY g.idx, k.code_id").fetchall()


def logged(study):
    return study.conn.execute("SELECT d.coder, d.action, g.idx, d.code_id, d.blind "
                              "FROM decisions d LEFT JOIN segments g ON g.id = d.segment_id "
                              "ORDER BY d.id").fetchall()


# -- the layout --------------------------------------------------------------------------

def test_export_layout(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    report = export_sheet(study, book, path)
    assert (report.rows, report.suggested, report.mode) == (4, 3, "review")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [HELP_SHEET, SHEET_NAME, CODEBOOK_SHEET]
    sheet = wb[SHEET_NAME]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["片段 segment", "来源 source", "个案 case", "说话人 speaker", "角色 role",
                       "文本 text", "机器建议 suggestion", "依据 evidence", "概率 probability",
                       "决定 decision", "编码 codes", "新概念 new concept", "备忘 memo",
                       "已显示 shown", "文本校验 text hash"]
    assert rows[2][0] == "S01.txt#2" and rows[2][4] == "respondent"
    assert rows[2][6] == "favour.renqing 人情\nfavour.shigu 人情世故"
    assert rows[2][7] == "favour.renqing: 送礼, 人情\nfavour.shigu: 人情世故"
    assert rows[2][8] is None  # rules give no probability: the column stays empty
    # the coder's columns are exported empty: nothing is decided for her
    assert all(r[9] is None and r[10] is None for r in rows[1:])
    assert json.loads(rows[2][13]) == {"mode": "review",
                                       "suggested": ["favour.renqing", "favour.shigu"]}
    assert rows[3][5] == "=SUM(A1) 月薪才三千" and sheet["F4"].data_type == "s"
    assert rows[2][14] == text_hash("逢年过节都要送礼，讲人情世故。")
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["N"].hidden and sheet.column_dimensions["O"].hidden
    decision, codes = sheet.data_validations.dataValidation
    assert str(decision.sqref) == "J2:J5" and "接受 accept" in decision.formula1
    assert codes.type == "list" and str(codes.sqref) == "K2:K5"
    assert "$A$2:$A$" in codes.formula1
    codebook_rows = [list(r) for r in wb[CODEBOOK_SHEET].iter_rows(values_only=True)]
    assert codebook_rows[4][:5] == ["favour.renqing", "人情", "Favours", "concept",
                                    "favour.exchange"]


def test_the_sheet_prints_and_shows_its_wrapped_text(coded, tmp_path):
    """Every tab prints one page wide with its header repeated; a row whose wrapped text
    takes several lines is tall enough to show them (LibreOffice does not size rows)."""
    from gtcode.spreadsheet import LINE_POINTS, quick_width

    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    wb = openpyxl.load_workbook(path)
    for tab in wb.worksheets:
        assert tab.sheet_properties.pageSetUpPr.fitToPage, tab.title
        assert tab.page_setup.fitToHeight == 0 and tab.page_setup.paperSize == 9
        assert tab.print_title_rows == "$1:$1", tab.title
    sheet = wb[SHEET_NAME]
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "B2"
    evidence = sheet["H3"].value  # two lines of rule evidence
    assert evidence.count("\n") == 1 and sheet.row_dimensions[3].height >= 2 * LINE_POINTS
    width = sheet.column_dimensions["F"].width
    for row in range(2, sheet.max_row + 1):
        text = str(sheet.cell(row, 6).value or "")
        needed = max(1, -(-quick_width(text) // int(width - 1)))
        assert (sheet.row_dimensions[row].height or 15) >= needed * LINE_POINTS - 1, row
    assert wb[CODEBOOK_SHEET].row_dimensions[2].height


def test_the_first_tab_carries_the_instructions_in_both_languages(coded, tmp_path):
    study, book = coded
    export_sheet(study, book, tmp_path / "sheet.xlsx")
    export_sheet(study, book, tmp_path / "blind.xlsx", blind=True)
    for name, mode_words in (("sheet.xlsx", "机器的编码建议"), ("blind.xlsx", "盲评表")):
        wb = openpyxl.load_workbook(tmp_path / name)
        assert wb.worksheets[0].title == HELP_SHEET
        rows = [list(r) for r in wb[HELP_SHEET].iter_rows(values_only=True)]
        assert mode_words in rows[1][0]
        assert [tuple(r) for r in rows[2:]] == list(STEPS)
        text = "\n".join(f"{zh}\n{en}" for zh, en in rows)
        assert "未决定" in text and "undecided and records nothing" in text


def test_export_is_deterministic(coded, tmp_path):
    study, book = coded
    export_sheet(study, book, tmp_path / "a.xlsx")
    export_sheet(study, book, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_probability_is_written_only_when_the_machine_gives_one(coded, tmp_path):
    study, book = coded
    seg = db.find_segment(study.conn, "S01.txt", 4)
    with study.write() as conn:
        conn.execute("INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, "
                     "coder, status, evidence, created_at, updated_at) VALUES (?, ?, ?, ?, "
                     "'economic.debt', 'model', 'gtcode-learned', 'suggested', ?, 'now', 'now')",
                     (seg.source_id, seg.id, seg.start, seg.end,
                      json.dumps({"probability": 0.834, "hits": []})))
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    assert cell(sheet, header, 5, "suggested").value == "economic.debt 欠债"
    assert cell(sheet, header, 5, "probability").value == "0.83"
    assert cell(sheet, header, 3, "probability").value is None


# -- only explicit decisions count ---------------------------------------------------------

@pytest.mark.parametrize("name,coder", [("sheet.xlsx", None), ("sheet.csv", None),
                                        ("li.xlsx", "li")])
def test_a_sheet_applied_unchanged_records_nothing(coded, tmp_path, name, coder):
    study, book = coded
    path = tmp_path / name
    export_sheet(study, book, path, coder=coder)
    report = apply_sheet(study, book, path, coder="li")
    assert (report.rows, report.decided, report.undecided, report.changes) == (4, 0, 4, 0)
    assert human(study) == [] and logged(study) == []


def test_five_changed_cells_are_exactly_five_decisions(tmp_path):
    turns = {"S01.txt": [("respondent", t) for t in (
        "逢年过节都要送礼。", "讲人情世故。", "月薪才三千。", "家里欠债。", "天气很好。", "送礼是常事。",
        "工资太低了。", "人情世故难免。", "欠债要还。", "没什么。")]}
    study, book = make_study(tmp_path, turns)
    open_code(study, book, invivo=False)
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    marks = {"S01.txt#1": ("接受 accept", None), "S01.txt#3": ("拒绝 reject", None),
             "S01.txt#4": (None, "economic.debt; economic.low_pay"),
             "S01.txt#5": ("无编码 none", None), "S01.txt#8": ("accept", "-favour.renqing")}
    report = apply_sheet(study, book, mark_xlsx(path, path, marks), coder="li")
    assert (report.decided, report.undecided) == (5, 5)
    decided = {idx for _c, _a, idx, _code, _b in logged(study)}
    assert decided == {1, 3, 4, 5, 8}
    assert human(study) == [(1, "favour.renqing", "li", "accepted"),
                            (3, "economic.low_pay", "li", "rejected"),
                            (4, "economic.debt", "li", "accepted"),
                            (4, "economic.low_pay", "li", "accepted"),
                            (8, "favour.renqing", "li", "rejected"),
                            (8, "favour.shigu", "li", "accepted")]
    assert [(a, idx) for _c, a, idx, _code, _b in logged(study) if a == "review"] == [
        ("review", 5)]
    assert all(blind == 0 for *_rest, blind in logged(study))  # a review sheet


def test_accept_reject_and_codes(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    cell(sheet, header, 3, "codes").value = "favour.renqing、economic.debt"  # shigu rejected
    cell(sheet, header, 3, "new_concept").value = "逢年过节"
    cell(sheet, header, 3, "memo").value = "典型的人情往来"
    cell(sheet, header, 4, "decision").value = "接受 accept"
    report = apply_sheet(study, book, save(sheet, path), coder="li")
    assert (report.accepted, report.rejected, report.added, report.proposed, report.memos) == (
        2, 1, 1, 1, 1)
    assert (report.rows, report.decided, report.changed_rows) == (4, 2, 2)
    assert human(study) == [(2, "economic.debt", "li", "accepted"),
                            (2, "favour.renqing", "li", "accepted"),
                            (2, "favour.shigu", "li", "rejected"),
                            (3, "economic.low_pay", "li", "accepted")]
    assert [d[1] for d in db.decisions(study.conn)] == ["add", "accept", "reject", "propose",
                                                        "memo", "accept"]
    assert all(d[4].startswith("sheet.xlsx@sha256:") for d in db.decisions(study.conn))
    assert db.list_candidates(study.conn, "proposed")[0][:4] == ("逢年过节", "li", "S01.txt", 2)
    effective = {c.code_id for c in effective_codings(study.conn) if c.segment == 2}
    assert effective == {"favour.renqing", "economic.debt"}
    again = apply_sheet(study, book, path, coder="li")
    assert again.changes == 0 and len(db.decisions(study.conn)) == 6


def test_a_memo_on_an_undecided_row_is_kept_but_decides_nothing(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    cell(sheet, header, 5, "memo").value = "要回头再看"
    report = apply_sheet(study, book, save(sheet, path), coder="li")
    assert (report.decided, report.memos) == (0, 1) and human(study) == []
    assert not db.has_decision(study.conn, "li", db.find_segment(study.conn, "S01.txt", 4).id)


def test_re_export_for_the_coder_shows_her_codes_and_changes_nothing(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    mark_xlsx(path, path, {"S01.txt#2": (None, "favour.renqing"),
                           "S01.txt#4": (None, "economic.debt")})
    apply_sheet(study, book, path, coder="li")
    before = (human(study), logged(study))
    again = tmp_path / "li.xlsx"
    export_sheet(study, book, again, coder="li")
    sheet, header = load(again)
    assert cell(sheet, header, 3, "earlier").value == "favour.renqing 人情\n✗ favour.shigu 人情世故"
    assert cell(sheet, header, 3, "codes").value is None  # not pre-filled: nothing re-decided
    report = apply_sheet(study, book, again, coder="li")
    assert (report.decided, report.changes) == (0, 0)
    assert (human(study), logged(study)) == before
    # -CODE takes one of her own codes out again
    mark_xlsx(again, again, {"S01.txt#4": (None, "-economic.debt")})
    report = apply_sheet(study, book, again, coder="li")
    assert report.removed == 1 and (4, "economic.debt", "li", "accepted") not in human(study)
    assert db.decisions(study.conn)[-1][1] == "remove"


def test_human_decisions_survive_a_rerun_of_open(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    apply_sheet(study, book, mark_xlsx(path, path, {"S01.txt#2": (None, "favour.renqing")}),
                coder="li")
    before = human(study)
    open_code(study, book, invivo=False)
    assert human(study) == before
    effective = {c.code_id for c in effective_codings(study.conn) if c.segment == 2}
    assert effective == {"favour.renqing"}


# -- what the coder saw ---------------------------------------------------------------------

def test_a_blind_sheet_has_no_suggestion_and_no_other_coders_decision(coded, tmp_path):
    study, book = coded
    review = tmp_path / "ann.xlsx"
    export_sheet(study, book, review)
    apply_sheet(study, book, mark_xlsx(review, review, {"S01.txt#2": (None, "economic.debt")}),
                coder="ann")
    path = tmp_path / "blind.xlsx"
    report = export_sheet(study, book, path, coder="li", blind=True)
    assert (report.mode, report.suggested) == ("blind", 0)
    sheet, header = load(path)
    assert header == [HEADINGS[k] for k in ("segment", "source", "case", "speaker", "role",
                                            "text", "decision", "codes", "new_concept",
                                            "memo", "shown", "text_hash")]
    values = [str(v) for row in sheet.iter_rows(min_row=2, values_only=True) for v in row if v]
    for code in ("favour", "economic", "人情 ", "欠债"):  # no code id, no code's name
        assert not any(code in v for v in values)
    assert [cell(sheet, header, r, "shown").value for r in range(2, 6)] == \
        ['{"mode":"blind"}'] * 4
    blind_csv = tmp_path / "blind.csv"
    export_sheet(study, book, blind_csv, blind=True)
    assert "suggestion" not in blind_csv.read_text(encoding="utf-8-sig")


def test_blind_decisions_are_recorded_as_blind(coded, tmp_path):
    study, book = coded
    path = tmp_path / "blind.xlsx"
    export_sheet(study, book, path, blind=True)
    marks = {"S01.txt#2": (None, "人情"), "S01.txt#3": ("无编码 none", None)}
    report = apply_sheet(study, book, mark_xlsx(path, path, marks), coder="li")
    assert (report.blind, report.decided, report.accepted, report.rejected) == (True, 2, 1, 0)
    # nothing was shown, so no suggestion is rejected, not even on the "none" row
    assert human(study) == [(2, "favour.renqing", "li", "accepted")]
    assert [(a, idx, b) for _c, a, idx, _code, b in logged(study)] == [
        ("accept", 2, 1), ("review", 3, 1)]
    mark_xlsx(path, path, {"S01.txt#4": ("接受 accept", None)})
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, path, coder="li")
    assert "row 5" in str(caught.value) and "blind" in str(caught.value)


def test_a_suggestion_the_coder_never_saw_is_never_decided(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    seg = db.find_segment(study.conn, "S01.txt", 2)
    with study.write() as conn:  # a new suggestion after export (a codebook change, say)
        db.insert_rule_codings(conn, [(seg.id, "economic.debt", "[]")])
    report = apply_sheet(study, book, mark_xlsx(path, path, {"S01.txt#2": ("拒绝 reject", None)}),
                         coder="li")
    assert report.rejected == 2
    assert human(study) == [(2, "favour.renqing", "li", "rejected"),
                            (2, "favour.shigu", "li", "rejected")]
    details = json.loads(study.conn.execute("SELECT details FROM decisions").fetchone()[0])
    assert details["shown"] == ["favour.renqing", "favour.shigu"]
    assert "economic.debt" in {c.code_id for c in effective_codings(study.conn)
                               if c.segment == 2}


def test_an_edited_suggestion_column_is_refused(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    cell(sheet, header, 3, "suggested").value = "favour.renqing"
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert caught.value.code == "E401" and "row 3" in caught.value.problems[0]
    cell(sheet, header, 3, "suggested").value = "favour.renqing 人情\nfavour.shigu 人情世故"
    cell(sheet, header, 3, "shown").value = '{"mode":"blind"}x'
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert "shown" in caught.value.problems[0]
    assert human(study) == [] and logged(study) == []


# -- codes by name, typos, the wrong study ------------------------------------------------------

def test_codes_by_chinese_or_english_name_and_a_typo_gets_the_closest(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    mark_xlsx(path, path, {"S01.txt#2": (None, "人情; Favours; favour.shigu 人情世故"),
                           "S01.txt#3": (None, "工资低"), "S01.txt#4": (None, "欠债")})
    report = apply_sheet(study, book, path, coder="li")
    assert report.accepted + report.added == 4 and report.rejected == 0
    mark_xlsx(path, path, {"S01.txt#4": (None, "人情事故")})
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, path, coder="wang")
    (problem,) = caught.value.problems
    assert problem.startswith("[E402] row 5") and "did you mean 'favour.shigu 人情世故'" in problem


def test_a_sheet_from_another_study_is_one_error_line(coded, tmp_path):
    study, book = coded
    (tmp_path / "other").mkdir()
    other, other_book = make_study(tmp_path / "other", {
        f"P{n:02d}.txt": [("respondent", "送礼。"), ("respondent", "工资低。")] for n in range(30)})
    path = tmp_path / "other.xlsx"
    export_sheet(other, other_book, path)
    mark_xlsx(path, path, {"P01.txt#1": ("接受 accept", None)})
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, path, coder="li")
    assert caught.value.code == "E403" and not isinstance(caught.value, ProblemList)
    assert "\n" not in str(caught.value) and "another study" in str(caught.value)
    assert "S01.txt" in caught.value.hint
    assert human(study) == [] and logged(study) == []


def test_rows_of_a_source_the_study_lacks_are_one_problem_per_source(coded, tmp_path):
    study, book = coded
    rows = read_csv(export_sheet(study, book, tmp_path / "s.csv").path)
    extra = [[f"Z9.txt#{n}", *row[1:]] for n, row in enumerate(rows[1:] * 3, start=1)]
    write_csv(tmp_path / "s.csv", rows + extra)
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, tmp_path / "s.csv", coder="li")
    assert caught.value.problems == ["[E403] row 6: source Z9.txt is not in this study "
                                     "(12 row(s): rows 6–17)"]


# -- refusals ----------------------------------------------------------------------------------

def test_refusals_name_every_row_and_write_nothing(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    cell(sheet, header, 3, "codes").value = "favour.renqing; no.such.code"
    cell(sheet, header, 4, "segment").value = "S01.txt#99"
    cell(sheet, header, 5, "text").value = "天气很不好。"
    cell(sheet, header, 2, "segment").value = "S01.txt"
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["[E403] row 2", "[E402] row 3",
                                                   "[E403] row 4", "[E404] row 5"]
    assert "no.such.code" in problems[1] and "天气" not in str(caught.value)
    assert human(study) == [] and db.decisions(study.conn) == []


def test_changed_source_text_is_refused(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    cell(sheet, header, 3, "text_hash").value = "0" * 16
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert caught.value.code == "E404" and "row 3" in str(caught.value)


def test_contradictory_and_unknown_decisions_are_refused(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    mark_xlsx(path, path, {"S01.txt#2": ("无编码 none", "favour.renqing"),
                           "S01.txt#3": ("maybe", None),
                           "S01.txt#4": (None, "economic.debt; -economic.debt")})
    with pytest.raises(ProblemList) as caught:
        apply_sheet(study, book, path, coder="li")
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "[E401] row 3", "[E401] row 4", "[E401] row 5"]
    assert "接受 accept, 拒绝 reject, 无编码 none" in caught.value.problems[1]


def test_deleted_and_reordered_rows_are_fine(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.csv"
    export_sheet(study, book, path)
    rows = read_csv(path)
    dec = col(rows[0], "decision")
    rows[3][dec] = rows[2][dec] = "接受 accept"
    write_csv(path, [rows[0], rows[3], rows[2]])  # two rows kept, reversed
    report = apply_sheet(study, book, path, coder="li")
    assert report.rows == 2
    assert {r[0] for r in human(study)} == {2, 3}


def test_formula_and_missing_columns_are_malformed(coded, tmp_path):
    study, book = coded
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet, header = load(path)
    cell(sheet, header, 3, "codes").value = "=A1"
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, save(sheet, path), coder="li")
    assert caught.value.code == "E401" and "row 3" in str(caught.value)
    cell(sheet, header, 3, "codes").value = None
    cell(sheet, header, 1, "codes").value = "whatever"
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


def test_a_sheet_of_the_earlier_layout_is_refused_clearly(coded, tmp_path):
    """Before decisions were explicit every row counted: such a sheet is not applied."""
    study, book = coded
    path = tmp_path / "old.csv"
    text = "逢年过节都要送礼，讲人情世故。"
    write_csv(path, [["片段 segment", "来源 source", "个案 case", "说话人 speaker", "角色 role",
                      "文本 text", "建议编码 suggested", "依据 evidence", "编码 codes",
                      "新概念 new concept", "备忘 memo", "文本校验 text hash"],
                     ["S01.txt#2", "S01.txt", "S01", "答", "respondent", text,
                      "favour.renqing; favour.shigu", "", "favour.renqing; favour.shigu", "", "",
                      text_hash(text)]])
    with pytest.raises(GtcodeError) as caught:
        apply_sheet(study, book, path, coder="li")
    error = caught.value
    assert (error.code, error.where) == ("E401", "row 1")
    assert "earlier gtcode" in error.message and "gtcode sheet export" in error.hint
    assert human(study) == [] and logged(study) == []


@pytest.mark.parametrize("bom", [True, False])
def test_csv_round_trip(coded, tmp_path, bom):
    study, book = coded
    path = tmp_path / "sheet.csv"
    export_sheet(study, book, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert records[3][5] == "'=SUM(A1) 月薪才三千"
    records[2][col(records[0], "codes")] = "favour.renqing"
    text = "\r\n".join(",".join('"{}"'.format(c.replace('"', '""')) for c in r)
                       for r in records)
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    report = apply_sheet(study, book, path, coder="wang")
    assert (report.accepted, report.rejected) == (1, 1)
    assert apply_sheet(study, book, path, coder="wang").changes == 0


def test_split_codes_and_decision_words():
    assert split_codes("a; b,c、d\ne；a") == ["a", "b", "c", "d", "e"]
    assert split_codes(None) == [] and split_codes(" ") == []
    assert [read_decision(w) for w in ("接受 accept", "接受", "Accept", " y ", "拒绝 reject",
                                       "no", "无编码 none", "无", "", None)] == [
        "accept", "accept", "accept", "accept", "reject", "reject", "none", "none", None, None]
    with pytest.raises(ValueError):
        read_decision("接受 reject")
    with pytest.raises(ValueError):
        read_decision("later")


def test_undecided_rows_are_not_seen_for_agreement(coded, tmp_path):
    """li decides three rows, wang four: only the three both decided are compared."""
    from gtcode.reliability.agree import agree_study

    study, book = coded
    for coder, marks in (("li", {"S01.txt#2": ("接受 accept", None),
                                 "S01.txt#3": ("接受 accept", None),
                                 "S01.txt#4": ("无编码 none", None)}),
                         ("wang", {"S01.txt#2": ("接受 accept", None),
                                   "S01.txt#3": ("接受 accept", None),
                                   "S01.txt#4": (None, "economic.debt"),
                                   "S01.txt#1": ("无编码 none", None)})):
        path = tmp_path / f"{coder}.xlsx"
        export_sheet(study, book, path)
        apply_sheet(study, book, mark_xlsx(path, path, marks), coder=coder)
    result = agree_study(study, ["li", "wang"], level="concept")
    debt = {c.code: c for c in result.per_code.codes}["economic.debt"]
    # S01.txt#1 is an interviewer turn: not a unit by default
    assert result.n_pairable_units == 3 and debt.n_units == 3
    assert debt.percent_agreement == pytest.approx(2 / 3)
    every = agree_study(study, ["li", "wang"], level="concept", roles=None)
    assert every.n_pairable_units == 3 and every.scope == "all turns"  # li left #1 undecided


def test_a_sheet_without_its_record_decides_only_what_its_suggestion_column_shows(coded,
                                                                                  tmp_path):
    study, book = coded
    path = tmp_path / "sheet.csv"
    export_sheet(study, book, path)
    rows = read_csv(path)
    shown = col(rows[0], "shown")
    rows = [row[:shown] + row[shown + 1:] for row in rows]  # the hidden record deleted
    rows[2][col(rows[0], "decision")] = "拒绝 reject"
    rows[3][col(rows[0], "decision")] = "拒绝 reject"
    rows[3][col(rows[0], "suggested")] = ""  # nothing left visible on this row
    report = apply_sheet(study, book, write_csv(path, rows), coder="li")
    assert (report.blind, report.decided, report.rejected) == (None, 2, 2)
    assert human(study) == [(2, "favour.renqing", "li", "rejected"),
                            (2, "favour.shigu", "li", "rejected")]
    assert {b for *_rest, b in logged(study)} == {None}  # not known whether blind
