"""``gtcode.xlsx``: every table of axial and selective coding, one sheet each.

Written with XlsxWriter: the header row frozen and bold with borders, long
text wrapped, column widths from the content (a CJK character counts as two),
numbers as numbers with a format per column kind, percentages as numbers
shown with ``%``. Every row gets a height from its wrapped text (spreadsheet
programs other than Excel do not grow a row to fit: LibreOffice cut long
quotes to one line), and every sheet a print setup: A4, landscape when the
columns are wider than a portrait page, fit to one page wide, the header row
repeated on each page. Text that a spreadsheet could run as a formula is
written as an explicit string (see :mod:`gtcode.files`). The file's dates
come from the study (its creation time), so two runs give the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter

from gtcode.files import atomic_output
from gtcode.spreadsheet import (  # noqa: F401 - display_width is this module's API too
    display_width,
    lines_height,
    print_setup,
    wrapped_lines,
)
from gtcode.tables.matrices import build_tables
from gtcode.tables.paper import Table

MIN_WIDTH, MAX_WIDTH = 6, 60
#: Points per wrapped line of 10-point text (CJK fonts run taller than Latin ones), and
#: Fixed file date when the study gives none (keeps the bytes reproducible).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def column_widths(table: Table) -> list[int]:
    """A width per column: the longest line of header or cell, clamped."""
    widths = []
    for i, header in enumerate(table.headers):
        longest = display_width(header) + 2
        for row in table.rows:
            value = row[i] if i < len(row) else ""
            text = f"{value:.2f}" if isinstance(value, float) else str(value)
            longest = max(longest, *(display_width(line) + 1 for line in text.split("\n")))
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, longest)))
    return widths


def row_height(values: list[object], widths: list[float]) -> float:
    """A row height in points that shows every line of the row's wrapped cells."""
    lines = max((wrapped_lines(_text(v), w) for v, w in zip(values, widths)), default=1)
    return lines_height(lines)


def _text(value: object) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def write_workbook(path: Path, tables: list[Table], *, created: datetime | None = None) -> Path:
    """Write ``tables`` to ``path`` (temp file, then rename), one sheet each."""
    with atomic_output(Path(path)) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                              "strings_to_urls": False,
                                              "strings_to_numbers": False})
        book.set_properties({"title": "gtcode", "author": "gtcode",
                             "created": (created or EPOCH).replace(tzinfo=None)})
        formats = _formats(book)
        for table in tables:
            _write_sheet(book.add_worksheet(table.sheet), table, formats)
        book.close()
    return Path(path)


def _formats(book: xlsxwriter.Workbook) -> dict[str, object]:
    base = {"valign": "top", "border": 1, "font_name": "Microsoft YaHei", "font_size": 10}
    return {
        "header": book.add_format({**base, "bold": True, "bg_color": "#E7E6E6",
                                   "text_wrap": True}),
        "text": book.add_format({**base, "text_wrap": True}),
        "int": book.add_format({**base, "num_format": "0"}),
        "float": book.add_format({**base, "num_format": "0.000"}),
        "dec1": book.add_format({**base, "num_format": "0.0"}),
        # never shown as 100.0% below 100 (two decimals more just under it)
        "pct": book.add_format({**base,
                                "num_format": "[>=100]0.0\"%\";[>=99.95]0.000\"%\";0.0\"%\""}),
        "note": book.add_format({"italic": True, "text_wrap": True, "valign": "top",
                                 "font_size": 9, "font_color": "#595959",
                                 "font_name": "Microsoft YaHei"}),
    }


def _write_sheet(sheet, table: Table, formats: dict[str, object]) -> None:
    widths = column_widths(table)
    for col, header in enumerate(table.headers):
        sheet.write_string(0, col, header, formats["header"])
    sheet.set_row(0, row_height(list(table.headers), widths))
    for r, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            _write_cell(sheet, r, col, value, table.kinds[col], formats)
        sheet.set_row(r, row_height(row, widths))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 1 if table.key.startswith(("matrix", "cooc")) else 0)
    if table.rows:
        sheet.autofilter(0, 0, len(table.rows), len(table.headers) - 1)
    last = len(table.headers) - 1
    for i, note in enumerate([*table.notes, *table.howto]):
        row = len(table.rows) + 2 + i
        if last:  # a note spans the table's width, so it wraps there and prints whole
            sheet.merge_range(row, 0, row, last, "", formats["note"])
        sheet.write_string(row, 0, note, formats["note"])
        sheet.set_row(row, row_height([note], [sum(widths)]))
    print_setup(sheet, widths)


def _write_cell(sheet, row: int, col: int, value: object, kind: str,
                formats: dict[str, object]) -> None:
    if isinstance(value, bool) or value is None:
        sheet.write_string(row, col, "" if value is None else str(value), formats["text"])
    elif isinstance(value, (int, float)):
        fmt = formats[kind] if kind in ("int", "float", "pct", "dec1") else formats["text"]
        sheet.write_number(row, col, value, fmt)
    else:
        # the xlsx form of safe_cells' guard: write_string stores a string cell, never a
        # formula, so text such as "=1+1" stays text (only numbers use write_number)
        sheet.write_string(row, col, str(value), formats["text"])


def study_time(study) -> datetime:
    """The study's creation time (stored in it), for reproducible file dates."""
    stamp = study.meta("created_at")
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return EPOCH


def export_workbook(study, book, out: Path, progress=None, *, lang: str | None = None,
                    options=None) -> list[Path]:
    """Write ``out/gtcode.xlsx`` from the study (every table, one sheet each)."""

    tables = build_tables(study, book, lang=lang, options=options)
    target = Path(out) / "gtcode.xlsx" if Path(out).suffix != ".xlsx" else Path(out)
    return [write_workbook(target, tables.tables, created=study_time(study))]
