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
    assert first.style.name == "Table Grid"
    selective = document.tables[3]
    assert [c.text for c in selective.rows[0].cells] == ["典型关系结构", "关系结构的内涵", "代表性语句"]
    assert selective.rows[1].cells[0].text == "资源压力 → 压力驱动型腐败"
    assert selective.rows[1].cells[2].text == ("\u201c过年要送礼，包红包。\u201d（S1）\n"
                                               "\u201c年年都要跑项目。\u201d（S3）")
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
    captions = _captions(docx.Document(path))
    assert captions[0] == "Table 1 Open coding: examples"
    a = export_docx(s, book, tmp_path / "a.docx", options=FAST)[0].read_bytes()
    b = export_docx(s, book, tmp_path / "b.docx", options=FAST)[0].read_bytes()
    assert a == b
