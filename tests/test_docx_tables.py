"""tables.docx read back with python-docx: headings, captions, tables, fonts, determinism."""

import docx
import pytest
from docx.oxml.ns import qn

from axial_study import build_study
from gtcode.coding.selective import SaturationOptions, run_selective
from gtcode.exports.docx_tables import export_docx

FAST = SaturationOptions(permutations=30, count="all")  # the study is mostly machine-coded


@pytest.fixture
def study(tmp_path):
    study, book = build_study(tmp_path / "s")
    run_selective(study, book, options=FAST)
    yield study, book
    study.close()


def _captions(document):
    return [p.text for p in document.paragraphs if p.text.startswith(("表", "Table "))]


def test_tables_headings_and_captions(study, tmp_path):
    s, book = study
    (path,) = export_docx(s, book, tmp_path, options=FAST)
    assert path.name == "tables.docx"
    document = docx.Document(path)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings[:6] == ["开放式编码", "主轴编码", "范式模型", "选择性编码", "故事线", "主范畴分析"]
    captions = _captions(document)
    assert captions[:4] == ["表1 开放式编码示例", "表2 主轴编码形成的主范畴", "表3 主轴编码的范式模型",
                            "表4 主范畴的典型关系结构"]
    assert "表6 理论饱和度检验" in captions
    assert len(document.tables) == len(captions) == 11
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["原始语句（受访者编号）", "初始概念"]
    assert first.rows[1].cells[1].text == "a1 跑项目"
    selective = document.tables[3]
    assert [c.text for c in selective.rows[0].cells] == ["典型关系结构", "关系结构的内涵", "代表性语句"]
    assert selective.rows[1].cells[0].text == "资源压力 → 压力驱动型腐败"
    assert selective.rows[1].cells[2].text == ("\u201c过年要送礼，包红包。\u201d（S1，第4行）\n"
                                               "\u201c年年都要跑项目。\u201d（S3，第2行）")
    held = document.tables[5]
    assert [c.text for c in held.rows[-1].cells][::3] == ["检验结论", "未通过"]
    story = [p.text for p in document.paragraphs if p.text.startswith("本研究的核心范畴")]
    assert len(story) == 1


def test_axial_table_merges_main_categories(study, tmp_path):
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    axial = document.tables[1]
    assert [c.text for c in axial.rows[0].cells] == ["主范畴", "副范畴", "初始概念", "范畴内涵"]
    # 资源压力 spans its two subcategories: one merged cell
    assert axial.rows[1].cells[0]._tc is axial.rows[2].cells[0]._tc
    assert axial.rows[1].cells[0].text == "资源压力"
    assert axial.rows[3].cells[0].text == "人情压力"
    assert axial.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_column_widths_fill_the_text_width(study, tmp_path):
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    for table in document.tables:
        widths = [cell.width.cm for cell in table.rows[0].cells]
        assert sum(widths) == pytest.approx(16.0, abs=0.05)
        assert min(widths) > 0.5


def test_chinese_font_is_set(study, tmp_path):
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    assert normal.get(qn("w:ascii")) == "Times New Roman"
    run = document.tables[0].rows[1].cells[0].paragraphs[0].runs[0]
    assert run.element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_english_and_determinism(study, tmp_path):
    s, book = study
    path = export_docx(s, book, tmp_path / "en.docx", lang="en", options=FAST)[0]
    document = docx.Document(path)
    texts = [p.text for p in document.paragraphs]
    # APA: "Table 1" in bold on its own line, the title in italics below it, flush left
    at = texts.index("Table 1")
    label, title = document.paragraphs[at], document.paragraphs[at + 1]
    assert title.text == "Open coding: examples"
    assert label.runs[0].bold and title.runs[0].italic
    assert label.alignment is None and title.alignment is None
    note = next(p for p in document.paragraphs if p.text.startswith("Note. "))
    assert note.runs[0].italic and note.runs[0].text == "Note. "
    assert "Table 2" in texts and "表1" not in "".join(texts)
    a = export_docx(s, book, tmp_path / "a.docx", options=FAST)[0].read_bytes()
    b = export_docx(s, book, tmp_path / "b.docx", options=FAST)[0].read_bytes()
    assert a == b


def _edges(parent) -> dict[str, tuple[str, str | None]]:
    """Border edges of a tblBorders/tcBorders element: edge -> (val, sz)."""
    if parent is None:
        return {}
    return {child.tag.split("}")[1]: (child.get(qn("w:val")), child.get(qn("w:sz")))
            for child in parent}


def test_three_line_tables(study, tmp_path):
    """三线表: thick top and bottom rules, a thin rule under the header, no vertical lines."""
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    for table in document.tables:
        assert table.style.name != "Table Grid"
        borders = _edges(table._tbl.tblPr.find(qn("w:tblBorders")))
        assert borders["top"] == ("single", "12") and borders["bottom"] == ("single", "12")
        for edge in ("left", "right", "insideV", "insideH"):
            assert borders[edge][0] == "nil", edge
        for cell in table.rows[0].cells:
            assert _edges(cell._tc.tcPr.find(qn("w:tcBorders")))["bottom"] == ("single", "6")
        for row in table.rows[1:]:
            for cell in row.cells:
                tc_borders = cell._tc.tcPr.find(qn("w:tcBorders"))
                assert not {"left", "right", "start", "end"} & set(_edges(tc_borders))


def test_grid_style_keeps_the_bordered_look(study, tmp_path):
    s, book = study
    path = export_docx(s, book, tmp_path / "grid.docx", options=FAST, style="grid")[0]
    first = docx.Document(path).tables[0]
    assert first.style.name == "Table Grid"
    assert first._tbl.tblPr.find(qn("w:tblBorders")) is None


def test_widths_follow_the_content_and_are_fixed(study, tmp_path):
    """原始语句 gets the room; the grid columns carry the widths (LibreOffice reads those)."""
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    first = document.tables[0]
    grid = [int(c.get(qn("w:w"))) for c in first._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[0] > 2 * grid[1]
    assert sum(grid) == pytest.approx(16.0 * 567, abs=10)
    assert first._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    cells = [c.width.cm for c in first.rows[1].cells]
    assert cells == pytest.approx([w / 567 for w in grid], abs=0.01)


def test_notes_speak_to_a_reader_not_a_user(study, tmp_path):
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    notes = [p.text for p in document.paragraphs if p.text.startswith("注：")]
    assert any("时间码或行号" in n for n in notes)
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    for text in notes + cells:  # (the storyline skeleton flags itself until rewritten)
        assert "gtcode" not in text and "--" not in text, text


def test_headings_are_black_not_the_theme_blue(study, tmp_path):
    s, book = study
    document = docx.Document(export_docx(s, book, tmp_path, options=FAST)[0])
    for name in ("Heading 1", "Heading 2"):
        style = document.styles[name]
        assert str(style.font.color.rgb) == "000000"
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_unknown_table_style_is_refused(study, tmp_path):
    from gtcode.errors import GtcodeError

    s, book = study
    with pytest.raises(GtcodeError) as error:
        export_docx(s, book, tmp_path / "x.docx", options=FAST, style="fancy")
    assert error.value.code == "E112"
    assert not (tmp_path / "x.docx").exists()
