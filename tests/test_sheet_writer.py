"""The review sheet's rows are written as XML, not one XlsxWriter call a cell: the same file.

The reference below is the writer as it was (XlsxWriter ``write_string`` per cell, with
``set_row`` for wrapped rows), kept here only to compare against.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from gtcode.codebook import load_codebook
from gtcode.coding import sheet_io
from gtcode.coding.sheet_io import (
    _FITTED,
    _WRAPPED,
    COLUMNS,
    SHEET_NAME,
    _created,
    _finish_sheet,
    _write_codebook,
    _write_help,
    layout,
    write_xlsx_sheet,
)
from gtcode.spreadsheet import (
    column_letters,
    display_width,
    inline_cell,
    lines_height,
    quick_width,
    row_start,
    wrapped_lines,
)

TRICKY = [
    "普通的一句话", " leading space", "trailing space ", "tab\tinside", "a & b < c > d \"q\"",
    "line one\nline two\nline three", "control \x01\x02 and \x1f", "literal _x0041_ escape",
    "_xABCD_ at start", "emoji 😀 and 𠀋", "non-characters \ufffe\uffff", "\u3000全角空格",
    "很长的一段话，" * 60, "x" * 40_000, "end with newline\n", "=SUM(A1:A2)", "'quoted",
]


def _rows(keys):
    rows = []
    for number, text in enumerate(TRICKY * 3):
        row = {key: "" for key in keys}
        row.update(segment=f"S{number:04d}", source=f"访谈{number % 5}.txt", case="个案甲",
                   speaker="受访者", role="respondent", text=text, text_hash="abc123")
        if "suggested" in row:
            row["suggested"] = TRICKY[(number + 3) % len(TRICKY)][:50] if number % 2 else ""
            row["evidence"] = "规则 rule: 缺钱" if number % 3 else ""
        if number % 4 == 0:
            row["memo"] = TRICKY[(number + 5) % len(TRICKY)][:200]
        rows.append([row[key] for key in keys])
    return rows


def _reference(path: Path, keys, rows, codebook, mode, created=None) -> int:
    """The writer before: one ``write_string`` a cell."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_numbers": False,
        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": "gtcode coding sheet", "subject": f"{mode} sheet",
                         "created": _created(created)})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                            "bg_color": "#DDEBF7", "bottom": 1})
    mine = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                            "bg_color": "#FFF2CC", "bottom": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    top = book.add_format({"valign": "top"})
    _write_help(book.add_worksheet(sheet_io.HELP_SHEET), mode, head, wrap)
    sheet = book.add_worksheet(SHEET_NAME)
    codebook_sheet = book.add_worksheet(sheet_io.CODEBOOK_SHEET)
    widths = {key: max(w, display_width(h) + 2) for key, h, w in COLUMNS if key in keys}
    for col, key in enumerate(keys):
        sheet.write_string(0, col, sheet_io.HEADINGS[key],
                           mine if key in sheet_io._EDITABLE else head)
    count = 0
    for count, row in enumerate(rows, start=1):
        lines = 1
        for col, value in enumerate(row):
            key = keys[col]
            if value == "":
                continue
            text = str(value)
            sheet.write_string(count, col, text, wrap if key in _WRAPPED else top)
            if key in _FITTED:
                widest = max((display_width(p) for p in text.split("\n")), default=0)
                widths[key] = min(40, max(widths[key], widest + 2))
            if key in _WRAPPED:
                lines = max(lines, wrapped_lines(text, widths[key], quick_width))
        if lines > 1:
            sheet.set_row(count, lines_height(lines))
    _finish_sheet(sheet, keys, widths, count, len(codebook.codes), mode)
    _write_codebook(codebook_sheet, codebook, head, wrap)
    book.close()
    return count


@pytest.mark.parametrize("mode,earlier", [("review", False), ("review", True),
                                          ("blind", False)])
