"""Open coding of a whole study: rule suggestions plus in-vivo candidates.

``open_code`` streams the study one source at a time (memory does not grow
with the corpus), codes each respondent segment with one
:class:`~gtcode.coding.rules.engine.RuleEngine`, and replaces the previous rule
suggestions inside one transaction. Human and imported codings are never
touched: a re-run cannot overwrite or drop a human decision.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from gtcode.coding.invivo import (
    INVIVO_CODER,
    InvivoResult,
    InvivoSegment,
    extract_invivo,
)
from gtcode.coding.rules import (
    EngineStats,
    RuleEngine,
    Tokenizer,
    default_lexicon,
    default_tokenizer,
    evidence_json,
)
from gtcode.progress import Progress
from gtcode.store import open_coding as db
from gtcode.store.project import Study
from gtcode.workspace import require_sources

#: Roles coded by default: respondents, and turns whose speaker role is unknown.
DEFAULT_ROLES = ("respondent", "unknown")

#: Below this many characters of source text a study is coded in one process:
#: starting workers would cost more than it saves.
PARALLEL_MIN_CHARS = 2_000_000


@dataclass
class OpenCodingReport:
    """What a run of open coding did."""

    sources: int = 0
    segments: int = 0
    characters: int = 0
    codings: int = 0
    removed: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    hits: int = 0
    boundary_rejected: int = 0
    vetoed: int = 0
    window_checks: int = 0
    tokenizer_calls: int = 0
    word_forms: str = ""
    codebook_hash: str = ""
    invivo: InvivoResult | None = None

    def summary(self) -> str:
        """One line for ``gtcode run``."""
        line = (f"open coding: {self.codings} rule suggestions of {len(self.by_code)} codes on "
                f"{self.segments} segments")
        if self.invivo is not None:
            line += f", {len(self.invivo.candidates)} in-vivo candidates"
        return line


def open_code(study: Study, codebook, *, include_interviewer: bool = False,
              invivo: bool = True, progress: Progress | None = None,
              engine: RuleEngine | None = None,
              tokenizer: Tokenizer | None = None, jobs: int | None = None) -> OpenCodingReport:
    """Code every respondent segment with the codebook's rules; find in-vivo candidates.

    Args:
        study: an open study.
        codebook: the study's codebook (``workspace.study_codebook``).
        include_interviewer: code interviewer turns too.
        invivo: also refresh the in-vivo candidates.
        progress: ``progress(task, done, total)`` callback.
        engine: a prebuilt engine (else one is built from ``codebook``).
        tokenizer: the word segmenter (default :mod:`gtcode.transcripts.nlp`).
        jobs: processes that match rules (None: one per CPU for a study of at
            least :data:`PARALLEL_MIN_CHARS` characters where processes can be
            forked, i.e. on Linux; else 1). The codings are the same, in the
            same order, whatever the number.

    Returns:
        counts, the engine's statistics and the in-vivo result.
    """
    require_sources(study, "code")
    engine = engine or RuleEngine(codebook, tokenizer=tokenizer)
    roles = None if include_interviewer else DEFAULT_ROLES
    report = OpenCodingReport(word_forms=engine.forms.mode, codebook_hash=engine.codebook_hash)
    total = db.source_count(study.conn)
    workers = _workers(jobs, db.text_characters(study.conn))
    with study.write() as conn:
        db.ensure_coder(conn, db.RULE_CODER, "rule")
        report.removed = db.delete_rule_codings(conn)
        db.start_rule_run(conn, engine.codebook_hash, roles)
        coded = (_in_workers(engine, study, roles, report, workers) if workers > 1 else
                 (rule_rows(engine, source, report)
                  for source in db.iter_source_spans(conn, roles=roles)))
        try:
            for number, rows in enumerate(coded, start=1):
                db.insert_rule_codings(conn, rows)
                if progress:
                    progress("Rule coding", number, total)
        finally:
            coded.close()  # stops the workers at once when writing fails
        if invivo:
            report.invivo = _invivo(study, engine, tokenizer, progress)
            store_invivo(conn, report.invivo)
    _copy_stats(engine, report)
    return report


def rule_rows(engine: RuleEngine, source: db.SourceSpans,
              report: OpenCodingReport) -> list[tuple]:
    """The rule codings of one source as (segment id, code, evidence JSON) rows for
    ``insert_rule_codings``; counts in ``report``.

    Segments are coded in one pass over the source text when their spans are
    sorted and disjoint (as the segmenter makes them), else one by one.
    """
    text, spans, ids, codes = source.text, source.spans, source.segment_ids, engine.code_ids
    if all(a[1] <= b[0] for a, b in zip(spans, spans[1:])):
        found = engine.codings(text, spans)
    else:
        found = [(i, index, hits) for i, span in enumerate(spans)
                 for _zero, index, hits in engine.codings(text, [span])]
    rows = [(ids[i], codes[index], evidence_json(hits)) for i, index, hits in found]
    report.sources += 1
    report.segments += len(spans)
    report.characters += sum(end - start for start, end in spans)
    report.codings += len(rows)
    report.by_code.update(row[1] for row in rows)
    return rows


def _workers(jobs: int | None, characters: int) -> int:
    """How many processes code a study of ``characters`` (see :func:`open_code`)."""
    if jobs is not None and jobs < 1:
        raise ValueError("jobs must be at least 1")
    if not sys.platform.startswith("linux"):
        return 1  # workers inherit the engine by fork, which only Linux does safely
    if jobs is None:
        return (os.cpu_count() or 1) if characters >= PARALLEL_MIN_CHARS else 1
    return jobs


#: What a forked worker codes with: (engine, study database, roles), set in the
#: parent just before forking; and the worker's own read-only connection.
_WORKER: tuple[RuleEngine, Path, tuple[str, ...] | None] | None = None
_WORKER_CONN = None

#: Sources per task handed to a worker.
_CHUNK = 8


def _quiet_worker() -> None:
    """Ctrl-C is the parent's to handle: it stops the workers and rolls back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: What a worker returns per source: its rows as columns, its counts and engine statistics.
