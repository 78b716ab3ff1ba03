"""Open coding of a whole study: rule suggestions plus in-vivo candidates.

``open_code`` streams the study one source at a time (memory does not grow
with the corpus), codes each respondent segment with one
:class:`~gtcode.coding.rules.engine.RuleEngine`, and replaces the previous rule
suggestions inside one transaction. Human and imported codings are never
touched: a re-run cannot overwrite or drop a human decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace

from gtcode import cluster as dask_cluster
from gtcode.coding import workers
from gtcode.coding.invivo import (
    INVIVO_CODER,
    InvivoResult,
    InvivoSegment,
    PhraseCounts,
    PhraseRow,
    count_phrases,
    example_context,
    extract_invivo,
    rank_invivo,
)
from gtcode.coding.learned.coder import MachineCoder, machine_coder, suggest
from gtcode.coding.learned.turns import ROLES, Turn, embeddings_for, iter_turns
from gtcode.coding.per_source import (
    SourceCoding,
    cluster_code,
    cluster_phrases,
    code_sources,
    engine_mismatch,
    rule_hits,
    signature,
    source_batches,
)
from gtcode.coding.rules import (
    EngineStats,
    RegexTimeout,
    RuleEngine,
    Tokenizer,
    default_lexicon,
    default_tokenizer,
)
from gtcode.progress import Progress
from gtcode.store import learned as learned_db
from gtcode.store import open_coding as db
from gtcode.store.project import Study
from gtcode.transcripts import nlp
from gtcode.workspace import register_codebook, require_sources

#: Roles coded by default: respondents, and turns whose speaker role is unknown.
DEFAULT_ROLES = ("respondent", "unknown")


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
    #: the learned coder that made the combined suggestions ("" for the rules alone)
    model: str = ""
    model_codings: int = 0
    model_codes: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for ``gtcode run``."""
        line = (f"open coding: {self.codings} rule suggestions of {len(self.by_code)} codes on "
                f"{self.segments} segments")
        if self.model:
            line += (f", {self.model_codings} combined suggestions of {len(self.model_codes)} "
                     f"codes (rules + {self.model} model)")
        if self.invivo is not None:
            line += f", {len(self.invivo.candidates)} in-vivo candidates"
        return line


