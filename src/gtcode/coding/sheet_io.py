"""Reading and writing coding sheets: xlsx (XlsxWriter out, openpyxl in) and csv.

Headings are Chinese with English beside them (``编码 codes``); on reading, a
column is found by its full heading, its Chinese part or its English part.
Transcript text is always written as a text cell, never as a formula.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gtcode.errors import GtcodeError
from gtcode.files import atomic_output, check_input, read_input, write_csv

#: A sheet file larger than this is refused (E110): a sheet of every segment of a
#: large study stays far below it.
MAX_SHEET_BYTES = 512 * 2**20
SHEET_NAME = "编码 coding"
CODEBOOK_SHEET = "编码本 codebook"

#: (key, heading, width in Excel units) of the coding sheet, in order.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("segment", "片段 segment", 14),
    ("source", "来源 source", 12),
    ("case", "个案 case", 10),
    ("speaker", "说话人 speaker", 10),
    ("role", "角色 role", 11),
    ("text", "文本 text", 64),
    ("suggested", "建议编码 suggested", 20),
    ("evidence", "依据 evidence", 26),
    ("codes", "编码 codes", 22),
    ("new_concept", "新概念 new concept", 18),
    ("memo", "备忘 memo", 30),
    ("text_hash", "文本校验 text hash", 18),
)
KEYS = tuple(key for key, _, _ in COLUMNS)
CODEBOOK_COLUMNS = (("编码 id", 22), ("名称 name", 16), ("英文名 name_en", 24),
                    ("层级 level", 12), ("上级 parent", 18), ("定义 definition", 60))
#: Columns whose width follows their content (the others have fixed widths).
_FITTED = ("segment", "source", "case", "speaker", "suggested", "codes")
_WRAPPED = ("text", "evidence", "memo", "suggested", "codes", "new_concept")


@dataclass(frozen=True)
class SheetRow:
    """One data row of a sheet as the coder left it (``None``: column absent)."""

    number: int
    segment: str | None
    codes: str | None
    new_concept: str | None
    memo: str | None
    text: str | None
    text_hash: str | None


def display_width(text: str) -> int:
    """Width in Excel units: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _created(created: str | None) -> datetime:
    try:
        return datetime.strptime(created or "", "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)


def write_xlsx_sheet(path: Path, rows: Iterable[Sequence[str]], codebook,
                     created: str | None = None) -> int:
    """Write the coding sheet and the codebook sheet; return the number of rows."""
    import xlsxwriter

    with atomic_output(Path(path)) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": True, "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False})
        book.set_properties({"title": "gtcode coding sheet", "created": _created(created)})
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                "bg_color": "#DDEBF7", "bottom": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        top = book.add_format({"valign": "top"})
        sheet = book.add_worksheet(SHEET_NAME)
        codebook_sheet = book.add_worksheet(CODEBOOK_SHEET)
        widths = {key: max(width, display_width(h) + 2) for key, h, width in COLUMNS}
        for col, (_key, heading, _w) in enumerate(COLUMNS):
            sheet.write_string(0, col, heading, head)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                key = KEYS[col]
                sheet.write_string(count, col, str(value), wrap if key in _WRAPPED else top)
                if key in _FITTED:
                    widest = max((display_width(p) for p in str(value).split("\n")), default=0)
                    widths[key] = min(40, max(widths[key], widest + 2))
        _finish_sheet(sheet, widths, count, len(codebook.codes))
        _write_codebook(codebook_sheet, codebook, head, wrap)
        book.close()
    return count


def _finish_sheet(sheet, widths: dict[str, int], count: int, n_codes: int) -> None:
    for col, (key, _heading, _w) in enumerate(COLUMNS):
        options = {"hidden": True} if key == "text_hash" else {}
        sheet.set_column(col, col, widths[key], None, options)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(count, 1), len(COLUMNS) - 1)
    codes_col = KEYS.index("codes")
    sheet.data_validation(1, codes_col, max(count, 1), codes_col, {
        "validate": "list",
        "source": f"='{CODEBOOK_SHEET}'!$A$2:$A${n_codes + 1}",
        "ignore_blank": True,
        "error_type": "information",
        "error_title": "编码 codes",
        "error_message": "不在编码本中？多个编码用 ; 分隔。/ Not one code id? Separate "
                         "several with ;",
        "input_title": "编码 codes",
        "input_message": "编码 id，多个用 ; 分隔 / code ids, separated by ;",
    })


def _write_codebook(sheet, codebook, head, wrap) -> None:
    for col, (heading, width) in enumerate(CODEBOOK_COLUMNS):
        sheet.write_string(0, col, heading, head)
        sheet.set_column(col, col, width)
    for row, code in enumerate(codebook.codes, start=1):
        values = (code.id, code.name, code.name_en or "", code.level, code.parent or "",
                  (code.definition or "").strip())
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value or ""), wrap)
    sheet.freeze_panes(1, 1)


def write_csv_sheet(path: Path, rows: Iterable[Sequence[str]]) -> int:
    """Write the coding sheet as UTF-8 csv with a BOM (so Excel reads Chinese).

    The review sheet is made to be opened in a spreadsheet, so formula-like
    text is always guarded here (``apply`` takes the apostrophe off again).
    """
    return write_csv(Path(path), [heading for _key, heading, _w in COLUMNS], rows, bom=True,
                     excel_safe=True)


