"""Layout of spreadsheet cells shared by every xlsx gtcode writes: widths, row heights, print.

Spreadsheet programs do not size rows to wrapped text when a file is opened
(LibreOffice keeps the default height; Excel only on an edit), so a writer
sets each row's height from the lines its wrapped cells take, and gives each
sheet a print setup: A4, landscape when wide, one page wide, header row
repeated on every page.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

#: Points per line of 11-point text, padding of a row, and Excel's largest row height.
LINE_POINTS, ROW_PAD, MAX_ROW_POINTS = 14.5, 3.0, 409.0
#: Column width units that fit across a portrait A4 page at 100 %; wider sheets print landscape.
PORTRAIT_UNITS = 95


def display_width(text: str) -> int:
    """Width of ``text`` in spreadsheet columns: wide (CJK) characters count as two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def quick_width(text: str) -> int:
    """About :func:`display_width`, in C speed: a character of three or four UTF-8 bytes
    (CJK, full-width punctuation) counts two. For row heights of long passages."""
    return (len(text.encode("utf-8", "surrogatepass")) + len(text)) // 2


def wrapped_lines(text: str, width: float, measure=display_width) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` units wide."""
    room = max(1.0, width - 1)
    return sum(max(1, math.ceil(measure(line) / room)) for line in text.split("\n"))


def lines_height(lines: int) -> float:
    """A row height in points that shows ``lines`` lines."""
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + ROW_PAD)


def print_setup(sheet, widths: Sequence[float], *, header_rows: int = 1) -> None:
    """A4, landscape when wide, one page wide (as many tall as needed), header repeated.

    ``sheet`` is an XlsxWriter worksheet.
    """
    sheet.set_paper(9)
    if sum(widths) > PORTRAIT_UNITS:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N")


# -- many rows of text, written without a call per cell ---------------------------

#: Excel's last row (0-based) and longest cell text; XlsxWriter drops or cuts beyond them.
MAX_ROW, MAX_CELL_CHARS = 1_048_575, 32_767
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff&<>]|_x[0-9a-fA-F]{4}_")
_LEADING, _TRAILING = re.compile(r"^\s"), re.compile(r"\s$")


def column_letters(col: int) -> str:
    """``A`` for column 0, ``AA`` for 26."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_cell(ref: str, text: str, style: int) -> str:
    """One text cell as XlsxWriter writes it in ``constant_memory`` mode (an inline string),
    the same bytes: control characters as ``_xHHHH_``, ``&<>`` escaped, spaces kept."""
    if _NEEDS_CARE.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_",
                            _ESCAPED.sub(r"_x005F\1", text))
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        keep = _LEADING.search(text) or _TRAILING.search(text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:
        keep = _LEADING.search(text) or _TRAILING.search(text)
    space = ' xml:space="preserve"' if keep else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def row_start(row: int, points: float | None) -> str:
    """A ``<row>`` start tag (``row`` 0-based) as XlsxWriter writes it, with ``set_row``'s
    height in points (None: the default height)."""
    if points is None:
        return f'<row r="{row + 1}">'
    return f'<row r="{row + 1}" ht="{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}" ' \
           'customHeight="1">'


def splice_rows(xlsx: Path, part: str, rows: IO[bytes], last_cell: str) -> None:
    """Put the ``<row>`` elements in ``rows`` (UTF-8, after the rows already there) into the
    worksheet ``part`` of the workbook ``xlsx``, and make its dimension ``A1:last_cell``.

    The workbook (small without these rows) is read and written again in place, so
    the file keeps its mode; every other member is copied as it was (name, order,
    time stamp, compression); ``part`` is deflated at level 1.
    """
    rows.seek(0, os.SEEK_END)
    size = rows.tell()
    with zipfile.ZipFile(io.BytesIO(xlsx.read_bytes())) as source, \
            zipfile.ZipFile(xlsx, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != part:
                target.writestr(info, data, compress_type=info.compress_type, compresslevel=6)
                continue
            head, end, tail = data.partition(b"</sheetData>")
            head = re.sub(rb'<dimension ref="[^"]*"/>',
                          f'<dimension ref="A1:{last_cell}"/>'.encode(), head, count=1)
            info.file_size = len(head) + size + len(end) + len(tail)
            # level 1, the fastest deflate: a third of the time of XlsxWriter's level 6
            # (zlib's default) for a sixth more bytes (Python 3.13 names it compress_level)
            setattr(info, "compress_level" if hasattr(info, "compress_level")
                    else "_compresslevel", 1)
            with target.open(info, "w") as out:
                out.write(head)
                rows.seek(0)
                shutil.copyfileobj(rows, out, 2**20)
                out.write(end + tail)
