"""Queries ``gtcode agree`` needs: coders, their codings and decisions, segments.

Read-only: agreement never changes the study.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from gtcode.store.open_coding import CODING_ACTIONS


@dataclass(frozen=True)
class UnitSegment:
    """A segment as agreement sees it (text sliced by the caller when needed)."""

    id: int
    source: str
    case: str | None
    idx: int
    start: int
    end: int
    speaker: str | None
    role: str | None


@dataclass(frozen=True)
class CoderCoding:
    """One coding row of a coder, whatever its origin and status."""

    coder: str
    origin: str
    status: str
    code_id: str
    source: str
    segment_id: int | None
    start: int
    end: int
    orphaned: bool


def study_segments(conn: sqlite3.Connection) -> list[UnitSegment]:
    """Every segment in study order (source position, source name, index)."""
    return [UnitSegment(*row) for row in conn.execute(
        "SELECT g.id, s.name, c.name, g.idx, g.start, g.end, g.speaker, g.role "
        "FROM segments g JOIN sources s ON s.id = g.source_id "
        "LEFT JOIN cases c ON c.id = s.case_id ORDER BY s.position, s.name, g.idx")]


def source_lengths(conn: sqlite3.Connection) -> dict[str, int]:
    """Source name -> length of its normalised text in code points."""
    return {name: int(length) for name, length in conn.execute(
        "SELECT name, length(text) FROM sources ORDER BY position, name")}


def source_slices(conn: sqlite3.Connection, spans: list[tuple[str, int, int]]) -> list[str]:
    """The text of each ``(source, start, end)`` span, in the order given.

    Each source's text is read once (spans of one source are usually together).
    """
    out = []
    name, text = None, ""
    for source, start, end in spans:
        if source != name:
            row = conn.execute("SELECT text FROM sources WHERE name = ?", (source,)).fetchone()
            name, text = source, (row[0] if row else "")
        out.append(text[start:end])
    return out


def coder_kinds(conn: sqlite3.Connection) -> dict[str, str]:
    """Registered coders: name -> kind (rule, human, model, import)."""
    return dict(conn.execute("SELECT name, kind FROM coders ORDER BY name"))


def coding_origins(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Coder name -> the origins of its codings (for coders not registered)."""
    out: dict[str, set[str]] = {}
    for coder, origin in conn.execute("SELECT DISTINCT coder, origin FROM all_codings"):
        out.setdefault(coder, set()).add(origin)
    return out


def deciding_coders(conn: sqlite3.Connection) -> set[str]:
    """Names that appear in the decision log."""
    return {row[0] for row in conn.execute("SELECT DISTINCT coder FROM decisions")}


def coder_codings(conn: sqlite3.Connection, coders: tuple[str, ...]) -> list[CoderCoding]:
    """Every coding row of the given coders, in study order."""
    marks = ",".join("?" * len(coders))
    return [CoderCoding(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))
            for r in conn.execute(
                "SELECT k.coder, k.origin, k.status, k.code_id, s.name, k.segment_id, k.start, "
                "k.end, k.orphaned FROM all_codings k JOIN sources s ON s.id = k.source_id "
                f"WHERE k.coder IN ({marks}) "
                "ORDER BY s.position, s.name, k.start, k.end, k.code_id, k.coder",
                coders)]


def decided_segments(conn: sqlite3.Connection, coders: tuple[str, ...]
                     ) -> dict[str, dict[int, bool | None]]:
    """Coder -> {segment id: blind} for segments with a coding decision by that coder.

    Only actions that decide codes count (accept, add, reject, remove,
    review), not memos or proposed concepts. ``blind`` is True when every
    such decision on the segment was made blind, False when any was made
    seeing machine suggestions, None when that is not known (decisions
    logged before gtcode recorded it).
    """
    marks = ",".join("?" * len(coders))
    actions = CODING_ACTIONS
    out: dict[str, dict[int, bool | None]] = {c: {} for c in coders}
    for coder, segment_id, seen, unknown in conn.execute(
            "SELECT coder, segment_id, SUM(blind = 0), SUM(blind IS NULL) FROM decisions "
            f"WHERE coder IN ({marks}) AND segment_id IS NOT NULL "
            f"AND action IN ({','.join('?' * len(actions))}) GROUP BY coder, segment_id",
            (*coders, *actions)):
        out[coder][int(segment_id)] = False if seen else (None if unknown else True)
    return out


def code_names(conn: sqlite3.Connection) -> dict[str, tuple[str, str | None]]:
    """Code id -> (name, English name) from the study's code snapshot."""
    return {row[0]: (row[1], row[2]) for row in conn.execute(
        "SELECT id, name, name_en FROM codes ORDER BY position, id")}
