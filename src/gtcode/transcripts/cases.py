"""Case attribute sheets (.csv/.xlsx): the case names, the file links, the attributes.

Columns are found by their headers (:data:`LAYOUTS` says it for users):

1. a case column headed ``case``, ``case_id``, ``个案``, ``编号``,
   ``受访者编号`` … (:data:`CASE_HEADERS`), an optional file column headed
   ``file``, ``source``, ``文件`` … (:data:`FILE_HEADERS`) that links a case to
   its transcript, and attributes in the other columns, in any order;
2. NVivo's classification sheet: no case header, the case names in the first
   column (its header empty or the classification's name, e.g. ``Person``);
3. a file column first and no case column: each file is a case named after
   it (``S01.txt`` → ``S01``); after such a file column a ``name`` or ``id``
   column (:data:`NAME_HEADERS`) names the case instead.

A sheet that could be read two ways (two case columns, two file columns, a
case column beside an unnamed first column) is refused, showing the layouts.
Attribute types (integer, float, boolean, date, text) are inferred from the
values.

Values are kept as canonical text (``56``, ``38.5``, ``true``, ``2023-05-12``)
because that is how the study stores them; :meth:`CaseRow.typed` gives Python
values. A value no spreadsheet can hold as a number (``1e309``, which Python
reads as infinity; ``inf``, ``nan``) is not a number: its column is text, and
the value is kept exactly as written (it may well be an id such as ``1E309``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.errors import GtcodeError, ProblemList
from gtcode.transcripts.readers import DEFAULT_MAX_BYTES, read_rows

FILE_HEADERS = ("file", "文件", "文件名", "filename", "source", "sourcefile", "transcript",
                "来源", "源文件", "文档", "document", "file name", "source name", "访谈文件",
                "转录文件", "transcript file")
#: Headers that mark the column naming the case.
CASE_HEADERS = ("case", "case id", "case name", "case no", "cases", "个案", "个案编号",
                "个案名称", "个案名", "案例", "案例编号", "编号", "受访者", "受访者编号",
                "受访者代码", "被访者", "被访者编号", "访谈对象", "访谈对象编号", "受访人",
                "受访人编号", "participant", "participant id", "respondent", "respondent id",
                "interviewee", "interviewee id")
#: Headers that name the case only after a leading file column.
NAME_HEADERS = ("name", "id", "名称", "姓名", "代号", "代码")
#: The accepted layouts, as a case sheet's error shows them.
LAYOUTS = ("accepted layouts: (1) a case column headed case, case_id, 个案, 编号, 受访者编号 … "
           "with an optional file column headed file, source, 文件 … and attributes in the "
           "other columns, e.g. `file,case_id,gender,age`; (2) NVivo's classification sheet: "
           "case names in the first column (header empty or the classification's name), "
           "attributes after it; (3) a file column first and no case column: each file is a "
           "case named after it (S01.txt -> S01)")
TYPES = ("integer", "float", "boolean", "date", "text")

_TRUE = {"true", "yes", "y", "t", "是", "有", "对"}
_FALSE = {"false", "no", "n", "f", "否", "无", "沒有", "没有", "不"}
_INTEGER = re.compile(r"[+-]?(?:0|[1-9]\d*)")
_FLOAT = re.compile(r"[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]00:00(?::00)?)?")


@dataclass(frozen=True)
class CaseRow:
    """One case: its name, the sheet row it came from, its file link and attributes."""

    name: str
    row: int
    file: str | None
    attributes: dict[str, str | None]
    types: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def typed(self) -> dict[str, object]:
        """Attribute values as ``int``, ``float``, ``bool``, ``datetime.date`` or ``str``."""
        return {k: convert(v, self.types.get(k, "text")) for k, v in self.attributes.items()}


@dataclass(frozen=True)
class CaseTable:
    """A read case sheet: rows in sheet order and the attribute types in column order."""

    file: str
    case_header: str
    file_header: str | None
    attribute_types: dict[str, str]
    rows: tuple[CaseRow, ...]

    @property
    def names(self) -> list[str]:
        """Case names in sheet order."""
        return [r.name for r in self.rows]


class CaseMatch(dict):
    """``source name → case name``, plus what matched nothing (for warnings).

    A plain ``dict`` for callers that only want the mapping; ``unmatched_cases``
    and ``unmatched_sources`` list the leftovers, ``warnings`` says so in words.
    """

    def __init__(self, mapping: dict[str, str], unmatched_cases: list[str],
                 unmatched_sources: list[str]) -> None:
        super().__init__(mapping)
        self.unmatched_cases = unmatched_cases
        self.unmatched_sources = unmatched_sources

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self)

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.unmatched_cases:
            out.append(f"{len(self.unmatched_cases)} case(s) match no source: "
                       + _few(self.unmatched_cases))
        if self.unmatched_sources:
            out.append(f"{len(self.unmatched_sources)} source(s) match no case: "
                       + _few(self.unmatched_sources))
        return out


def read_cases(path: str | Path, *, encoding: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> CaseTable:
    """Read a case sheet (.csv in any supported encoding, or .xlsx, first sheet).

    Raises:
        GtcodeError: E101/E102/E103/E104/E107 from reading; E111 (all problems
            at once, each naming its row) for duplicate or empty case names,
            duplicate or missing column headers, or a sheet without rows.
    """
    file = str(path)
    try:
        table = read_rows(path, encoding=encoding, max_bytes=max_bytes)
    except GtcodeError as exc:
        if exc.code != "E105":
            raise
        table = None
    if table is None or len(table.rows) < 2:
        raise GtcodeError("E111", "the case sheet has no case rows.", file=file,
                          hint="put the case names in the first column under a header row")
    header_row, header = table.rows[0]
    width = max(len(cells) for _, cells in table.rows)
    header = header + [""] * (width - len(header))
    used = _used_columns(header, table.rows[1:])
    case_col, file_col = _key_columns(header, used, file, header_row)
    columns = [c for c in used if c not in (case_col, file_col)]
    name_col = case_col if case_col is not None else file_col
    problems = (_header_problems(header, [c for c in used if c != case_col or header[c].strip()],
                                 header_row)
                + _name_problems(table.rows[1:], name_col, header[name_col].strip()))
    if problems:
        raise ProblemList("E111", problems, file=file,
                          hint="give each case one row with a unique name; " + LAYOUTS)
    return _build(file, header, case_col, file_col, columns, table.rows[1:])


def _used_columns(header: list[str], rows: list[tuple[int, list[str]]]) -> list[int]:
    """The first column, and every other column that has a header or any value."""
    used = [0]
    for col in range(1, len(header)):
        if header[col].strip() or any(col < len(cells) and cells[col].strip()
                                      for _, cells in rows):
            used.append(col)
    return used


def _key_columns(header: list[str], used: list[int], file: str,
                 header_row: int) -> tuple[int | None, int | None]:
    """(case column, file column) by the headers, or E111 when the sheet is ambiguous."""
    keys = {c: _header_key(header[c]) for c in used}
    cases = [c for c in used if keys[c] in _CASE_KEYS or keys[c].replace(" ", "") in _CASE_KEYS]
    files = [c for c in used if keys[c] in _FILE_KEYS or keys[c].replace(" ", "") in _FILE_KEYS]
    names = [c for c in used if keys[c] in _NAME_KEYS]

    def ambiguous(why: str) -> GtcodeError:
        return GtcodeError("E111", f"the case sheet can be read more than one way: {why}.",
                           file=file, where=f"row {header_row}",
                           hint="rename or remove a column so one layout fits; " + LAYOUTS)

    quoted = lambda cols: " and ".join(f"{header[c].strip()!r} (column {c + 1})"  # noqa: E731
                                       for c in cols)
    if len(files) > 1:
        raise ambiguous(f"{quoted(files)} could both be the file column")
    if len(cases) > 1:
        raise ambiguous(f"{quoted(cases)} could both name the case")
    file_col = files[0] if files else None
    if cases:
        if not header[0].strip() and cases[0] != 0:
            raise ambiguous(f"the first column has no header (NVivo's layout puts the case "
                            f"names there) but {quoted(cases)} names the case too")
        return cases[0], file_col
    if file_col == 0:
        if len(names) > 1:
            raise ambiguous(f"{quoted(names)} could both name the case")
        return (names[0] if names else None), file_col
    return 0, file_col


def _header_problems(header: list[str], columns: list[int], header_row: int) -> list[str]:
    problems, seen = [], {}
    for col in columns:
        name = header[col].strip()
        if not name:
            problems.append(f"row {header_row}: column {col + 1} has values but no header")
        elif name.casefold() in seen:
            problems.append(f"row {header_row}: column header {name!r} appears twice "
                            f"(columns {seen[name.casefold()] + 1} and {col + 1})")
        else:
            seen[name.casefold()] = col
    return problems


def _cell(cells: list[str], col: int) -> str:
    return cells[col].strip() if col < len(cells) else ""


def _name_problems(rows: list[tuple[int, list[str]]], col: int, heading: str) -> list[str]:
    problems, first_row = [], {}
    what = f"column {col + 1}" + (f", {heading!r}" if heading else "")
    for number, cells in rows:
        name = _cell(cells, col)
        if not name:
            problems.append(f"row {number}: the case name ({what}) is empty")
        elif name in first_row:
            problems.append(f"row {number}: case {name!r} already appears in row "
                            f"{first_row[name]}")
        else:
            first_row[name] = number
    return problems


def _build(file: str, header: list[str], case_col: int | None, file_col: int | None,
           attrs: list[int], rows: list[tuple[int, list[str]]]) -> CaseTable:
    types = {header[c].strip(): infer_type([_cell(cells, c) for _, cells in rows])
             for c in attrs}
    out = []
    for number, cells in rows:
        values = {header[c].strip(): canonical(_cell(cells, c), types[header[c].strip()])
                  for c in attrs}
        link = _cell(cells, file_col) if file_col is not None else ""
        name = _cell(cells, case_col) if case_col is not None else Path(link).stem
        out.append(CaseRow(name, number, link or None, values, types))
    name_col = case_col if case_col is not None else file_col
    return CaseTable(file, header[name_col].strip(),
                     header[file_col].strip() if file_col is not None else None,
                     types, tuple(out))


def _header_key(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def _keys(headers: tuple[str, ...]) -> set[str]:
    return {_header_key(h) for h in headers} | {_header_key(h).replace(" ", "")
                                                for h in headers}


_FILE_KEYS = _keys(FILE_HEADERS)
_CASE_KEYS = _keys(CASE_HEADERS)
_NAME_KEYS = _keys(NAME_HEADERS)


# -- types -------------------------------------------------------------------------

def infer_type(values: list[str]) -> str:
    """The narrowest of integer, float, boolean, date, text that fits every non-empty value."""
    present = [v for v in values if v]
    if not present:
        return "text"
    for kind in ("integer", "float", "boolean", "date"):
        if all(_fits(v, kind) for v in present):
            return kind
    return "text"


def _fits(value: str, kind: str) -> bool:
    if kind == "integer":
        return bool(_INTEGER.fullmatch(value))
    if kind == "float":  # 1e309 is no number a spreadsheet can hold: kept as text
        return bool(_FLOAT.fullmatch(value)) and math.isfinite(float(value))
    if kind == "boolean":
        return value.casefold() in _TRUE | _FALSE
    return _parse_date(value) is not None


def _parse_date(value: str) -> dt.date | None:
    match = _DATE.fullmatch(value)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def canonical(value: str, kind: str) -> str | None:
    """The stored text of a value: ``None`` when empty, ISO dates, ``true``/``false``."""
    if not value:
        return None
    if kind == "boolean":
        return "true" if value.casefold() in _TRUE else "false"
    if kind == "date":
        return _parse_date(value).isoformat()
    if kind == "integer":
        return str(int(value))
    return value


def convert(value: str | None, kind: str) -> object:
    """A canonical value as a Python object of its attribute's type."""
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "float":
        number = float(value)
        return number if math.isfinite(number) else value  # stored before 1e309 was text
    if kind == "boolean":
        return value == "true"
    if kind == "date":
        return dt.date.fromisoformat(value)
    return value


