"""The learned coder's tables: study models, cached embeddings, model suggestions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from gtcode.store.meta import now_iso, read_meta, write_meta

#: The coder name of the combined machine suggestions.
MODEL_CODER = "gtcode-model"
#: meta key saying which machine coder made the current suggestions.
MACHINE_CODER_KEY = "machine_coder"
#: meta key: the fingerprint of the model that made the current suggestions.
MODEL_FINGERPRINT_KEY = "model_fingerprint"
#: The name under which a study model that made the current suggestions is kept when
#: ``gtcode learn`` replaces it (or forgets it) before the next ``gtcode open``.
CODED_MODEL = "coded"


@dataclass(frozen=True)
class StoredModel:
    name: str
    trained_at: str
    data_hash: str
    codebook_hash: str | None
    trained_on: dict
    model: bytes


def save_model(conn: sqlite3.Connection, name: str, model: bytes, *, data_hash: str,
               codebook_hash: str | None, trained_on: dict) -> None:
    """Store (or replace) the model ``name``, inside the caller's transaction."""
    keep_coding_model(conn, name)
    conn.execute("INSERT INTO models(name, trained_at, data_hash, codebook_hash, trained_on, "
                 "model) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                 "trained_at = excluded.trained_at, data_hash = excluded.data_hash, "
                 "codebook_hash = excluded.codebook_hash, trained_on = excluded.trained_on, "
                 "model = excluded.model",
                 (name, now_iso(), data_hash, codebook_hash,
                  json.dumps(trained_on, ensure_ascii=False, sort_keys=True), model))


def load_model(conn: sqlite3.Connection, name: str) -> StoredModel | None:
    row = conn.execute("SELECT name, trained_at, data_hash, codebook_hash, trained_on, model "
                       "FROM models WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    return StoredModel(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"), bytes(row[5]))


def delete_model(conn: sqlite3.Connection, name: str) -> bool:
    keep_coding_model(conn, name)
    return conn.execute("DELETE FROM models WHERE name = ?", (name,)).rowcount > 0


def keep_coding_model(conn: sqlite3.Connection, name: str) -> None:
    """Before the model ``name`` is replaced or deleted: if it made the study's current
    suggestions, keep a copy as :data:`CODED_MODEL` (their strongest n-grams are named
    from it when shown)."""
    if read_meta(conn, "model_name") != name or read_meta(conn, MACHINE_CODER_KEY) \
            != MODEL_CODER or conn.execute("SELECT 1 FROM model_codings LIMIT 1").fetchone() \
            is None:
        return
    # a copy kept already is the model that coded (the study's was replaced since)
    conn.execute("INSERT OR IGNORE INTO models(name, trained_at, data_hash, codebook_hash, "
                 "trained_on, model) SELECT ?, trained_at, data_hash, codebook_hash, "
                 "trained_on, model FROM models WHERE name = ?", (CODED_MODEL, name))


# -- embeddings ----------------------------------------------------------------------

def cached_vectors(conn: sqlite3.Connection, keys: Sequence[str], model: str,
                   dimensions: int) -> dict[str, np.ndarray]:
    """The stored vectors of ``keys`` (text hashes) that exist."""
    found: dict[str, np.ndarray] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for key, blob in conn.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN "
                f"({marks})", [model, *chunk]):
            vector = np.frombuffer(blob, dtype=np.float32)
            if len(vector) == dimensions:
                found[key] = vector
    return found


def store_vectors(conn: sqlite3.Connection, vectors: dict[str, np.ndarray], model: str) -> None:
    conn.executemany("INSERT OR REPLACE INTO embeddings(text_hash, model, vector) "
                     "VALUES (?, ?, ?)",
                     [(key, model, np.asarray(v, dtype=np.float32).tobytes())
                      for key, v in sorted(vectors.items())])


def vector_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])


# -- model suggestions ---------------------------------------------------------------

def delete_model_codings(conn: sqlite3.Connection) -> int:
    return conn.execute("DELETE FROM model_codings").rowcount


def start_model_run(conn: sqlite3.Connection, codebook_hash: str, model: str,
                    fingerprint: str) -> None:
    """Mark the suggestions about to be written as the learned coder's (see schema 4),
    made by the model with ``fingerprint``; a copy of an earlier model kept for earlier
    suggestions is no longer needed."""
    write_meta(conn, "model_codebook_hash", codebook_hash)
    write_meta(conn, "model_coded_at", now_iso())
    write_meta(conn, "model_name", model)
    write_meta(conn, MODEL_FINGERPRINT_KEY, fingerprint)
    write_meta(conn, MACHINE_CODER_KEY, MODEL_CODER)
    conn.execute("DELETE FROM models WHERE name = ?", (CODED_MODEL,))


