"""Sources, segments, cases and case attributes in the study database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gtcode.store.meta import now_iso
from gtcode.transcripts.model import Document, Segment


@dataclass(frozen=True)
class SourceRow:
    id: int
    name: str
    kind: str
    encoding: str | None
    raw_hash: str
    content_hash: str
    text: str
    metadata: dict[str, str]
    language: str | None
    position: int
    case: str | None
    imported_at: str
    original_path: str | None = None


@dataclass(frozen=True)
class SegmentRow:
    id: int
    source_id: int
    source: str
    case: str | None
    idx: int
    start: int
    end: int
    speaker: str | None
    role: str
    line: int | None
    kind: str
    text: str


_SOURCE_COLS = ("s.id, s.name, s.kind, s.encoding, s.raw_hash, s.content_hash, s.text, "
                "s.metadata, s.language, s.position, c.name, s.imported_at, s.original_path")


def _source(row: tuple) -> SourceRow:
    return SourceRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]),
                     row[8], row[9], row[10], row[11], row[12])


def get_source(conn: sqlite3.Connection, name: str) -> SourceRow | None:
    row = conn.execute(f"SELECT {_SOURCE_COLS} FROM sources s LEFT JOIN cases c "
                       "ON c.id = s.case_id WHERE s.name = ?", (name,)).fetchone()
    return _source(row) if row else None


def list_sources(conn: sqlite3.Connection) -> list[SourceRow]:
    rows = conn.execute(f"SELECT {_SOURCE_COLS} FROM sources s LEFT JOIN cases c "
                        "ON c.id = s.case_id ORDER BY s.position, s.name").fetchall()
    return [_source(r) for r in rows]


def next_position(conn: sqlite3.Connection) -> int:
    """The collection position of the next source imported.

    One pass over the sources table, whose ``position`` column lies after the
    text: SQLite walks every source's overflow pages to reach it. Asked once per
    import, not once per source (that made storing sources quadratic: 0.3 MB/s at
    50 MB).
    """
    return conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM sources").fetchone()[0]


def insert_source(conn: sqlite3.Connection, doc: Document, content_hash: str, *,
                  metadata: dict[str, str], language: str | None, case_id: int | None,
                  position: int | None = None) -> int:
    """Insert a new source and return its id (``position``: :func:`next_position`, when
    the caller keeps count)."""
    if position is None:
        position = next_position(conn)
    cur = conn.execute(
        "INSERT INTO sources(name, original_path, kind, encoding, raw_hash, content_hash, text, "
        "metadata, language, position, case_id, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (doc.name, str(doc.path), doc.kind, doc.encoding, doc.raw_hash, content_hash, doc.text,
         json.dumps(metadata, ensure_ascii=False, sort_keys=True), language, position, case_id,
         now_iso()))
    return int(cur.lastrowid)


def update_source(conn: sqlite3.Connection, source_id: int, doc: Document, content_hash: str, *,
                  metadata: dict[str, str], language: str | None) -> None:
    """Replace a source's text in place (``--replace``); segments are rewritten separately."""
    conn.execute(
        "UPDATE sources SET original_path=?, kind=?, encoding=?, raw_hash=?, content_hash=?, "
        "text=?, metadata=?, language=?, imported_at=? WHERE id=?",
        (str(doc.path), doc.kind, doc.encoding, doc.raw_hash, content_hash, doc.text,
         json.dumps(metadata, ensure_ascii=False, sort_keys=True), language, now_iso(),
         source_id))


def replace_segments(conn: sqlite3.Connection, source_id: int,
                     segments: Iterable[Segment]) -> None:
    conn.execute("DELETE FROM segments WHERE source_id = ?", (source_id,))
    conn.executemany(
        "INSERT INTO segments(source_id, idx, start, end, speaker, role, line, kind) "
        "VALUES (?,?,?,?,?,?,?,?)",
        [(source_id, s.idx, s.start, s.end, s.speaker, s.role, s.line, s.kind)
         for s in segments])


_SEGMENT_SQL = ("SELECT g.id, g.source_id, s.name, c.name, g.idx, g.start, g.end, g.speaker, "
                "g.role, g.line, g.kind "
                "FROM segments g JOIN sources s ON s.id = g.source_id "
                "LEFT JOIN cases c ON c.id = s.case_id")


