"""Queries for open coding, in-vivo candidates, review sheets and evaluation."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gtcode.store.meta import now_iso, write_meta

RULE_CODER = "gtcode-rules"


@dataclass(frozen=True)
class SegmentInfo:
    """A segment without its text (slice it from the source text)."""

    id: int
    idx: int
    start: int
    end: int
    speaker: str | None
    role: str | None
    line: int | None


@dataclass(frozen=True)
class SourceSegments:
    """One source with its text and segments: the unit open coding streams."""

    id: int
    name: str
    case: str | None
    text: str
    segments: list[SegmentInfo]


def iter_source_segments(conn: sqlite3.Connection, *, roles: tuple[str, ...] | None = None,
                         ids: list[int] | None = None) -> Iterator[SourceSegments]:
    """Stream sources one at a time with their segments (memory: one source).

    ``ids``: these sources, in this order (default: every source in study order).
    Segment text is sliced from the source text by the caller, which avoids
    SQLite reading a long source row once per segment.
    """
    if ids is None:
        ids = [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY position, name")]
    where, args = "", []
    if roles:
        where = f" AND role IN ({','.join('?' * len(roles))})"
        args = list(roles)
    for source_id in ids:
        name, case, text = conn.execute(
            "SELECT s.name, c.name, s.text FROM sources s LEFT JOIN cases c "
            "ON c.id = s.case_id WHERE s.id = ?", (source_id,)).fetchone()
        segments = [SegmentInfo(*r) for r in conn.execute(
            "SELECT id, idx, start, end, speaker, role, line FROM segments "
            f"WHERE source_id = ?{where} ORDER BY idx", [source_id, *args])]
        yield SourceSegments(source_id, name, case, text, segments)


@dataclass(frozen=True)
class SourceSpans:
    """One source as rule coding reads it: its text, segment ids and spans in order."""

    id: int
    text: str
    segment_ids: list[int]
    spans: list[tuple[int, int]]


def iter_source_spans(conn: sqlite3.Connection, *,
                      roles: tuple[str, ...] | None = None) -> Iterator[SourceSpans]:
    """Stream sources one at a time with the spans of their segments (memory: one source).

    The lean form of :func:`iter_source_segments` for rule coding: no per-segment
    objects, so a study of 150,000 segments streams in a fraction of the time.
    """
    for source_id in source_ids(conn):
        yield source_spans(conn, source_id, roles=roles)


def coded_segment_ids(conn: sqlite3.Connection) -> set[int]:
    """The segments that hold a coding not rejected (any coder, any origin)."""
    return {row[0] for row in conn.execute(
        "SELECT DISTINCT segment_id FROM all_codings WHERE segment_id IS NOT NULL "
        "AND status != 'rejected'")}


def source_ids(conn: sqlite3.Connection) -> list[int]:
    """Ids of all sources in study order."""
    return [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY position, name")]


def source_spans(conn: sqlite3.Connection, source_id: int, *,
                 roles: tuple[str, ...] | None = None) -> SourceSpans:
    """One source with the spans of its segments (of ``roles`` only, when given)."""
    where, args = "", []
    if roles:
        where = f" AND role IN ({','.join('?' * len(roles))})"
        args = list(roles)
    text = conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
    rows = conn.execute(f"SELECT id, start, end FROM segments WHERE source_id = ?{where} "
                        "ORDER BY idx", [source_id, *args]).fetchall()
    return SourceSpans(source_id, text, [r[0] for r in rows], [(r[1], r[2]) for r in rows])


def reader(db: Path) -> sqlite3.Connection:
    """A read-only connection to a study database, for a worker process.

    In WAL mode it reads the last committed state while another connection
    holds a write transaction (sources and segments, which rule coding
    reads, are not changed by it).
    """
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True,
                           isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    return conn


def text_characters(conn: sqlite3.Connection) -> int:
    """Characters of all source texts together."""
    return conn.execute("SELECT COALESCE(SUM(length(text)), 0) FROM sources").fetchone()[0]


def source_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0])


def respondent_segment_count(conn: sqlite3.Connection, roles: tuple[str, ...]) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM segments WHERE role IN "
                            f"({','.join('?' * len(roles))})", roles).fetchone()[0])


def ensure_coder(conn: sqlite3.Connection, name: str, kind: str) -> None:
    conn.execute("INSERT OR IGNORE INTO coders(name, kind) VALUES (?, ?)", (name, kind))


# -- rule codings --------------------------------------------------------------

def delete_rule_codings(conn: sqlite3.Connection) -> int:
    """Drop every rule suggestion (never a human or imported coding)."""
    removed = conn.execute("DELETE FROM rule_codings").rowcount
    # rows of studies coded before rule suggestions had a table of their own
    return removed + conn.execute("DELETE FROM codings WHERE origin = 'rule'").rowcount


def start_rule_run(conn: sqlite3.Connection, codebook_hash: str,
                   roles: tuple[str, ...] | None = None) -> None:
    """Record the codebook, time and coded roles (None: all) of the rule suggestions
    about to be inserted."""
    write_meta(conn, "rule_codebook_hash", codebook_hash)
    write_meta(conn, "rule_coded_at", now_iso())
    write_meta(conn, "rule_roles", ",".join(roles) if roles else "all")


def rule_run(conn: sqlite3.Connection) -> tuple[str | None, str | None, str | None]:
    """(codebook hash, time, roles) of the last rule run, None each when never run.

    For a study coded before the roles were recorded, the roles are ``all``
    when any rule suggestion sits on an interviewer turn, else None.
    """
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                             "('rule_codebook_hash', 'rule_coded_at', 'rule_roles')"))
    roles = meta.get("rule_roles")
    if roles is None and conn.execute(
            "SELECT 1 FROM rule_codings r JOIN segments g ON g.id = r.segment_id "
            "WHERE g.role = 'interviewer' LIMIT 1").fetchone():
        roles = "all"
    return meta.get("rule_codebook_hash"), meta.get("rule_coded_at"), roles


def insert_rule_codings(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Insert rule suggestions: (segment_id, code, evidence JSON).

    Their span is their segment's; their codebook hash and time are the
    run's (:func:`start_rule_run`).
    """
    conn.executemany("INSERT INTO rule_codings(segment_id, code_id, evidence) VALUES (?, ?, ?)",
                     rows)


