"""Helpers to fill in coding sheets as a coder would: cells found by their headings."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from gtcode.coding.sheet_io import HEADINGS, SHEET_NAME


def col(header, key: str) -> int:
    """0-based index of column ``key`` (``decision``, ``codes`` ...) in a header row."""
    return list(header).index(HEADINGS[key])


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def xlsx_sheet(path: Path):
    """The coding sheet of an xlsx (a worksheet to edit and ``.parent.save``)."""
    return openpyxl.load_workbook(path)[SHEET_NAME]


def xlsx_rows(path: Path) -> list[list]:
    return [list(r) for r in xlsx_sheet(path).iter_rows(values_only=True)]


def mark_xlsx(src: Path, dst: Path, marks: dict[str, tuple[str | None, str | None]]) -> Path:
    """Copy an xlsx sheet, writing (decision, codes) into the rows of the given segments."""
    sheet = xlsx_sheet(src)
    header = [c.value for c in sheet[1]]
    seg, dec, codes = col(header, "segment"), col(header, "decision"), col(header, "codes")
    for row in sheet.iter_rows(min_row=2):
        mark = marks.get(row[seg].value)
        if mark is not None:
            row[dec].value, row[codes].value = mark
    sheet.parent.save(dst)
    return dst


def mark_csv(src: Path, dst: Path, marks: dict[str, tuple[str | None, str | None]]) -> Path:
    """Copy a csv sheet, writing (decision, codes) into the rows of the given segments."""
    rows = read_csv(src)
    seg, dec, codes = (col(rows[0], k) for k in ("segment", "decision", "codes"))
    for row in rows[1:]:
        mark = marks.get(row[seg])
        if mark is not None:
            row[dec], row[codes] = mark[0] or "", mark[1] or ""
    return write_csv(dst, rows)


def suggested_segments(path: Path) -> list[str]:
    """Segments of a csv or xlsx sheet that show a machine suggestion."""
    rows = read_csv(path) if Path(path).suffix == ".csv" else xlsx_rows(path)
    seg, sug = col(rows[0], "segment"), col(rows[0], "suggested")
    return [r[seg] for r in rows[1:] if r[sug]]