def clear_model_run(conn: sqlite3.Connection) -> None:
    """No model coded this time: rule suggestions count on their own again."""
    conn.execute("DELETE FROM model_codings")
    conn.execute("DELETE FROM models WHERE name = ?", (CODED_MODEL,))
    write_meta(conn, MACHINE_CODER_KEY, "gtcode-rules")


def insert_model_codings(conn: sqlite3.Connection,
                         rows: Iterable[tuple[int, str, float | None, str, str]]) -> None:
    """Rows of (segment id, code, probability, evidence JSON, features JSON).

    The features JSON is the list of the strongest n-grams, or (since they are
    named when shown) ``{"label": L}``: the model's label the suggestion came from.
    """
    conn.executemany("INSERT INTO model_codings(segment_id, code_id, probability, evidence, "
                     "features) VALUES (?, ?, ?, ?, ?)", rows)


def coding_fingerprint(conn: sqlite3.Connection) -> str | None:
    """The fingerprint of the model that made the current suggestions (None before)."""
    return read_meta(conn, MODEL_FINGERPRINT_KEY)


def machine_coder(conn: sqlite3.Connection) -> str | None:
    """``gtcode-model`` or ``gtcode-rules``: whose suggestions the last open left."""
    return read_meta(conn, MACHINE_CODER_KEY)


@dataclass(frozen=True)
class ModelSuggestion:
    """A suggestion of the learned coder: its strongest n-grams (``features``) as stored
    by older versions, or the model's ``label`` they are to be named for."""

    segment_id: int
    code_id: str
    probability: float | None
    features: tuple[str, ...]
    label: str | None = None


def model_suggestions(conn: sqlite3.Connection) -> dict[int, list[ModelSuggestion]]:
    """Segment id -> the model's suggestions on it, by code."""
    found: dict[int, list[ModelSuggestion]] = {}
    for seg, code, probability, features in conn.execute(
            "SELECT segment_id, code_id, probability, features FROM model_codings "
            "ORDER BY segment_id, code_id"):
        data = json.loads(features or "[]")
        label = data.get("label") if isinstance(data, dict) else None
        names = tuple(str(f) for f in data) if isinstance(data, list) else ()
        found.setdefault(seg, []).append(ModelSuggestion(
            seg, code, probability, names, label if isinstance(label, str) else None))
    return found


# -- what a coder decided, for training ----------------------------------------------

def decided_segments(conn: sqlite3.Connection, coders: Sequence[str] | None
                     ) -> dict[int, set[str]]:
    """Segment id -> codes accepted there by the coders, for every segment they decided on.

    A segment counts as decided when one of the coders has a decision in the
    log for it (accept, reject, add, remove or review) or a human coding on it.
    """
    names = list(coders or [])
    where = f" AND coder IN ({','.join('?' * len(names))})" if names else ""
    humans = "SELECT name FROM coders WHERE kind = 'human'"
    decided: dict[int, set[str]] = {}
    for (seg,) in conn.execute(
            f"SELECT DISTINCT segment_id FROM decisions WHERE segment_id IS NOT NULL "
            f"AND coder IN ({humans}){where}", names):
        decided.setdefault(seg, set())
    for seg, code, status in conn.execute(
            f"SELECT segment_id, code_id, status FROM codings WHERE origin = 'human' "
            f"AND segment_id IS NOT NULL{where}", names):
        accepted = decided.setdefault(seg, set())
        if status == "accepted":
            accepted.add(code)
    return decided


def human_coders(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM coders WHERE kind = 'human' "
                                       "ORDER BY name")]


def rule_hits(conn: sqlite3.Connection) -> dict[int, set[str]]:
    """Segment id -> the codes the rules suggested on it (the last `gtcode open`)."""
    found: dict[int, set[str]] = {}
    for seg, code in conn.execute("SELECT segment_id, code_id FROM rule_codings"):
        found.setdefault(seg, set()).add(code)
    return found


def suggested_pairs(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(segment id, code) of every suggestion of the learned coder."""
    return [tuple(r) for r in conn.execute(
        "SELECT segment_id, code_id FROM model_codings ORDER BY segment_id, code_id")]