@dataclass(frozen=True)
class SegmentCoding:
    """A coding attached to a segment, as the review sheet needs it."""

    id: int
    segment_id: int
    code_id: str
    origin: str
    coder: str
    status: str
    evidence: str | None


def source_codings(conn: sqlite3.Connection, source_id: int) -> dict[int, list[SegmentCoding]]:
    """Codings of one source grouped by segment id (ordered by code, origin, coder)."""
    result: dict[int, list[SegmentCoding]] = {}
    for row in conn.execute(
            "SELECT id, segment_id, code_id, origin, coder, status, evidence FROM all_codings "
            "WHERE source_id = ? AND segment_id IS NOT NULL "
            "ORDER BY segment_id, code_id, origin, coder", (source_id,)):
        result.setdefault(row[1], []).append(SegmentCoding(*row))
    return result


def segment_codings(conn: sqlite3.Connection, segment_id: int) -> list[SegmentCoding]:
    return [SegmentCoding(*r) for r in conn.execute(
        "SELECT id, segment_id, code_id, origin, coder, status, evidence FROM all_codings "
        "WHERE segment_id = ? ORDER BY code_id, origin, coder", (segment_id,))]


# -- human decisions -------------------------------------------------------------

def insert_human_coding(conn: sqlite3.Connection, *, source_id: int, segment_id: int,
                        start: int, end: int, code_id: str, coder: str, status: str,
                        codebook_hash: str | None) -> None:
    stamp = now_iso()
    conn.execute(
        "INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, coder, status, "
        "codebook_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'human', ?, ?, ?, ?, ?) "
        "ON CONFLICT(source_id, start, end, code_id, origin, coder) DO UPDATE SET "
        "status = excluded.status, segment_id = excluded.segment_id, "
        "updated_at = excluded.updated_at",
        (source_id, segment_id, start, end, code_id, coder, status, codebook_hash, stamp, stamp))


def delete_coding(conn: sqlite3.Connection, coding_id: int) -> None:
    conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))


#: Decision-log actions that decide a segment's codes (memos and proposed
#: concepts are notes: they do not make a segment "looked at" for agreement).
CODING_ACTIONS: tuple[str, ...] = ("accept", "add", "reject", "remove", "review")


def log_decision(conn: sqlite3.Connection, *, coder: str, action: str, segment_id: int | None,
                 code_id: str | None, via: str, details: dict,
                 blind: bool | None = None) -> None:
    """Append one entry to the decision log (append-only).

    ``blind``: True when the coder decided without seeing any machine
    suggestion or other coder's decision, False when she saw them, None when
    not known.
    """
    conn.execute("INSERT INTO decisions(at, coder, action, segment_id, code_id, via, details, "
                 "blind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (now_iso(), coder, action, segment_id, code_id, via,
                  json.dumps(details, ensure_ascii=False, sort_keys=True),
                  None if blind is None else int(blind)))


