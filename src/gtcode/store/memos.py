"""Memos in the study database: insert, read, and check what a memo is about."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from gtcode.store.meta import now_iso


@dataclass(frozen=True)
class MemoRow:
    id: int
    target_type: str
    target: str | None
    author: str
    title: str | None
    text: str
    origin: str
    guid: str | None
    created_at: str
    updated_at: str


_COLS = ("id, target_type, target, author, title, text, origin, guid, created_at, updated_at")


def insert_memo(conn: sqlite3.Connection, *, target_type: str, target: str | None, author: str,
                title: str | None, text: str, origin: str = "cli", guid: str | None = None,
                at: str | None = None) -> int:
    """Insert a memo and return its id (``at`` defaults to now, UTC)."""
    stamp = at or now_iso()
    cur = conn.execute("INSERT INTO memos(target_type, target, author, title, text, origin, guid, "
                       "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (target_type, target, author, title, text, origin, guid, stamp, stamp))
    return int(cur.lastrowid)


def list_memos(conn: sqlite3.Connection, *, target_type: str | None = None,
               target: str | None = None) -> list[MemoRow]:
    """Memos (optionally of one target) oldest first."""
    where, args = [], []
    if target_type:
        where.append("target_type = ?")
        args.append(target_type)
    if target is not None:
        where.append("target = ?")
        args.append(target)
    sql = f"SELECT {_COLS} FROM memos" + (" WHERE " + " AND ".join(where) if where else "")
    return [MemoRow(*r) for r in conn.execute(sql + " ORDER BY created_at, id", args)]


def get_memo(conn: sqlite3.Connection, memo_id: int) -> MemoRow | None:
    row = conn.execute(f"SELECT {_COLS} FROM memos WHERE id = ?", (memo_id,)).fetchone()
    return MemoRow(*row) if row else None


def target_exists(conn: sqlite3.Connection, target_type: str, target: str | None) -> bool:
    """Whether the case, source, segment (``SOURCE#IDX``) or stored code exists."""
    if target_type == "study":
        return True
    if target is None:
        return False
    if target_type == "segment":
        source, _, idx = target.rpartition("#")
        if not idx.isdigit():
            return False
        sql, args = ("SELECT 1 FROM segments g JOIN sources s ON s.id = g.source_id "
                     "WHERE s.name = ? AND g.idx = ?"), (source, int(idx))
    else:
        table = {"code": "codes", "case": "cases", "source": "sources"}[target_type]
        column = "id" if target_type == "code" else "name"
        sql, args = f"SELECT 1 FROM {table} WHERE {column} = ?", (target,)
    return conn.execute(sql, args).fetchone() is not None
