"""Reading and writing files safely: regular files only, atomic writes, guarded cells.

Every file gtcode reads as input goes through :func:`read_input` (or
:func:`check_input` for libraries that open the file themselves): only regular
files are read, never a named pipe, a device or a socket (reading one would
hang or never end), and never more than a size limit.

Every file gtcode writes goes through here:

- :func:`guard_output` checks the path first: never a file a study owns
  (``gtcode.db*``, the study's ``codebook.yaml``, its ``backups/``), never an
  existing folder or special file, and, through an ``inspect`` callback,
  never a file holding work that would be lost (a filled-in review sheet
  never applied) unless the caller allowed it with :func:`overwriting`;

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
import contextvars
import csv
import errno
import io
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.errors import GtcodeError

TMP_SUFFIX = ".gtcode-tmp"
_TMP_NAME = re.compile(r"^\.(?P<stem>.+)\.(?P<pid>\d+)\.[^.]+(?P<ext>\.[^.]*)?"
                       + re.escape(TMP_SUFFIX) + r"(-wal|-shm|-journal)?$")

#: What a study folder holds that only the study itself may write.
STUDY_DB = "gtcode.db"
STUDY_CODEBOOK = "codebook.yaml"
STUDY_BACKUPS = "backups"
_DB_FILES = {STUDY_DB, *(STUDY_DB + suffix for suffix in ("-wal", "-shm", "-journal"))}

#: csv cells may hold a whole transcript: Python's default limit (128 KiB) is far too
#: small, so it is raised once, deliberately, to the largest input gtcode reads.
CSV_FIELD_LIMIT = 2**31 - 1
csv.field_size_limit(CSV_FIELD_LIMIT)


def describe_os_error(exc: OSError) -> str:
    """What an OS error means, in words that say what is true (disk full, read-only ...)."""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "there is no space left on the disk"
    if code == errno.EROFS:
        return "the disk or folder is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied: the file or its folder is read-only for you"
    if code == errno.ENOENT:
        return "the folder does not exist"
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code == errno.EISDIR:
        return "the path is a folder"
    return str(exc.strerror or exc)


def _unwritable(path: Path, exc: OSError) -> GtcodeError:
    what = describe_os_error(exc)
    hints = {errno.ENOSPC: "free some disk space and run it again; nothing was written",
             errno.EROFS: "write to a folder on a writable disk",
             errno.EACCES: "choose a folder you may write to, or change its permissions",
             errno.EPERM: "choose a folder you may write to, or change its permissions"}
    return GtcodeError("E701", f"the file cannot be written ({what}).", file=path,
                       hint=hints.get(exc.errno, "check that the folder exists and is "
                                      "writable, and that the name is not a folder"))


# -- reading inputs ----------------------------------------------------------------

def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_input(path: Path, *, max_bytes: int | None = None) -> os.stat_result:
    """Refuse what must not be opened for reading: a missing path (E101), a folder,
    a named pipe, a device or a socket (E101), a file over ``max_bytes`` (E110).

    Nothing is opened: a FIFO would block the open, ``/dev/zero`` would never end.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise GtcodeError("E101", "the file does not exist.", file=path,
                          hint="check the path") from None
    except OSError as exc:
        raise GtcodeError("E101", f"the file cannot be read ({describe_os_error(exc)}).",
                          file=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise GtcodeError("E101", f"this is {_kind(info.st_mode)}, not a regular file; "
                          "gtcode reads only regular files.", file=path,
                          hint="save the content to a file and give that file")
    if max_bytes is not None and info.st_size > max_bytes:
        raise _too_large(path, info.st_size, max_bytes)
    return info


def _too_large(path: Path, size: int, max_bytes: int) -> GtcodeError:
    return GtcodeError("E110", f"the file is {size / 2**20:.1f} MB, over the limit of "
                       f"{max_bytes / 2**20:.0f} MB.", file=path,
                       hint="check that this is the right file; split it, or raise the "
                            "limit (--max-mb where the command has it)")


def read_input(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see :func:`check_input`).

    The file is opened without blocking and checked again once open, so a
    file swapped for a pipe meanwhile cannot hang the read either.
    """
    path = Path(path)
    check_input(path, max_bytes=max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise GtcodeError("E101", f"the file cannot be read ({describe_os_error(exc)}).",
                          file=path) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise GtcodeError("E101", "this is not a regular file; gtcode reads only regular "
                              "files.", file=path)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise GtcodeError("E101", f"the file cannot be read ({describe_os_error(exc)}).",
                              file=path) from None
    if len(data) > max_bytes:
        raise _too_large(path, len(data), max_bytes)
    return data


# -- where outputs may go --------------------------------------------------------------

@dataclass
class OverwritePolicy:
    """Whether work found in an output file may be overwritten, and what was."""

    force: bool = False
    lost: list[str] = field(default_factory=list)


_POLICY: contextvars.ContextVar[OverwritePolicy | None] = contextvars.ContextVar(
    "gtcode_overwrite_policy", default=None)


@contextlib.contextmanager
def overwriting(force: bool) -> Iterator[list[str]]:
    """Allow (``force=True``) writers to overwrite files holding work, inside the block.

    Yields the list to which each overwritten file's loss is added (``file: what``),
    so the caller can say what was lost. Without it, such files are refused (E702).
    """
    policy = OverwritePolicy(force)
    token = _POLICY.set(policy)
    try:
        yield policy.lost
    finally:
        _POLICY.reset(token)


def study_owner(path: Path) -> str | None:
    """What of a study ``path`` is (its database, codebook or backups), else None."""
    resolved = Path(os.path.realpath(path))
    name = resolved.name.casefold()
    if name in _DB_FILES:
        return "database"
    if name == STUDY_CODEBOOK and (resolved.parent / STUDY_DB).exists():
        return "codebook"
    for folder in resolved.parents:
        if folder.name.casefold() == STUDY_BACKUPS and (folder.parent / STUDY_DB).exists():
            return "backups"
    return None


#: ``inspect(path)`` says what work an existing file holds that would be lost, or None.
Inspect = Callable[[Path], str | None]


def guard_output(path: Path, *, inspect: Inspect | None = None) -> None:
    """Refuse an output path before anything is written (E702).

    Never a file a study owns (any ``gtcode.db*``, a study's ``codebook.yaml``, a
    file in its ``backups/``), never an existing folder, pipe, device or socket.
    ``inspect`` looks at an existing file: work it holds (a filled-in review
    sheet not applied) is refused unless :func:`overwriting` allows it, which
    then records what was lost.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise GtcodeError("E702", f"the output path is {_kind(info.st_mode)}; an output must "
                          "be a file, nothing was written.", file=path,
                          hint="give a file name (inside the folder, if you meant a folder)")
    owner = study_owner(path)
    if owner is not None:
        raise GtcodeError("E702", f"this is the study's own {owner}; writing an output there "
                          "would destroy it, nothing was written.", file=path,
                          hint="write outputs outside the study's database, codebook and "
                               "backups, e.g. into STUDY/exports/")
    if info is None or inspect is None:
        return
    lost = inspect(path)
    if not lost:
        return
    policy = _POLICY.get()
    if policy is None or not policy.force:
        raise GtcodeError("E702", f"the file holds {lost}; overwriting it would lose that "
                          "work, nothing was written.", file=path,
                          hint="apply it first (gtcode sheet apply), write to another file, "
                               "or pass --force to overwrite it")
    policy.lost.append(f"{path}: {lost}")


_UMASK_LOCK = threading.Lock()


def new_file_mode() -> int:
    """The mode a new file gets under the current umask (``0o644`` under ``022``)."""
    with _UMASK_LOCK:  # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _temp_file(path: Path, prefix: str, suffix: str, *, private: bool = False
               ) -> tuple[int, str]:
    """Create the temp file beside ``path`` (its name holds our pid), sweeping stale ones.

    A temp file left by a killed gtcode (its pid no longer runs) is removed, so
    a crash never leaves litter that a later run trips over. ``private``: keep
    mkstemp's owner-only mode (0600), for files that hold identifiers.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_temps(path.parent)
        fd, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.", suffix=suffix,
                                    dir=path.parent)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if private:
        return fd, name
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
            if match and not pid_alive(int(match["pid"])):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process runs (True when it cannot be told, and always on Windows)."""
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: never sweep
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive but not ours (EPERM), or unknown: leave its file alone
        return True
    return True