def sheet_applied(conn: sqlite3.Connection, digest: str) -> bool:
    """Whether a sheet file with this sha256 was applied (its decisions name it)."""
    return conn.execute("SELECT 1 FROM decisions WHERE via LIKE ? LIMIT 1",
                        (f"%@sha256:{digest}",)).fetchone() is not None


def has_decision(conn: sqlite3.Connection, coder: str, segment_id: int) -> bool:
    """True when ``coder`` has a logged coding decision (:data:`CODING_ACTIONS`) on the segment."""
    marks = ",".join("?" * len(CODING_ACTIONS))
    return conn.execute(f"SELECT 1 FROM decisions WHERE coder = ? AND segment_id = ? AND "
                        f"action IN ({marks}) LIMIT 1",
                        (coder, segment_id, *CODING_ACTIONS)).fetchone() is not None


def decisions(conn: sqlite3.Connection) -> list[tuple[str, str, int | None, str | None, str]]:
    """(coder, action, segment_id, code_id, via) of every decision, oldest first."""
    return [tuple(r) for r in conn.execute(
        "SELECT coder, action, segment_id, code_id, via FROM decisions ORDER BY id")]


def decision_blindness(conn: sqlite3.Connection) -> list[tuple[str, str, int | None]]:
    """(coder, action, blind) of every decision, oldest first (blind: 1, 0 or None)."""
    return [tuple(r) for r in conn.execute(
        "SELECT coder, action, blind FROM decisions ORDER BY id")]


# -- segments by key ---------------------------------------------------------------

@dataclass(frozen=True)
class KeyedSegment:
    id: int
    source_id: int
    source: str
    idx: int
    start: int
    end: int
    line: int | None
    text: str


def segment_label(conn: sqlite3.Connection, segment_id: int) -> str:
    """``S01.txt#12``: a segment's readable name (for messages)."""
    row = conn.execute("SELECT s.name, g.idx FROM segments g JOIN sources s "
                       "ON s.id = g.source_id WHERE g.id = ?", (segment_id,)).fetchone()
    return f"{row[0]}#{row[1]}" if row else f"segment id {segment_id}"


def find_segment(conn: sqlite3.Connection, source: str, idx: int) -> KeyedSegment | None:
    """The segment ``idx`` of source ``source``, with its text."""
    row = conn.execute(
        "SELECT g.id, g.source_id, s.name, g.idx, g.start, g.end, g.line, "
        "substr(s.text, g.start + 1, g.end - g.start) FROM segments g "
        "JOIN sources s ON s.id = g.source_id WHERE s.name = ? AND g.idx = ?",
        (source, idx)).fetchone()
    return KeyedSegment(*row) if row else None


def source_segments_by_idx(conn: sqlite3.Connection, source: str) -> dict[int, KeyedSegment]:
    """Every segment of one source by idx, with its text (one read of the source)."""
    row = conn.execute("SELECT id, text FROM sources WHERE name = ?", (source,)).fetchone()
    if row is None:
        return {}
    source_id, text = row
    return {idx: KeyedSegment(sid, source_id, source, idx, start, end, line, text[start:end])
            for sid, idx, start, end, line in conn.execute(
                "SELECT id, idx, start, end, line FROM segments WHERE source_id = ?",
                (source_id,))}


def segment_lines(conn: sqlite3.Connection) -> dict[tuple[str, int], tuple[int, str | None]]:
    """(source name, line) -> (segment id, role), for gold labels given by line."""
    return {(name, line): (sid, role) for sid, name, line, role in conn.execute(
        "SELECT g.id, s.name, g.line, g.role FROM segments g JOIN sources s "
        "ON s.id = g.source_id WHERE g.line IS NOT NULL")}


def source_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sources ORDER BY position, name")]


# -- memos and candidates ------------------------------------------------------------

def sheet_memo(conn: sqlite3.Connection, target: str, author: str) -> tuple[int, str] | None:
    """The memo a coder wrote on a segment through a sheet: (id, text)."""
    row = conn.execute("SELECT id, text FROM memos WHERE target_type = 'segment' AND target = ? "
                       "AND author = ? AND origin = 'sheet' ORDER BY id LIMIT 1",
                       (target, author)).fetchone()
    return (row[0], row[1]) if row else None


