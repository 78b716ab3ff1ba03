"""The study's clock and its ``meta`` table: what every store module may need, below them all."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime


def now_iso() -> str:
    """The current UTC time as ``2025-06-18T02:08:15Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    """One ``meta`` value, or ``default``."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def write_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set one ``meta`` value (inside the caller's transaction)."""
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