class SourceText:
    """Passages cut from one source's text at a time, read once per source.

    SQLite's ``substr`` walks a text from its start on every call, so cutting
    each segment of a long source in SQL costs the source's length per segment;
    Python slices a ``str`` by code point, as ``substr`` counts, in constant time.
    Rows that come in source order read each source once (memory: one source).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.source_id: int | None = None
        self.text = ""

    def cut(self, source_id: int, start: int, end: int) -> str:
        """``substr(text, start + 1, end - start)`` of the source (0 <= start <= end)."""
        if source_id != self.source_id:
            row = self.conn.execute("SELECT text FROM sources WHERE id = ?",
                                    (source_id,)).fetchone()
            self.source_id, self.text = source_id, (row[0] if row else "")
        return self.text[start:end]


def iter_segments(conn: sqlite3.Connection, *, role: str | None = None,
                  source: str | None = None) -> Iterator[SegmentRow]:
    """Stream segments in source order with their text (memory stays flat)."""
    where, args = [], []
    if role:
        where.append("g.role = ?")
        args.append(role)
    if source:
        where.append("s.name = ?")
        args.append(source)
    sql = _SEGMENT_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY s.position, s.name, g.idx"
    text = SourceText(conn)
    for row in conn.execute(sql, args):
        yield SegmentRow(*row, text.cut(row[1], row[5], row[6]))


# -- cases -------------------------------------------------------------------

def ensure_case(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
    if row:
        return int(row[0])
    position = conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM cases").fetchone()[0]
    return int(conn.execute("INSERT INTO cases(name, position) VALUES (?, ?)",
                            (name, position)).lastrowid)


def assign_case(conn: sqlite3.Connection, source_id: int, case_id: int) -> None:
    conn.execute("UPDATE sources SET case_id = ? WHERE id = ?", (case_id, source_id))


def set_attribute_types(conn: sqlite3.Connection, types: dict[str, str]) -> dict[str, int]:
    """Create or retype attributes (in the given order); return name -> id."""
    ids: dict[str, int] = {}
    for position, (name, kind) in enumerate(types.items(), start=1):
        conn.execute("INSERT INTO attributes(name, type, position) VALUES (?, ?, ?) "
                     "ON CONFLICT(name) DO UPDATE SET type = excluded.type, "
                     "position = excluded.position", (name, kind, position))
        ids[name] = int(conn.execute("SELECT id FROM attributes WHERE name = ?",
                                     (name,)).fetchone()[0])
    return ids


def set_case_attribute(conn: sqlite3.Connection, case_id: int, attribute_id: int,
                       value: str | None) -> None:
    conn.execute("INSERT INTO case_attributes(case_id, attribute_id, value) VALUES (?, ?, ?) "
                 "ON CONFLICT(case_id, attribute_id) DO UPDATE SET value = excluded.value",
                 (case_id, attribute_id, value))


def list_cases(conn: sqlite3.Connection) -> list[tuple[str, dict[str, str | None]]]:
    """Cases in order with their attribute values (attribute order kept)."""
    attrs = [r[0] for r in conn.execute("SELECT name FROM attributes ORDER BY position, name")]
    values: dict[str, dict[str, str | None]] = {}
    for case, attr, value in conn.execute(
            "SELECT c.name, a.name, ca.value FROM case_attributes ca "
            "JOIN cases c ON c.id = ca.case_id JOIN attributes a ON a.id = ca.attribute_id"):
        values.setdefault(case, {})[attr] = value
    out = []
    for (name,) in conn.execute("SELECT name FROM cases ORDER BY position, name"):
        row = values.get(name, {})
        out.append((name, {a: row.get(a) for a in attrs}))
    return out


def attribute_types(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, type FROM attributes ORDER BY position, name"))


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Headline counts for ``gtcode status``."""
    one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    return {
        "sources": one("SELECT COUNT(*) FROM sources"),
        "cases": one("SELECT COUNT(*) FROM cases"),
        "segments": one("SELECT COUNT(*) FROM segments"),
        "respondent_segments": one("SELECT COUNT(*) FROM segments WHERE role = 'respondent'"),
        "characters": one("SELECT COALESCE(SUM(length(text)), 0) FROM sources"),
        "memos": one("SELECT COUNT(*) FROM memos"),
        "decisions": one("SELECT COUNT(*) FROM decisions"),
    }


def source_overview(conn: sqlite3.Connection) -> list[tuple[str, str | None, int, int]]:
    """(source, case, segments, respondent turns) of every source in study order."""
    return [tuple(r) for r in conn.execute(
        "SELECT s.name, c.name, COUNT(g.id), COALESCE(SUM(g.role = 'respondent'), 0) "
        "FROM sources s LEFT JOIN cases c ON c.id = s.case_id "
        "LEFT JOIN segments g ON g.source_id = s.id "
        "GROUP BY s.id ORDER BY s.position, s.name")]


def case_overview(conn: sqlite3.Connection) -> list[tuple[str, list[str], int]]:
    """(case, its sources, attributes with a value) of every case in order."""
    sources: dict[int, list[str]] = {}
    for case_id, name in conn.execute("SELECT case_id, name FROM sources "
                                      "WHERE case_id IS NOT NULL ORDER BY position, name"):
        sources.setdefault(case_id, []).append(name)
    return [(name, sources.get(case_id, []), int(valued)) for case_id, name, valued in
            conn.execute("SELECT c.id, c.name, (SELECT COUNT(*) FROM case_attributes ca "
                         "WHERE ca.case_id = c.id AND ca.value IS NOT NULL) FROM cases c "
                         "ORDER BY c.position, c.name")]


def coding_counts(conn: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
    """(origin, coder, status, count) rows for ``gtcode status``."""
    return [tuple(r) for r in conn.execute(
        "SELECT origin, coder, status, COUNT(*) FROM all_codings "
        "GROUP BY origin, coder, status ORDER BY origin, coder, status")]
