"""Open coding's work on sources, as pure functions any executor runs.

Sources in, rows out: :func:`code_sources` codes a few sources with the rule
engine (and, when given, the learned coder); :func:`count_phrases` of
:mod:`gtcode.coding.invivo` counts their in-vivo phrases. They neither read
nor write the study (:func:`source_batches` reads it for them, in the writer's
process), so one process, the forked workers
(:mod:`gtcode.coding.workers`) and a Dask cluster (:mod:`gtcode.cluster`) all
run the same code, and :mod:`gtcode.coding.open_coding`, the single writer,
stores what comes back in source order: the same rows whichever ran them.

:func:`cluster_code` and :func:`cluster_phrases` are the Dask tasks: each
worker builds its rule engine once per codebook (keyed by the codebook's
hash) and keeps it for every later task.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gtcode import cluster
from gtcode._version import __version__
from gtcode.coding import workers
from gtcode.coding.invivo import InvivoSegment, PhraseRow, count_phrases
from gtcode.coding.learned.coder import MachineCoder, suggest
from gtcode.coding.learned.turns import Turn
from gtcode.coding.rules import (
    EngineStats,
    RegexTimeout,
    RuleEngine,
    default_tokenizer,
    evidence_json,
)
from gtcode.errors import GtcodeError
from gtcode.store import open_coding as db
from gtcode.store.open_coding import SourceSpans
from gtcode.transcripts import nlp


@dataclass
class SourceCoding:
    """The rule coding of one source: its rows as three columns (segment ids, codes,
    evidence; far fewer objects to send between processes), its counts and the
    engine's statistics on it."""

    columns: tuple[tuple, ...]
    segments: int
    characters: int
    by_code: Counter[str]
    stats: EngineStats

    @property
    def rows(self) -> list[tuple]:
        """(segment id, code, evidence JSON) rows for ``insert_rule_codings``."""
        return list(zip(*self.columns))


def rule_hits(engine: RuleEngine, source: SourceSpans) -> list[tuple]:
    """The rule codings of one source as (segment id, code, evidence JSON) rows.

    Segments are coded in one pass over the source text when their spans are
    sorted and disjoint (as the segmenter makes them), else one by one.

    Raises:
        RegexTimeout: with ``segment_id`` set (named by the caller, which has the study).
    """
    text, spans, ids, codes = source.text, source.spans, source.segment_ids, engine.code_ids
    try:
        if all(a[1] <= b[0] for a, b in zip(spans, spans[1:])):
            found = engine.codings(text, spans)
        else:
            found = []
            for i, span in enumerate(spans):
                try:
                    found += [(i, index, hits) for _zero, index, hits
                              in engine.codings(text, [span])]
                except RegexTimeout as exc:
                    exc.span = i
                    raise
    except RegexTimeout as exc:
        exc.segment_id = ids[exc.span]
        raise
    return [(ids[i], codes[index], evidence_json(hits)) for i, index, hits in found]


def code_sources(engine: RuleEngine, sources: Iterable[SourceSpans],
                 machine: MachineCoder | None = None, codebook=None
                 ) -> tuple[list[SourceCoding], list[tuple]]:
    """The rule coding of each source, and the learned coder's rows of them all.

    ``machine`` (with ``codebook``): a learned coder that needs no sentence
    embeddings; its suggestions of each turn depend on that turn alone, so
    coding the sources in any grouping gives the same rows.
    """
    found, turns, hits = [], [], {}
    for source in sources:
        engine.stats = EngineStats()
        rows = rule_hits(engine, source)
        found.append(SourceCoding(tuple(zip(*rows)), len(source.spans),
                                  sum(end - start for start, end in source.spans),
                                  Counter(row[1] for row in rows), engine.stats))
        if machine is not None:
            for segment_id, code, evidence in rows:
                hits.setdefault(segment_id, {})[code] = evidence
            turns += [Turn(segment_id, "", source.text[start:end],
                           frozenset(hits.get(segment_id, ())))
                      for segment_id, (start, end) in zip(source.segment_ids, source.spans)]
    if machine is None:
        return found, []
    return found, suggest(machine, codebook, [t for t in turns if t.text.strip()], hits, None)


def signature(engine: RuleEngine) -> tuple[str, str, str]:
    """What must match between the workers and this process for the same rows: the
    gtcode version, the codebook and the English word forms (lemmas installed or not)."""
    return __version__, engine.codebook_hash, engine.forms.mode


#: Characters of source text sent to a Dask worker per task (besides at most
#: ``workers.CHUNK`` sources): big enough to outweigh a task's overhead.
TASK_CHARACTERS = 2_000_000


def source_batches(conn, roles: tuple[str, ...] | None) -> Iterator[list[SourceSpans]]:
    """The study's sources in order, a task's worth at a time."""
    batch: list[SourceSpans] = []
    size = 0
    for source in db.iter_source_spans(conn, roles=roles):
        batch.append(source)
        size += len(source.text)
        if len(batch) >= workers.CHUNK or size >= TASK_CHARACTERS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def engine_mismatch(here: tuple[str, str, str], there: tuple[str, str, str]) -> GtcodeError:
    """E954: the workers' engine differs from this process's (see :func:`signature`)."""
    return GtcodeError(
        "E954", f"a Dask worker codes with gtcode {there[0]}, English word forms "
        f"{there[2]!r}, codebook {there[1][:12]}; this process with gtcode {here[0]}, "
        f"{here[2]!r}, {here[1][:12]}: its suggestions would differ. Nothing was written.",
        hint="install the same gtcode version, with the same extras, on every worker "
        "(docs/scale.md)")


def cluster_code(sources: list[SourceSpans], codebook, machine: MachineCoder | None
                 ) -> tuple[tuple[str, str, str], list[SourceCoding], list[tuple]]:
    """A Dask task: :func:`code_sources` with this worker's engine for ``codebook``."""
    engine, lock = cluster.worker_cached(("engine", codebook.hash),
                                         lambda: (RuleEngine(codebook), threading.Lock()))
    with lock:  # a worker with several threads shares one engine, its statistics included
        found, suggestions = code_sources(engine, sources, machine, codebook)
    return signature(engine), found, suggestions


def cluster_phrases(segments: list[InvivoSegment]) -> list[PhraseRow]:
    """A Dask task: the in-vivo phrase counts of these segments, in order."""
    return list(count_phrases(segments, default_tokenizer(), tags=nlp.zh_word_tags()))