_Part = tuple[tuple[tuple, ...], OpenCodingReport, EngineStats]


def _worker_rows(ids: list[int]) -> list[_Part]:
    global _WORKER_CONN
    engine, path, roles = _WORKER
    if _WORKER_CONN is None:
        _WORKER_CONN = db.reader(path)
    found = []
    for source_id in ids:
        engine.stats = EngineStats()
        report = OpenCodingReport()
        rows = rule_rows(engine, db.source_spans(_WORKER_CONN, source_id, roles=roles), report)
        # as three columns: far fewer objects to pickle here and unpickle in the parent
        found.append((tuple(zip(*rows)), report, engine.stats))
    return found


def _in_workers(engine: RuleEngine, study: Study, roles: tuple[str, ...] | None,
                report: OpenCodingReport, workers: int) -> Iterator[list[tuple]]:
    """:func:`rule_rows` of each source, computed by ``workers`` forked processes.

    Each worker reads its sources through a read-only connection of its own
    (the study is in WAL mode, so it sees the last committed sources while
    this process holds the write transaction) and sends back only rows.
    Rows come back in source order, so the caller writes exactly what one
    process would. Memory stays bounded: a few tasks per worker in flight.
    """
    global _WORKER
    ids = db.source_ids(study.conn)
    _WORKER = (engine, study.db_path, roles)
    # Objects that exist now are never collected in the workers: without this
    # their garbage collector would walk (and so copy) the whole inherited engine.
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker)
    finally:
        gc.unfreeze()
        _WORKER = None
    try:
        pending: deque = deque()
        for first in range(0, len(ids), _CHUNK):
            pending.append(pool.apply_async(_worker_rows, (ids[first:first + _CHUNK],)))
            if len(pending) >= 3 * workers:
                for result in pending.popleft().get():
                    yield _merge(result, engine, report)
        while pending:
            for result in pending.popleft().get():
                yield _merge(result, engine, report)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _merge(result: _Part, engine: RuleEngine, report: OpenCodingReport) -> list[tuple]:
    """Add a worker's counts to ``report`` and ``engine``; return its rows."""
    columns, part, stats = result
    for name in ("sources", "segments", "characters", "codings"):
        setattr(report, name, getattr(report, name) + getattr(part, name))
    report.by_code.update(part.by_code)
    for item in fields(EngineStats):
        setattr(engine.stats, item.name,
                getattr(engine.stats, item.name) + getattr(stats, item.name))
    return list(zip(*columns))


