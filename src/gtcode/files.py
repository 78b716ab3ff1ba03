"""Writing files safely: atomically, and with spreadsheet cells guarded.

Every file gtcode writes goes through here:

- :func:`atomic_write_bytes`, :func:`atomic_write_text` and :func:`atomic_output`
  write to a temp file beside the target, then rename it onto the target, so a
  reader (or a crash) sees the old file or the new one, never half of one;
- :func:`write_csv` writes UTF-8 csv files that way;
- :func:`is_formula_like` and :func:`csv_cell` guard cells against formula
  injection. A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return may be run as a formula by Excel or LibreOffice (OWASP "CSV
  injection"). The guard sits where a spreadsheet evaluates cells: xlsx files
  always store such text as an explicit string cell. A csv file is data that
  pandas, R and other programs read verbatim, so its text is written exactly
  as in the source; with ``excel_safe=True`` (``--excel-safe``) formula-like
  text gets a leading apostrophe instead (the convention spreadsheet programs
  honour). Plain numbers such as ``-3.5`` are never touched.

Files are created with the permissions the user's umask gives a new file
(``0644`` under umask ``022``), as any program's output would be, so a study
folder can be shared on a lab server.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from gtcode.errors import GtcodeError

TMP_SUFFIX = ".gtcode-tmp"
_TMP_NAME = re.compile(r"^\.(?P<stem>.+)\.(?P<pid>\d+)\.[^.]+(?P<ext>\.[^.]*)?"
                       + re.escape(TMP_SUFFIX) + r"(-wal|-shm|-journal)?$")


def _unwritable(path: Path, exc: OSError) -> GtcodeError:
    return GtcodeError("E701", f"the file cannot be written ({exc.strerror or exc}).",
                       file=path, hint="check that the folder exists, is writable and has "
                       "free space, and that the name is not a folder")


_UMASK_LOCK = threading.Lock()


def new_file_mode() -> int:
    """The mode a new file gets under the current umask (``0o644`` under ``022``)."""
    with _UMASK_LOCK:  # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _temp_file(path: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """Create the temp file beside ``path`` (its name holds our pid), sweeping stale ones.

    A temp file left by a killed gtcode (its pid no longer runs) is removed, so
    a crash never leaves litter that a later run trips over.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_temps(path.parent)
        fd, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.", suffix=suffix,
                                    dir=path.parent)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:  # mkstemp makes 0600; the finished file follows the umask like any output
        os.chmod(name, new_file_mode())
    except OSError:  # a file system without modes (FAT, some shares): keep what it gave
        pass
    return fd, name


def sweep_stale_temps(folder: Path) -> list[Path]:
    """Remove ``*.gtcode-tmp`` files in ``folder`` whose writing process is gone."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            match = _TMP_NAME.match(entry.name)
            if match and not _pid_alive(int(match["pid"])):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: never sweep
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive but not ours (EPERM), or unknown: leave its file alone
        return True
    return True


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by write-to-temp-then-rename.

    A reader (or a crash) sees either the old file or the new one, never half.
    Raises E701 when the file cannot be written.
    """
    path = Path(path)
    fd, tmp = _temp_file(path, f".{path.name}.", TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _unwritable(path, exc) from None
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Text form of :func:`atomic_write_bytes` (no newline translation)."""
    atomic_write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto ``path`` on success.

    For writers that need a file name (openpyxl, XlsxWriter, zipfile).
    """
    path = Path(path)
    fd, tmp = _temp_file(path, f".{path.stem}.", path.suffix + TMP_SUFFIX)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.replace(tmp_path, path)
        except OSError as exc:
            raise _unwritable(path, exc) from None
    except BaseException:
        for leftover in (tmp_path, *(Path(f"{tmp_path}{s}") for s in ("-wal", "-shm"))):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise


# -- spreadsheet cells and csv ------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet could take as a formula."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _NUMBER.match(value))


def csv_cell(value: object) -> object:
    """The value to put in an Excel-safe csv cell: formula-like text gets a leading ``'``."""
    if is_formula_like(value):
        return "'" + str(value)
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              bom: bool = False, excel_safe: bool = False) -> int:
    """Write a header and rows to ``path`` (temp file, then rename); return the row count.

    UTF-8 without BOM by default (``bom=True`` helps Excel on Windows open
    Chinese text). Line ends are LF. Text is written verbatim; with
    ``excel_safe`` formula-like text gets a leading apostrophe (:func:`csv_cell`).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    cell = csv_cell if excel_safe else (lambda value: value)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
    data = buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
    atomic_write_bytes(Path(path), data)
    return count
