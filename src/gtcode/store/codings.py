"""Codings in the study database: reading them out and keeping them anchored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from gtcode.store.meta import now_iso
from gtcode.store.sources import SourceText


@dataclass(frozen=True)
class CodingRow:
    """One coding with what exports need (the passage text included)."""

    id: int
    source: str
    case: str | None
    segment: int | None
    start: int
    end: int
    speaker: str | None
    role: str | None
    code_id: str
    origin: str
    coder: str
    status: str
    text: str


_CODING_SQL = (
    "SELECT k.id, s.name, c.name, g.idx, k.start, k.end, g.speaker, g.role, k.code_id, "
    "k.origin, k.coder, k.status, k.source_id "
    "FROM {table} k JOIN sources s ON s.id = k.source_id "
    "LEFT JOIN cases c ON c.id = s.case_id LEFT JOIN segments g ON g.id = k.segment_id")


def iter_codings(conn: sqlite3.Connection, *, include_rejected: bool = False,
                 coder: str | None = None) -> Iterator[CodingRow]:
    """Stream codings in source order (source, start, code, origin, coder).

    Unless ``include_rejected``, only the codings that count (the
    ``counted_codings`` view): human rejections are left out, and so are
    rule or model suggestions a human rejected on that segment.
    """
    sql = _CODING_SQL.format(table="all_codings" if include_rejected else "counted_codings")
    args: list[str] = []
    if coder:
        sql += " WHERE k.coder = ?"
        args.append(coder)
    sql += " ORDER BY s.position, s.name, k.start, k.end, k.code_id, k.origin, k.coder"
    text = SourceText(conn)  # the passage is cut in Python, each source read once
    for row in conn.execute(sql, args):
        yield CodingRow(*row[:-1], text.cut(row[-1], row[4], row[5]))


def reanchor_codings(conn: sqlite3.Connection, source_id: int, old_text: str,
                     new_text: str) -> tuple[int, int]:
    """After a source's text was replaced, move its codings to the new text.

    Machine codings (origin rule/model) are deleted: open coding recomputes
    them. Human and imported codings are found again by their passage text,
    nearest to the old position; each is re-linked to the segment that holds
    it. A passage that no longer exists keeps its coding row (never dropped)
    with no segment, and an ``orphaned`` entry in the decision log holding
    its old offsets and text. Returns (re-anchored, orphaned).
    """
    conn.execute("DELETE FROM codings WHERE source_id = ? AND origin IN ('rule', 'model')",
                 (source_id,))
    conn.execute("DELETE FROM rule_codings WHERE segment_id IN "
                 "(SELECT id FROM segments WHERE source_id = ?)", (source_id,))
    rows = conn.execute("SELECT id, start, end, code_id, coder FROM codings "
                        "WHERE source_id = ?", (source_id,)).fetchall()
    moved = lost = 0
    for coding_id, start, end, code_id, coder in rows:
        passage = old_text[start:end]
        new_start = _find_nearest(new_text, passage, start)
        if new_start is None:
            lost += 1
            conn.execute("UPDATE codings SET segment_id = NULL, orphaned = 1, updated_at = ? "
                         "WHERE id = ?",
                         (now_iso(), coding_id))
            conn.execute("INSERT INTO decisions(at, coder, action, code_id, via, details) "
                         "VALUES (?, ?, 'orphaned', ?, 'import --replace', ?)",
                         (now_iso(), coder, code_id, json.dumps(
                             {"coding": coding_id, "start": start, "end": end,
                              "passage": passage}, ensure_ascii=False)))
            continue
        new_end = new_start + len(passage)
        segment = conn.execute("SELECT id FROM segments WHERE source_id = ? AND start <= ? "
                               "AND end >= ? ORDER BY idx LIMIT 1",
                               (source_id, new_start, new_end)).fetchone()
        conn.execute("UPDATE OR IGNORE codings SET start = ?, end = ?, segment_id = ?, "
                     "orphaned = 0, updated_at = ? WHERE id = ?",
                     (new_start, new_end, segment[0] if segment else None, now_iso(), coding_id))
        moved += 1
    return moved, lost


def _find_nearest(text: str, passage: str, near: int) -> int | None:
    if not passage:
        return None
    best = None
    position = text.find(passage)
    while position != -1:
        if best is None or abs(position - near) < abs(best - near):
            best = position
        position = text.find(passage, position + 1)
    return best


@dataclass(frozen=True)
class PlacementRow:
    """A human or imported coding that no single segment holds.

    ``placeable``: it has text and an anchor, so analysis counts it at its
    own span; otherwise (an empty span, or a passage lost on ``--replace``)
    it cannot be counted anywhere.
    """

    source: str
    code_id: str
    code_name: str
    coder: str
    start: int
    end: int
    orphaned: bool

    @property
    def placeable(self) -> bool:
        return not self.orphaned and self.end > self.start


def unplaced_codings(conn: sqlite3.Connection) -> list[PlacementRow]:
    """Accepted codings without a segment that holds them, in source order."""
    return [PlacementRow(r[0], r[1], r[2] or r[1], r[3], r[4], r[5], bool(r[6]))
            for r in conn.execute(
                "SELECT s.name, k.code_id, c.name, k.coder, k.start, k.end, k.orphaned "
                "FROM codings k JOIN sources s ON s.id = k.source_id "
                "LEFT JOIN codes c ON c.id = k.code_id "
                "WHERE k.segment_id IS NULL AND k.status = 'accepted' "
                "ORDER BY s.position, s.name, k.start, k.end, k.code_id, k.coder")]


@dataclass(frozen=True)
class EffectiveCoding:
    """A coding that counts for analysis (see :func:`effective_codings`)."""

    segment_id: int | None
    source: str
    case: str | None
    segment: int | None
    role: str | None
    code_id: str
    origin: str
    coder: str
    start: int
    end: int
    orphaned: bool = False


def coder_codings(conn: sqlite3.Connection, coder: str) -> list[tuple[int, str]]:
    """(segment id, code) of everything one coder gave, rejections left out.

    For a machine coder (``gtcode-rules``, ``gtcode-model``) that is all of its
    suggestions, whether or not a human later rejected them: it scores the
    coder, not the study.
    """
    return [tuple(r) for r in conn.execute(
        "SELECT segment_id, code_id FROM all_codings WHERE coder = ? AND status != 'rejected' "
        "AND segment_id IS NOT NULL ORDER BY segment_id, code_id", (coder,))]


def effective_codings(conn: sqlite3.Connection, *,
                      coders: tuple[str, ...] | None = None) -> list[EffectiveCoding]:
    """The codings analysis counts (the ``counted_codings`` view), human decisions first.

    - human and imported codings with status ``accepted`` count;
    - a rule or model suggestion counts unless a human rejected that code on
      that segment (a ``rejected`` row with origin ``human``);
    - ``coders`` restricts to those coders (rejections by anyone still apply).
    Ordered by source, start, code.
    """
    sql = (
        "SELECT k.segment_id, s.name, c.name, g.idx, g.role, k.code_id, k.origin, k.coder, "
        "k.start, k.end, k.orphaned FROM counted_codings k JOIN sources s ON s.id = k.source_id "
        "LEFT JOIN cases c ON c.id = s.case_id LEFT JOIN segments g ON g.id = k.segment_id "
        "ORDER BY s.position, s.name, k.start, k.code_id, k.origin, k.coder")
    rows = [EffectiveCoding(*r[:10], bool(r[10])) for r in conn.execute(sql)]
    if coders:
        rows = [r for r in rows if r.coder in coders]
    return rows


def coder_names(conn: sqlite3.Connection) -> list[str]:
    """Every coder with a coding in the study (machine coders included), by name."""
    return [r[0] for r in conn.execute("SELECT DISTINCT coder FROM all_codings ORDER BY coder")]
