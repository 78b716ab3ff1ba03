"""gtcode.xlsx read back with openpyxl: sheets, headings, values, formats, determinism."""

import openpyxl
import pytest

from axial_study import build_study
from gtcode.coding import memos
from gtcode.coding.selective import SaturationOptions, run_selective
from gtcode.exports.workbook import display_width, export_workbook, write_workbook
from gtcode.tables.matrices import build_tables

FAST = SaturationOptions(permutations=30, count="all")  # the study is mostly machine-coded
SHEETS_ZH = ["开放式编码", "主轴编码", "范式模型", "选择性编码", "故事线", "主范畴分析", "饱和度检验",
             "Guest饱和度", "新概念曲线", "矩阵-参考点", "矩阵-覆盖", "矩阵-字符数", "矩阵-字数",
             "矩阵-行百分比", "矩阵-列百分比", "矩阵-level", "共现-片段", "共现-片段Jaccard",
             "共现-个案", "共现-个案Jaccard", "范畴关系", "备忘录", "说明"]


@pytest.fixture
def study(tmp_path):
    study, book = build_study(tmp_path / "s")
    run_selective(study, book, options=FAST)
    yield study, book
    study.close()


def _rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_sheets_headings_and_values(study, tmp_path):
    s, book = study
    (path,) = export_workbook(s, book, tmp_path, options=FAST)
    assert path.name == "gtcode.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS_ZH
    open_rows = _rows(wb["开放式编码"])
    assert open_rows[0] == ["原始语句（受访者编号）", "初始概念", "副范畴", "主范畴", "受访者数",
                            "参考点数", "备忘录"]
    assert open_rows[1][:6] == ["\u201c年年都要跑项目。\u201d（S3，第2行）", "a1 跑项目", "争取资金",
                                "资源压力", 2, 3]
    axial = _rows(wb["主轴编码"])
    assert axial[0][:4] == ["主范畴", "副范畴", "初始概念", "范畴内涵"]
    assert axial[1][:4] == ["资源压力", "A1 争取资金", "a1 跑项目；a2 送礼", "向上级争取项目和资金。"]
    matrix = _rows(wb["矩阵-参考点"])
    assert matrix[0] == ["受访者编号", "资源压力", "人情压力", "经济压力", "腐败行为", "合计", "备忘录"]
    assert matrix[1][:6] == ["S1", 2, 1, 1, 0, 4]
    assert matrix[5][:6] == ["合计", 4, 3, 2, 2, 11]
    pct = wb["矩阵-行百分比"]
    assert pct["B2"].value == 50 and pct["B2"].number_format == \
        '[>=100]0.0"%";[>=99.95]0.000"%";0.0"%"'
    held = _rows(wb["饱和度检验"])
    assert held[0] == ["预留样本编号", "新提取概念", "归入的既有范畴", "是否形成新范畴/新关系"]
    assert held[1] == ["S4", "无", "—", "是（新关系：腐败行为—经济压力）"]
    assert held[2][0] == "检验结论" and held[2][3] == "未通过"
    co = _rows(wb["共现-片段Jaccard"])
    assert co[1][2] == pytest.approx(1 / 6)
    sheet = wb["开放式编码"]
    assert sheet.freeze_panes == "A2"
    assert wb["矩阵-参考点"].freeze_panes == "B2"
    assert sheet["A1"].font.b and sheet["A2"].alignment.wrap_text
    assert sheet.column_dimensions["A"].width >= 20


