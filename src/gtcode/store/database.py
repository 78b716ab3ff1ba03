"""The SQLite file under a study: connecting, identifying, transactions, migrations.

A connection is made only to a file that is a gtcode study: an empty file or
another program's database is refused before any pragma writes to it. SQLite's
errors become coded errors that say what is true (busy, read-only, disk full,
corrupt).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from gtcode.errors import GtcodeError
from gtcode.files import describe_os_error
from gtcode.store.meta import now_iso
from gtcode.store.schema import MIGRATIONS

#: How long a writer waits for another gtcode process before giving up.
BUSY_TIMEOUT_S = 15.0
#: The first 16 bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_header(db: Path) -> None:
    """Refuse an empty file, or one that is not SQLite at all, without touching it."""
    try:
        with open(db, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise GtcodeError("E307", f"the study database cannot be read "
                          f"({describe_os_error(exc)}).", file=db) from None
    if not head:
        raise GtcodeError("E307", "the study database is empty (0 bytes): it was truncated or "
                          "never finished; it is left as it is.", file=db,
                          hint="restore the newest copy from the study's backups/ folder (or "
                               "from your own backup); gtcode never re-creates a study over it")
    if head != SQLITE_MAGIC:
        raise GtcodeError("E307", "the study database cannot be used (file is not a database).",
                          file=db, hint="restore the newest copy from the study's backups/ "
                                        "folder")


def _identify(conn: sqlite3.Connection, db: Path) -> None:
    """Refuse a SQLite database that is not a gtcode study (read only; nothing written)."""
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    except sqlite3.DatabaseError as exc:
        raise db_error(exc, db) from None
    if "schema_migrations" in tables and "meta" in tables:
        return
    if not tables:
        raise GtcodeError("E307", "the study database holds no tables: it is empty or was "
                          "truncated; it is left as it is.", file=db,
                          hint="restore the newest copy from the study's backups/ folder")
    shown = ", ".join(tables[:5]) + (" ..." if len(tables) > 5 else "")
    raise GtcodeError("E301", f"this gtcode.db is not a gtcode study: it is another program's "
                      f"SQLite database (tables: {shown}); it was not changed.", file=db,
                      hint="restore the study's database from its backups/ folder, or move "
                           "that file away")


def connect(db: Path, *, identify: bool = False) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise db_error(exc, db) from None
    if identify:
        try:
            _identify(conn, db)
        except BaseException:
            conn.close()
            raise
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise db_error(exc, db) from None
    return conn


def db_error(exc: sqlite3.Error, db: Path) -> GtcodeError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return GtcodeError("E304", "another gtcode process is writing to this study and did not "
                           f"finish within {BUSY_TIMEOUT_S:.0f} s; nothing was changed.", file=db,
                           hint="wait for it to finish and run the command again")
    if "readonly" in text or "read-only" in text or (
            "unable to open" in text and not os.access(db.parent, os.W_OK)):
        return GtcodeError("E701", f"the study is read-only ({text}): its database or folder "
                           "cannot be written; nothing was changed.", file=db,
                           hint="make the study folder and gtcode.db writable, or copy the "
                                "study to a writable disk")
    if "full" in text:
        return GtcodeError("E701", f"there is no space left on the disk ({text}); nothing was "
                           "changed.", file=db, hint="free disk space and run it again")
    if "I/O" in text:
        return GtcodeError("E701", f"the study database cannot be written ({text}); nothing "
                           "was changed.", file=db, hint="check the disk and free space, and "
                           "run it again")
    return GtcodeError("E307", f"the study database cannot be used ({text}).", file=db,
                       hint="restore the newest copy from the study's backups/ folder")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, db: Path) -> Iterator[sqlite3.Connection]:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise db_error(exc, db) from None
    try:
        yield conn
    except sqlite3.OperationalError as exc:  # busy, disk full: a coded error, nothing kept
        _rollback(conn)
        raise db_error(exc, db) from None
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(conn)
        raise db_error(exc, db) from None


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if SQLite has not already done so itself (it does on a full disk)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def schema_version(conn: sqlite3.Connection, db: Path) -> int:
    try:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' "
                           "AND name='schema_migrations'").fetchone()
        if not has:
            return 0
        row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    except sqlite3.DatabaseError as exc:
        raise db_error(exc, db) from None
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection) -> None:
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
