"""How ``tables.docx`` looks: fonts, three-line (三线表) or grid borders, captions, notes.

Chinese journals print three-line tables: a thick rule above and below the
table, a thin rule under the header row, no vertical lines; the caption
(``表1 …``, 黑体) is centred above the table and the notes (``注：…``) follow it.
With ``lang="en"`` the layout follows APA (7th ed.): ``Table 1`` in bold on
its own line, the title in italics below it, both flush left, horizontal
rules only, and notes that begin with an italic *Note.* ``grid`` keeps the
bordered look of earlier versions (Word's ``Table Grid``).
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from gtcode.files import xml_text

LATIN_FONT = "Times New Roman"
BODY_FONT_ZH, HEADING_FONT_ZH = "宋体", "黑体"
#: Table looks: ``three-line`` (三线表, the default) or ``grid`` (every cell bordered).
TABLE_STYLES = ("three-line", "grid")
#: Rule widths in eighths of a point: thick top and bottom (1.5 pt), thin header rule (0.75 pt).
THICK, THIN = 12, 6


def set_font(run_or_style, latin: str = LATIN_FONT, east_asia: str = BODY_FONT_ZH,
             size: float | None = None, bold: bool | None = None,
             italic: bool | None = None) -> None:
    """Set Latin and East Asian fonts (``w:eastAsia``) on a run or a style."""
    font = run_or_style.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one


def black_headings(doc) -> None:
    """Headings in black 黑体/Times New Roman, not Word's default blue theme style."""
    for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 12)):
        style = doc.styles[name]
        set_font(style, east_asia=HEADING_FONT_ZH, size=size, bold=True, italic=False)
        style.font.color.rgb = RGBColor(0, 0, 0)


def caption(doc, number: int, text: str, lang: str) -> None:
    """``表1 开放式编码示例`` centred (Chinese), or APA's two flush-left lines (English)."""
    if lang == "en":
        label = doc.add_paragraph()
        label.paragraph_format.keep_with_next = True
        set_font(label.add_run(f"Table {number}"), bold=True, size=10.5)
        title = doc.add_paragraph()
        title.paragraph_format.keep_with_next = True
        set_font(title.add_run(xml_text(text)), italic=True, size=10.5)
        return
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    set_font(paragraph.add_run(xml_text(f"表{number} {text}")), east_asia=HEADING_FONT_ZH,
             bold=True, size=10.5)


def notes(doc, lines: list[str], lang: str) -> None:
    """The table's notes: ``注：…`` or APA's *Note.* …"""
    for line in lines:
        paragraph = doc.add_paragraph()
        if lang == "en":
            set_font(paragraph.add_run("Note. "), italic=True, size=9)
            set_font(paragraph.add_run(xml_text(line)), size=9)
        else:
            set_font(paragraph.add_run(xml_text("注：" + line)), size=9)


def _border(parent, edge: str, size: int | None) -> None:
    element = parent.find(qn(f"w:{edge}"))
    if element is None:
        element = OxmlElement(f"w:{edge}")
        parent.append(element)
    if size is None:
        element.set(qn("w:val"), "nil")
        return
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:space"), "0")
    element.set(qn("w:color"), "000000")


def _child(parent, tag: str):
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    return element


def three_line(grid) -> None:
    """Rule the table as 三线表: thick top and bottom, thin under the header, no verticals."""
    borders = _child(grid._tbl.tblPr, "w:tblBorders")
    for edge, size in (("top", THICK), ("left", None), ("bottom", THICK), ("right", None),
                       ("insideH", None), ("insideV", None)):
        _border(borders, edge, size)
    for cell in grid.rows[0].cells:
        tc_borders = _child(cell._tc.get_or_add_tcPr(), "w:tcBorders")
        _border(tc_borders, "bottom", THIN)


def fixed_widths(grid, widths_twips: list[int]) -> None:
    """Fix the layout: the grid columns, each cell and the table width (Word and LibreOffice)."""
    grid.autofit = False
    tbl_pr = grid._tbl.tblPr
    layout = _child(tbl_pr, "w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    width = _child(tbl_pr, "w:tblW")
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(widths_twips)))
    for column, twips in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), widths_twips):
        column.set(qn("w:w"), str(twips))
