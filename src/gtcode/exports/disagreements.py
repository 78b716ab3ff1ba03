"""The disagreement workbook (``gtcode agree ... --disagreements F.xlsx``).

For the reconciliation meeting: one row per unit on which the coders differ,
with where it is (unit, source, case, speaker), the text, each coder's codes
side by side with the codes in dispute in bold red, and the disputed codes
listed apart. A second sheet summarises per code; a third records how the
figures were made. Headings are Chinese with English beside them.

Every text cell is written as an explicit string (never a formula, the
convention of :mod:`gtcode.files` for xlsx); the file is written to a
temporary name and renamed, and two runs give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gtcode.coding.sheet import unapplied_review
from gtcode.files import atomic_output, guard_output
from gtcode.reliability.agree import AgreeResult
from gtcode.reliability.coding_units import Disagreement

_FIXED_TIME = _dt.datetime(2000, 1, 1)
#: Excel's limit on the characters of one cell.
MAX_CELL = 32767
NOT_SEEN = "（未看过 not seen）"
NO_CODE = "（无编码 no code）"
SHEET_ROWS = "分歧 Disagreements"
SHEET_CODES = "按编码 Per code"
SHEET_ABOUT = "说明 About"
_PLACE = [("单元 Unit", 14), ("来源 Source", 14), ("个案 Case", 10), ("说话人 Speaker", 10),
          ("文本 Text", 60)]


def coder_heading(coder: str) -> str:
    """The column heading of a coder's codes."""
    return f"{coder} 的编码 Codes by {coder}"


DISPUTED_HEADING = "争议编码 Codes in dispute"
CODE_HEADINGS = ("编码 Code", "名称 Name", "争议单元 Units in dispute", "使用单元 Units used",
                 "一致率 Percent agreement", "kappa", "alpha")


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


