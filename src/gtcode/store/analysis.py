"""Queries for axial and selective coding: counted segments, cases, evidence, storyline.

Only the analysis modules (``gtcode.coding.axial`` and friends) use these;
they read, except the storyline helpers, which write inside the caller's
``study.write()`` transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from gtcode.store.meta import now_iso
from gtcode.store.sources import SourceText

#: Segment roles whose codings count (interviewer turns never do).
COUNTED_ROLES = ("respondent", "unknown")


@dataclass(frozen=True)
class CountedSegment:
    """A segment whose codings count, with the case it belongs to.

    ``case`` is the case name, or the source name for a source with no case.
    """

    id: int
    source: str
    case: str
    idx: int
    start: int
    end: int
    position: int
    language: str | None = None
    #: the 1-based line of the transcript the segment (its label) begins on
    line: int | None = None


def counted_segments(conn: sqlite3.Connection) -> list[CountedSegment]:
    """Respondent (and unknown-role) segments in collection order."""
    rows = conn.execute(
        "SELECT g.id, s.name, COALESCE(c.name, s.name), g.idx, g.start, g.end, s.position, "
        "s.language, g.line "
        "FROM segments g JOIN sources s ON s.id = g.source_id "
        "LEFT JOIN cases c ON c.id = s.case_id "
        "WHERE g.role IS NULL OR g.role IN ('respondent', 'unknown') "
        "ORDER BY s.position, s.name, g.idx")
    return [CountedSegment(*r) for r in rows]


@dataclass(frozen=True)
class SourceFacts:
    """What a passage unit (a coding no single segment holds) takes from its source."""

    case: str
    position: int
    language: str | None
    #: (start, end, idx, role) of every segment, in order.
    segments: tuple[tuple[int, int, int, str | None], ...]


def source_facts(conn: sqlite3.Connection) -> dict[str, SourceFacts]:
    """Source name -> its case (or its own name), position, language and segments."""
    segments: dict[int, list[tuple[int, int, int, str | None]]] = {}
    for src, start, end, idx, role in conn.execute(
            "SELECT source_id, start, end, idx, role FROM segments ORDER BY source_id, idx"):
        segments.setdefault(src, []).append((start, end, idx, role))
    return {name: SourceFacts(case, position, language, tuple(segments.get(src, ())))
            for src, name, case, position, language in conn.execute(
                "SELECT s.id, s.name, COALESCE(c.name, s.name), s.position, s.language "
                "FROM sources s LEFT JOIN cases c ON c.id = s.case_id")}


def passage_texts(conn: sqlite3.Connection,
                  spans: list[tuple[str, int, int]]) -> list[str]:
    """The text of each (source, start, end) given, in order."""
    return [conn.execute("SELECT substr(text, ? + 1, ? - ?) FROM sources WHERE name = ?",
                         (start, end, start, source)).fetchone()[0] or ""
            for source, start, end in spans]


def case_order(conn: sqlite3.Connection) -> list[str]:
    """Cases in collection order: by the first position of their sources.

    A source with no case stands for a case of its own, named after it.
    Cases with no source are left out (nothing was collected from them).
    """
    rows = conn.execute(
        "SELECT COALESCE(c.name, s.name) AS k, MIN(s.position) AS p, MIN(s.name) "
        "FROM sources s LEFT JOIN cases c ON c.id = s.case_id GROUP BY k ORDER BY p, 3, k")
    return [r[0] for r in rows]


def segment_texts(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """The text of each segment id given (unknown ids are skipped)."""
    spans = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        spans += conn.execute("SELECT source_id, start, end, id FROM segments "
                              f"WHERE id IN ({marks})", chunk).fetchall()
    text = SourceText(conn)  # cut in Python, each source read once
    return {seg_id: text.cut(source_id, start, end)
            for source_id, start, end, seg_id in sorted(spans)}


#: Characters read before a segment for its label and timestamp.
LABEL_CHARS = 80


def text_before(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """For each segment id, up to :data:`LABEL_CHARS` characters of its source before it.

    Read for a few quoted segments (their timestamps); {} when the study is closed.
    """
    found: dict[int, str] = {}
    try:
        for seg_id, text in conn.execute(
                "SELECT g.id, substr(s.text, max(1, g.start + 1 - ?), min(g.start, ?)) "
                f"FROM segments g JOIN sources s ON s.id = g.source_id WHERE g.id IN "
                f"({','.join('?' * len(ids))})", (LABEL_CHARS, LABEL_CHARS, *ids)):
            found[seg_id] = text or ""
    except sqlite3.ProgrammingError:  # the study was closed: cite without the time
        return {}
    return found


def rule_evidence(conn: sqlite3.Connection) -> dict[tuple[int, str], list[str]]:
    """(segment id, code) -> the distinct rule-evidence terms of its suggestions.

    Suggestions a human rejected are left out, as in ``effective_codings``.
    """
    found: dict[tuple[int, str], list[str]] = {}
    for seg_id, code, evidence in conn.execute(
            "SELECT k.segment_id, k.code_id, k.evidence FROM counted_codings k "
            "WHERE k.status = 'suggested' AND k.segment_id IS NOT NULL AND k.evidence IS NOT NULL "
            "ORDER BY k.segment_id, k.code_id"):
        terms = found.setdefault((seg_id, code), [])
        for term in _terms(evidence):
            if term not in terms:
                terms.append(term)
    return found


def _terms(evidence: str) -> list[str]:
    try:
        data = json.loads(evidence)
    except (TypeError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [str(hit["term"]) for hit in data if isinstance(hit, dict) and hit.get("term")]


def segment_ids_by_ref(conn: sqlite3.Connection) -> dict[str, int]:
    """``"SOURCE#IDX"`` -> segment id, for every segment (to resolve quote overrides)."""
    return {f"{name}#{idx}": seg_id for seg_id, name, idx in conn.execute(
        "SELECT g.id, s.name, g.idx FROM segments g JOIN sources s ON s.id = g.source_id")}


# -- storyline -----------------------------------------------------------------

@dataclass(frozen=True)
class StoryRow:
    key: str
    text: str
    author: str | None
    edited: bool
    updated_at: str


def storyline_rows(conn: sqlite3.Connection) -> dict[str, StoryRow]:
    """Every storyline entry by key."""
    return {r[0]: StoryRow(r[0], r[1], r[2], bool(r[3]), r[4]) for r in conn.execute(
        "SELECT key, text, author, edited, updated_at FROM storyline ORDER BY key")}


def put_generated(conn: sqlite3.Connection, key: str, text: str) -> bool:
    """Store generated text under ``key`` unless the researcher edited it; True if written."""
    row = conn.execute("SELECT text, edited FROM storyline WHERE key = ?", (key,)).fetchone()
    if row and (row[1] or row[0] == text):
        return False
    conn.execute("INSERT INTO storyline(key, text, author, edited, updated_at) "
                 "VALUES (?, ?, 'gtcode', 0, ?) ON CONFLICT(key) DO UPDATE SET "
                 "text = excluded.text, author = excluded.author, edited = 0, "
                 "updated_at = excluded.updated_at", (key, text, now_iso()))
    return True


def put_edited(conn: sqlite3.Connection, key: str, text: str, author: str) -> None:
    """Store the researcher's own text under ``key`` (kept by later runs)."""
    conn.execute("INSERT INTO storyline(key, text, author, edited, updated_at) "
                 "VALUES (?, ?, ?, 1, ?) ON CONFLICT(key) DO UPDATE SET text = excluded.text, "
                 "author = excluded.author, edited = 1, updated_at = excluded.updated_at",
                 (key, text, author, now_iso()))


QUOTE_PREFIX = "quote:"


def quote_overrides(conn: sqlite3.Connection) -> dict[str, list[int]]:
    """Target -> segment ids of the quotes the researcher chose for it.

    Stored in ``storyline`` under ``quote:<target>`` as one ``SOURCE#IDX``
    per line; references that no longer resolve are skipped.
    """
    refs = segment_ids_by_ref(conn)
    found: dict[str, list[int]] = {}
    for key, text in conn.execute("SELECT key, text FROM storyline WHERE key LIKE 'quote:%' "
                                  "ORDER BY key"):
        ids = [refs[line.strip()] for line in text.splitlines() if line.strip() in refs]
        found[key[len(QUOTE_PREFIX):]] = ids
    return found


def delete_generated(conn: sqlite3.Connection, keys: list[str]) -> None:
    """Remove generated (never edited) entries whose keys no longer apply."""
    conn.executemany("DELETE FROM storyline WHERE key = ? AND edited = 0",
                     [(k,) for k in keys])
