"""Queries for REFI-QDA exchange: what an export reads and what an import writes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gtcode.store import memos
from gtcode.store.memos import MemoRow
from gtcode.store.meta import write_meta

#: Meta key holding the GUIDs an import kept for stable re-export (JSON).
REFI_META_KEY = "refi_import"


@dataclass(frozen=True)
class ExportCoding:
    """A coding that counts (see ``store.codings.effective_codings``), with its stamps.

    ``id`` is its row id in ``all_codings`` (negative for a rule suggestion).
    """

    source: str
    start: int
    end: int
    code_id: str
    coder: str
    origin: str
    created_at: str
    guid: str | None
    id: int = 0
    updated_at: str | None = None


@dataclass(frozen=True)
class SetRow:
    name: str
    description: str | None
    guid: str | None
    members: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CaseRow:
    name: str
    description: str | None
    sources: tuple[str, ...]


# The codings that count (the counted_codings view of schema.py).
_EFFECTIVE = (
    "SELECT s.name, k.start, k.end, k.code_id, k.coder, k.origin, k.created_at, k.guid, k.id, "
    "k.updated_at FROM counted_codings k JOIN sources s ON s.id = k.source_id "
    "ORDER BY s.position, s.name, k.start, k.end, k.coder, k.code_id, k.origin, k.id")


def export_codings(conn: sqlite3.Connection) -> list[ExportCoding]:
    """Codings that count, in source order, one per (source, span, code, coder)."""
    seen: set[tuple[str, int, int, str, str]] = set()
    rows = []
    for row in conn.execute(_EFFECTIVE):
        coding = ExportCoding(*row)
        key = (coding.source, coding.start, coding.end, coding.code_id, coding.coder)
        if key not in seen:  # a rule and a human coding of one span by one name
            seen.add(key)
            rows.append(coding)
    return rows


def list_coders(conn: sqlite3.Connection) -> list[tuple[str, str, str | None]]:
    """(name, kind, guid) of every registered coder, by name."""
    return [tuple(r) for r in conn.execute("SELECT name, kind, guid FROM coders ORDER BY name")]


def list_memos(conn: sqlite3.Connection) -> list[MemoRow]:
    """Every memo, in the order they were written (by id)."""
    return sorted(memos.list_memos(conn), key=lambda memo: memo.id)


def list_sets(conn: sqlite3.Connection) -> list[SetRow]:
    members: dict[int, list[tuple[str, str]]] = {}
    for set_id, kind, member in conn.execute(
            "SELECT set_id, member_type, member FROM set_members ORDER BY member_type, member"):
        members.setdefault(set_id, []).append((kind, member))
    return [SetRow(name, description, guid, tuple(members.get(set_id, [])))
            for set_id, name, description, guid in conn.execute(
                "SELECT id, name, description, guid FROM sets ORDER BY name")]


def list_case_rows(conn: sqlite3.Connection) -> list[CaseRow]:
    """Cases in order with their description and the sources they hold."""
    sources: dict[str, list[str]] = {}
    for case, source in conn.execute(
            "SELECT c.name, s.name FROM sources s JOIN cases c ON c.id = s.case_id "
            "ORDER BY s.position, s.name"):
        sources.setdefault(case, []).append(source)
    return [CaseRow(name, description, tuple(sources.get(name, [])))
            for name, description in conn.execute(
                "SELECT name, description FROM cases ORDER BY position, name")]


def segment_spans(conn: sqlite3.Connection, source_id: int) -> list[tuple[int, int, int, int]]:
    """(id, idx, start, end) of a source's segments in order."""
    return [tuple(r) for r in conn.execute(
        "SELECT id, idx, start, end FROM segments WHERE source_id = ? ORDER BY idx",
        (source_id,))]


def segment_span(conn: sqlite3.Connection, source: str, idx: int) -> tuple[int, int] | None:
    """(start, end) of segment ``idx`` (1-based) of a source."""
    row = conn.execute("SELECT g.start, g.end FROM segments g JOIN sources s "
                       "ON s.id = g.source_id WHERE s.name = ? AND g.idx = ?",
                       (source, idx)).fetchone()
    return tuple(row) if row else None


def refi_meta(conn: sqlite3.Connection) -> dict:
    """The GUID maps an import kept (empty for a study made by gtcode)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (REFI_META_KEY,)).fetchone()
    return json.loads(row[0]) if row else {}


# -- writes (imports) --------------------------------------------------------------

def set_refi_meta(conn: sqlite3.Connection, value: dict) -> None:
    write_meta(conn, REFI_META_KEY, json.dumps(value, ensure_ascii=False, sort_keys=True))


def insert_coders(conn: sqlite3.Connection, coders: Iterable[tuple[str, str, str | None]]) -> None:
    """Register (name, kind, guid) coders; an existing name keeps its row."""
    conn.executemany("INSERT OR IGNORE INTO coders(name, kind, guid) VALUES (?, ?, ?)",
                     list(coders))


def insert_codings(conn: sqlite3.Connection, rows: Iterable[tuple]) -> int:
    """Bulk insert codings; return how many were new.

    Each row: (source_id, segment_id, start, end, code_id, origin, coder, status,
    guid, created_at, updated_at). A duplicate (same span, code, origin and coder)
    is skipped.
    """
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO codings(source_id, segment_id, start, end, code_id, origin, "
        "coder, status, guid, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        list(rows))
    return conn.total_changes - before


def insert_memos(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Each row: (target_type, target, author, title, text, origin, guid, created_at,
    updated_at)."""
    conn.executemany(
        "INSERT INTO memos(target_type, target, author, title, text, origin, guid, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,?,?)", list(rows))


def insert_set(conn: sqlite3.Connection, name: str, description: str | None, guid: str | None,
               members: Iterable[tuple[str, str]]) -> None:
    set_id = conn.execute("INSERT INTO sets(name, description, guid) VALUES (?, ?, ?)",
                          (name, description, guid)).lastrowid
    conn.executemany("INSERT OR IGNORE INTO set_members(set_id, member_type, member) "
                     "VALUES (?, ?, ?)", [(set_id, kind, member) for kind, member in members])


def set_case_description(conn: sqlite3.Connection, case_id: int, text: str | None) -> None:
    conn.execute("UPDATE cases SET description = ? WHERE id = ?", (text, case_id))


def source_texts(conn: sqlite3.Connection) -> Iterator[str]:
    """Every source's text, one at a time."""
    for (text,) in conn.execute("SELECT text FROM sources"):
        yield text
