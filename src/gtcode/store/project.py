"""The study: a folder holding ``gtcode.db``, the codebook YAML and ``exports/``.

This module opens and creates studies, runs migrations (backing the database
up first), and gives every command exactly one write transaction. SQL lives
in ``gtcode.store`` only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from gtcode._version import __version__
from gtcode.errors import GtcodeError
from gtcode.files import (
    STUDY_BACKUPS,
    STUDY_CODEBOOK,
    STUDY_DB,
    atomic_output,
    atomic_write_text,
    describe_os_error,
    pid_alive,
)
from gtcode.store.codings import (
    CodingRow,
    EffectiveCoding,
    effective_codings,
    iter_codings,
)
from gtcode.store.database import check_header
from gtcode.store.database import connect as _connect
from gtcode.store.database import db_error as _db_error
from gtcode.store.database import migrate as _migrate
from gtcode.store.database import schema_version as _schema_version
from gtcode.store.database import transaction as _transaction
from gtcode.store.meta import now_iso, read_meta, write_meta
from gtcode.store.schema import SCHEMA_VERSION
from gtcode.store.sources import SegmentRow, SourceRow, iter_segments, list_sources

DB_NAME = STUDY_DB
CODEBOOK_NAME = STUDY_CODEBOOK
EXPORTS_DIR = "exports"
BACKUPS_DIR = STUDY_BACKUPS
#: Held (created exclusively) while ``gtcode init`` builds a study in a folder.
INIT_LOCK = ".gtcode-init.lock"


T = TypeVar("T")


class Study:
    """An open study. Use :meth:`create` or :meth:`open`, then :meth:`write`.

    Reads may run outside a transaction; every change goes through one
    ``with study.write():`` block per command, so a killed process leaves
    either all or none of that command's effect.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = Path(path)
        self.conn = conn
        self._snapshot = False
        self._memo: dict[Any, Any] | None = None
        self._writes = 0
        self._version: int | None = None  # PRAGMA data_version when the memo was last valid

    # -- locations -------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def codebook_path(self) -> Path:
        return self.path / CODEBOOK_NAME

    @property
    def exports_dir(self) -> Path:
        return self.path / EXPORTS_DIR

    @property
    def backups_dir(self) -> Path:
        return self.path / BACKUPS_DIR

    # -- lifecycle -------------------------------------------------------
    @classmethod
    def create(cls, path: Path, codebook_yaml: str | None = None,
               setup: Callable[[Study], None] | None = None) -> Study:
        """Create a new study folder; refuse if one is already there (E302).

        Creation is exclusive: the folder is claimed with a lock file made with
        O_EXCL, so of two ``init`` runs on one folder one wins and the other is
        refused (E302, the folder was taken). The database is built in a temp
        file and renamed into place last, with ``setup(study)`` (e.g. the
        codebook's codes) done inside its first transaction. When anything fails
        (a full disk) what this call made is removed again: a folder it created
        goes entirely, in an existing folder the files it wrote, so a failed or
        killed ``init`` leaves no study or a whole one.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise GtcodeError("E302", "the path exists and is not a folder.", file=path)
        if (path / DB_NAME).exists():
            raise _exists(path)
        made: list[Path] = []
        created_folder = _make_folder(path)
        lock = _claim(path, created_folder)
        try:
            if (path / DB_NAME).exists():  # another init finished while we looked
                raise _exists(path)
            if codebook_yaml is not None and not (path / CODEBOOK_NAME).exists():
                atomic_write_text(path / CODEBOOK_NAME, codebook_yaml, owner=True)
                made.append(path / CODEBOOK_NAME)
            if not (path / EXPORTS_DIR).exists():
                (path / EXPORTS_DIR).mkdir()
                made.append(path / EXPORTS_DIR)
            _build_database(cls, path, setup)
        except BaseException as exc:
            _undo(path, created_folder, made, lock)
            if isinstance(exc, OSError):
                raise GtcodeError("E701", f"the study cannot be created "
                                  f"({describe_os_error(exc)}); nothing was left behind.",
                                  file=path) from None
            raise
        with contextlib.suppress(OSError):
            lock.unlink()
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> Study:
        """Open an existing study, migrating it (after a backup) if it is older.

        Only a gtcode study is opened: an empty or truncated ``gtcode.db``, or
        another program's SQLite database, is refused (E307, E301) before
        anything is written to it, never re-created or migrated.
        """
        path = Path(path)
        db = path / DB_NAME
        if not db.is_file():
            raise GtcodeError("E301", "no gtcode study here (gtcode.db is missing).", file=path,
                              hint="create one with `gtcode init STUDY` or `gtcode run`")
        check_header(db)
        conn = _connect(db, identify=True)
        study = cls(path, conn)
        try:
            version = _schema_version(conn, db)
            if version > SCHEMA_VERSION:
                raise GtcodeError("E305", f"the study uses schema {version}, newer than this "
                                  f"gtcode knows ({SCHEMA_VERSION}).", file=db,
                                  hint="upgrade gtcode")
            if version < SCHEMA_VERSION:
                study.backup(f"before-migration-{version}-to-{SCHEMA_VERSION}")
                _migrate(conn)
        except BaseException:
            conn.close()
            raise
        return study

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self, *, keep: Collection[Hashable] = ()) -> Iterator[sqlite3.Connection]:
        """The one write transaction of a command (BEGIN IMMEDIATE ... COMMIT).

        Inside :meth:`snapshot`, the read view is closed first and a fresh one
        begun after the write, so a reader may still bring its codebook up to date.

        Args:
            keep: keys of :meth:`remember` values this write leaves true (the caller
                writes nothing they were read from); they are kept unless another
                connection wrote to the study since they were read. Everything
                else remembered is forgotten.
        """
        reading = self._snapshot and self.conn.in_transaction
        if reading:
            self.conn.execute("COMMIT")
        kept: dict[Any, Any] = {}
        try:
            with _transaction(self.conn, self.db_path):
                if keep and self._memo and self._data_version() == self._version:
                    kept = {key: value for (writes, key), value in self._memo.items()
                            if writes == self._writes and key in keep}
                yield self.conn
        finally:
            self._writes += 1  # what was remembered no longer holds
            if self._memo:
                self._memo.clear()
            if reading:
                self.conn.execute("BEGIN")
            if self._memo is not None:
                self._memo.update({(self._writes, key): value for key, value in kept.items()})
                self._version = self._data_version()

    def _data_version(self) -> int:
        """SQLite's count of commits by other connections (also starts a read view)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    @contextlib.contextmanager
    def remembering(self) -> Iterator[None]:
        """Inside, :meth:`remember` keeps what it builds until the study is written.

        For a command that reads the same analysis several times over one
        :meth:`snapshot` (``gtcode run`` writes eight outputs from one coded study).
        """
        if self._memo is not None:
            yield
            return
        self._memo = {}
        self._version = self._data_version()
        try:
            yield
        finally:
            self._memo = None

    def remember(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, or what it returned for ``key`` earlier inside :meth:`remembering`
        (and since the last write); outside it, always ``build()``. Callers treat the
        value as read-only: it is shared."""
        if self._memo is None:
            return build()
        key = (self._writes, key)
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def in_snapshot(self) -> bool:
        """True inside :meth:`snapshot` while its read transaction is open."""
        return self._snapshot and self.conn.in_transaction

    def hold_view(self) -> None:
        """Fix the snapshot's read view now (``BEGIN`` alone reads nothing yet, so the
        view would start at the first read): a process forked after this reads the
        very view this one holds, for as long as this one keeps the snapshot open."""
        if not self.in_snapshot:
            raise RuntimeError("hold_view() is for inside snapshot()")
        self._data_version()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One consistent view of the study for a command that reads many tables (an export).

        Without it every query sees the latest commit, so a sheet applied by
        another process halfway through an export would leave the export half
        old, half new. The view never blocks writers (WAL).
        """
        if self._snapshot:
            yield self.conn
            return
        self._snapshot = True
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self._snapshot = False
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    # -- what it holds ----------------------------------------------------------
    def codings(self, *, coders: Sequence[str] | None = None) -> list[EffectiveCoding]:
        """The codings that count for analysis, in source order (human decisions first).

        Accepted human and imported codings, and machine suggestions no human
        rejected on that segment (the ``counted_codings`` view); ``coders``
        keeps only those coders' codings.
        """
        return effective_codings(self.conn, coders=tuple(coders) if coders else None)

    def all_codings(self, *, coder: str | None = None) -> list[CodingRow]:
        """Every coding with its passage text, rejections and rejected suggestions too."""
        return list(iter_codings(self.conn, include_rejected=True, coder=coder))

    def sources(self) -> list[SourceRow]:
        """Every source (name, case, text, language, ...) in collection order."""
        return list_sources(self.conn)

    def segments(self, *, role: str | None = None) -> list[SegmentRow]:
        """Every segment (speaker turn) with its text, optionally of one role only."""
        return list(iter_segments(self.conn, role=role))

    # -- metadata and backups -----------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        return read_meta(self.conn, key, default)

    def set_meta(self, key: str, value: str) -> None:
        """Set a metadata value; call inside :meth:`write`."""
        write_meta(self.conn, key, value)

    def backup(self, reason: str, folder: Path | None = None, *, private: bool = False
               ) -> Path:
        """Copy the database to ``backups/gtcode-<time>-<reason>.db`` and return it.

        Runs outside any write transaction, before the change it guards; when
        the copy cannot be made it raises E701 and the command stops there,
        having changed nothing. ``folder``: another folder than the study's
        ``backups/`` (the copy before pseudonymising goes beside the key, outside
        the study, because it holds the identifiers); ``private``: readable by its
        owner only (that copy).
        """
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder = self.backups_dir if folder is None else Path(folder)
        target = folder / f"gtcode-{stamp}-{reason}.db"
        try:
            folder.mkdir(exist_ok=True)
            with atomic_output(target, owner=True, private=private) as tmp:
                dest = sqlite3.connect(tmp)
                try:
                    self.conn.backup(dest)
                finally:
                    dest.close()
        except (OSError, sqlite3.Error, GtcodeError) as exc:
            why = describe_os_error(exc) if isinstance(exc, OSError) else (
                exc.message if isinstance(exc, GtcodeError) else str(exc))
            raise GtcodeError("E701", f"the backup copy cannot be written ({why}); nothing was "
                              "changed.", file=target,
                              hint="make the study's backups/ folder writable, or free space"
                              ) from None
        return target

    def backups(self) -> list[Path]:
        if not self.backups_dir.is_dir():
            return []
        return sorted(self.backups_dir.glob("gtcode-*.db"))

    def schema_version(self) -> int:
        return _schema_version(self.conn, self.db_path)


