"""The respondent turns of a study as the learned coder reads them, and their embeddings.

A :class:`Turn` is a respondent (or unknown-role) segment: its id, source,
text and the codes the rules suggested on it. Embeddings come from the
study's cache (:mod:`gtcode.store.learned`), and turns not in it are embedded
and added to it, so each turn is embedded once per study.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from gtcode.coding.learned import embed
from gtcode.progress import Progress
from gtcode.store import learned as db
from gtcode.store import open_coding as segments_db
from gtcode.store.project import Study

#: Roles the learned coder reads and codes (as the rule coder does).
ROLES = ("respondent", "unknown")


@dataclass(frozen=True)
class Turn:
    segment_id: int
    source: str
    text: str
    rules: frozenset[str] = field(default_factory=frozenset)


def iter_turns(study: Study, *, rule_hits: dict[int, set[str]] | None = None,
               roles: tuple[str, ...] = ROLES) -> Iterator[list[Turn]]:
    """The study's turns, one source at a time (memory: one source)."""
    hits = rule_hits if rule_hits is not None else db.rule_hits(study.conn)
    for source in segments_db.iter_source_segments(study.conn, roles=roles):
        yield [Turn(seg.id, source.name, source.text[seg.start:seg.end],
                    frozenset(hits.get(seg.id, ()))) for seg in source.segments]


def turns_by_id(study: Study, ids: Sequence[int]) -> dict[int, Turn]:
    """The turns of the given segment ids (any role), with their rule hits."""
    wanted = set(ids)
    hits = db.rule_hits(study.conn)
    found = {}
    for source in segments_db.iter_source_segments(study.conn):
        for seg in source.segments:
            if seg.id in wanted:
                found[seg.id] = Turn(seg.id, source.name, source.text[seg.start:seg.end],
                                     frozenset(hits.get(seg.id, ())))
    return found


def embeddings_for(study: Study, texts: Sequence[str], *, progress: Progress | None = None,
                   writing: bool = False) -> np.ndarray:
    """Embeddings of ``texts`` (rows in order): from the study's cache, else computed.

    Newly computed vectors are stored in the study: inside the caller's
    transaction when ``writing``, else in one of their own.
    """
    keys = [embed.text_key(text) for text in texts]
    cached = db.cached_vectors(study.conn, keys, embed.MODEL_NAME, embed.DIMENSIONS)
    missing = sorted({key: text for key, text in zip(keys, texts) if key not in cached}.items())
    if missing:
        # the bar says this happens once: later runs read the vectors from the study
        task = f"Embedding {len(missing):,} new turns (once; kept in the study)"
        tick = (lambda done, total: progress(task, done, total)) if progress else None
        vectors = embed.embed([text for _key, text in missing], progress=tick)
        fresh = {key: vector for (key, _text), vector in zip(missing, vectors)}
        if writing:
            db.store_vectors(study.conn, fresh, embed.MODEL_NAME)
        else:
            with study.write() as conn:
                db.store_vectors(conn, fresh, embed.MODEL_NAME)
        cached.update(fresh)
    if not texts:
        return np.zeros((0, embed.DIMENSIONS), dtype=np.float32)
    return np.vstack([cached[key] for key in keys])


@dataclass(frozen=True)
class Example:
    """A labelled turn: the turn and the codes it carries."""

    turn: Turn
    codes: frozenset[str]


def decision_examples(study: Study, coders: Sequence[str] | None = None) -> list[Example]:
    """The turns the coders decided on, with the codes they accepted there."""
    decided = db.decided_segments(study.conn, coders)
    turns = turns_by_id(study, list(decided))
    return [Example(turns[seg], frozenset(codes)) for seg, codes in sorted(decided.items())
            if seg in turns]


def fingerprint(examples: Sequence[Example]) -> str:
    """sha256 of what decision training saw: each turn's text hash and its codes.

    A study model whose decisions or transcripts changed since it was trained
    (a new decision, ``import --replace``) has another fingerprint: stale.
    """
    digest = hashlib.sha256()
    for key, codes in sorted((embed.text_key(e.turn.text), sorted(e.codes)) for e in examples):
        digest.update(key.encode("ascii") + b"\x1f" + "\x1e".join(codes).encode("utf-8") + b"\n")
    return digest.hexdigest()
