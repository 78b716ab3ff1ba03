"""Reading and writing coding sheets: xlsx (XlsxWriter out, openpyxl in) and csv.

Headings are Chinese with English beside them (``编码 codes``); on reading, a
column is found by its full heading, its Chinese part or its English part.
Transcript text is always written as a text cell, never as a formula. An
xlsx sheet has three tabs: the instructions (first), the coding sheet and
the codebook; a csv holds the coding sheet alone.

A review sheet shows the machine's suggestions (its ``机器建议`` column, the
evidence and, when the machine gives one, a probability) apart from the
coder's ``决定 decision`` and ``编码 codes`` columns, which are exported
empty; a blind sheet has no suggestion columns at all. The hidden ``已显示
shown`` column records what each row showed, so applying the sheet can only
decide suggestions the coder saw.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gtcode.coding.sheet_help import instruction_rows
from gtcode.coding.sheet_rows import DECISION_CHOICES
from gtcode.errors import GtcodeError
from gtcode.files import atomic_output, check_input, read_input, write_csv
from gtcode.spreadsheet import (
    MAX_CELL_CHARS,
    MAX_ROW,
    column_letters,
    display_width,
    inline_cell,
    lines_height,
    print_setup,
    quick_width,
    row_start,
    splice_rows,
    wrapped_lines,
)

#: A sheet file larger than this is refused (E110): a sheet of every segment of a
#: large study stays far below it.
MAX_SHEET_BYTES = 512 * 2**20
SHEET_NAME = "编码 coding"
CODEBOOK_SHEET = "编码本 codebook"
HELP_SHEET = "说明 instructions"

#: (key, heading, width in Excel units) of every column a coding sheet can have, in order.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("segment", "片段 segment", 14),
    ("source", "来源 source", 12),
    ("case", "个案 case", 10),
    ("speaker", "说话人 speaker", 10),
    ("role", "角色 role", 11),
    ("text", "文本 text", 64),
    ("suggested", "机器建议 suggestion", 22),
    ("evidence", "依据 evidence", 26),
    ("probability", "概率 probability", 12),
    ("earlier", "你之前的编码 earlier", 20),
    ("decision", "决定 decision", 14),
    ("codes", "编码 codes", 22),
    ("new_concept", "新概念 new concept", 18),
    ("memo", "备忘 memo", 30),
    ("shown", "已显示 shown", 12),
    ("text_hash", "文本校验 text hash", 18),
)
HEADINGS = {key: heading for key, heading, _w in COLUMNS}
#: Columns of the machine's side, absent from a blind sheet.
MACHINE_KEYS = ("suggested", "evidence", "probability")
#: Headings of sheets written before decisions were explicit (read to refuse them clearly).
LEGACY_HEADINGS = {"建议编码 suggested": "suggested", "建议编码": "suggested"}
HIDDEN = ("shown", "text_hash")
CODEBOOK_COLUMNS = (("编码 id", 22), ("名称 name", 16), ("英文名 name_en", 24),
                    ("层级 level", 12), ("上级 parent", 18), ("定义 definition", 60))
#: Columns whose width follows their content (the others have fixed widths).
_FITTED = ("segment", "source", "case", "speaker", "suggested", "earlier", "codes")
_WRAPPED = ("text", "evidence", "memo", "suggested", "probability", "earlier", "codes",
            "new_concept")
_EDITABLE = ("decision", "codes", "new_concept", "memo")  # headed in the coder's colour


def layout(mode: str, *, earlier: bool = False) -> tuple[str, ...]:
    """The column keys of a sheet: ``mode`` review or blind; ``earlier`` adds the coder's
    earlier codes (review sheets exported for a named coder)."""
    keys = [key for key, _h, _w in COLUMNS]
    if mode == "blind":
        keys = [k for k in keys if k not in MACHINE_KEYS and k != "earlier"]
    elif not earlier:
        keys.remove("earlier")
    return tuple(keys)


@dataclass(frozen=True)
class SheetRow:
    """One data row of a sheet as the coder left it (``None``: column absent)."""

    number: int
    segment: str | None
    decision: str | None
    codes: str | None
    new_concept: str | None
    memo: str | None
    text: str | None
    text_hash: str | None
    shown: str | None = None
    suggested: str | None = None
    role: str | None = None


def _created(created: str | None) -> datetime:
    try:
        return datetime.strptime(created or "", "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)


def write_xlsx_sheet(path: Path, keys: Sequence[str], rows: Iterable[Sequence[str]], codebook,
                     *, mode: str, created: str | None = None) -> int:
    """Write the instructions, the coding sheet and the codebook; return the number of rows."""
    import xlsxwriter

    with atomic_output(Path(path)) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
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
        _write_help(book.add_worksheet(HELP_SHEET), mode, head, wrap)
        sheet = book.add_worksheet(SHEET_NAME)
        codebook_sheet = book.add_worksheet(CODEBOOK_SHEET)
        widths = {key: max(w, display_width(h) + 2) for key, h, w in COLUMNS if key in keys}
        for col, key in enumerate(keys):
            sheet.write_string(0, col, HEADINGS[key], mine if key in _EDITABLE else head)
        with tempfile.TemporaryFile() as data:
            # the data rows are written as XML here and put into the file after XlsxWriter
            # has written it (one call a cell cost 60 % of the sheet): the same bytes
            count = _data_rows(data, keys, rows, widths, (head, mine, wrap, top))
            if count > MAX_ROW:  # never a sheet that silently leaves turns out
                raise GtcodeError("E703", f"the sheet would have {count:,} rows; an Excel "
                                  f"worksheet holds {MAX_ROW:,} below its header.", file=path,
                                  hint="write it as .csv (-o sheet.csv), or review part of "
                                  "the study at a time (--next N)")
            _finish_sheet(sheet, keys, widths, count, len(codebook.codes), mode)
            _write_codebook(codebook_sheet, codebook, head, wrap)
            book.close()
            if count:
                last = column_letters(len(keys) - 1) + str(count + 1)
                splice_rows(tmp, f"xl/worksheets/sheet{sheet.index + 1}.xml", data, last)
    return count


def _data_rows(out, keys: Sequence[str], rows: Iterable[Sequence[str]],
               widths: dict[str, int], formats) -> int:
    """Write the sheet's data rows (from row 2) to ``out`` as worksheet XML, widening the
    fitted columns in ``widths``; return the number of rows (Excel's last row and
    longest cell cut as XlsxWriter cuts them)."""
    head, mine, wrap, top = formats
    styles: list[int] = []
    refs = [column_letters(col) for col in range(len(keys))]
    wrapped = [key in _WRAPPED for key in keys]
    fitted = [key in _FITTED for key in keys]
    count, chunk = 0, []
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROW:
            continue  # only counted: write_xlsx_sheet refuses the sheet (E703)
        if not styles:  # numbered in the order XlsxWriter would have met them
            styles = [f._get_xf_index() for f in (head, mine, wrap, top)][2:]
            styles = [styles[0] if w else styles[1] for w in wrapped]
        lines, cells, number = 1, [], str(count + 1)
        for col, value in enumerate(row):
            if value == "":
                continue  # empty cells stay truly empty (the coder's above all)
            text = str(value)
            cells.append(inline_cell(refs[col] + number, text[:MAX_CELL_CHARS], styles[col]))
            if fitted[col]:
                key = keys[col]
                widest = max((display_width(p) for p in text.split("\n")), default=0)
                widths[key] = min(40, max(widths[key], widest + 2))
            if wrapped[col]:  # a fitted column only widens later: never too short
                lines = max(lines, wrapped_lines(text, widths[keys[col]], quick_width))
        if cells:
            chunk.append(row_start(count, lines_height(lines) if lines > 1 else None))
            chunk.extend(cells)
            chunk.append("</row>")
        if len(chunk) > 4096:
            out.write("".join(chunk).encode("utf-8"))
            chunk = []
    out.write("".join(chunk).encode("utf-8"))
    return count


def _write_help(sheet, mode: str, head, wrap) -> None:
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 1, 80)
    for row, (zh, en) in enumerate(instruction_rows(mode)):
        style = head if row == 0 else wrap
        sheet.write_string(row, 0, zh, style)
        sheet.write_string(row, 1, en, style)
        sheet.set_row(row, lines_height(max(wrapped_lines(zh, 70), wrapped_lines(en, 80))))
    print_setup(sheet, [70, 80])


def _finish_sheet(sheet, keys: Sequence[str], widths: dict[str, int], count: int,
                  n_codes: int, mode: str) -> None:
    for col, key in enumerate(keys):
        options = {"hidden": True} if key in HIDDEN else {}
        sheet.set_column(col, col, widths[key], None, options)
    sheet.freeze_panes(1, 1)
    print_setup(sheet, [widths[key] for key in keys if key not in HIDDEN])
    sheet.autofilter(0, 0, max(count, 1), len(keys) - 1)
    last = max(count, 1)
    decision = keys.index("decision")
    sheet.data_validation(1, decision, last, decision, {
        "validate": "list", "source": list(DECISION_CHOICES[mode]), "ignore_blank": True,
        "error_type": "information", "error_title": "决定 decision",
        "error_message": "接受 accept / 拒绝 reject / 无编码 none，或留空（未决定）/ or leave "
                         "empty (undecided)",
        "input_title": "决定 decision",
        "input_message": "留空 = 未决定，不记录 / empty = undecided, nothing recorded"})
    codes = keys.index("codes")
    sheet.data_validation(1, codes, last, codes, {
        "validate": "list",
        "source": f"='{CODEBOOK_SHEET}'!$A$2:$A${n_codes + 1}",
        "ignore_blank": True,
        "error_type": "information",
        "error_title": "编码 codes",
        "error_message": "编码 id 或名称，多个用 ; 分隔 / code ids or names, separated by ;",
        "input_title": "编码 codes",
        "input_message": "编码 id 或名称，多个用 ; 分隔 / code ids or names, separated by ;",
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
        sheet.set_row(row, lines_height(max(wrapped_lines(str(v or ""), w) for v, (_h, w)
                                            in zip(values, CODEBOOK_COLUMNS))))
    sheet.freeze_panes(1, 1)
    print_setup(sheet, [w for _h, w in CODEBOOK_COLUMNS])


def write_csv_sheet(path: Path, keys: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write the coding sheet as UTF-8 csv with a BOM (so Excel reads Chinese).

    The review sheet is made to be opened in a spreadsheet, so formula-like
    text is always guarded here (``apply`` takes the apostrophe off again).
    """
    return write_csv(Path(path), [HEADINGS[key] for key in keys], rows, bom=True,
                     excel_safe=True)


