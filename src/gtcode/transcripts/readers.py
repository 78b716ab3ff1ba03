"""Read transcripts from disk into normalised :class:`~gtcode.transcripts.model.Document` s.

Readers are registered by file extension in :data:`READERS`; an unknown
extension raises E102 listing the supported ones. Every reader returns
normalised text (see :func:`gtcode.transcripts.encoding.normalise`); offsets
everywhere in gtcode are code-point indices into that text.

Traditional → simplified (``t2s=True``) keeps positions 1:1: each line is
converted with OpenCC's phrase-aware ``t2s``; when a converted line's length
differs from the original (or its non-hanzi characters moved), that line is
converted character by character instead (a character whose conversion is not
exactly one character is kept), so no offset ever shifts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gtcode.errors import GtcodeError
from gtcode.files import read_input
from gtcode.transcripts.encoding import decode_bytes, normalise
from gtcode.transcripts.model import Document, Turn

#: Files over this size are refused (E110) before a byte is read: an hour of interview is
#: about 50 KB, so 64 MB is years of talk and a bigger file is almost surely a mistake.
#: ``gtcode import --max-mb`` raises it.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

# Header names (compared without spaces/underscores, case-folded), simplified,
# traditional and English.
SPEAKER_HEADERS = ("speaker", "说话人", "發言人", "发言人", "說話人", "角色", "说话者", "說話者",
                   "讲话人", "講話人", "发言者", "發言者", "speakername", "name", "姓名", "role",
                   "who")
TEXT_HEADERS = ("text", "内容", "內容", "文本", "发言", "發言", "发言内容", "發言內容",
                "utterance", "content", "transcript", "话语", "話語", "转录", "轉錄", "speech",
                "transcription")
TIME_HEADERS = ("time", "时间", "時間", "timestamp", "时间戳", "時間戳", "start", "starttime",
                "开始时间", "開始時間", "开始", "開始", "时间点", "時間點", "begin")
#: Too common inside other words to match by containment (``filename``).
_EXACT_ONLY = frozenset({"name", "who", "role", "start", "begin"})


@dataclass(frozen=True)
class _Read:
    """What a reader hands back: normalised text and, for tables, the turns."""

    text: str
    encoding: str | None
    turns: tuple[Turn, ...] | None = None


@dataclass(frozen=True)
class Rows:
    """Rows of a .csv/.xlsx table: ``(row number, cells as text)``, blank rows left out."""

    rows: list[tuple[int, list[str]]]
    encoding: str | None


#: ``reader(raw bytes, file name, encoding option, max_bytes) -> _Read``.
Reader = Callable[[bytes, str, str | None, int], _Read]


def read_transcript(path: str | Path, *, encoding: str | None = None, t2s: bool = False,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and normalise one transcript.

    Args:
        path: a ``.txt``, ``.md``, ``.docx``, ``.csv`` or ``.xlsx`` file.
        encoding: codec for text files, overriding detection.
        t2s: convert traditional to simplified Chinese, keeping offsets 1:1.
        max_bytes: refuse files larger than this (E110).

    Returns:
        The document; ``turns`` is set for table transcripts (.csv/.xlsx).

    Raises:
        GtcodeError: E101–E107, E109, E110, E112 (see :mod:`gtcode.errors`).
    """
    path = Path(path)
    check_readable(path)
    return transcript_from_bytes(path, read_bytes(path, max_bytes), encoding=encoding, t2s=t2s,
                                 max_bytes=max_bytes)


def check_readable(path: Path) -> None:
    """Raise E102 unless gtcode reads files of ``path``'s type."""
    ext = path.suffix.lower()
    if ext not in READERS:
        raise GtcodeError("E102", f"cannot read {ext or 'files without an extension'}.",
                          file=path, hint="supported: " + ", ".join(sorted(READERS)))