def _write_all(handle, data: bytes) -> None:
    """Write and flush to the disk (a full disk shows up here, as ENOSPC)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def atomic_write_bytes(path: Path, data: bytes, *, owner: bool = False) -> None:
    """Write ``data`` to ``path`` by write-to-temp-then-rename.

    A reader (or a crash) sees either the old file or the new one, never half.
    The path is checked by :func:`guard_output` first (``owner=True``: the
    study writing its own files). Raises E701 when the file cannot be written
    (saying why: no space left, read-only ...); nothing is left behind.
    """
    path = Path(path)
    if not owner:
        guard_output(path)
    fd, tmp = _temp_file(path, f".{path.name}.", TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_all(handle, data)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _unwritable(path, exc) from None
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8", *,
                      owner: bool = False) -> None:
    """Text form of :func:`atomic_write_bytes` (no newline translation)."""
    atomic_write_bytes(path, text.encode(encoding), owner=owner)


@contextlib.contextmanager
def atomic_output(path: Path, *, owner: bool = False, private: bool = False
                  ) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto ``path`` on success.

    For writers that need a file name (openpyxl, XlsxWriter, zipfile). The path
    is checked as by :func:`atomic_write_bytes`; an OS error while writing the
    temp file (a full disk) becomes E701 and the temp file is removed.
    ``private``: the file is readable by its owner only from its first byte
    (identifiers: a pseudonymisation key, review file or the copy made before).
    """
    path = Path(path)
    if not owner:
        guard_output(path)
    fd, tmp = _temp_file(path, f".{path.stem}.", path.suffix + TMP_SUFFIX, private=private)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
            os.replace(tmp_path, path)
        except OSError as exc:
            raise _unwritable(path, exc) from None
    except BaseException:
        for leftover in (tmp_path, *(Path(f"{tmp_path}{s}") for s in ("-wal", "-shm"))):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise


# -- text in XML-based files ----------------------------------------------------

#: Characters XML 1.0 cannot hold (C0 controls but tab and line ends, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text safe in any XML-based file (Word, GraphML): characters XML cannot hold removed.

    A codebook cannot hold control characters in names any more (validation refuses
    them), but names reach exports from older studies and imported projects too.
    """
    return _NOT_XML.sub("", "" if value is None else str(value))


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
