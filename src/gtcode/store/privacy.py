"""Pseudonymisation in the study database: the texts to search, and the one rewrite.

:func:`texts` gives every text an export can carry (sources, memos, the
storyline). :func:`rewrite` changes a study's every copy of an identifier inside
the caller's transaction: source texts, header metadata and import paths, segment spans
and speakers, the spans and evidence offsets of every coding (human, imported,
rule and model), model features, memos, the storyline, in-vivo candidates, case
attributes and the decision log's details. The decision log is append-only
(triggers); for this one rewrite the triggers are dropped and made again inside
the same transaction, and the rewrite itself is logged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol


class Rewriter(Protocol):
    """What :func:`rewrite` needs from the library (``gtcode.privacy.apply``)."""

    def source(self, text: str, language: str | None) -> tuple[str, Callable[[int, bool], int]]:
        """The new text and a map old offset -> new (``True``: an end offset)."""

    def string(self, text: str) -> str:
        """A short text (memo, speaker, attribute) with every term replaced."""

    def content_hash(self, text: str) -> str:
        """The content hash a source with this text has."""


def texts(conn: sqlite3.Connection) -> list[str]:
    """Every source text, memo (title and text), storyline text and speaker label."""
    found = [r[0] for r in conn.execute("SELECT text FROM sources ORDER BY position, name")]
    found += [f"{r[0] or ''}\n{r[1]}" for r in conn.execute(
        "SELECT title, text FROM memos ORDER BY id")]
    found += [r[0] for r in conn.execute("SELECT text FROM storyline ORDER BY key")]
    found += [r[0] for r in conn.execute("SELECT DISTINCT value FROM case_attributes "
                                         "WHERE value IS NOT NULL ORDER BY value")]
    return found


def rewrite(conn: sqlite3.Connection, rw: Rewriter) -> dict[str, int]:
    """Rewrite the study with ``rw`` (inside the caller's transaction); counts of rows changed."""
    counts = {"sources": 0, "segments": 0, "codings": 0, "other": 0}
    for source_id, text, language, metadata, path in conn.execute(
            "SELECT id, text, language, metadata, original_path FROM sources ORDER BY id"
            ).fetchall():
        new_text, where = rw.source(text, language)
        new_meta = _strings(json.loads(metadata), rw)
        new_path = rw.string(path) if path else path
        if (new_text, new_meta, new_path) == (text, json.loads(metadata), path):
            continue
        counts["sources"] += 1
        conn.execute("UPDATE sources SET text = ?, content_hash = ?, metadata = ?, "
                     "original_path = ? WHERE id = ?",
                     (new_text, rw.content_hash(new_text),
                      json.dumps(new_meta, ensure_ascii=False, sort_keys=True), new_path,
                      source_id))
        counts["segments"] += _segments(conn, source_id, where, rw)
        counts["codings"] += _codings(conn, source_id, where, rw)
    counts["other"] += _notes(conn, rw)
    counts["other"] += _decisions(conn, rw)
    return counts


def _segments(conn: sqlite3.Connection, source_id: int, where: Callable[[int, bool], int],
              rw: Rewriter) -> int:
    rows = conn.execute("SELECT id, start, end, speaker FROM segments WHERE source_id = ?",
                        (source_id,)).fetchall()
    conn.executemany("UPDATE segments SET start = ?, end = ?, speaker = ? WHERE id = ?",
                     [(where(s, False), where(e, True), rw.string(sp) if sp else sp, i)
                      for i, s, e, sp in rows])
    segments = [r[0] for r in rows]
    marks = ",".join("?" * len(segments))
    for table, extra in (("rule_codings", ""), ("model_codings", ", features")):
        for row in conn.execute(f"SELECT id, evidence{extra} FROM {table} "
                                f"WHERE segment_id IN ({marks})", segments).fetchall():
            values = [_evidence(row[1], where, rw)]
            if extra:
                values.append(json.dumps(_strings(json.loads(row[2]), rw), ensure_ascii=False))
            sets = "evidence = ?" + (", features = ?" if extra else "")
            conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values, row[0]))
    return len(rows)