def transcript_from_bytes(path: Path, raw: bytes, *, encoding: str | None = None,
                          t2s: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """:func:`read_transcript` of the bytes ``raw`` already read from ``path`` (a pure
    function: a Dask worker decodes files it cannot open itself)."""
    check_readable(path)
    ext = path.suffix.lower()
    read = READERS[ext](raw, str(path), encoding, max_bytes)
    if not read.text.strip():
        raise GtcodeError("E105", "the transcript holds no text.", file=path)
    text, turns = read.text, read.turns
    if t2s:
        text = to_simplified(text)
        turns = _simplified_turns(text, turns)
    return Document(name=path.name, path=path, kind=ext.lstrip("."), text=text,
                    encoding=read.encoding, raw_hash=hashlib.sha256(raw).hexdigest(),
                    turns=turns)


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, refusing missing or special (E101), too large (E110) and empty
    (E105) files: a named pipe or a device is never opened (see :func:`gtcode.files.read_input`).
    """
    raw = read_input(Path(path), max_bytes=max_bytes)
    if not raw:
        raise GtcodeError("E105", "the file is empty.", file=path)
    return raw


def read_text_file(path: str | Path, *, encoding: str | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A text file given to an option (a memo, a storyline, gold labels), read as
    transcripts are: any encoding they may be in (GBK, UTF-16, a BOM ...), detected
    the same way, then normalised (NFC, LF line ends).

    Raises:
        GtcodeError: E101, E103, E104, E105, E106, E110, E112 as for transcripts.
    """
    path = Path(path)
    decoded = decode_bytes(read_bytes(path, max_bytes), file=str(path), encoding=encoding)
    return normalise(decoded.text)


# -- plain text -------------------------------------------------------------

def _read_text(raw: bytes, file: str, encoding: str | None, max_bytes: int) -> _Read:
    decoded = decode_bytes(raw, file=file, encoding=encoding)
    return _Read(normalise(decoded.text), decoded.encoding)


# -- .docx --------------------------------------------------------------------

def _read_docx(raw: bytes, file: str, encoding: str | None, max_bytes: int) -> _Read:
    """Paragraphs and tables in body order; a table row is one line, cells tab-joined."""
    _check_zip(raw, file, max_bytes)
    from docx import Document as open_docx

    try:
        lines = _body_lines(open_docx(io.BytesIO(raw)).element.body)
    except Exception as exc:  # python-docx/lxml raise many types for damaged files
        raise _corrupt(file, ".docx") from exc
    return _Read(normalise("\n".join(lines)), None)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _body_lines(element) -> list[str]:
    """Lines of a body (or content control) in document order."""
    lines: list[str] = []
    for child in element.iterchildren():
        if child.tag == _W + "p":
            lines.append(_paragraph_text(child))
        elif child.tag == _W + "tbl":
            for row in child.iterchildren(_W + "tr"):
                cells = row.iterchildren(_W + "tc")
                lines.append("\t".join(_cell_text(cell) for cell in cells))
        elif child.tag == _W + "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                lines.extend(_body_lines(content))
    return lines


def _paragraph_text(p) -> str:
    from docx.text.paragraph import Paragraph

    return Paragraph(p, None).text


def _cell_text(tc) -> str:
    """All paragraphs of a cell (nested tables included) on one line.

    A cell's ``<w:tc>`` appears once per row even when merged across columns,
    so merged cells are not repeated; a vertically merged continuation is empty.
    """
    parts = (_paragraph_text(p) for p in tc.iter(_W + "p"))
    return re.sub(r"[\t\n]+", " ", " ".join(part for part in parts if part.strip()))


def _check_zip(raw: bytes, file: str, max_bytes: int) -> None:
    """Refuse damaged archives (E107) and archives that unpack too large (E110)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _corrupt(file, Path(file).suffix) from None
    if unpacked > max_bytes:
        raise GtcodeError("E110", f"the document unpacks to {unpacked / 2**20:.1f} MB, over "
                                  f"the limit of {max_bytes / 2**20:.0f} MB.", file=file,
                          hint="raise the limit with --max-mb if the file is right")


def _corrupt(file: str, kind: str) -> GtcodeError:
    return GtcodeError("E107", f"the {kind} file is corrupt or truncated.", file=file,
                       hint="open and re-save it in Word/Excel/WPS, or export it again")


# -- tables: .csv and .xlsx ----------------------------------------------------

def read_rows(path: str | Path, *, encoding: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES) -> Rows:
    """Rows of a ``.csv`` (any supported encoding) or ``.xlsx`` (first sheet) file.

    Cells are normalised text: numbers without a trailing ``.0``, dates as ISO
    ``YYYY-MM-DD``, booleans as ``true``/``false``, empty cells as ``""``.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in _TABLES:
        raise GtcodeError("E102", f"cannot read a table from {ext or 'this file'}.",
                          file=path, hint="supported: " + ", ".join(sorted(_TABLES)))
    return _TABLES[ext](read_bytes(path, max_bytes), str(path), encoding, max_bytes)


def _csv_rows(raw: bytes, file: str, encoding: str | None, max_bytes: int) -> Rows:
    decoded = decode_bytes(raw, file=file, encoding=encoding)
    text = normalise(decoded.text)
    # strict: an unbalanced quote is an error, not a cell swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows, start = [], 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((start, [c.strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error:
        raise GtcodeError("E107", "the .csv file is malformed (unbalanced quotes).",
                          file=file, where=f"line {start}") from None
    return Rows(rows, decoded.encoding)


def _delimiter(text: str) -> str:
    header = next((line for line in text.split("\n") if line.strip()), "")
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _xlsx_rows(raw: bytes, file: str, encoding: str | None, max_bytes: int) -> Rows:
    """Rows of the first sheet; a formula cell gives the value Excel saved with it.

    A formula whose value was never saved (a file written by a program that
    does not calculate) is refused naming its cell, never read as empty.
    """
    _check_zip(raw, file, max_bytes)
    formulas: dict[tuple[int, int], str] = {}
    table = _xlsx_cells(raw, file, data_only=False, formulas=formulas)
    if formulas:
        saved = _xlsx_cells(raw, file, data_only=True)
        for (row, col), ref in sorted(formulas.items()):
            value = saved.get(row, {}).get(col)
            if value is None:
                raise GtcodeError("E107", f"cell {ref} holds a formula whose value was never "
                                  "saved, so its value is unknown.", file=file,
                                  where=f"row {row}, cell {ref}",
                                  hint="open the file in Excel, WPS or LibreOffice and save it "
                                       "(that stores the values), or type the value")
            table[row][col] = value
    rows = []
    for number in sorted(table):
        cells = [_cell_str(table[number].get(c)) for c in range(max(table[number], default=-1) + 1)]
        if any(cells):
            rows.append((number, cells))
    return Rows(rows, None)


def _xlsx_cells(raw: bytes, file: str, *, data_only: bool,
                formulas: dict[tuple[int, int], str] | None = None
                ) -> dict[int, dict[int, object]]:
    """``{row: {column index: value}}`` of the first sheet; formula cells noted in ``formulas``."""
    from openpyxl import load_workbook

    table: dict[int, dict[int, object]] = {}
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            values = table.setdefault(number, {})
            for col, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f" and formulas is not None:
                    formulas[(number, col)] = cell.coordinate
                values[col] = cell.value
        book.close()
    except Exception as exc:  # openpyxl/lxml raise many types for damaged files
        raise _corrupt(file, ".xlsx") from exc
    return table


def _cell_str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return normalise(str(value)).strip()


def _read_table(raw: bytes, file: str, encoding: str | None, max_bytes: int) -> _Read:
    """A turn table: one row per turn, rendered as ``speaker：text`` lines."""
    table = _TABLES[Path(file).suffix.lower()](raw, file, encoding, max_bytes)
    if not table.rows:
        raise GtcodeError("E105", "the table holds no rows.", file=file)
    header_row, header = table.rows[0]
    columns = find_columns(header)
    if columns["speaker"] is None or columns["text"] is None:
        missing = " and ".join(k for k in ("speaker", "text") if columns[k] is None)
        raise GtcodeError(
            "E109", f"no {missing} column among the headers {header!r}.", file=file,
            where=f"row {header_row}",
            hint="name the columns e.g. speaker/说话人/发言人 and text/内容/文本/发言")
    text, turns = _render_turns(table.rows[1:], columns)
    return _Read(text, table.encoding, turns)


def find_columns(header: list[str]) -> dict[str, int | None]:
    """Indices of the speaker, text and time columns, by Chinese or English header name.

    Exact names win over names that merely contain one (``发言内容`` → text).
    """
    keys = [re.sub(r"[\s_\-]+", "", normalise(h)).casefold() for h in header]
    found: dict[str, int | None] = {}
    aliases = {"speaker": SPEAKER_HEADERS, "text": TEXT_HEADERS, "time": TIME_HEADERS}
    for role, names in aliases.items():
        found[role] = next((i for i, k in enumerate(keys) if k in names), None)
    for role, names in aliases.items():
        if found[role] is None:
            taken = set(found.values())
            found[role] = next((i for i, k in enumerate(keys) if i not in taken and any(
                n in k for n in names if n not in _EXACT_ONLY)), None)
    return found


def _render_turns(rows: list[tuple[int, list[str]]],
                  columns: dict[str, int | None]) -> tuple[str, tuple[Turn, ...]]:
    lines: list[str] = []
    turns: list[Turn] = []
    offset, speaker = 0, ""
    for _, cells in rows:
        utterance = re.sub(r"\s*\n\s*", " ", _cell(cells, columns["text"])).strip()
        if not utterance:
            continue
        speaker = re.sub(r"\s+", " ", _cell(cells, columns["speaker"])).strip() or speaker
        prefix = f"{speaker}：" if speaker else ""
        time = _cell(cells, columns["time"]) or None
        start = offset + len(prefix)
        turns.append(Turn(speaker, start, start + len(utterance), len(lines) + 1, time))
        lines.append(prefix + utterance)
        offset += len(lines[-1]) + 1
    return "\n".join(lines), tuple(turns)


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


# -- traditional → simplified ----------------------------------------------------

@lru_cache(maxsize=1)
def _t2s():
    import opencc

    try:
        return opencc.OpenCC("t2s")
    except Exception:  # older bindings want the file name
        return opencc.OpenCC("t2s.json")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with every character staying at its offset."""
    converter = _t2s()
    singles: dict[str, str] = {}
    out = []
    for line in text.split("\n"):
        converted = converter.convert(line)
        if not _aligned(line, converted):
            converted = "".join(_convert_char(converter, ch, singles) for ch in line)
        out.append(converted)
    return "\n".join(out)


def _aligned(before: str, after: str) -> bool:
    """Same length, and only CJK characters changed (nothing slid along)."""
    return len(before) == len(after) and all(
        a == b or (ord(a) >= 0x2E80 and ord(b) >= 0x2E80) for a, b in zip(before, after))


def _convert_char(converter, ch: str, singles: dict[str, str]) -> str:
    if ch not in singles:
        converted = converter.convert(ch) if ord(ch) >= 0x2E80 else ch
        singles[ch] = converted if len(converted) == 1 else ch
    return singles[ch]


def _simplified_turns(text: str,
                      turns: tuple[Turn, ...] | None) -> tuple[Turn, ...] | None:
    """Turns whose speaker names are read back from the converted ``speaker：`` prefix."""
    if turns is None:
        return None
    return tuple(Turn(text[t.start - len(t.speaker) - 1:t.start - 1] if t.speaker else "",
                      t.start, t.end, t.line, t.time) for t in turns)


READERS: dict[str, Reader] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".docx": _read_docx,
    ".csv": _read_table,
    ".xlsx": _read_table,
}
_TABLES = {".csv": _csv_rows, ".xlsx": _xlsx_rows}
