"""``gtcode run``: every stage and every export, in one call.

The stages and exports are listed in order below; each is a plain function,
so a stage added by a later feature is one line here.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.codebook import Codebook
from gtcode.coding.axial import axial_stage
from gtcode.coding.open_coding import open_stage
from gtcode.coding.selective import selective_stage
from gtcode.coding.sheet import sheet_export
from gtcode.errors import GtcodeError
from gtcode.exports.coding_tables import write_codings_csv, write_segments_csv
from gtcode.exports.docx_tables import export_docx
from gtcode.exports.network import export_network
from gtcode.exports.nvivo import run_export_classification
from gtcode.exports.refi_qda import run_export_qdc, run_export_qdpx
from gtcode.exports.report import report_export
from gtcode.exports.workbook import export_workbook
from gtcode.importer import ImportOptions, ImportReport, import_files
from gtcode.store.project import DB_NAME, Study
from gtcode.workspace import DEFAULT_CODEBOOK, init_study, open_study, study_codebook

Progress = Callable[[str, int, int], None]
#: An export writes files under the output folder and returns them.
Export = Callable[[Study, Codebook, Path, Progress | None], list[Path]]
#: A stage changes the study (coding, analysis) and returns a one-line summary.
Stage = Callable[[Study, Codebook, Progress | None], str]


def _codings_csv(study: Study, book: Codebook, out: Path, progress: Progress | None) -> list[Path]:
    write_codings_csv(study, out / "codings.csv")
    return [out / "codings.csv"]


def _segments_csv(study: Study, book: Codebook, out: Path,
                  progress: Progress | None) -> list[Path]:
    write_segments_csv(study, out / "segments.csv")
    return [out / "segments.csv"]


STAGES: list[tuple[str, Stage]] = [
    ("open", open_stage),
    ("axial", axial_stage),
    ("selective", selective_stage),
]
EXPORTS: list[tuple[str, Export]] = [
    ("codings.csv", _codings_csv),
    ("segments.csv", _segments_csv),
    ("sheet.xlsx", sheet_export),
    ("report.html", report_export),
    ("project.qdpx", run_export_qdpx),
    ("codebook.qdc", run_export_qdc),
    ("classification.xlsx", run_export_classification),
    ("gtcode.xlsx", export_workbook),
    ("tables.docx", export_docx),
    ("network", export_network),
]


@dataclass
class RunReport:
    """What ``gtcode run`` did and where its outputs are."""

    study: Path
    imported: ImportReport
    stages: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def run(files: Sequence[Path], out: Path, *, cases: Path | None = None,
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
        for _name, export in EXPORTS:
            report.outputs.extend(export(study, book, out, progress))
    finally:
        study.close()
    return report