def _codings(conn: sqlite3.Connection, source_id: int, where: Callable[[int, bool], int],
             rw: Rewriter) -> int:
    rows = conn.execute("SELECT id, start, end, evidence FROM codings WHERE source_id = ?",
                        (source_id,)).fetchall()
    # first out of the way (spans are unique per code and coder), then in place
    conn.executemany("UPDATE codings SET start = -id, end = -id WHERE id = ?",
                     [(r[0],) for r in rows])
    conn.executemany("UPDATE codings SET start = ?, end = ?, evidence = ? WHERE id = ?",
                     [(where(s, False), where(e, True), _evidence(ev, where, rw), i)
                      for i, s, e, ev in rows])
    return len(rows)


def _evidence(evidence: str | None, where: Callable[[int, bool], int], rw: Rewriter
              ) -> str | None:
    """Evidence JSON with its offsets moved; any other evidence with its terms replaced."""
    if not evidence:
        return evidence
    try:
        items = json.loads(evidence)
    except ValueError:
        return rw.string(evidence)
    if not isinstance(items, list):
        return json.dumps(_strings(items, rw), ensure_ascii=False)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("start"), int) and \
                isinstance(item.get("end"), int):
            item["start"], item["end"] = where(item["start"], False), where(item["end"], True)
    return json.dumps(_strings(items, rw, skip=("term",)), ensure_ascii=False)


def _strings(value: Any, rw: Rewriter, skip: tuple[str, ...] = ()) -> Any:
    """Every string inside a JSON value with its terms replaced (keys in ``skip`` kept)."""
    if isinstance(value, str):
        return rw.string(value)
    if isinstance(value, list):
        return [_strings(v, rw, skip) for v in value]
    if isinstance(value, dict):
        return {k: v if k in skip else _strings(v, rw, skip) for k, v in value.items()}
    return value


_NOTES = (("memos", "id", ("title", "text")), ("storyline", "key", ("text",)),
          ("candidates", "id", ("phrase", "note")), ("cases", "id", ("description",)),
          ("case_attributes", "rowid", ("value",)))


def _notes(conn: sqlite3.Connection, rw: Rewriter) -> int:
    changed = 0
    for table, key, columns in _NOTES:
        cols = ", ".join(columns)
        for row in conn.execute(f"SELECT {key}, {cols} FROM {table}").fetchall():
            new = [rw.string(v) if isinstance(v, str) else v for v in row[1:]]
            if new != list(row[1:]):
                sets = ", ".join(f"{c} = ?" for c in columns)
                conn.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?", (*new, row[0]))
                changed += 1
    return changed


def _decisions(conn: sqlite3.Connection, rw: Rewriter) -> int:
    """Replace terms in the decision log's details (an orphaned passage keeps its text)."""
    rows = []
    for decision_id, details in conn.execute("SELECT id, details FROM decisions").fetchall():
        old = json.loads(details)
        new = _strings(old, rw)
        if new != old:
            rows.append((decision_id, json.dumps(new, ensure_ascii=False, sort_keys=True)))
    if not rows:
        return 0
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = 'decisions' ORDER BY name").fetchall()
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.executemany("UPDATE decisions SET details = ? WHERE id = ?",
                     [(new, i) for i, new in rows])
    for _name, sql in triggers:
        conn.execute(sql)
    return len(rows)


def log_anonymize(conn: sqlite3.Connection, *, at: str, coder: str, details: dict) -> None:
    """The decision-log entry of an applied pseudonymisation (counts, never the terms)."""
    conn.execute("INSERT INTO decisions(at, coder, action, via, details) "
                 "VALUES (?, ?, 'anonymize', 'anonymize --apply', ?)",
                 (at, coder, json.dumps(details, ensure_ascii=False, sort_keys=True)))


def scrub(conn: sqlite3.Connection) -> None:
    """Overwrite freed pages and fold the write-ahead log in, so no old text stays in the file.

    Runs after the commit; a failure here leaves a correct study (only unscrubbed).
    """
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def secure_delete(conn: sqlite3.Connection, on: bool) -> None:
    """Zero deleted content as it is freed (for the pseudonymising write)."""
    conn.execute(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}")