def _exists(path: Path) -> GtcodeError:
    return GtcodeError("E302", "a study already exists here.", file=path,
                       hint="choose another folder, or use `gtcode import` to add files")


def _make_folder(path: Path) -> bool:
    """Make the study folder (and its parents); True when this call made it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir()
    except FileExistsError:
        if not path.is_dir():
            raise GtcodeError("E302", "the path exists and is not a folder.",
                              file=path) from None
        return False
    except OSError as exc:
        raise GtcodeError("E701", f"the study folder cannot be made ({describe_os_error(exc)}).",
                          file=path) from None
    return True


def _claim(path: Path, created_folder: bool) -> Path:
    """Create the init lock exclusively (E302 when another init holds it)."""
    lock = path / INIT_LOCK
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _stale(lock):
                with contextlib.suppress(OSError):
                    lock.unlink()
                continue
            raise GtcodeError("E302", "another gtcode is creating a study in this folder right "
                              "now; the folder was taken, nothing was done here.", file=path,
                              hint="use the study it creates, or choose another folder"
                              ) from None
        except OSError as exc:
            if created_folder:
                shutil.rmtree(path, ignore_errors=True)
            raise GtcodeError("E701", f"the study cannot be created ({describe_os_error(exc)}); "
                              "nothing was left behind.", file=path) from None
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        return lock
    raise GtcodeError("E302", "the folder was taken by another gtcode init.", file=path)


def _stale(lock: Path) -> bool:
    """A lock whose process is gone (a killed init) may be taken over."""
    try:
        pid = int(lock.read_text(encoding="ascii").strip() or "0")
    except (OSError, ValueError):
        return False  # being written right now, or unreadable: not ours to judge
    return pid > 0 and not pid_alive(pid)


def _build_database(cls, path: Path, setup: Callable[[Study], None] | None) -> None:
    with atomic_output(path / DB_NAME, owner=True) as tmp:
        tmp.unlink()
        conn = _connect(tmp)
        try:
            _migrate(conn)
            with _transaction(conn, tmp):
                write_meta(conn, "created_at", now_iso())
                write_meta(conn, "created_by", f"gtcode {__version__}")
                if setup is not None:
                    setup(cls(path, conn))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _db_error(exc, path / DB_NAME) from None
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(tmp) + suffix).unlink()


def _undo(path: Path, created_folder: bool, made: list[Path], lock: Path) -> None:
    """Remove what a failed create made (never anything that was there before)."""
    if created_folder:
        shutil.rmtree(path, ignore_errors=True)
        return
    for item in reversed(made):
        with contextlib.suppress(OSError):
            item.rmdir() if item.is_dir() else item.unlink()
    with contextlib.suppress(OSError):
        lock.unlink()
