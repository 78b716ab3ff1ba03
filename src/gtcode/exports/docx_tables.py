"""``tables.docx``: the grounded-theory tables as a Word document, ready to paste.

One heading and one table per table, captioned ``表1 开放式编码示例`` above the
table and notes (``注：``) below it, in the three-line style (三线表) Chinese
journals print; ``lang="en"`` lays captions and notes out as APA does, and
``style="grid"`` borders every cell (see :mod:`gtcode.exports.docx_style`).
A header row repeats on each page, repeated leading cells are merged (主范畴
spanning its 副范畴), the Chinese font is set through ``w:eastAsia`` (宋体
body, 黑体 headings) next to Times New Roman, and column widths follow the
content (原始语句 gets the room) and are fixed so Word and LibreOffice agree.
The Word document shows each table's paper columns and the notes meant for a
reader of the paper; the workbook has the rest. Dates inside the file are
fixed and the zip is rewritten with fixed timestamps, so two runs give the
same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from gtcode.errors import GtcodeError
from gtcode.exports.docx_style import (
    TABLE_STYLES,
    black_headings,
    caption,
    fixed_widths,
    notes,
    set_font,
    three_line,
)
from gtcode.exports.workbook import display_width
from gtcode.files import atomic_write_bytes, xml_text
from gtcode.numbers import percent
from gtcode.store.memos import MemoRow
from gtcode.tables.matrices import build_tables
from gtcode.tables.paper import Table

TEXT_WIDTH_CM = 16.0
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def new_document(title: str) -> Document:
    """An A4 document with Chinese-aware fonts and a title."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    set_font(doc.styles["Normal"], size=10.5)
    black_headings(doc)
    doc.add_heading(title, level=1)
    props = doc.core_properties
    props.author, props.title = "gtcode", title
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_modified_by, props.revision = "gtcode", 1
    return doc


def caption_text(number: int, caption: str, lang: str) -> str:
    return f"Table {number} {caption}" if lang == "en" else f"表{number} {caption}"


def write_tables_docx(path: Path, tables: Iterable[Table], *, lang: str = "zh",
                      title: str | None = None, style: str = "three-line") -> Path:
    """Write the tables meant for the paper (``Table.docx``) to ``path``.

    Raises:
        GtcodeError: E112 for a table style other than :data:`TABLE_STYLES`.
    """
    if style not in TABLE_STYLES:
        raise GtcodeError("E112", f"unknown table style {style!r}.",
                          hint="use --table-style " + " or ".join(TABLE_STYLES))
    doc = new_document(title or ("Grounded-theory tables" if lang == "en" else "扎根理论编码表"))
    number = 0
    for table in tables:
        if not table.docx:
            continue
        doc.add_heading(table.sheet, level=2)
        if table.text is not None:
            doc.add_paragraph(xml_text(table.text))
            notes(doc, table.notes, lang)
            continue
        number += 1
        caption(doc, number, table.caption, lang)
        _table(doc, table, style)
        notes(doc, table.notes, lang)
    _save(doc, Path(path))
    return Path(path)


def _table(doc, table: Table, style: str) -> None:
    headers = table.paper_headers
    width = len(headers)
    grid = doc.add_table(rows=1, cols=width)
    if style == "grid":
        grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(grid.rows[0].cells, headers):
        _fill(cell, header, bold=True)
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for col in range(width):
            _fill(cells[col], _shown(row[col], table.kinds[col]))
    _merge(grid, table, width)
    widths = _widths(table, width)
    for col, cm in enumerate(widths):
        for row in grid.rows:
            row.cells[col].width = Cm(cm)
    fixed_widths(grid, [round(cm * 567) for cm in widths])
    if style == "three-line":
        three_line(grid)


def _fill(cell, text: str, *, bold: bool = False) -> None:
    lines = xml_text(text).split("\n")
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
        # single-spaced, no space after: as compact as Word's Table Grid style makes them
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = 0
        paragraph.paragraph_format.line_spacing = 1.0
        set_font(paragraph.add_run(line), size=9, bold=bold or None)


