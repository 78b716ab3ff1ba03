"""Reading a plain reliability-data table from CSV.

The format (what ``gtcode agree TABLE.csv`` reads)::

    unit,alice,bob,carol
    U01,praise,praise,
    U02,blame,praise,blame

* a header row naming the coders, one column per coder;
* an optional first column headed ``unit`` (any case) holding unit ids;
  without it, units are numbered ``1, 2, ...`` in file order;
* one row per unit; each cell a category, empty = the coder did not code it.

Cells are kept as text (surrounding spaces removed); the numeric alpha levels
read numeric text as numbers. The encoding is detected: UTF-8 with or without
BOM, UTF-16 with BOM, else GB18030 (what Excel writes on Chinese Windows).
The delimiter is the most frequent of ``,``, ``;`` and tab in the header
unless given.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from gtcode.errors import GtcodeError
from gtcode.files import read_input

#: A reliability table larger than this is refused (E110).
MAX_TABLE_BYTES = 256 * 2**20

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class ReliabilityTable:
    """A reliability-data table read from a file.

    Attributes:
        path: the file, as given.
        encoding: the encoding detected (``"utf-8"``, ``"utf-8-sig"``,
            ``"gb18030"``...); ``None`` for text parsed directly.
        delimiter: the column separator used.
        coders: coder names from the header.
        units: unit ids (from the ``unit`` column, else ``"1"``, ``"2"``...).
        matrix: units x coders; ``None`` where a cell was empty.
        has_unit_column: whether the file had a ``unit`` column.
    """

    path: str
    encoding: str | None
    delimiter: str
    coders: tuple[str, ...]
    units: tuple[str, ...]
    matrix: tuple[tuple[str | None, ...], ...]
    has_unit_column: bool


def decode_bytes(raw: bytes, file: str | Path) -> tuple[str, str]:
    """Decode a table file, detecting its encoding.

    Returns:
        ``(text, encoding)``.

    Raises:
        GtcodeError: E106 if the bytes look binary, E104 if nothing decodes.
    """
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, encoding in boms:
        if raw.startswith(bom):
            return _decode(raw, encoding, file), encoding
    if b"\x00" in raw:
        raise GtcodeError(
            "E106",
            "the file looks binary, not a CSV table.",
            file=file,
            hint="save the sheet as CSV",
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise GtcodeError(
        "E104", "the file is neither UTF-8 nor GB18030.", file=file, hint="save it as UTF-8 CSV"
    )


def _decode(raw: bytes, encoding: str, file: str | Path) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise GtcodeError(
            "E104", f"the file does not decode as {encoding} (byte {exc.start}).", file=file
        ) from None


def sniff_delimiter(text: str) -> str:
    """The most frequent of ``,``, ``;`` and tab in the first non-blank line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=lambda d: (first.count(d), d == ","))


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    for number, record in enumerate(reader, start=1):
        if any(cell.strip() for cell in record):
            out.append((number, [cell.strip() for cell in record]))
    return out


def _header(number: int, cells: list[str], file: str | Path) -> tuple[bool, tuple[str, ...]]:
    has_unit = bool(cells) and cells[0].lower() == "unit"
    coders = tuple(cells[1:] if has_unit else cells)
    where = f"row {number}"
    if any(not name for name in coders):
        raise GtcodeError(
            "E602", "a coder column has no name in the header.", file=file, where=where
        )
    duplicates = sorted({c for c in coders if coders.count(c) > 1})
    if duplicates:
        raise GtcodeError(
            "E602",
            f"coder name(s) {duplicates} appear twice in the header.",
            file=file,
            where=where,
        )
    if len(coders) < 2:
        raise GtcodeError(
            "E602",
            f"the header names {len(coders)} coder(s); agreement needs at least 2.",
            file=file,
            where=where,
            hint="one column per coder, optionally after a first column headed 'unit'",
        )
    return has_unit, coders


def parse_reliability_csv(
    text: str, *, file: str | Path = "<text>", delimiter: str | None = None
) -> ReliabilityTable:
    """Parse the text of a reliability-data CSV table (format in the module doc).

    Args:
        text: the decoded file content.
        file: the name used in error messages.
        delimiter: column separator; detected when ``None``.

    Raises:
        GtcodeError: E602 naming the file and row for a missing header, fewer
            than 2 coders, a row with the wrong number of cells, a missing or
            duplicate unit id, or no units.
    """
    delim = delimiter or sniff_delimiter(text)
    records = _records(text, delim)
    if not records:
        raise GtcodeError("E602", "the table is empty: no header row naming the coders.", file=file)
    has_unit, coders = _header(*records[0], file)
    width = len(coders) + has_unit
    units: list[str] = []
    seen: set[str] = set()
    matrix: list[tuple[str | None, ...]] = []
    for number, cells in records[1:]:
        where = f"row {number}"
        if len(cells) != width:
            raise GtcodeError(
                "E602",
                f"row has {len(cells)} cells but the header has {width}.",
                file=file,
                where=where,
                hint="leave a cell empty (not out) when a coder did not code the unit",
            )
        unit = cells[0] if has_unit else str(len(units) + 1)
        if not unit:
            raise GtcodeError(
                "E602", "row has no unit id in the 'unit' column.", file=file, where=where
            )
        if unit in seen:
            raise GtcodeError("E602", f"unit id {unit!r} appears twice.", file=file, where=where)
        seen.add(unit)
        units.append(unit)
        matrix.append(tuple(cell or None for cell in cells[has_unit:]))
    if not units:
        raise GtcodeError(
            "E602", "the table has a header but no units.", file=file, hint="add one row per unit"
        )
    return ReliabilityTable(str(file), None, delim, coders, tuple(units), tuple(matrix), has_unit)


def read_reliability_csv(path: str | Path, *, delimiter: str | None = None) -> ReliabilityTable:
    """Read a reliability-data CSV table, detecting encoding and delimiter.

    Args:
        path: the CSV file.
        delimiter: column separator; detected when ``None``.

    Returns:
        The table; ``matrix`` feeds any coefficient or :func:`agreement_report`.

    Raises:
        GtcodeError: E101 if the file cannot be read, E104/E106 if it does not
            decode as text, E602 (with file and row) if it is malformed.
    """
    raw = read_input(Path(path), max_bytes=MAX_TABLE_BYTES)
    text, encoding = decode_bytes(raw, path)
    table = parse_reliability_csv(text, file=path, delimiter=delimiter)
    return replace(table, path=str(path), encoding=encoding)