# -- matching cases to sources --------------------------------------------------------

def match_cases(table: CaseTable, source_names: list[str]) -> CaseMatch:
    """Match sources to cases: by the file column (with or without extension), else by stem.

    Args:
        table: a sheet from :func:`read_cases`.
        source_names: source (file) names such as ``S01.txt``.

    Returns:
        ``source name → case name`` with the unmatched cases and sources.

    Raises:
        GtcodeError: E111 when no source matches any case.
    """
    by_name = {s: s for s in source_names}
    by_stem: dict[str, str] = {}
    for s in source_names:
        by_stem.setdefault(Path(s).stem, s)
    mapping: dict[str, str] = {}
    for row in table.rows:
        key = row.file or row.name
        source = by_name.get(key) or by_stem.get(key) or by_stem.get(Path(key).stem)
        if source and source not in mapping:
            mapping[source] = row.name
    if source_names and not mapping:
        raise GtcodeError(
            "E111", f"no case matches any source (cases: {_few(table.names)}; sources: "
                    f"{_few(list(source_names))}).", file=table.file,
            hint="name cases after the files (S01 for S01.txt) or add a file column")
    matched_cases = set(mapping.values())
    return CaseMatch(mapping, [n for n in table.names if n not in matched_cases],
                     [s for s in source_names if s not in mapping])


def _few(names: list[str], count: int = 3) -> str:
    shown = ", ".join(names[:count])
    return shown + (f" and {len(names) - count} more" if len(names) > count else "")
