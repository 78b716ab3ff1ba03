"""Proposed concepts and codebook edits in the study database.

A proposal is a ``candidates`` row of kind ``proposed``: a name (``phrase``),
who proposed it, the segment it was proposed on (or none) and a ``note``:
plain text (``coding sheet``) for proposals from a sheet, JSON for the others
(``via``, ``parent``, ``definition``, ``name_en``, ``memo``). Adopting or
merging a proposal writes ``adopted`` (the code it became) into that JSON:
the row stays, so applying the same sheet again does not propose it anew.

Renaming and merging codes move every coding, rule and model suggestion,
memo and chosen quote from one code id to another.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from gtcode.store.meta import now_iso


@dataclass(frozen=True)
class ProposalRow:
    """One proposal of a concept, on one segment (or none)."""

    id: int
    phrase: str
    proposed_by: str
    segment_id: int | None
    source: str | None
    idx: int | None
    case: str | None
    position: int | None
    note: dict
    created_at: str


def note_data(note: str | None) -> dict:
    """A candidate's note as a mapping: JSON as written, plain text as ``{"via": text}``."""
    if note and note.startswith("{"):
        try:
            data = json.loads(note)
            if isinstance(data, dict):
                return data
        except ValueError:
            pass
    return {"via": note} if note else {}


def list_proposals(conn: sqlite3.Connection, *, adopted: bool = False) -> list[ProposalRow]:
    """Proposals in collection order (source, segment, then when they were made).

    Adopted (or merged) proposals are left out unless ``adopted``.
    """
    rows = conn.execute(
        "SELECT k.id, k.phrase, k.proposed_by, k.segment_id, s.name, g.idx, "
        "COALESCE(c.name, s.name), s.position, k.note, k.created_at FROM candidates k "
        "LEFT JOIN segments g ON g.id = k.segment_id LEFT JOIN sources s ON s.id = g.source_id "
        "LEFT JOIN cases c ON c.id = s.case_id WHERE k.kind = 'proposed' "
        "ORDER BY s.position IS NULL, s.position, s.name, g.idx, k.id")
    found = [ProposalRow(*row[:8], note_data(row[8]), row[9]) for row in rows]
    return found if adopted else [p for p in found if not p.note.get("adopted")]


def add_proposal(conn: sqlite3.Connection, phrase: str, proposed_by: str,
                 segment_id: int | None, note: dict) -> int:
    """Insert a proposal and return its id."""
    cur = conn.execute(
        "INSERT INTO candidates(phrase, kind, proposed_by, segment_id, note, created_at) "
        "VALUES (?, 'proposed', ?, ?, ?, ?)",
        (phrase, proposed_by, segment_id, json.dumps(note, ensure_ascii=False, sort_keys=True),
         now_iso()))
    return int(cur.lastrowid)


def set_note(conn: sqlite3.Connection, proposal_id: int, note: dict) -> None:
    conn.execute("UPDATE candidates SET note = ? WHERE id = ?",
                 (json.dumps(note, ensure_ascii=False, sort_keys=True), proposal_id))


def rename_proposal(conn: sqlite3.Connection, proposal_id: int, phrase: str) -> None:
    conn.execute("UPDATE candidates SET phrase = ? WHERE id = ?", (phrase, proposal_id))


def segment_span(conn: sqlite3.Connection, segment_id: int) -> tuple[int, int, int]:
    """(source id, start, end) of a segment."""
    row = conn.execute("SELECT source_id, start, end FROM segments WHERE id = ?",
                       (segment_id,)).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def segment_text(conn: sqlite3.Connection, segment_id: int) -> str:
    row = conn.execute("SELECT substr(s.text, g.start + 1, g.end - g.start) FROM segments g "
                       "JOIN sources s ON s.id = g.source_id WHERE g.id = ?",
                       (segment_id,)).fetchone()
    return row[0] if row else ""


def segment_id_of(conn: sqlite3.Connection, source: str, idx: int) -> int | None:
    row = conn.execute("SELECT g.id FROM segments g JOIN sources s ON s.id = g.source_id "
                       "WHERE s.name = ? AND g.idx = ?", (source, idx)).fetchone()
    return int(row[0]) if row else None


def code_in_use(conn: sqlite3.Connection, code_id: str) -> int:
    """How many codings, suggestions and memos use ``code_id``."""
    return sum(conn.execute(sql, (code_id,)).fetchone()[0] for sql in (
        "SELECT COUNT(*) FROM codings WHERE code_id = ?",
        "SELECT COUNT(*) FROM rule_codings WHERE code_id = ?",
        "SELECT COUNT(*) FROM model_codings WHERE code_id = ?",
        "SELECT COUNT(*) FROM memos WHERE target_type = 'code' AND target = ?"))


@dataclass
class Moved:
    """What moving one code's codings onto another did."""

    codings: int = 0
    merged: int = 0
    suggestions: int = 0
    memos: int = 0


def move_code(conn: sqlite3.Connection, old: str, new: str) -> Moved:
    """Move every coding of ``old`` onto ``new`` (rename or merge); nothing is dropped.

    A coding the same coder also made with ``new`` on the same span becomes one
    coding: accepted when either was accepted (she said the passage carries
    ``old``, now part of ``new``), else as it was. Rule and model suggestions
    move too, one per segment and code. Memos on ``old`` and quotes chosen for
    it follow, and storyline keys naming ``old`` are renamed.
    """
    moved = Moved()
    stamp = now_iso()
    for row_id, source_id, start, end, origin, coder, status in conn.execute(
            "SELECT id, source_id, start, end, origin, coder, status FROM codings "
            "WHERE code_id = ? ORDER BY id", (old,)).fetchall():
        twin = conn.execute("SELECT id, status FROM codings WHERE source_id = ? AND start = ? "
                            "AND end = ? AND code_id = ? AND origin = ? AND coder = ?",
                            (source_id, start, end, new, origin, coder)).fetchone()
        if twin is None:
            conn.execute("UPDATE codings SET code_id = ?, updated_at = ? WHERE id = ?",
                         (new, stamp, row_id))
            moved.codings += 1
            continue
        if status == "accepted" and twin[1] != "accepted":
            conn.execute("UPDATE codings SET status = 'accepted', updated_at = ? WHERE id = ?",
                         (stamp, twin[0]))
        conn.execute("DELETE FROM codings WHERE id = ?", (row_id,))
        moved.merged += 1
    for table in ("rule_codings", "model_codings"):
        moved.suggestions += conn.execute(
            f"UPDATE OR IGNORE {table} SET code_id = ? WHERE code_id = ?", (new, old)).rowcount
        conn.execute(f"DELETE FROM {table} WHERE code_id = ?", (old,))
    moved.memos = conn.execute("UPDATE memos SET target = ?, updated_at = ? WHERE "
                               "target_type = 'code' AND target = ?", (new, stamp, old)).rowcount
    _rename_story_keys(conn, old, new)
    return moved


_KEY_PARTS = re.compile(r"([:>+])")


def _rename_story_keys(conn: sqlite3.Connection, old: str, new: str) -> None:
    for (key,) in conn.execute("SELECT key FROM storyline").fetchall():
        parts = _KEY_PARTS.split(key)
        renamed = "".join(new if part == old else part for part in parts)
        if renamed != key:
            if conn.execute("SELECT 1 FROM storyline WHERE key = ?", (renamed,)).fetchone():
                continue  # the target's own text stays; the old one is kept under its key
            conn.execute("UPDATE storyline SET key = ? WHERE key = ?", (renamed, key))
