"""The study: a folder holding ``gtcode.db``, the codebook YAML and ``exports/``.

This module opens and creates studies, runs migrations (backing the database
up first), and gives every command exactly one write transaction. SQL lives
in ``gtcode.store`` only.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from gtcode._version import __version__
from gtcode.errors import GtcodeError
from gtcode.files import atomic_output, atomic_write_text
from gtcode.store.codings import (
    CodingRow,
    EffectiveCoding,
    effective_codings,
    iter_codings,
)
from gtcode.store.meta import now_iso, read_meta, write_meta
from gtcode.store.schema import MIGRATIONS, SCHEMA_VERSION
from gtcode.store.sources import SegmentRow, SourceRow, iter_segments, list_sources

DB_NAME = "gtcode.db"
CODEBOOK_NAME = "codebook.yaml"
EXPORTS_DIR = "exports"
BACKUPS_DIR = "backups"
#: How long a writer waits for another gtcode process before giving up.
BUSY_TIMEOUT_S = 15.0


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

        The database is built in a temp file and renamed into place last, with
        ``setup(study)`` (e.g. the codebook's codes) done inside its first
        transaction, so a killed ``init`` leaves no study or a whole one.
        """
        path = Path(path)
        if (path / DB_NAME).exists():
            raise GtcodeError("E302", "a study already exists here.", file=path,
                              hint="choose another folder, or use `gtcode import` to add files")
        if path.exists() and not path.is_dir():
            raise GtcodeError("E302", "the path exists and is not a folder.", file=path)
        path.mkdir(parents=True, exist_ok=True)
        if codebook_yaml is not None and not (path / CODEBOOK_NAME).exists():
            atomic_write_text(path / CODEBOOK_NAME, codebook_yaml)
        (path / EXPORTS_DIR).mkdir(exist_ok=True)
        with atomic_output(path / DB_NAME) as tmp:
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
            finally:
                conn.close()
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(tmp) + suffix).unlink()
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> Study:
        """Open an existing study, migrating it (after a backup) if it is older."""
        path = Path(path)
        db = path / DB_NAME
        if not db.is_file():
            raise GtcodeError("E301", "no gtcode study here (gtcode.db is missing).", file=path,
                              hint="create one with `gtcode init STUDY` or `gtcode run`")
        conn = _connect(db)
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
    def write(self) -> Iterator[sqlite3.Connection]:
        """The one write transaction of a command (BEGIN IMMEDIATE ... COMMIT).

        Inside :meth:`snapshot`, the read view is closed first and a fresh one
        begun after the write, so a reader may still bring its codebook up to date.
        """
        reading = self._snapshot and self.conn.in_transaction
        if reading:
            self.conn.execute("COMMIT")
        try:
            with _transaction(self.conn, self.db_path):
                yield self.conn
        finally:
            if reading:
                self.conn.execute("BEGIN")

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

    def backup(self, reason: str) -> Path:
        """Copy the database to ``backups/gtcode-<time>-<reason>.db`` and return it.

        Runs outside any write transaction, before the change it guards; when
        the copy cannot be made it raises E701 and the command stops there,
        having changed nothing.
        """
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backups_dir / f"gtcode-{stamp}-{reason}.db"
        try:
            self.backups_dir.mkdir(exist_ok=True)
            with atomic_output(target) as tmp:
                dest = sqlite3.connect(tmp)
                try:
                    self.conn.backup(dest)
                finally:
                    dest.close()
        except (OSError, sqlite3.Error) as exc:
            raise GtcodeError("E701", f"the backup copy cannot be written ({exc}); nothing was "
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


def _connect(db: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    except sqlite3.DatabaseError as exc:
        raise _db_error(exc, db) from None
    return conn


def _db_error(exc: sqlite3.Error, db: Path) -> GtcodeError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return GtcodeError("E304", "another gtcode process is writing to this study and did not "
                           f"finish within {BUSY_TIMEOUT_S:.0f} s; nothing was changed.", file=db,
                           hint="wait for it to finish and run the command again")
    if "full" in text or "I/O" in text:
        return GtcodeError("E701", f"the study database cannot be written ({text}); nothing "
                           "was changed.", file=db, hint="free disk space and run it again")
    return GtcodeError("E307", f"the study database cannot be used ({text}).", file=db,
                       hint="restore the newest copy from the study's backups/ folder")


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, db: Path) -> Iterator[sqlite3.Connection]:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _db_error(exc, db) from None
    try:
        yield conn
    except sqlite3.OperationalError as exc:  # busy, disk full: a coded error, nothing kept
        _rollback(conn)
        raise _db_error(exc, db) from None
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(conn)
        raise _db_error(exc, db) from None


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if SQLite has not already done so itself (it does on a full disk)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _schema_version(conn: sqlite3.Connection, db: Path) -> int:
    try:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' "
                           "AND name='schema_migrations'").fetchone()
        if not has:
            return 0
        row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _db_error(exc, db) from None
    return int(row[0] or 0)


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(version, name, applied_at) "
                         "VALUES (?, ?, ?)", (version, name, now_iso()))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (triggers hold inner semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