# -- reading -------------------------------------------------------------------

def read_sheet(path: Path) -> tuple[list[SheetRow], list[tuple[int, str, str]]]:
    """Read a coder's sheet: its rows and any cell problems (formulas).

    Raises:
        GtcodeError: E101 when the file is missing; E401 when it is not a
            readable sheet or lacks the segment or codes column.
    """
    path = Path(path)
    check_input(path, max_bytes=MAX_SHEET_BYTES)  # never a pipe or a device
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _xlsx_cells(path)
    elif path.suffix.lower() == ".csv":
        table = _csv_cells(path)
    else:
        raise GtcodeError("E401", "a coding sheet is an .xlsx or .csv file.", file=path)
    return _rows(table, path)


def _xlsx_cells(path: Path) -> list[list[tuple[object, bool]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = GtcodeError("E401", "the file is not a readable xlsx workbook (corrupt or "
                             "truncated).", file=path,
                             hint="save it from your spreadsheet program as .xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(read_input(path, max_bytes=MAX_SHEET_BYTES)),
                                      read_only=True, data_only=False)
    except GtcodeError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise unreadable from None
    except Exception:  # lxml/expat raise many types for damaged parts
        raise unreadable from None
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        return [[(cell.value, getattr(cell, "data_type", None) == "f") for cell in row]
                for row in sheet.iter_rows()]
    except Exception:  # a damaged sheet part fails only while its rows are read
        raise unreadable from None
    finally:
        book.close()


def _csv_cells(path: Path) -> list[list[tuple[object, bool]]]:
    data = read_input(path, max_bytes=MAX_SHEET_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel on Chinese Windows saves "CSV" in GB18030/GBK
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise GtcodeError("E401", "the csv sheet is neither UTF-8 nor GB18030.",
                              file=path, hint="save it as 'CSV UTF-8'") from None
    return [[(value, False) for value in record]
            for record in csv.reader(io.StringIO(text, newline=""))]


def review_rows(path: Path) -> list[int] | None:
    """Row numbers of a coding sheet holding a coder's entries; None when not a sheet.

    An entry is what export does not write: codes other than the suggested ones,
    a new concept, a memo. A file that is not a readable coding sheet (another
    workbook, a csv of codings) gives None.
    """
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            table = _xlsx_cells(path)
        elif path.suffix.lower() == ".csv":
            table = _csv_cells(path)
        else:
            return None
    except GtcodeError:
        return None
    cols = _heading_keys(table[0]) if table else {}
    if not {"segment", "codes", "suggested"} <= set(cols):
        return None
    entries = []
    for number, cells in enumerate(table[1:], start=2):
        value = {key: (_cell(cells, cols.get(key)) or "").strip()
                 for key in ("codes", "suggested", "new_concept", "memo")}
        codes = {c.strip() for c in value["codes"].replace("；", ";").split(";") if c.strip()}
        suggested = {c.strip() for c in value["suggested"].split(";") if c.strip()}
        if codes != suggested or value["new_concept"] or value["memo"]:
            entries.append(number)
    return entries


def _heading_keys(header: list[tuple[object, bool]]) -> dict[str, int]:
    names: dict[str, str] = {}
    for key, heading, _w in COLUMNS:
        zh, _, en = heading.partition(" ")
        for name in (heading, zh, en, key):
            names[name.strip().lower()] = key
    found: dict[str, int] = {}
    for col, (value, _f) in enumerate(header):
        key = names.get(str(value or "").strip().lower())
        if key and key not in found:
            found[key] = col
    return found


def _rows(table: list[list[tuple[object, bool]]],
          path: Path) -> tuple[list[SheetRow], list[tuple[int, str, str]]]:
    if not table:
        raise GtcodeError("E401", "the sheet is empty.", file=path)
    cols = _heading_keys(table[0])
    missing = [h for k, h, _w in COLUMNS if k in ("segment", "codes") and k not in cols]
    if missing:
        raise GtcodeError("E401", f"the sheet lacks the column(s) {', '.join(missing)}.",
                          file=path, where="row 1",
                          hint="keep the header row and columns as exported")
    if "text" not in cols and "text_hash" not in cols:
        raise GtcodeError("E401", "the sheet lacks both the text and the text hash column, so "
                          "edits cannot be checked.", file=path, where="row 1")
    rows, problems = [], []
    for number, cells in enumerate(table[1:], start=2):
        if all(_text(v) in (None, "") for v, _f in cells):
            continue
        for col, (_value, formula) in enumerate(cells):
            if formula:
                problems.append((number, "E401", f"column {col + 1} holds a formula; type "
                                 "codes and notes as plain text"))

        values = [_cell(cells, cols.get(key)) for key in
                  ("segment", "codes", "new_concept", "memo", "text", "text_hash")]
        rows.append(SheetRow(number, *values))
    return rows, problems


def _cell(cells: list, col: int | None) -> str | None:
    """The text in column ``col`` of a row: None when the sheet has no such column."""
    if col is None:
        return None
    return _text(cells[col][0]) if col < len(cells) else ""


def _text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
