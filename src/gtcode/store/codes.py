"""The study's snapshot of its codes (from the codebook and from imports)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from gtcode.store.project import now_iso


@dataclass(frozen=True)
class CodeRow:
    id: str
    parent: str | None
    level: str | None
    name: str
    name_en: str | None
    color: str | None
    description: str | None
    paradigm: str | None
    position: int
    origin: str
    guid: str | None = None


_COLS = "id, parent, level, name, name_en, color, description, paradigm, position, origin, guid"


def list_codes(conn: sqlite3.Connection) -> list[CodeRow]:
    return [CodeRow(*r) for r in conn.execute(f"SELECT {_COLS} FROM codes ORDER BY position, id")]


def sync_codebook_codes(conn: sqlite3.Connection, codes: Iterable[CodeRow], *,
                        codebook_hash: str, name: str | None, version: str | None,
                        path: str | None) -> None:
    """Make the codebook's codes the study's codebook snapshot.

    Codes that came from imports (origin ``import``) stay; codebook codes that
    left the codebook are removed from the snapshot (their codings stay and
    are reported as using an unknown code).
    """
    conn.execute("DELETE FROM codes WHERE origin = 'codebook'")
    for row in codes:
        conn.execute(f"INSERT INTO codes({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT(id) DO UPDATE SET parent=excluded.parent, level=excluded.level, "
                     "name=excluded.name, name_en=excluded.name_en, color=excluded.color, "
                     "description=excluded.description, paradigm=excluded.paradigm, "
                     "position=excluded.position, origin=excluded.origin",
                     (row.id, row.parent, row.level, row.name, row.name_en, row.color,
                      row.description, row.paradigm, row.position, row.origin, row.guid))
    conn.execute("INSERT OR IGNORE INTO codebooks(hash, name, version, path, loaded_at) "
                 "VALUES (?, ?, ?, ?, ?)", (codebook_hash, name, version, path, now_iso()))


def insert_codes(conn: sqlite3.Connection, codes: Iterable[CodeRow]) -> None:
    """Insert codes (imports); an existing id keeps its row."""
    conn.executemany(f"INSERT OR IGNORE INTO codes({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     [(c.id, c.parent, c.level, c.name, c.name_en, c.color, c.description,
                       c.paradigm, c.position, c.origin, c.guid) for c in codes])


def main_category_map(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Map every code id to the id of its main category (level ``category``).

    A code with no category ancestor maps to None; a category maps to itself.
    """
    rows = {r.id: r for r in list_codes(conn)}
    result: dict[str, str | None] = {}
    for code_id in rows:
        seen: set[str] = set()
        current: str | None = code_id
        found = None
        while current and current in rows and current not in seen:
            seen.add(current)
            if rows[current].level == "category":
                found = current
                break
            current = rows[current].parent
        result[code_id] = found
    return result