# -- reading -------------------------------------------------------------------

def read_sheet(path: Path) -> tuple[list[SheetRow], list[tuple[int, str, str]]]:
    """Read a coder's sheet: its rows and any cell problems (formulas).

    Raises:
        GtcodeError: E101 when the file is missing; E401 when it is not a
            readable sheet, lacks the segment, decision or codes column, or
            has the layout of an earlier gtcode (every row was a decision then).
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
        if SHEET_NAME in book.sheetnames:
            sheet = book[SHEET_NAME]
        else:  # renamed: the first tab that is not the instructions or the codebook
            others = [ws for ws in book.worksheets if ws.title not in (HELP_SHEET,
                                                                       CODEBOOK_SHEET)]
            sheet = others[0] if others else book.worksheets[0]
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
    try:  # `gtcode run` asks twice (the check of every target, then the export's own)
        seen = path.stat()
    except OSError:
        seen = None
    key = (str(path.resolve()), seen.st_ino, seen.st_size, seen.st_mtime_ns,
           seen.st_ctime_ns) if seen is not None else None
    if key is not None and key in _REVIEWED:
        known = _REVIEWED[key]
        return None if known is None else list(known)
    entries = _review_rows(path)
    if key is not None:
        if len(_REVIEWED) >= 8:
            _REVIEWED.pop(next(iter(_REVIEWED)))
        _REVIEWED[key] = None if entries is None else list(entries)
    return entries


#: review_rows' answers by the file's identity, size and times (any write changes them)
_REVIEWED: dict[tuple, list[int] | None] = {}


def _review_rows(path: Path) -> list[int] | None:
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
    if not {"segment", "codes"} <= set(cols) or not {"decision", "suggested"} & set(cols):
        return None
    entries = []
    for number, cells in enumerate(table[1:], start=2):
        value = {key: (_cell(cells, cols.get(key)) or "").strip()
                 for key in ("decision", "codes", "suggested", "new_concept", "memo")}
        if "decision" in cols:  # the coder's columns are exported empty: any mark is work
            if value["decision"] or value["codes"]:
                entries.append(number)
            continue
        # a sheet of the earlier layout: the codes column started as the suggestions
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
    names.update({h.lower(): key for h, key in LEGACY_HEADINGS.items()})
    found: dict[str, int] = {}
    for col, (value, _f) in enumerate(header):
        key = names.get(str(value or "").strip().lower())
        if key and key not in found:
            found[key] = col
    return found


def _check_header(cols: dict[str, int], path: Path) -> None:
    if "segment" in cols and "decision" not in cols and "codes" in cols \
            and ("suggested" in cols or "text_hash" in cols):
        raise GtcodeError(
            "E401", "this sheet has the layout of an earlier gtcode: it has no 决定 decision "
            "column, and every row left in it counted as the coder's decision (so rows nobody "
            "looked at were credited as accepted). It is refused, and nothing was recorded.",
            file=path, where="row 1",
            hint="export a new sheet (gtcode sheet export STUDY -o NEW.xlsx) and mark in its "
                 "决定 decision / 编码 codes columns only the rows you decided")
    missing = [HEADINGS[k] for k in ("segment", "decision", "codes") if k not in cols]
    if missing:
        raise GtcodeError("E401", f"the sheet lacks the column(s) {', '.join(missing)}.",
                          file=path, where="row 1",
                          hint="keep the header row and columns as exported")
    if "text" not in cols and "text_hash" not in cols:
        raise GtcodeError("E401", "the sheet lacks both the text and the text hash column, so "
                          "edits cannot be checked.", file=path, where="row 1")


_ROW_KEYS = ("segment", "decision", "codes", "new_concept", "memo", "text", "text_hash",
             "shown", "suggested", "role")


def _rows(table: list[list[tuple[object, bool]]],
          path: Path) -> tuple[list[SheetRow], list[tuple[int, str, str]]]:
    if not table:
        raise GtcodeError("E401", "the sheet is empty.", file=path)
    cols = _heading_keys(table[0])
    _check_header(cols, path)
    rows, problems = [], []
    for number, cells in enumerate(table[1:], start=2):
        if all(_text(v) in (None, "") for v, _f in cells):
            continue
        for col, (_value, formula) in enumerate(cells):
            if formula:
                problems.append((number, "E401", f"column {col + 1} holds a formula; type "
                                 "codes and notes as plain text"))
        rows.append(SheetRow(number, *(_cell(cells, cols.get(key)) for key in _ROW_KEYS)))
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
