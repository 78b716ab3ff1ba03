"""``gtcode run``: every stage and every export, in one call.

The stages are listed in order below, each a plain function, so a stage
added by a later feature is one line here; the exports are those of
:data:`gtcode.exports.registry.RUN_EXPORTS`.

The REFI-QDA project is written twice by default (``positions="both"``):
``project.qdpx`` counts selection positions in UTF-16 code units, as NVivo
does, and ``project-codepoints.qdpx`` in code points, as the standard and
QualCoder, ATLAS.ti and other code-point readers do. The two differ only
after a character above U+FFFF (emoji, rare CJK); a one-shot run cannot ask
which program the researcher will open, and the wrong file misplaces every
later coding without a word, so both are written.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gtcode import cluster as dask_cluster
from gtcode.codebook import DEFAULT_CODEBOOK, Codebook
from gtcode.coding.axial import axial_stage
from gtcode.coding.open_coding import ReplacedRecoder, open_stage
from gtcode.coding.selective import selective_stage
from gtcode.errors import GtcodeError
from gtcode.exports.parallel import export_all
from gtcode.exports.registry import (
    EXPORTERS,
    RUN_EXPORTS,
    ExportOptions,
    check_targets,
    companions,
)
from gtcode.importer import ImportOptions, ImportReport, import_files
from gtcode.progress import Progress
from gtcode.store.project import DB_NAME, Study
from gtcode.tables.matrices import build_tables
from gtcode.workspace import init_study, open_study, study_codebook

#: A stage changes the study (coding, analysis) and returns a one-line summary.
Stage = Callable[[Study, Codebook, Progress | None], str]

STAGES: list[tuple[str, Stage]] = [
    ("open", open_stage),
    ("axial", axial_stage),
    ("selective", selective_stage),
]

#: ``positions`` of :func:`run`: which REFI-QDA variants to write.
RUN_POSITIONS = ("both", "nvivo", "codepoints")
#: File name of the code-point variant of the project.
CODEPOINTS_QDPX = "project-codepoints.qdpx"


@dataclass
class RunReport:
    """What ``gtcode run`` did and where its outputs are."""

    study: Path
    imported: ImportReport
    stages: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    #: what the exports warned about (each once), e.g. a figure drawn without a CJK font
    warnings: list[str] = field(default_factory=list)


def import_transcripts(study: Study, files: Sequence[str | Path], *,
                       options: ImportOptions = ImportOptions(),
                       cases: str | Path | None = None,
                       progress: Progress | None = None,
                       scheduler: str | None = None) -> ImportReport:
    """``gtcode import``: import transcripts and cases; with ``options.replace`` the rule
    suggestions of each replaced file are recomputed in the same transaction (as
    :class:`~gtcode.coding.open_coding.ReplacedRecoder` says). ``scheduler``: decode and
    segment on a Dask cluster (:mod:`gtcode.cluster`)."""
    recoder = ReplacedRecoder(study_codebook(study), study) if options.replace else None
    report = import_files(study, files, options=options, cases=cases, progress=progress,
                          after_replace=recoder, scheduler=scheduler)
    if recoder is not None and report.replaced:
        if recoder.done:
            report.recomputed = recoder.recomputed
        elif recoder.note:
            report.warnings.append(recoder.note)
    return report


def run(files: Sequence[str | Path], out: str | Path, *, cases: str | Path | None = None,
        codebook: str | Path = DEFAULT_CODEBOOK, options: ImportOptions = ImportOptions(),
        model: bool = True, embeddings: bool | None = None,
        progress: Progress | None = None, positions: str = "both",
        excel_safe: bool = False, title: str | None = None,
        pseudonymised_only: bool = False, scheduler: str | None = None,
        workers: int | None = None) -> RunReport:
    """Create (or reuse) ``out/study``, import, run every stage, write every export.

    Running it again on the same files gives the same outputs: unchanged
    files are not re-imported, and human decisions in the study are kept.

    Args:
        positions: ``"both"`` (``project.qdpx`` in NVivo's UTF-16 units and
            ``project-codepoints.qdpx`` in code points), ``"nvivo"`` or
            ``"codepoints"`` (``project.qdpx`` only, in that unit).
        excel_safe: guard formula-like text in the csv outputs.
        title: the title of report.html and tables.docx (default: 研究报告 · OUT's name).
        pseudonymised_only: after the import, refuse (E901, no output written) while the
            study holds identifying terms nobody reviewed (``gtcode anonymize``).
        model, embeddings: open coding's (:func:`gtcode.coding.open_coding.open_code`).
        scheduler: run import and open coding on a Dask cluster (``local:N`` or a
            scheduler's address; :mod:`gtcode.cluster`), connected once for both.
        workers: processes writing the outputs (None: two where processes can be
            forked, :func:`gtcode.exports.parallel.export_all`); the same files either way.
    """
    if positions not in RUN_POSITIONS:
        raise GtcodeError("E112", f"unknown position unit {positions!r}.",
                          hint="use " + ", ".join(RUN_POSITIONS))
    if scheduler is not None:
        dask_cluster.parse_address(scheduler)  # a bad address stops the run before any work
    with dask_cluster.session(scheduler) as cluster:
        return _run(files, Path(out), cases=cases, codebook=codebook, options=options,
                    model=model, embeddings=embeddings, progress=progress, positions=positions,
                    excel_safe=excel_safe, title=title,
                    pseudonymised_only=pseudonymised_only, cluster=cluster,
                    workers=workers)


def _run(files: Sequence[str | Path], out: Path, *, cases: str | Path | None,
         codebook: str | Path, options: ImportOptions, model: bool, embeddings: bool | None,
         progress: Progress | None, positions: str, excel_safe: bool, title: str | None,
         pseudonymised_only: bool, cluster: dask_cluster.Cluster | None,
         workers: int | None) -> RunReport:
    study_dir = out / "study"
    fresh = not study_dir.exists()
    study = open_study(study_dir) if (study_dir / DB_NAME).exists() else init_study(
        study_dir, codebook)
    try:
        try:  # every output is checked before any work (E702: a review sheet not applied ...)
            check_targets(study, [path for name in RUN_EXPORTS
                                  for path in (out / EXPORTERS[name].filename,
                                               *companions(name, out / EXPORTERS[name].filename))])
            imported = import_files(study, files, options=options, cases=cases,
                                    progress=progress, scheduler=cluster)
        except GtcodeError:
            if fresh:  # bad input: leave no empty study behind, as if never run
                study.close()
                shutil.rmtree(study_dir, ignore_errors=True)
            raise
        if pseudonymised_only:
            from gtcode.privacy import require_pseudonymised

            require_pseudonymised(study, progress)
        book = study_codebook(study)
        report = RunReport(study=study_dir, imported=imported)
        for name, stage in STAGES:
            if name == "open":  # writes the codings, outside the analysis read below
                stage = functools.partial(open_stage, model=model, embeddings=embeddings,
                                          scheduler=cluster)
                report.stages.append(stage(study, book, progress))
        # one analysis read for the later stages and every output (a stage may still write)
        with study.snapshot(), study.remembering():
            for name, stage in STAGES:
                if name != "open":
                    report.stages.append(stage(study, book, progress))
            # the tables of the report, tables.docx and gtcode.xlsx, built once before the
            # outputs are shared with a forked process, so that both processes have them
            build_tables(study, book)
            jobs = [(name, out / filename, opts)
                    for name, filename, opts in _run_exports(positions, excel_safe, title)]
            for written in export_all(study, jobs, book=book, progress=progress,
                                      workers=workers):
                report.outputs.extend(written.paths)
                report.warnings.extend(w for w in written.warnings if w not in report.warnings)
    finally:
        study.close()
    return report


def _run_exports(positions: str, excel_safe: bool,
                 title: str | None = None) -> list[tuple[str, str, ExportOptions]]:
    """(format, file name, options) of every output of a run, in order."""
    found = []
    for name in RUN_EXPORTS:
        filename = EXPORTERS[name].filename
        if name != "qdpx":
            found.append((name, filename, ExportOptions(excel_safe=excel_safe, title=title)))
            continue
        first = "nvivo" if positions == "both" else positions
        found.append((name, filename, ExportOptions(positions=first, excel_safe=excel_safe)))
        if positions == "both":
            found.append((name, CODEPOINTS_QDPX, ExportOptions(positions="codepoints",
                                                               excel_safe=excel_safe)))
    return found
