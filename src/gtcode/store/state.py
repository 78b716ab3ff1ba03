"""A study's own records, as plain rows: what a REFI-QDA export carries in gtcode's Note.

REFI-QDA holds sources, codes, the codings that count, cases and memos. It has
no place for gtcode's segments, rule suggestions with their evidence,
rejections, the decision log, proposed and in-vivo concepts, the storyline
and the chosen quotes. :func:`dump_state` reads them as JSON-ready rows keyed
by source name and segment number (never by database ids);
:func:`restore_rows` writes them back into a new study inside the caller's
transaction. The exchange layer decides which rows still apply.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from typing import Any

#: Meta keys that travel with the study.
#: Model suggestions have ids below -MODEL_ID_OFFSET in ``all_codings`` (schema 4).
MODEL_ID_OFFSET = 1 << 40

STATE_META = ("created_at", "rule_codebook_hash", "rule_coded_at", "selective_options",
              "machine_coder", "model_codebook_hash", "model_coded_at", "model_name",
              "model_fingerprint")


def _segment_refs(conn: sqlite3.Connection) -> dict[int, list]:
    """Segment id -> [source name, idx]."""
    return {row[0]: [row[1], row[2]] for row in conn.execute(
        "SELECT g.id, s.name, g.idx FROM segments g JOIN sources s ON s.id = g.source_id")}


def dump_state(conn: sqlite3.Connection, exported: dict[int, str]) -> dict[str, Any]:
    """Every row REFI-QDA cannot hold; ``exported`` maps coding ids to the GUID written.

    Coding ids are those of ``all_codings`` (rule suggestions negative), so a
    coding written into the project is recognised on import by its GUID.
    """
    refs = _segment_refs(conn)
    sources = {}
    for name, chash, kind, encoding, metadata, language, imported in conn.execute(
            "SELECT name, content_hash, kind, encoding, metadata, language, imported_at "
            "FROM sources ORDER BY position, name"):
        sources[name] = {"content_hash": chash, "kind": kind, "encoding": encoding,
                         "metadata": json.loads(metadata), "language": language,
                         "imported_at": imported, "segments": []}
    for name, idx, start, end, speaker, role, line, kind in conn.execute(
            "SELECT s.name, g.idx, g.start, g.end, g.speaker, g.role, g.line, g.kind "
            "FROM segments g JOIN sources s ON s.id = g.source_id ORDER BY s.position, g.idx"):
        sources[name]["segments"].append([idx, start, end, speaker, role, line, kind])
    codings = [[source, start, end, code, origin, coder, status, chash, evidence, guid,
                orphaned, created, updated, refs.get(seg, [None, None])[1],
                exported.get(cid)]
               for (cid, source, seg, start, end, code, origin, coder, status, chash, evidence,
                    guid, orphaned, created, updated) in conn.execute(
                   "SELECT k.id, s.name, k.segment_id, k.start, k.end, k.code_id, k.origin, "
                   "k.coder, k.status, k.codebook_hash, k.evidence, k.guid, k.orphaned, "
                   "k.created_at, k.updated_at FROM codings k JOIN sources s "
                   "ON s.id = k.source_id ORDER BY s.position, k.start, k.end, k.code_id, "
                   "k.origin, k.coder")]
    rules = [[*refs[seg], code, evidence, exported.get(-rid)] for rid, seg, code, evidence in
             conn.execute("SELECT id, segment_id, code_id, evidence FROM rule_codings "
                          "ORDER BY segment_id, code_id")]
    models = [[name, trained_at, data_hash, codebook_hash, json.loads(trained_on or "{}"),
               base64.b64encode(bytes(blob)).decode("ascii")]
              for name, trained_at, data_hash, codebook_hash, trained_on, blob in conn.execute(
                  "SELECT name, trained_at, data_hash, codebook_hash, trained_on, model "
                  "FROM models ORDER BY name")]
    suggestions = [[*refs[seg], code, probability, evidence, features,
                    exported.get(-(mid + MODEL_ID_OFFSET))]
                   for mid, seg, code, probability, evidence, features in conn.execute(
                       "SELECT id, segment_id, code_id, probability, evidence, features "
                       "FROM model_codings ORDER BY segment_id, code_id")]
    return {
        "sources": sources,
        "model_codings": suggestions,
        "models": models,
        "coders": [list(r) for r in conn.execute(
            "SELECT name, kind, guid FROM coders ORDER BY name")],
        "codings": codings,
        "rule_codings": rules,
        "decisions": [[at, coder, action, refs.get(seg), code, via, details, blind]
                      for at, coder, action, seg, code, via, details, blind in conn.execute(
                          "SELECT at, coder, action, segment_id, code_id, via, details, blind "
                          "FROM decisions ORDER BY id")],
        "candidates": [[phrase, kind, by, refs.get(seg), score, note, created]
                       for phrase, kind, by, seg, score, note, created in conn.execute(
                           "SELECT phrase, kind, proposed_by, segment_id, score, note, "
                           "created_at FROM candidates ORDER BY id")],
        "storyline": [list(r) for r in conn.execute(
            "SELECT key, text, author, edited, updated_at FROM storyline ORDER BY key")],
        "meta": {key: value for key, value in conn.execute(
            f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(STATE_META))}) "
            "ORDER BY key", STATE_META)},
    }


def segment_ids(conn: sqlite3.Connection
                ) -> dict[tuple[str, int], tuple[int, int, int, int]]:
    """(source name, idx) -> (segment id, source id, start, end)."""
    return {(name, idx): (seg, src, start, end) for seg, src, name, idx, start, end in
            conn.execute("SELECT g.id, s.id, s.name, g.idx, g.start, g.end FROM segments g "
                         "JOIN sources s ON s.id = g.source_id")}


def source_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """Source name -> id."""
    return dict(conn.execute("SELECT name, id FROM sources"))


def restore_rows(conn: sqlite3.Connection, *, codings: list[tuple], rule_codings: list[tuple],
                 decisions: list[tuple], candidates: list[tuple], storyline: list[tuple],
                 meta: dict[str, str], coders: list[tuple],
                 imported: dict[str, str] | None = None, model_codings: list[tuple] = (),
                 models: list[tuple] = ()) -> None:
    """Write restored rows (ids already resolved by the caller).

    codings: (source_id, segment_id, start, end, code, origin, coder, status,
    codebook_hash, evidence, guid, orphaned, created_at, updated_at);
    rule_codings: (segment_id, code, evidence); decisions: (at, coder, action,
    segment_id, code, via, details[, blind]); candidates: (phrase, kind, proposed_by,
    segment_id, score, note, created_at); storyline: (key, text, author,
    edited, updated_at); coders: (name, kind, guid), replacing the kind an
    import gave them; imported: source name -> the time it was first imported.
    """
    conn.executemany("UPDATE sources SET imported_at = ? WHERE name = ?",
                     [(at, name) for name, at in sorted((imported or {}).items())])
    conn.executemany(
        "INSERT OR IGNORE INTO codings(source_id, segment_id, start, end, code_id, origin, "
        "coder, status, codebook_hash, evidence, guid, orphaned, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", codings)
    conn.executemany("INSERT OR IGNORE INTO rule_codings(segment_id, code_id, evidence) "
                     "VALUES (?, ?, ?)", rule_codings)
    conn.executemany("INSERT OR IGNORE INTO model_codings(segment_id, code_id, probability, "
                     "evidence, features) VALUES (?, ?, ?, ?, ?)", model_codings)
    conn.executemany("INSERT OR REPLACE INTO models(name, trained_at, data_hash, codebook_hash, "
                     "trained_on, model) VALUES (?, ?, ?, ?, ?, ?)", models)
    conn.executemany("INSERT INTO decisions(at, coder, action, segment_id, code_id, via, "
                     "details, blind) VALUES (?,?,?,?,?,?,?,?)",
                     [(*row, None)[:8] for row in decisions])
    conn.executemany("INSERT INTO candidates(phrase, kind, proposed_by, segment_id, score, "
                     "note, created_at) VALUES (?,?,?,?,?,?,?)", candidates)
    conn.executemany("INSERT INTO storyline(key, text, author, edited, updated_at) "
                     "VALUES (?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET text = excluded.text, "
                     "author = excluded.author, edited = excluded.edited, "
                     "updated_at = excluded.updated_at", storyline)
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) "
                     "DO UPDATE SET value = excluded.value", sorted(meta.items()))
    conn.executemany("INSERT INTO coders(name, kind, guid) VALUES (?, ?, ?) "
                     "ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, "
                     "guid = COALESCE(coders.guid, excluded.guid)", coders)
