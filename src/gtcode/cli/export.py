"""``gtcode export STUDY --to FORMAT``: one command, a table of exporters by name.

Adding a format is one entry in :data:`EXPORTERS`: a function
``run(study, path, options) -> str`` (a one-line summary for the user), the
default file suffix and a help line. ``--to`` lists the names when one is
unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from gtcode.cli._common import QuietOpt, StudyArg, handle_errors, note
from gtcode.errors import GtcodeError
from gtcode.store.project import Study
from gtcode.workspace import open_study


@dataclass(frozen=True)
class ExportOptions:
    """Every ``gtcode export`` option; each exporter reads the ones it needs."""

    positions: str = "nvivo"
    rows: str = "case"
    cell: str = "references"
    level: str = "category"
    classification: str = "Person"
    lang: str | None = None


@dataclass(frozen=True)
class Exporter:
    """One export format: how to run it, its default suffix, a help line."""

    run: Callable[[Study, Path, ExportOptions], str]
    suffix: str
    help: str


def _qdpx(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.refi_qda import export_qdpx

    report = export_qdpx(study, path, positions=options.positions)
    counts = report.counts
    return _with_warnings(
        f"Wrote {path}: {counts['sources']} sources, {counts['codes']} codes, "
        f"{counts['codings']} codings, {counts['cases']} cases, {counts['memos']} memos "
        f"(positions: {options.positions}).", report.warnings)


def _qdc(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.refi_qda import export_qdc

    report = export_qdc(study, path)
    return _with_warnings(f"Wrote {path}: {report.counts['codes']} codes, "
                          f"{report.counts['sets']} code sets.", report.warnings)


def _csv(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.coding_tables import write_codings_csv

    return f"Wrote {path}: {write_codings_csv(study, path)} codings."


def _classification(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.nvivo import write_classification

    count = write_classification(study, path, classification=options.classification)
    return f"Wrote {path}: classification sheet of {count} cases."


def _matrix(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.nvivo import write_matrix

    frame = write_matrix(study, path, rows=options.rows, cell=options.cell,
                         level=options.level)
    return (f"Wrote {path}: matrix of {len(frame.index)} rows × {len(frame.columns)} "
            f"{options.level} codes ({options.cell}).")


def _xlsx(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.workbook import export_workbook
    from gtcode.workspace import study_codebook

    (written,) = export_workbook(study, study_codebook(study), path, lang=_lang(options))
    return f"Wrote {written}: grounded-theory tables and matrices, one sheet each."


def _docx(study: Study, path: Path, options: ExportOptions) -> str:
    from gtcode.exports.docx_tables import export_docx
    from gtcode.workspace import study_codebook

    (written,) = export_docx(study, study_codebook(study), path, lang=_lang(options))
    return f"Wrote {written}: the tables for the paper, one Word table each."


def _lang(options: ExportOptions) -> str | None:
    if options.lang not in (None, "zh", "en"):
        raise GtcodeError("E112", f"unknown language {options.lang!r}.", hint="use --lang zh or en")
    return options.lang


def _with_warnings(summary: str, warnings: list[str]) -> str:
    return "\n".join([summary, *(f"[yellow]Warning:[/] {w}" for w in warnings)])


#: Export formats by name (``--to NAME``). Colleagues add theirs here.
EXPORTERS: dict[str, Exporter] = {
    "qdpx": Exporter(_qdpx, ".qdpx", "REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder"),
    "qdc": Exporter(_qdc, ".qdc", "REFI-QDA codebook"),
    "csv": Exporter(_csv, ".csv", "every coding, one row each (codings.csv layout)"),
    "classification": Exporter(_classification, ".xlsx",
                               "NVivo classification sheet of case attributes (.xlsx/.csv)"),
    "matrix": Exporter(_matrix, ".xlsx", "matrix coding: cases or attribute values × codes"),
    "xlsx": Exporter(_xlsx, ".xlsx", "gtcode.xlsx: every grounded-theory table, one sheet each"),
    "docx": Exporter(_docx, ".docx", "tables.docx: the paper's tables (open, axial, selective, "
                     "saturation, matrices)"),
}


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)


def default_path(study: Study, name: str) -> Path:
    """``STUDY/exports/<study name>.<suffix>`` (``matrix`` and ``csv`` named by kind)."""
    stem = {"csv": "codings", "classification": "classification", "matrix": "matrix",
            "qdc": "codebook", "xlsx": "gtcode", "docx": "tables"}.get(
                name, study.path.resolve().name or "project")
    return study.exports_dir / f"{stem}{EXPORTERS[name].suffix}"


def run_export(study: Study, name: str, path: Path | None, options: ExportOptions) -> str:
    """Run the exporter ``name`` (E112 listing the valid names when unknown)."""
    exporter = EXPORTERS.get(name)
    if exporter is None:
        raise GtcodeError("E112", f"unknown export format {name!r}.",
                          hint="use --to " + ", ".join(EXPORTERS))
    return exporter.run(study, Path(path) if path else default_path(study, name), options)


ToOpt = Annotated[str, typer.Option("--to", help="Format: " + ", ".join(
    f"{n} ({e.help})" for n, e in EXPORTERS.items()) + ".", show_default=False)]
OutOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="File to write (default: STUDY/exports/...).")]
PositionsOpt = Annotated[str, typer.Option(
    "--positions", help="qdpx: count selection positions as 'nvivo' (UTF-16 code units) or "
    "'codepoints' (the REFI-QDA standard).")]
RowsOpt = Annotated[str, typer.Option(
    "--rows", help="matrix: 'case' or the name of a case attribute.")]
CellOpt = Annotated[str, typer.Option(
    "--cell", help="matrix: references, presence, words, characters, row_pct or col_pct.")]
LevelOpt = Annotated[str, typer.Option(
    "--level", help="matrix: category, subcategory or concept.")]
ClassOpt = Annotated[str, typer.Option(
    "--classification", help="classification: the NVivo classification name (cell A1).")]
LangOpt = Annotated[Optional[str], typer.Option(
    "--lang", help="xlsx/docx: headings in zh or en (default: the codebook's language).")]


@handle_errors
def export_cmd(study: StudyArg, to: ToOpt, output: OutOpt = None,
               positions: PositionsOpt = "nvivo", rows: RowsOpt = "case",
               cell: CellOpt = "references", level: LevelOpt = "category",
               classification: ClassOpt = "Person", lang: LangOpt = None,
               quiet: QuietOpt = False) -> None:
    """Export a study: REFI-QDA project or codebook, codings csv, NVivo sheets.

    Example: gtcode export my-study --to qdpx -o my-study.qdpx
    """
    options = ExportOptions(positions, rows, cell, level, classification, lang)
    with open_study(study) as opened, opened.snapshot():
        summary = run_export(opened, to, output, options)
    note(summary, quiet=quiet)


def show_refi_import(report, quiet: bool = False) -> None:  # noqa: ANN001 - ImportReport
    """Print what ``gtcode init --from`` brought in (used by the init command)."""
    counts = report.counts
    note(f"Created study [bold]{report.study}[/] from a REFI-QDA project "
         f"({report.origin or 'unknown origin'}): {counts['sources']} sources, "
         f"{counts['codes']} codes, {counts['selections']} selections, {counts['codings']} "
         f"codings, {counts['cases']} cases, {counts['memos']} memos, {counts['sets']} sets.",
         quiet=quiet)
    note(f"Positions read as {report.positions} ({report.positions_how}).", quiet=quiet)
    for warning in report.warnings:
        note(f"[yellow]Warning:[/] {warning}", quiet=quiet)
