"""NVivo spreadsheets: the classification sheet and the matrix-coding layout.

Classification sheet (case attributes), in the layout NVivo's "Import
Classification Sheets" wizard reads: one header row, cell A1 the
classification name (NVivo creates the classification when it does not
exist), then one column per attribute; column A holds the case names exactly
as the cases are named, one row per case; an empty cell is an unassigned
value. ``.xlsx`` for NVivo for Windows, UTF-8 ``.csv`` (no BOM) for NVivo for
Mac. Integer and float attributes are written as numbers, so NVivo types them.

Matrix coding: rows are cases (or the values of one case attribute), columns
the codes of one level, cells one of ``references`` (coding references, the
NVivo default), ``presence`` (1/0, or the number of cases for attribute
rows), ``words`` (words coded; a CJK character counts as one word),
``characters``, ``row_pct`` or ``col_pct`` (percentages of the references in
the row or column). The numbers are those of axial coding
(:mod:`gtcode.coding.axial`): human decisions outrank rule suggestions,
interviewer turns are not counted, and a segment coded twice under one column
is one reference.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from gtcode.coding.axial import load_coded_study, percentages, study_matrix
from gtcode.errors import GtcodeError
from gtcode.files import atomic_output, atomic_write_bytes, csv_cell
from gtcode.store.project import Study
from gtcode.store.sources import attribute_types, list_cases
from gtcode.workspace import study_codebook

CELLS = ("references", "presence", "words", "characters", "row_pct", "col_pct")
LEVELS = ("category", "subcategory", "concept")
DEFAULT_CLASSIFICATION = "Person"
_EPOCH = datetime(2000, 1, 1)


def _as_number(value: object) -> object:
    """A numeric-looking string as an int or float (for xlsx cells); else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if re.fullmatch(r"[+-]?\d{1,15}", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return float(text)
    return value


def classification_table(study: Study, *, classification: str = DEFAULT_CLASSIFICATION
                         ) -> tuple[list[str], list[list[object]], set[int]]:
    """Header, rows (cases in study order) and the numeric columns of the sheet."""
    types = attribute_types(study.conn)
    header = [classification.strip() or DEFAULT_CLASSIFICATION, *types]
    rows = [[case, *(values.get(a) for a in types)] for case, values in list_cases(study.conn)]
    numeric = {i for i, kind in enumerate(types.values(), start=1)
               if kind in ("integer", "float")}
    return header, rows, numeric


def _created(study: Study) -> datetime:
    stamp = study.meta("created_at") or ""
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return _EPOCH


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet1"


def write_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *,
                sheet: str = "Sheet1", created: datetime = _EPOCH,
                numeric: set[int] = frozenset(), excel_safe: bool = False) -> Path:
    """Write a header and rows as ``.xlsx`` or UTF-8 ``.csv`` (by the suffix).

    Numbers stay numbers (in xlsx, numeric-looking text of the ``numeric``
    columns becomes a number too); text that a spreadsheet could run as a formula is
    stored as a string cell (xlsx); csv text is verbatim, or, with ``excel_safe``,
    formula-like text is prefixed with ``'``. Deterministic.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        cell = csv_cell if excel_safe else (lambda value: value)
        writer.writerow([cell(h) for h in header])
        for row in rows:
            writer.writerow(["" if v is None else cell(v) for v in row])
        atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))
        return path
    if suffix != ".xlsx":
        raise GtcodeError("E112", f"cannot write a {suffix or 'suffix-less'} spreadsheet.",
                          file=path, hint="name the output .xlsx or .csv")
    typed = [[_as_number(v) if i in numeric else v for i, v in enumerate(row)] for row in rows]
    _write_xlsx(path, header, typed, sheet, created)
    return path


def _write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
                sheet_name: str, created: datetime) -> None:
    import xlsxwriter

    with atomic_output(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                              "strings_to_numbers": False,
                                              "strings_to_urls": False})
        book.set_properties({"title": "gtcode", "author": "gtcode", "created": created})
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet(_sheet_name(sheet_name))
        for col, value in enumerate(header):
            sheet.write_string(0, col, str(value), bold)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(r, col, value)
                elif value is not None:
                    sheet.write_string(r, col, str(value))
        sheet.freeze_panes(1, 1)
        book.close()


def write_classification(study: Study, path: Path, *,
                         classification: str = DEFAULT_CLASSIFICATION,
                         excel_safe: bool = False) -> int:
    """Write the NVivo classification sheet (.xlsx or .csv); return the case count."""
    header, rows, numeric = classification_table(study, classification=classification)
    write_table(path, header, rows, sheet=header[0], created=_created(study), numeric=numeric,
                excel_safe=excel_safe)
    return len(rows)


# -- matrix coding ----------------------------------------------------------------------

def matrix_coding(study: Study, codebook=None, *, rows: str = "case",
                  cell: str = "references", level: str = "category") -> pd.DataFrame:
    """The matrix-coding table as a DataFrame (index: rows; columns: code ids).

    Args:
        study: the open study.
        codebook: its :class:`~gtcode.codebook.Codebook` (loaded when None).
        rows: ``"case"`` or the name of a case attribute (its values are the rows).
        cell: one of :data:`CELLS`.
        level: ``category``, ``subcategory`` or ``concept``.

    ``frame.attrs["labels"]`` maps each column id to the code's name.
    """

    if cell not in CELLS:
        raise GtcodeError("E112", f"unknown matrix cell {cell!r}.",
                          hint="use one of: " + ", ".join(CELLS))
    if codebook is None:

        codebook = study_codebook(study)
    data = load_coded_study(study, codebook)
    by = None if rows == "case" else rows
    if cell in ("row_pct", "col_pct"):
        refs = study_matrix(data, level=level, cell="references", by=by)
        frame = percentages(refs, "row" if cell == "row_pct" else "column").round(2)
    else:
        frame = study_matrix(data, level=level, cell=cell, by=by)
    frame.attrs["labels"] = {c: data.hierarchy.label(c) for c in frame.columns}
    frame.index.name = "case" if by is None else by
    return frame


def matrix_table(frame: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    """Header (row label, then code names) and rows of a matrix frame."""
    labels = frame.attrs.get("labels", {})
    names = [labels.get(c, c) for c in frame.columns]
    clashes = {n for n in names if names.count(n) > 1}
    header = [str(frame.index.name or ""),
              *(f"{n} ({c})" if n in clashes else n for n, c in zip(names, frame.columns))]
    rows = [[str(index), *(v.item() if hasattr(v, "item") else v for v in values)]
            for index, values in zip(frame.index, frame.to_numpy())]
    return header, rows


def write_matrix(study: Study, path: Path, codebook=None, *, rows: str = "case",
                 cell: str = "references", level: str = "category",
                 excel_safe: bool = False) -> pd.DataFrame:
    """Write the matrix-coding table as a standalone .xlsx or .csv; return the frame."""
    frame = matrix_coding(study, codebook, rows=rows, cell=cell, level=level)
    header, table = matrix_table(frame)
    write_table(path, header, table, sheet=f"Matrix {cell}", created=_created(study),
                excel_safe=excel_safe)
    return frame