def open_code(study: Study, codebook, *, include_interviewer: bool = False,
              invivo: bool = True, progress: Progress | None = None,
              engine: RuleEngine | None = None,
              tokenizer: Tokenizer | None = None, jobs: int | None = None,
              model: bool = True, embeddings: bool | None = None,
              scheduler: str | dask_cluster.Cluster | None = None) -> OpenCodingReport:
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
            least :data:`~gtcode.coding.workers.PARALLEL_MIN_CHARS` characters where processes can be
            forked, i.e. on Linux; else 1). The codings are the same, in the
            same order, whatever the number.
        model: let the best learned model available combine its decisions
            with the rule hits (:mod:`gtcode.coding.learned.coder`); False
            leaves the rules' suggestions alone.
        embeddings: whether the model reads sentence embeddings (None: when
            installed and the model was trained with them).
        scheduler: run the rules, the learned coder (without embeddings) and
            the in-vivo counting on a Dask cluster (:mod:`gtcode.cluster`:
            ``local:N`` or a scheduler's address, or a connected
            :class:`~gtcode.cluster.Cluster`) instead of ``jobs``; its workers
            build the default engine, so ``engine`` and ``tokenizer`` serve
            this process only. The same rows, in the same order.

    Returns:
        counts, the engine's statistics and the in-vivo result.
    """
    require_sources(study, "code")
    with dask_cluster.session(scheduler) as cluster:
        return _open_code(study, codebook, cluster, include_interviewer=include_interviewer,
                          invivo=invivo, progress=progress, engine=engine, tokenizer=tokenizer,
                          jobs=jobs, model=model, embeddings=embeddings)


def _open_code(study: Study, codebook, cluster: dask_cluster.Cluster | None, *,
               include_interviewer: bool, invivo: bool, progress: Progress | None,
               engine: RuleEngine | None, tokenizer: Tokenizer | None, jobs: int | None,
               model: bool, embeddings: bool | None) -> OpenCodingReport:
    engine = engine or RuleEngine(codebook, tokenizer=tokenizer)
    machine, warnings = machine_coder(study, codebook, embeddings=embeddings) if model \
        else (None, [])
    roles = None if include_interviewer else DEFAULT_ROLES
    report = OpenCodingReport(word_forms=engine.forms.mode, codebook_hash=engine.codebook_hash,
                              warnings=warnings)
    hits: dict[int, dict[str, str]] = {}
    total = db.source_count(study.conn)
    jobs = 1 if cluster else workers.worker_count(jobs, db.text_characters(study.conn))
    parallel = cluster is not None or jobs > 1
    with study.write() as conn:
        register_codebook(study, codebook)  # in this transaction: with the coding or not at all
        db.ensure_coder(conn, db.RULE_CODER, "rule")
        report.removed = db.delete_rule_codings(conn)
        db.start_rule_run(conn, engine.codebook_hash, roles)
        # without embeddings the workers also run the learned coder on their sources
        in_workers = machine if machine is not None and not machine.needs_embeddings else None
        suggested: list[list[tuple]] = []
        if cluster is not None:
            coded = _on_cluster(engine, study, roles, report, cluster, in_workers, codebook,
                                suggested)
        elif jobs > 1:
            coded = _in_workers(engine, study, roles, report, jobs, in_workers, codebook,
                                suggested)
        else:
            coded = (rule_rows(engine, source, report)
                     for source in db.iter_source_spans(conn, roles=roles))
        # the rule hits are kept only for a learned coder that runs here, after the rules
        keep_hits = machine is not None and (not parallel or in_workers is None)
        try:
            for number, rows in enumerate(coded, start=1):
                db.insert_rule_codings(conn, rows)
                for segment_id, code, evidence in rows if keep_hits else ():
                    hits.setdefault(segment_id, {})[code] = evidence
                if progress:
                    progress("Rule coding", number, total)
        except RegexTimeout as exc:  # rolled back with the rest: the study is as it was
            raise exc.located(db.segment_label(conn, exc.segment_id)) from None
        finally:
            coded.close()  # stops the workers at once when writing fails
        _model_stage(study, codebook, machine, hits, roles, report, progress,
                     suggested if parallel and in_workers is not None else None)
        if invivo:
            report.invivo = _invivo(study, engine, tokenizer, progress, jobs=jobs,
                                    cluster=cluster)
            store_invivo(conn, report.invivo)
    _copy_stats(engine, report)
    return report


def _model_stage(study: Study, codebook, machine: MachineCoder | None,
                 hits: dict[int, dict[str, str]], roles: tuple[str, ...] | None,
                 report: OpenCodingReport, progress: Progress | None,
                 suggested: list[list[tuple]] | None = None) -> None:
    """Replace the combined suggestions of the learned coder (inside the open transaction).

    ``suggested``: the rows the worker processes already computed, in source order.
    """
    conn = study.conn
    if machine is None:
        learned_db.clear_model_run(conn)
        return
    learned_db.delete_model_codings(conn)
    db.ensure_coder(conn, learned_db.MODEL_CODER, "model")
    learned_db.start_model_run(conn, codebook.hash, machine.name, machine.model.fingerprint())
    report.model = machine.name
    if suggested is not None:
        for rows in suggested:
            learned_db.insert_model_codings(conn, rows)
            report.model_codings += len(rows)
            report.model_codes.update(row[1] for row in rows)
        return
    codes = {segment: set(found) for segment, found in hits.items()}
    total = db.respondent_segment_count(conn, roles or ("respondent", "unknown", "interviewer"))
    done = 0
    batch: list = []
    for turns in iter_turns(study, rule_hits=codes, roles=roles or ROLES):
        batch.extend(turns)
        if len(batch) >= MODEL_BATCH:
            done += _suggest_batch(study, codebook, machine, batch, hits, report)
            batch = []
            if progress:
                progress("Learned coder", done, total)
    done += _suggest_batch(study, codebook, machine, batch, hits, report)
    if progress:
        progress("Learned coder", done, total)


#: Turns coded by the learned model at a time (memory stays flat).
MODEL_BATCH = 2000


def _suggest_batch(study: Study, codebook, machine: MachineCoder, turns: list,
                   hits: dict[int, dict[str, str]], report: OpenCodingReport, *,
                   name_now: bool = False) -> int:
    turns = [turn for turn in turns if turn.text.strip()]
    if not turns:
        return 0
    vectors = (embeddings_for(study, [t.text for t in turns], writing=True)
               if machine.needs_embeddings else None)
    rows = suggest(machine, codebook, turns, hits, vectors, name_now=name_now)
    learned_db.insert_model_codings(study.conn, rows)
    report.model_codings += len(rows)
    report.model_codes.update(row[1] for row in rows)
    return len(turns)


def rule_rows(engine: RuleEngine, source: db.SourceSpans,
              report: OpenCodingReport) -> list[tuple]:
    """The rule codings of one source as (segment id, code, evidence JSON) rows for
    ``insert_rule_codings`` (:func:`~gtcode.coding.per_source.rule_hits`); counts in
    ``report``."""
    rows = rule_hits(engine, source)
    report.sources += 1
    report.segments += len(source.spans)
    report.characters += sum(end - start for start, end in source.spans)
    report.codings += len(rows)
    report.by_code.update(row[1] for row in rows)
    return rows


def _worker_rows(ids: list[int]) -> tuple[list[SourceCoding], list[tuple]]:
    """:func:`~gtcode.coding.per_source.code_sources` of these sources, in a forked worker."""
    engine, path, roles, machine, codebook = workers.STATE
    conn = workers.worker_reader(path)
    return code_sources(engine, (db.source_spans(conn, source_id, roles=roles)
                                 for source_id in ids), machine, codebook)


def _in_workers(engine: RuleEngine, study: Study, roles: tuple[str, ...] | None,
                report: OpenCodingReport, jobs: int, machine: MachineCoder | None = None,
                codebook=None, suggested: list | None = None) -> Iterator[list[tuple]]:
    """:func:`rule_rows` of each source, computed by ``jobs`` forked processes
    (:func:`~gtcode.coding.workers.forked_map`), in source order."""
    tasks = workers.chunks(db.source_ids(study.conn))
    state = (engine, study.db_path, roles, machine, codebook)
    results = workers.forked_map(_worker_rows, tasks, jobs, state)
    try:
        for result in results:
            yield from _collect(result, engine, report, suggested)
    finally:
        results.close()


def _on_cluster(engine: RuleEngine, study: Study, roles: tuple[str, ...] | None,
                report: OpenCodingReport, cluster: dask_cluster.Cluster,
                machine: MachineCoder | None, codebook, suggested: list | None
                ) -> Iterator[list[tuple]]:
    """:func:`rule_rows` of each source, computed by a Dask cluster's workers
    (:func:`~gtcode.coding.per_source.cluster_code`), in source order."""
    here = signature(engine)
    shared = (cluster.share(codebook), cluster.share(machine))
    results = cluster.map(cluster_code, source_batches(study.conn, roles), *shared)
    try:
        for there, *result in results:
            if there != here:
                raise engine_mismatch(here, there)
            yield from _collect(tuple(result), engine, report, suggested)
    finally:
        results.close()


def _collect(result: tuple[list[SourceCoding], list[tuple]], engine: RuleEngine,
             report: OpenCodingReport, suggested: list | None) -> Iterator[list[tuple]]:
    """The rule rows of a task's sources, one source at a time; its model rows to ``suggested``."""
    parts, suggestions = result
    if suggested is not None and suggestions:
        suggested.append(suggestions)
    for part in parts:
        yield _merge(part, engine, report)