def upsert_sheet_memo(conn: sqlite3.Connection, target: str, author: str, text: str) -> None:
    stamp = now_iso()
    existing = sheet_memo(conn, target, author)
    if existing:
        conn.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                     (text, stamp, existing[0]))
    else:
        conn.execute("INSERT INTO memos(target_type, target, author, text, origin, created_at, "
                     "updated_at) VALUES ('segment', ?, ?, ?, 'sheet', ?, ?)",
                     (target, author, text, stamp, stamp))


def has_candidate(conn: sqlite3.Connection, phrase: str, kind: str, proposed_by: str,
                  segment_id: int | None) -> bool:
    return conn.execute("SELECT 1 FROM candidates WHERE phrase = ? AND kind = ? AND "
                        "proposed_by = ? AND segment_id IS ?",
                        (phrase, kind, proposed_by, segment_id)).fetchone() is not None


def add_candidate(conn: sqlite3.Connection, phrase: str, kind: str, proposed_by: str,
                  segment_id: int | None, score: float | None = None,
                  note: str | None = None) -> None:
    conn.execute("INSERT INTO candidates(phrase, kind, proposed_by, segment_id, score, note, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (phrase, kind, proposed_by, segment_id, score, note, now_iso()))


def replace_invivo_candidates(conn: sqlite3.Connection, proposed_by: str,
                              rows: Iterable[tuple[str, int, float]]) -> None:
    """Replace the in-vivo candidates: (phrase, segment_id, score) rows."""
    conn.execute("DELETE FROM candidates WHERE kind = 'invivo' AND proposed_by = ?",
                 (proposed_by,))
    stamp = now_iso()
    conn.executemany("INSERT INTO candidates(phrase, kind, proposed_by, segment_id, score, "
                     "created_at) VALUES (?, 'invivo', ?, ?, ?, ?)",
                     [(p, proposed_by, s, round(score, 6), stamp) for p, s, score in rows])


def replace_discovered(conn: sqlite3.Connection, proposed_by: str,
                       rows: Iterable[tuple[str, int, float, str]]) -> None:
    """Replace the concepts ``proposed_by`` proposed: (name, segment id, score, note) rows.

    Proposals someone adopted (their JSON note says ``adopted``) stay.
    """
    conn.execute("DELETE FROM candidates WHERE kind = 'proposed' AND proposed_by = ? "
                 "AND COALESCE(note, '') NOT LIKE '%\"adopted\"%'", (proposed_by,))
    stamp = now_iso()
    conn.executemany("INSERT INTO candidates(phrase, kind, proposed_by, segment_id, score, "
                     "note, created_at) VALUES (?, 'proposed', ?, ?, ?, ?, ?)",
                     [(name, proposed_by, segment_id, round(score, 6), note, stamp)
                      for name, segment_id, score, note in rows])


def list_candidates(conn: sqlite3.Connection, kind: str
                    ) -> list[tuple[str, str, str | None, int | None, str | None, float | None]]:
    """(phrase, proposed_by, source, segment idx, case, score) of candidates of ``kind``."""
    return [tuple(r) for r in conn.execute(
        "SELECT k.phrase, k.proposed_by, s.name, g.idx, c.name, k.score FROM candidates k "
        "LEFT JOIN segments g ON g.id = k.segment_id LEFT JOIN sources s ON s.id = g.source_id "
        "LEFT JOIN cases c ON c.id = s.case_id WHERE k.kind = ? "
        "ORDER BY s.position, s.name, g.idx, k.score DESC, k.phrase", (kind,))]


def source_sheet_memos(conn: sqlite3.Connection, source: str, author: str) -> dict[int, str]:
    """Segment idx -> the memo ``author`` wrote on it through a sheet (one source)."""
    result: dict[int, str] = {}
    prefix = source + "#"
    for target, text in conn.execute(
            "SELECT target, text FROM memos WHERE target_type = 'segment' AND origin = 'sheet' "
            "AND author = ? AND substr(target, 1, ?) = ? ORDER BY id",
            (author, len(prefix), prefix)):
        idx = target[len(prefix):]
        if idx.isdigit():
            result.setdefault(int(idx), text)
    return result


def source_proposals(conn: sqlite3.Connection, source_id: int,
                     proposed_by: str) -> dict[int, list[str]]:
    """Segment id -> the concepts ``proposed_by`` proposed on it (one source)."""
    result: dict[int, list[str]] = {}
    for segment_id, phrase in conn.execute(
            "SELECT k.segment_id, k.phrase FROM candidates k JOIN segments g "
            "ON g.id = k.segment_id WHERE g.source_id = ? AND k.kind = 'proposed' "
            "AND k.proposed_by = ? ORDER BY k.id", (source_id, proposed_by)):
        result.setdefault(segment_id, []).append(phrase)
    return result