def _shown(value: object, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if kind == "pct" and isinstance(value, (int, float)):
        return percent(value / 100, 1)
    if kind == "float" and isinstance(value, (int, float)):
        return f"{value:.3f}"
    if kind == "dec1" and isinstance(value, (int, float)):
        return f"{value:.1f}"
    return str(value)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _merge(grid, table: Table, width: int) -> None:
    """Merge runs of equal cells in the first ``table.merge`` columns."""
    for col in range(min(table.merge, width)):
        start = 0
        values = [row[col] for row in table.rows] + [object()]
        for i in range(1, len(values)):
            if values[i] != values[start]:
                if i - start > 1:
                    top = grid.cell(start + 1, col)
                    merged = top.merge(grid.cell(i, col))
                    _fill_merged(merged, str(values[start]))
                start = i


def _fill_merged(cell, text: str) -> None:
    for paragraph in cell.paragraphs[1:]:
        paragraph._element.getparent().remove(paragraph._element)
    for run in cell.paragraphs[0].runs[1:]:
        run._element.getparent().remove(run._element)
    cell.paragraphs[0].runs[0].text = xml_text(text)


#: Width of one display unit (half a CJK character) at 9 pt, and cell padding, in cm.
UNIT_CM, PAD_CM, SHORT_CM = 0.165, 0.4, 3.6


def _widths(table: Table, width: int) -> list[float]:
    """Column widths in cm that add up to the text width.

    Each column's natural width is its longest cell line (a header may wrap
    onto two lines). Short columns keep theirs; long ones share the rest.
    """
    natural = []
    for col in range(width):
        cells = [_shown(r[col], table.kinds[col]) for r in table.rows]
        longest = max([display_width(line) for text in cells for line in text.split("\n")]
                      + [(display_width(table.headers[col]) + 1) // 2])
        natural.append(longest * UNIT_CM + PAD_CM)
    if sum(natural) > TEXT_WIDTH_CM:
        short_total = sum(w for w in natural if w <= SHORT_CM)
        long_total = sum(w for w in natural if w > SHORT_CM)
        room = TEXT_WIDTH_CM - short_total
        if long_total and room >= 0.4 * TEXT_WIDTH_CM:
            natural = [w if w <= SHORT_CM else max(SHORT_CM, room * w / long_total)
                       for w in natural]
    scale = TEXT_WIDTH_CM / (sum(natural) or 1)
    return [w * scale for w in natural]


def write_memos_docx(path: Path, memos: Iterable[MemoRow]) -> Path:
    """Memos as a Word document: a heading per memo, target, author and date, then text."""
    doc = new_document("备忘录 Memos")
    for memo in memos:
        target = "study" if memo.target_type == "study" else f"{memo.target_type}:{memo.target}"
        doc.add_heading(xml_text(f"{memo.id}. {memo.title or target}"), level=2)
        meta = doc.add_paragraph()
        set_font(meta.add_run(xml_text(f"{target} · {memo.author} · {memo.created_at}")), size=9)
        for line in xml_text(memo.text).split("\n"):
            doc.add_paragraph(line)
    _save(doc, Path(path))
    return Path(path)


def _save(doc, path: Path) -> None:
    """Save with fixed zip timestamps (reproducible bytes), temp file then rename."""
    raw = io.BytesIO()
    doc.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename != "[Content_Types].xml"):
            clone = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            clone.compress_type = zipfile.ZIP_DEFLATED
            clone.external_attr = 0o600 << 16
            dst.writestr(clone, src.read(info.filename))
    atomic_write_bytes(path, fixed.getvalue())


def export_docx(study, book, out: Path, progress=None, *, lang: str | None = None,
                options=None, style: str = "three-line", title: str | None = None) -> list[Path]:
    """Write ``out/tables.docx`` from the study (the tables meant for the paper).

    ``style``: ``three-line`` (三线表; APA-style captions and notes in English) or
    ``grid``; ``title``: the document's title (default: 扎根理论编码表).
    """

    tables = build_tables(study, book, lang=lang, options=options)
    target = Path(out) / "tables.docx" if Path(out).suffix != ".docx" else Path(out)
    return [write_tables_docx(target, tables.tables, lang=tables.lang, style=style,
                              title=title)]
