"""``gtcode run``: every stage and every export, in one call.

The stages are listed in order below, each a plain function, so a stage
added by a later feature is one line here; the exports are those of
:data:`gtcode.exports.registry.RUN_EXPORTS`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.codebook import DEFAULT_CODEBOOK, Codebook
from gtcode.coding.axial import axial_stage
from gtcode.coding.open_coding import ReplacedRecoder, open_stage
from gtcode.coding.selective import selective_stage
from gtcode.errors import GtcodeError
from gtcode.exports.registry import EXPORTERS, RUN_EXPORTS, export
from gtcode.importer import ImportOptions, ImportReport, import_files
from gtcode.progress import Progress
from gtcode.store.project import DB_NAME, Study
from gtcode.workspace import init_study, open_study, study_codebook

#: A stage changes the study (coding, analysis) and returns a one-line summary.
Stage = Callable[[Study, Codebook, Progress | None], str]

STAGES: list[tuple[str, Stage]] = [
    ("open", open_stage),
    ("axial", axial_stage),
    ("selective", selective_stage),
]


@dataclass
class RunReport:
    """What ``gtcode run`` did and where its outputs are."""

    study: Path
    imported: ImportReport
    stages: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def import_transcripts(study: Study, files: Sequence[str | Path], *,
                       options: ImportOptions = ImportOptions(),
                       cases: str | Path | None = None,
                       progress: Progress | None = None) -> ImportReport:
    """``gtcode import``: import transcripts and cases; with ``options.replace`` the rule
    suggestions of each replaced file are recomputed in the same transaction (as
    :class:`~gtcode.coding.open_coding.ReplacedRecoder` says)."""
    recoder = ReplacedRecoder(study_codebook(study)) if options.replace else None
    report = import_files(study, files, options=options, cases=cases, progress=progress,
                          after_replace=recoder)
    if recoder is not None and report.replaced:
        if recoder.done:
            report.recomputed = recoder.recomputed
        elif recoder.note:
            report.warnings.append(recoder.note)
    return report


def run(files: Sequence[str | Path], out: str | Path, *, cases: str | Path | None = None,
        codebook: str | Path = DEFAULT_CODEBOOK, options: ImportOptions = ImportOptions(),
        progress: Progress | None = None) -> RunReport:
    """Create (or reuse) ``out/study``, import, run every stage, write every export.

    Running it again on the same files gives the same outputs: unchanged
    files are not re-imported, and human decisions in the study are kept.
    """
    out = Path(out)
    study_dir = out / "study"
    fresh = not study_dir.exists()
    study = open_study(study_dir) if (study_dir / DB_NAME).exists() else init_study(
        study_dir, codebook)
    try:
        try:
            imported = import_files(study, files, options=options, cases=cases,
                                    progress=progress)
        except GtcodeError:
            if fresh:  # bad input: leave no empty study behind, as if never run
                study.close()
                shutil.rmtree(study_dir, ignore_errors=True)
            raise
        book = study_codebook(study)
        report = RunReport(study=study_dir, imported=imported)
        for _name, stage in STAGES:
            report.stages.append(stage(study, book, progress))
        for name in RUN_EXPORTS:
            written = export(study, name, out / EXPORTERS[name].filename, book=book,
                             progress=progress)
            report.outputs.extend(written.paths)
    finally:
        study.close()
    return report