def test_formula_like_text_stays_text(study, tmp_path):
    s, book = study
    memos.add_memo(s, "study", "=HYPERLINK(\"x\")", author="ana")
    (path,) = export_workbook(s, book, tmp_path, options=FAST)
    cell = openpyxl.load_workbook(path)["备忘录"]["D2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_english_headings(study, tmp_path):
    s, book = study
    (path,) = export_workbook(s, book, tmp_path / "en.xlsx", lang="en", options=FAST)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["Open coding", "Axial coding", "Paradigm model",
                                 "Selective coding"]
    assert _rows(wb["Selective coding"])[0][:3] == ["Relation structure",
                                                    "Meaning of the relation",
                                                    "Representative quotes"]
    assert _rows(wb["Axial coding"])[1][0] == "Resource pressure"


def test_two_runs_give_the_same_bytes(study, tmp_path):
    s, book = study
    a = export_workbook(s, book, tmp_path / "a.xlsx", options=FAST)[0].read_bytes()
    b = export_workbook(s, book, tmp_path / "b.xlsx", options=FAST)[0].read_bytes()
    assert a == b


def test_sheet_names_are_made_valid_and_unique(study, tmp_path):
    s, book = study
    tables = build_tables(s, book, options=FAST).tables
    tables[0].sheet, tables[1].sheet = "a/b:c" + "x" * 40, "A/B:C" + "x" * 40
    from gtcode.tables.matrices import _unique_sheets
    _unique_sheets(tables)
    assert tables[0].sheet == ("a_b_c" + "x" * 40)[:31]
    assert tables[1].sheet.endswith("~2") and len(tables[1].sheet) == 31
    write_workbook(tmp_path / "w.xlsx", tables)
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").sheetnames[0] == tables[0].sheet


def test_display_width():
    assert display_width("abc") == 3 and display_width("资源") == 4


def test_sample_run_writes_the_paper_tables(sample_run):
    import docx

    out = sample_run.study.parent
    assert {"gtcode.xlsx", "tables.docx", "network.graphml", "network.png"} <= {
        p.name for p in sample_run.outputs}
    wb = openpyxl.load_workbook(out / "gtcode.xlsx")
    axial = _rows(wb["主轴编码"])
    mains = {row[0] for row in axial[1:] if row[0] and row[1]}
    assert mains == {"办事资源压力", "不良亚文化压力", "经济刺激压力", "工作冲突压力", "政治前途压力",
                     "人情世故压力"}
    held = _rows(wb["饱和度检验"])
    # last third in collection order (the case sheet lists S01–S10, then E01, E02)
    assert [row[0] for row in held[1:5]] == ["S09", "S10", "E01", "E02"]
    assert held[5][0] == "检验结论" and held[5][3] in ("通过", "未通过")
    opening = _rows(wb["开放式编码"])
    assert all(row[0].startswith("\u201c") and "）" in row[0] for row in opening[1:10])
    document = docx.Document(out / "tables.docx")
    assert len(document.tables) >= 10
    assert document.tables[0].rows[0].cells[0].text == "原始语句（受访者编号）"


def test_rows_have_heights_from_their_wrapped_text(study, tmp_path):
    """Every row of every table has a height; a row of long wrapped text is taller."""
    s, book = study
    memos.add_memo(s, "code:res", "长" * 300, author="ana", known_codes=["res"])
    (path,) = export_workbook(s, book, tmp_path, options=FAST)
    wb = openpyxl.load_workbook(path)
    for sheet in wb.worksheets:
        for row in range(1, sheet.max_row + 1):
            if any(c.value is not None for c in sheet[row]):
                assert sheet.row_dimensions[row].height, (sheet.title, row)
    reach = wb["主范畴分析"]
    heights = [reach.row_dimensions[r].height for r in range(2, reach.max_row + 1)
               if reach.cell(r, 1).value]
    memo_row = next(r for r in range(2, reach.max_row + 1)
                    if "长" * 10 in str(reach.cell(r, 10).value or ""))
    width = reach.column_dimensions["J"].width
    lines = -(-600 // int(width - 1))  # 300 wide characters in a column `width` wide
    assert reach.row_dimensions[memo_row].height >= lines * 14
    assert reach.row_dimensions[memo_row].height > 2 * min(heights)


def test_every_sheet_prints_one_page_wide_with_its_header(study, tmp_path):
    s, book = study
    (path,) = export_workbook(s, book, tmp_path, options=FAST)
    wb = openpyxl.load_workbook(path)
    for sheet in wb.worksheets:
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # one page wide (1 is the file format's default, which XlsxWriter leaves unwritten)
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.freeze_panes in ("A2", "B2")
    assert wb["范畴关系"].page_setup.orientation == "landscape"  # 13 columns
    assert wb["说明"].page_setup.orientation == "portrait"


def test_notes_for_the_researcher_stay_in_the_workbook(study, tmp_path):
    """The how-to notes (commands) that the Word tables leave out are in the workbook."""
    s, book = study
    (path,) = export_workbook(s, book, tmp_path, options=FAST)
    selective = _rows(openpyxl.load_workbook(path)["选择性编码"])
    texts = [row[0] for row in selective if isinstance(row[0], str)]
    assert any("gtcode selective STUDY --edit" in text for text in texts)
    assert any("时间码或行号" in text for text in texts)