def _merge(part: SourceCoding, engine: RuleEngine, report: OpenCodingReport) -> list[tuple]:
    """Add a source's counts to ``report`` and ``engine``; return its rows."""
    rows = part.rows
    report.sources += 1
    report.segments += part.segments
    report.characters += part.characters
    report.codings += len(rows)
    report.by_code.update(part.by_code)
    for item in fields(EngineStats):
        setattr(engine.stats, item.name,
                getattr(engine.stats, item.name) + getattr(part.stats, item.name))
    return rows


def _copy_stats(engine: RuleEngine, report: OpenCodingReport) -> None:
    stats = engine.stats
    report.hits, report.boundary_rejected, report.vetoed = (stats.hits, stats.boundary_rejected,
                                                             stats.vetoed)
    report.window_checks, report.tokenizer_calls = stats.window_checks, stats.tokenizer_calls


def invivo_segments(study: Study, *, include_interviewer: bool = False
                    ) -> Iterator[InvivoSegment]:
    """Respondent segments as in-vivo extraction reads them, in study order, and the
    interviewer's marked ``asked`` (unless ``include_interviewer``: then all are read alike)."""
    roles = None if include_interviewer else DEFAULT_ROLES
    return _segments(study.conn, roles)


def _segments(conn, roles: tuple[str, ...] | None, ids: list[int] | None = None
              ) -> Iterator[InvivoSegment]:
    for source in db.iter_source_segments(conn, ids=ids):
        for seg in source.segments:
            yield InvivoSegment(seg.id, f"{source.name}#{seg.idx}", source.case,
                                source.text[seg.start:seg.end],
                                roles is not None and seg.role not in roles)


def find_invivo(study: Study, codebook, *, tokenizer: Tokenizer | None = None,
                progress: Progress | None = None, store: bool = True,
                jobs: int | None = None, scheduler: str | dask_cluster.Cluster | None = None,
                **options) -> InvivoResult:
    """In-vivo candidates of the study (``gtcode open --invivo-only``).

    With ``store`` the study's in-vivo candidates are replaced by these (one
    transaction). ``jobs`` and ``scheduler`` as for :func:`open_code`;
    ``options`` go to :func:`~gtcode.coding.invivo.extract_invivo`.
    """
    require_sources(study, "search for in-vivo phrases")
    engine = RuleEngine(codebook, tokenizer=tokenizer, lemmas=None, lexicon=None)
    with dask_cluster.session(scheduler) as cluster:
        jobs = 1 if cluster else workers.worker_count(jobs, db.text_characters(study.conn))
        result = _invivo(study, engine, tokenizer, progress, jobs=jobs, cluster=cluster,
                         **options)
    if store:
        with study.write() as conn:
            store_invivo(conn, result)
    return result


