"""The study's snapshot of its codes (from the codebook and from imports)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from gtcode.store.meta import now_iso


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

