"""Bring transcripts and case sheets into a study.

Everything is read, decoded and segmented before the first write, so a bad
file leaves the study exactly as it was; then all changes are made in one
transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gtcode import cluster as dask_cluster
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import sources as db
from gtcode.store.codings import PlacementRow, reanchor_codings, unplaced_codings
from gtcode.store.project import Study
from gtcode.transcripts.cases import CaseTable, match_cases, read_cases
from gtcode.transcripts.model import Document, Segmentation
from gtcode.transcripts.nlp import detect_language
from gtcode.transcripts.readers import (
    DEFAULT_MAX_BYTES,
    check_readable,
    read_bytes,
    transcript_from_bytes,
)
from gtcode.transcripts.segment import segment_document

#: Files a folder expands to (tables must be named one by one).
FOLDER_EXTENSIONS = (".txt", ".md", ".docx")
_SKIP_NAMES = {"readme", "license", "licence", "changelog"}


@dataclass(frozen=True)
class ImportOptions:
    """How transcripts are read and segmented."""

    encoding: str | None = None
    t2s: bool = False
    segment_mode: str = "turn"
    interviewer_labels: tuple[str, ...] = ()
    respondent_labels: tuple[str, ...] = ()
    replace: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class ImportReport:
    """What an import did, for the CLI to show."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    segments: int = 0
    cases_updated: int = 0
    reanchored: int = 0
    orphaned: int = 0
    backup: Path | None = None
    warnings: list[str] = field(default_factory=list)
    #: Codings of the replaced sources that no single segment now holds.
    placement: list[PlacementRow] = field(default_factory=list)
    recomputed: int | None = None


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the transcripts they hold; keep files as given.

    A folder contributes its .txt, .md and .docx files (not README or LICENSE),
    sorted by name; .csv/.xlsx turn tables must be named explicitly.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in FOLDER_EXTENSIONS
                           and p.stem.lower() not in _SKIP_NAMES
                           and not p.name.startswith((".", "~$")))
            if not found:
                raise GtcodeError("E101", "the folder holds no transcripts (.txt, .md, .docx); "
                                  "nothing was imported.", file=path,
                                  hint="check the path; name .csv/.xlsx turn tables one by one")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise GtcodeError("E101", "file not found.", file=path,
                              hint="check the path; folders are expanded to their transcripts")
    names = [f.name for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise GtcodeError("E101", f"two inputs share the file name {duplicates[0]!r}; sources "
                          "are named by file name.", hint="rename one of them")
    return files


def content_hash(text: str) -> str:
    """sha256 hex of the normalised text: a re-import whose text is unchanged is a no-op."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParsedSource:
    """A file read, decoded and segmented, with what storing it needs ("" when not yet
    worked out: then the store works it out, for the files it stores)."""

    doc: Document
    seg: Segmentation
    language: str = ""
    content_hash: str = ""


def parse_source(path: Path, raw: bytes, options: ImportOptions, *,
                 ready: bool = True) -> ParsedSource:
    """Decode, normalise and segment one file's bytes: a pure function of one source
    (what a Dask worker runs for ``gtcode import --scheduler``). ``ready``: also detect
    the language and hash the text, so that storing the source is only writing it."""
    doc = transcript_from_bytes(path, raw, encoding=options.encoding, t2s=options.t2s,
                                max_bytes=options.max_bytes)
    seg = segment_document(doc, mode=options.segment_mode,
                           interviewer_labels=options.interviewer_labels or None,
                           respondent_labels=options.respondent_labels or None)
    if not ready:
        return ParsedSource(doc, seg)
    return ParsedSource(doc, seg, detect_language(doc.text), content_hash(doc.text))


def parse_sources(files: list[tuple[Path, bytes]], options: ImportOptions) -> list[ParsedSource]:
    """:func:`parse_source` of each (path, bytes): one Dask task."""
    return [parse_source(path, raw, options) for path, raw in files]


def read_all(files: Sequence[Path], options: ImportOptions, progress: Progress | None = None,
             cluster: dask_cluster.Cluster | None = None) -> list[ParsedSource]:
    """Read and segment every file; raise on the first bad one, before any write.

    With a ``cluster`` this process reads the files and its workers decode and
    segment them (they need no access to the files); the result is the same.
    """
    parsed: list[ParsedSource] = []
    found = (parse_source(path, _raw(path, options), options, ready=False) for path in files) \
        if cluster is None else \
        (one for task in cluster.map(parse_sources, _file_batches(files, options), options)
         for one in task)
    for number, source in enumerate(found, start=1):
        parsed.append(source)
        if progress:
            progress("Reading transcripts", number, len(files))
    return parsed


def _raw(path: Path, options: ImportOptions) -> bytes:
    check_readable(path)
    return read_bytes(path, options.max_bytes)


#: Bytes of files sent to a Dask worker per task (or one file, when larger).
TASK_BYTES = 4_000_000


def _file_batches(files: Sequence[Path], options: ImportOptions
                  ) -> Iterator[list[tuple[Path, bytes]]]:
    """The files' bytes in tasks of about :data:`TASK_BYTES`, in order."""
    batch: list[tuple[Path, bytes]] = []
    size = 0
    for path in files:
        raw = _raw(path, options)
        batch.append((path, raw))
        size += len(raw)
        if size >= TASK_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


#: Called inside the import's transaction with the ids of the replaced sources
#: (``gtcode import --replace`` recomputes their rule suggestions through it).
AfterReplace = Callable[[sqlite3.Connection, list[int]], None]


def import_files(study: Study, paths: Iterable[Path], *, options: ImportOptions = ImportOptions(),
                 cases: str | Path | None = None, progress: Progress | None = None,
                 after_replace: AfterReplace | None = None,
                 scheduler: str | dask_cluster.Cluster | None = None) -> ImportReport:
    """Import transcripts (and optionally a case sheet) into ``study``.

    Re-importing an unchanged file is a no-op. A changed file is refused
    (E303) unless ``options.replace``; then the study is backed up, machine
    codings of that source are dropped (``after_replace``, when given,
    recomputes them in the same transaction) and human or imported codings
    are re-anchored by their text, or kept and reported when their passage is
    gone. ``scheduler``: decode and segment the files on a Dask cluster
    (:mod:`gtcode.cluster`); the study is the same.
    """
    files = expand_inputs(paths)
    cases = Path(cases) if cases else None
    case_table = read_cases(cases, max_bytes=options.max_bytes) if cases else None
    if case_table is not None:
        files = _collection_order(files, case_table)
    with dask_cluster.session(scheduler) as cluster:
        parsed = read_all(files, options, progress, cluster)
    report = ImportReport()
    plan = _plan(study, parsed, options, report)
    if report.replaced:
        report.backup = study.backup("before-replace")
    with study.write() as conn:
        report, plan = _replan(study, parsed, options, report)
        position = db.next_position(conn)
        for source, existing in plan:
            _store_source(conn, source, existing, report, position)
            position += existing is None
        _assign_cases(conn, [p.doc.name for p in parsed], case_table, cases, report)
        if report.replaced:
            changed = set(report.replaced)
            report.placement = [r for r in unplaced_codings(conn) if r.source in changed]
        replaced = [existing.id for _source, existing in plan if existing is not None]
        if replaced and after_replace is not None:
            after_replace(conn, replaced)
    return report


def _collection_order(files: list[Path], table: CaseTable) -> list[Path]:
    """Order files as the case sheet lists them (its rows are the collection order).

    Sources are numbered in import order, and saturation curves read that
    order as the order of data collection; a case sheet is usually kept in
    interview order, file names often are not. Files the sheet does not name
    keep their place after those it does.
    """
    rank: dict[str, int] = {}
    for number, row in enumerate(table.rows):
        for key in (row.file, row.name):
            if key:
                rank.setdefault(key, number)
                rank.setdefault(Path(key).stem, number)
    unranked = len(table.rows)
    return sorted(files, key=lambda f: rank.get(f.name, rank.get(f.stem, unranked)))


def _plan(study: Study, parsed: list[ParsedSource], options: ImportOptions,
          report: ImportReport) -> list[tuple[ParsedSource, db.SourceRow | None]]:
    """Decide per file: add, skip (unchanged), replace, or refuse (E303)."""
    plan = []
    for source in parsed:
        doc = source.doc
        existing = db.get_source(study.conn, doc.name)
        if existing is None:
            plan.append((source, None))
            report.added.append(doc.name)
        elif existing.raw_hash == doc.raw_hash or \
                existing.content_hash == (source.content_hash or content_hash(doc.text)):
            report.unchanged.append(doc.name)
        elif not options.replace:
            raise GtcodeError("E303", "this file has changed since it was imported; nothing was "
                              "imported.", file=doc.path,
                              hint="pass --replace to re-import it (machine codings are "
                              "recomputed, human codings re-anchored; a backup is kept)")
        else:
            plan.append((source, existing))
            report.replaced.append(doc.name)
    return plan


def _replan(study: Study, parsed: list[ParsedSource], options: ImportOptions,
            first: ImportReport) -> tuple[ImportReport, list]:
    """Plan again under the write lock: another gtcode may have imported meanwhile.

    A file that now needs replacing but was not backed up for it stops the import (E304).
    """
    report = ImportReport(backup=first.backup)
    plan = _plan(study, parsed, options, report)
    if not set(report.replaced) <= set(first.replaced):
        raise GtcodeError("E304", "another gtcode process changed these sources while this "
                          "import was reading them; nothing was imported.",
                          hint="run the import again")
    return report, plan


def store_document(conn, doc: Document, seg: Segmentation,
                   existing: db.SourceRow | None = None, *, language: str | None = None,
                   chash: str | None = None, position: int | None = None) -> int:
    """Store one read and segmented source (a new one, or ``existing`` replaced); its id.

    The one way a source enters a study, used by transcript import and by
    REFI-QDA import alike: the normalised text with its content hash, the
    header metadata, the language, and the segments. ``language`` and ``chash``:
    the text's, when already known (:class:`ParsedSource`); ``position``: a new
    source's place in the collection order, when the caller counts
    (``store.sources.next_position``), else worked out here.
    """
    metadata = dict(seg.metadata)
    language = language or detect_language(doc.text)
    chash = chash or content_hash(doc.text)
    if existing is None:
        source_id = db.insert_source(conn, doc, chash, metadata=metadata, language=language,
                                     case_id=None, position=position)
    else:
        source_id = existing.id
        db.update_source(conn, source_id, doc, chash, metadata=metadata, language=language)
    db.replace_segments(conn, source_id, seg.segments)
    return source_id


#: A file of this many non-empty lines that yields one segment was most likely not
#: understood (labels hidden or unusual): the import says so.
ONE_SEGMENT_LINES = 12


def one_segment_warning(doc: Document, seg: Segmentation) -> str | None:
    """A warning when a file of many lines became a single segment, else None."""
    lines = sum(1 for line in doc.text.split("\n") if line.strip())
    if len(seg.segments) != 1 or lines < ONE_SEGMENT_LINES:
        return None
    return (f"{doc.name}: {lines} lines ({len(doc.text):,} characters) became one segment; "
            "its speaker labels were probably not recognised, so the whole interview is one "
            "unit of coding. Check the labels (e.g. 问：/答：), name them with "
            "--interviewer-labels/--respondent-labels, or use --segment paragraph, and "
            "re-import with --replace.")


def _store_source(conn, source: ParsedSource, existing: db.SourceRow | None,
                  report: ImportReport, position: int) -> None:
    doc, seg = source.doc, source.seg
    source_id = store_document(conn, doc, seg, existing, language=source.language,
                               chash=source.content_hash, position=position)
    report.segments += len(seg.segments)
    warning = one_segment_warning(doc, seg)
    if warning:
        report.warnings.append(warning)
    if existing is not None:
        moved, lost = reanchor_codings(conn, source_id, existing.text, doc.text)
        report.reanchored += moved
        report.orphaned += lost
        if lost:
            report.warnings.append(f"{doc.name}: {lost} human or imported coding(s) could not be "
                                   "re-anchored; they are kept and listed by `gtcode status`.")


def _assign_cases(conn, names: list[str], table: CaseTable | None, cases_path: Path | None,
                  report: ImportReport) -> None:
    """One case per source by default (the file stem); the case sheet overrides."""
    mapping: dict[str, str] = {}
    if table is not None:
        all_sources = [s.name for s in db.list_sources(conn)]
        match = match_cases(table, all_sources)
        mapping = dict(match.mapping)
        for warning in match.warnings:
            report.warnings.append(warning)
        types = dict(table.attribute_types)
        ids = db.set_attribute_types(conn, types)
        for row in table.rows:
            case_id = db.ensure_case(conn, row.name)
            for attr, value in row.attributes.items():
                db.set_case_attribute(conn, case_id, ids[attr], value)
            report.cases_updated += 1
    for source in db.list_sources(conn):
        if source.name in mapping:
            db.assign_case(conn, source.id, db.ensure_case(conn, mapping[source.name]))
        elif source.case is None and source.name in names:
            db.assign_case(conn, source.id, db.ensure_case(conn, Path(source.name).stem))