def _copy_stats(engine: RuleEngine, report: OpenCodingReport) -> None:
    stats = engine.stats
    report.hits, report.boundary_rejected, report.vetoed = (stats.hits, stats.boundary_rejected,
                                                             stats.vetoed)
    report.window_checks, report.tokenizer_calls = stats.window_checks, stats.tokenizer_calls


def invivo_segments(study: Study, *, include_interviewer: bool = False
                    ) -> Iterator[InvivoSegment]:
    """Respondent segments as in-vivo extraction reads them, in study order."""
    roles = None if include_interviewer else DEFAULT_ROLES
    for source in db.iter_source_segments(study.conn, roles=roles):
        for seg in source.segments:
            yield InvivoSegment(seg.id, f"{source.name}#{seg.idx}", source.case,
                                source.text[seg.start:seg.end])


def find_invivo(study: Study, codebook, *, tokenizer: Tokenizer | None = None,
                progress: Progress | None = None, store: bool = True,
                **options) -> InvivoResult:
    """In-vivo candidates of the study (``gtcode open --invivo-only``).

    With ``store`` the study's in-vivo candidates are replaced by these (one
    transaction). ``options`` go to :func:`~gtcode.coding.invivo.extract_invivo`.
    """
    require_sources(study, "search for in-vivo phrases")
    engine = RuleEngine(codebook, tokenizer=tokenizer, lemmas=None, lexicon=None)
    result = _invivo(study, engine, tokenizer, progress, **options)
    if store:
        with study.write() as conn:
            store_invivo(conn, result)
    return result


def _invivo(study: Study, engine: RuleEngine, tokenizer: Tokenizer | None,
            progress: Progress | None, **options) -> InvivoResult:
    tokenize = tokenizer or default_tokenizer()
    total = db.respondent_segment_count(study.conn, DEFAULT_ROLES)
    tick = (lambda done: progress("In-vivo phrases", done, total)) if progress else None
    options.setdefault("background", default_lexicon())
    return extract_invivo(invivo_segments(study), tokenize=tokenize, exclude=engine.terms(),
                          progress=tick, **options)


def store_invivo(conn, result: InvivoResult) -> None:
    """Replace the stored in-vivo candidates (one row per segment and phrase)."""
    rows = [(phrase, segment_id, score) for segment_id, phrases in result.per_segment.items()
            for phrase, score in phrases]
    db.replace_invivo_candidates(conn, INVIVO_CODER, rows)


@dataclass
class ReplacedRecoder:
    """Recomputes the rule suggestions of re-imported sources (``gtcode import --replace``).

    Called by the import inside its transaction with the replaced sources'
    ids (their old suggestions went with their old segments). It codes them
    with the roles of the last ``gtcode open``, and only when that run used
    the study's current codebook: otherwise it leaves them for ``gtcode open``
    and says so in ``note``. A study never rule-coded gets no suggestions.
    """

    codebook: object
    recomputed: int = 0
    note: str | None = None
    done: bool = False

    def __call__(self, conn, source_ids: list[int]) -> None:
        book_hash, coded_at, roles = db.rule_run(conn)
        if coded_at is None:
            return
        if book_hash != self.codebook.hash:
            self.note = ("the codebook changed since the last `gtcode open`, so the rule "
                         "suggestions of the replaced file(s) were not recomputed; run "
                         "`gtcode open` to recompute every suggestion")
            return
        engine = RuleEngine(self.codebook)
        report = OpenCodingReport()
        for source_id in source_ids:
            spans = db.source_spans(conn, source_id,
                                    roles=None if roles == "all" else DEFAULT_ROLES)
            db.insert_rule_codings(conn, rule_rows(engine, spans, report))
        self.recomputed, self.done = report.codings, True


def open_stage(study: Study, codebook, progress: Progress | None = None) -> str:
    """The ``gtcode run`` stage: open coding with in-vivo candidates, as one line."""
    return open_code(study, codebook, progress=progress).summary()
