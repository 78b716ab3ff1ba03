"""Layout of spreadsheet cells shared by every xlsx gtcode writes: widths, row heights, print.

Spreadsheet programs do not size rows to wrapped text when a file is opened
(LibreOffice keeps the default height; Excel only on an edit), so a writer
sets each row's height from the lines its wrapped cells take, and gives each
sheet a print setup: A4, landscape when wide, one page wide, header row
repeated on every page.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

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