class _Book:
    """A thin wrapper: every text is a string cell, formats made once."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                                    "strings_to_formulas": False,
                                                    "strings_to_urls": False})
        self.book.set_properties({"title": "gtcode disagreements", "created": _FIXED_TIME})
        add = self.book.add_format
        self.head = add({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                         "valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.hot = add({"bold": True, "font_color": "#C00000"})
        self.quiet = add({"italic": True, "font_color": "#808080"})
        self.fill = add({"text_wrap": True, "valign": "top", "bg_color": "#FCE4D6"})
        self.number = add({"num_format": "0.0000", "valign": "top"})

    def text(self, sheet: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
        # write_string even for formula-like text: it stays text in Excel.
        sheet.write_string(row, col, _clean(value), fmt or self.wrap)

    def number_or_blank(self, sheet: Any, row: int, col: int, value: float | None) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, self.wrap)
        else:
            sheet.write_number(row, col, float(value), self.number)


def _label(code: str, labels: dict[str, str]) -> str:
    return labels.get(code, code)


def _codes_cell(book: _Book, sheet: Any, row: int, col: int, codes: Sequence[str] | None,
                disputed: set[str], labels: dict[str, str]) -> None:
    if codes is None:
        book.text(sheet, row, col, NOT_SEEN, book.quiet)
        return
    if not codes:
        book.text(sheet, row, col, NO_CODE, book.quiet)
        return
    hot = [code in disputed for code in codes]
    if len(codes) == 1 or not any(hot):
        text = "\n".join(_label(code, labels) for code in codes)
        book.text(sheet, row, col, text, book.hot if all(hot) else None)
        return
    fragments: list[Any] = []
    for i, code in enumerate(codes):
        piece = _clean(_label(code, labels)) + ("\n" if i < len(codes) - 1 else "")
        fragments.extend([book.hot, piece] if hot[i] else [piece])
    sheet.write_rich_string(row, col, *fragments, book.wrap)


def _rows_sheet(book: _Book, result: AgreeResult, labels: dict[str, str]) -> None:
    sheet = book.book.add_worksheet(SHEET_ROWS)
    headings = [*_PLACE, *((coder_heading(c), 28) for c in result.coders),
                (DISPUTED_HEADING, 28)]
    for col, (title, width) in enumerate(headings):
        book.text(sheet, 0, col, title, book.head)
        sheet.set_column(col, col, width)
    for r, row in enumerate(result.disagreements, start=1):
        _write_row(book, sheet, r, row, result.coders, labels)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(result.disagreements), 1), len(headings) - 1)


def _write_row(book: _Book, sheet: Any, r: int, row: Disagreement, coders: Sequence[str],
               labels: dict[str, str]) -> None:
    info = row.unit
    for col, value in enumerate((info.id, info.source, info.case, info.speaker, info.text)):
        book.text(sheet, r, col, value)
    disputed = set(row.disputed)
    for j, coder in enumerate(coders):
        _codes_cell(book, sheet, r, len(_PLACE) + j, row.codes[coder], disputed, labels)
    book.text(sheet, r, len(_PLACE) + len(coders),
              "\n".join(_label(c, labels) for c in row.disputed), book.fill)


def _code_rows(result: AgreeResult) -> list[tuple[str, int, int | None, float | None,
                                                  float | None, float | None]]:
    disputed = Counter(code for row in result.disagreements for code in row.disputed)
    if result.per_code is not None:
        return [(c.code, disputed[c.code], c.n_used, c.percent_agreement, c.kappa,
                 c.krippendorff_alpha) for c in result.per_code.codes]
    if result.nvivo is not None:
        codes = list(dict.fromkeys(r.code for r in result.nvivo.rows))
        return [(code, disputed[code], None, None, None, None) for code in codes]
    return [(code, count, None, None, None, None) for code, count in sorted(disputed.items())]


def _codes_sheet(book: _Book, result: AgreeResult, labels: dict[str, str]) -> None:
    sheet = book.book.add_worksheet(SHEET_CODES)
    for col, title in enumerate(CODE_HEADINGS):
        book.text(sheet, 0, col, title, book.head)
        sheet.set_column(col, col, 30 if col < 2 else 14)
    for r, (code, n_disputed, n_used, pa, kappa, alpha) in enumerate(_code_rows(result), 1):
        book.text(sheet, r, 0, code)
        book.text(sheet, r, 1, labels.get(code, code).removeprefix(code).strip())
        sheet.write_number(r, 2, n_disputed)
        book.number_or_blank(sheet, r, 3, n_used)
        for col, value in ((4, pa), (5, kappa), (6, alpha)):
            book.number_or_blank(sheet, r, col, value)
    sheet.freeze_panes(1, 1)


def _about_rows(result: AgreeResult) -> list[tuple[str, str]]:
    figures = result.to_dict()
    rows = [("模式 Mode", result.mode), ("单元 Unit", result.unit),
            ("分歧单元 Unit of this list", result.disagreement_unit or result.unit),
            ("编码层级 Code level", result.code_level or ""),
            ("测量水平 Level of measurement", result.level_of_measurement),
            ("编码者 Coders", ", ".join(result.coders)),
            *((f"编码者 Coder {name}", view.describe()) for name, view in result.views.items()),
            ("单元范围 Units are", result.scope or result.unit),
            *_unit_rows(result),
            ("总体指标 Overall figure", result.overall_method or ""),
            ("结论 Verdict", result.verdict),
            ("衡量 Measures", result.independence.measures)]
    for key, zh in (("percent_agreement", "一致率"), ("cohen_kappa", "科恩 kappa"),
                    ("fleiss_kappa", "弗莱斯 kappa"), ("krippendorff_alpha", "克里彭多夫 alpha")):
        value = figures.get(key)
        rows.append((f"{zh} {key}", "" if value is None else f"{value:.4f}"))
    rows.extend(("注 Note", note) for note in result.notes)
    return rows


def _unit_rows(result: AgreeResult) -> list[tuple[str, str]]:
    if result.unit == "character":
        return [("比较字符 Characters compared", str(result.n_units)),
                ("编码 x 来源 Code x source rows", str(result.n_pairable_units))]
    return [("比较单元 Units compared", str(result.n_pairable_units)),
            ("仅一位编码者的单元 Units seen by one coder",
             str(result.n_units - result.n_pairable_units))]


def _about_sheet(book: _Book, result: AgreeResult) -> None:
    sheet = book.book.add_worksheet(SHEET_ABOUT)
    for r, (key, value) in enumerate(_about_rows(result)):
        book.text(sheet, r, 0, key, book.head)
        book.text(sheet, r, 1, value)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 90)


def write_disagreements(result: AgreeResult, path: Path) -> int:
    """Write the disagreement workbook and return the number of unit rows.

    Args:
        result: what :func:`gtcode.reliability.agree.agree_study` (or the
            table or sheet variants) returned; texts are shown when filled.
        path: the ``.xlsx`` file (written to a temporary file, then renamed).
    """
    guard_output(Path(path), inspect=unapplied_review(None))
    labels = dict(result.code_labels)
    with atomic_output(Path(path)) as tmp:
        book = _Book(tmp)
        _rows_sheet(book, result, labels)
        _codes_sheet(book, result, labels)
        _about_sheet(book, result)
        book.book.close()
    return len(result.disagreements)