def _invivo(study: Study, engine: RuleEngine, tokenizer: Tokenizer | None,
            progress: Progress | None, *, jobs: int = 1,
            cluster: dask_cluster.Cluster | None = None, **options) -> InvivoResult:
    """In-vivo candidates; with ``jobs`` > 1 forked workers count the phrases, with a
    ``cluster`` its workers do (:func:`~gtcode.coding.per_source.cluster_phrases`)."""
    tokenize = tokenizer or default_tokenizer()
    total = db.respondent_segment_count(study.conn, DEFAULT_ROLES)
    tick = (lambda done: progress("In-vivo phrases", done, total)) if progress else None
    options.setdefault("background", default_lexicon())  # loaded before any fork
    tags = options.pop("tags", None) or nlp.zh_word_tags()
    options.setdefault("coded", db.coded_segment_ids(study.conn))
    if jobs == 1 and cluster is None:
        result = extract_invivo(invivo_segments(study), tokenize=tokenize, tags=tags,
                                exclude=engine.terms(), progress=tick, **options)
        return _with_examples(study, result)
    counted, done = PhraseCounts(), 0
    tasks = workers.chunks(db.source_ids(study.conn))
    found = (cluster.map(cluster_phrases, (list(_segments(study.conn, DEFAULT_ROLES, ids))
                                           for ids in tasks)) if cluster is not None else
             workers.forked_map(_worker_phrases, tasks, jobs, (study.db_path, tokenize, tags)))
    for rows in found:
        for row in rows:
            counted.add(row)
        done += sum(not row[3] for row in rows)
        if tick:
            tick(done)
    return _with_examples(study, rank_invivo(counted, exclude=engine.terms(), tags=tags,
                                              **options))


def _worker_phrases(ids: list[int]) -> list[PhraseRow]:
    """The phrase counts of these sources' segments (in a worker)."""
    path, tokenize, tags = workers.STATE
    return list(count_phrases(_segments(workers.worker_reader(path), DEFAULT_ROLES, ids),
                              tokenize, tags=tags))


def _with_examples(study: Study, result: InvivoResult) -> InvivoResult:
    """Each candidate with its first occurrence and a little context around it."""
    found = []
    for candidate in result.candidates:
        key = candidate.where[0] if candidate.where else ""
        source, _hash, idx = key.rpartition("#")
        segment = db.find_segment(study.conn, source, int(idx)) if idx.isdigit() else None
        context = example_context(segment.text, candidate.phrase) if segment else ""
        found.append(replace(candidate, example_at=key, example=context))
    result.candidates = found
    return result


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
    #: the study, so that the learned coder recomputes its suggestions too (when the
    #: last open used it)
    study: Study | None = None
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
        hits: dict[int, dict[str, str]] = {}
        turns = []
        for source_id in source_ids:
            spans = db.source_spans(conn, source_id,
                                    roles=None if roles == "all" else DEFAULT_ROLES)
            rows = rule_rows(engine, spans, report)
            db.insert_rule_codings(conn, rows)
            for segment_id, code, evidence in rows:
                hits.setdefault(segment_id, {})[code] = evidence
            turns += [Turn(segment_id, "", spans.text[start:end],
                           frozenset(hits.get(segment_id, ())))
                      for segment_id, (start, end) in zip(spans.segment_ids, spans.spans)]
        if self.study is not None and \
                learned_db.machine_coder(conn) == learned_db.MODEL_CODER:
            machine, _warnings = machine_coder(self.study, self.codebook)
            if machine is not None:
                # another model than the last open's names its n-grams now (the rows
                # shown later are named with the last open's model)
                other = machine.model.fingerprint() != learned_db.coding_fingerprint(conn)
                _suggest_batch(self.study, self.codebook, machine, turns, hits, report,
                               name_now=other)
        self.recomputed, self.done = report.codings, True


def open_stage(study: Study, codebook, progress: Progress | None = None, *,
               model: bool = True, embeddings: bool | None = None,
               scheduler: str | dask_cluster.Cluster | None = None) -> str:
    """The ``gtcode run`` stage: open coding with in-vivo candidates, as one line."""
    report = open_code(study, codebook, progress=progress, model=model, embeddings=embeddings,
                       scheduler=scheduler)
    return "; ".join([report.summary(), *(f"warning: {w}" for w in report.warnings)])