def test_the_sheet_is_the_file_xlsxwriter_writes_cell_by_cell(tmp_path, mode, earlier):
    book = load_codebook("six-pressures")
    keys = layout(mode, earlier=earlier)
    rows = _rows(keys)
    created = "2026-01-02T03:04:05Z"
    assert write_xlsx_sheet(tmp_path / "new.xlsx", keys, iter(rows), book, mode=mode,
                            created=created) == len(rows)
    assert _reference(tmp_path / "old.xlsx", keys, rows, book, mode, created) == len(rows)
    with zipfile.ZipFile(tmp_path / "new.xlsx") as new, \
            zipfile.ZipFile(tmp_path / "old.xlsx") as old:
        assert new.namelist() == old.namelist()
        for name in old.namelist():
            assert new.read(name) == old.read(name), name
    sheet = openpyxl.load_workbook(tmp_path / "new.xlsx")[SHEET_NAME]
    read = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(read) == len(rows)
    assert read[0][keys.index("text")] == TRICKY[0]
    assert sheet.cell(2 + TRICKY.index("a & b < c > d \"q\""), keys.index("text") + 1).value \
        == "a & b < c > d \"q\""
    assert sheet.cell(2, keys.index("text") + 1).alignment.wrap_text
    assert not sheet.cell(2, keys.index("segment") + 1).alignment.wrap_text
    assert all(str(v.sqref).endswith(f"{len(rows) + 1}")
               for v in sheet.data_validations.dataValidation)


def test_an_empty_sheet_and_the_cell_helpers(tmp_path):
    book = load_codebook("six-pressures")
    keys = layout("review")
    assert write_xlsx_sheet(tmp_path / "e.xlsx", keys, iter([]), book, mode="review") == 0
    assert openpyxl.load_workbook(tmp_path / "e.xlsx")[SHEET_NAME].max_row == 1
    assert [column_letters(c) for c in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert inline_cell("B7", " a<b", 3) == \
        '<c r="B7" s="3" t="inlineStr"><is><t xml:space="preserve"> a&lt;b</t></is></c>'
    assert row_start(1, None) == '<row r="2">' and 'ht="45.75"' in row_start(2, 45.5)


def test_more_rows_than_a_worksheet_holds_are_refused_not_dropped(tmp_path, monkeypatch):
    """Beyond Excel's last row the sheet is refused (E703), and an earlier file stays."""
    from gtcode.errors import GtcodeError

    book = load_codebook("six-pressures")
    keys = layout("review")
    rows = _rows(keys)
    target = tmp_path / "sheet.xlsx"
    target.write_bytes(b"the earlier sheet")
    monkeypatch.setattr(sheet_io, "MAX_ROW", len(rows) - 1)
    with pytest.raises(GtcodeError) as refused:
        write_xlsx_sheet(target, keys, iter(rows), book, mode="review")
    assert refused.value.code == "E703" and f"{len(rows):,} rows" in str(refused.value)
    assert target.read_bytes() == b"the earlier sheet"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.xlsx"]
    monkeypatch.setattr(sheet_io, "MAX_ROW", len(rows))
    assert write_xlsx_sheet(target, keys, iter(rows), book, mode="review") == len(rows)


def test_a_sheet_is_read_for_review_once_until_it_changes(tmp_path, monkeypatch):
    """`gtcode run` checks a target sheet twice; the second answer comes from the first
    unless the file changed (any write changes its size or times)."""
    import os

    path = tmp_path / "s.csv"
    path.write_text("segment,codes,suggested\n1,a,b\n", encoding="utf-8")
    reads = []
    real = sheet_io._review_rows
    monkeypatch.setattr(sheet_io, "_review_rows", lambda p: reads.append(p) or real(p))
    assert sheet_io.review_rows(path) == [2] and sheet_io.review_rows(path) == [2]
    assert len(reads) == 1
    path.write_text("segment,codes,suggested\n1,b,b\n", encoding="utf-8")  # same size
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert sheet_io.review_rows(path) == [] and len(reads) == 2
