"""``gtcode export STUDY --to FORMAT``: every format of the library's export registry.

The formats, their default file names and help lines live in
:data:`gtcode.exports.registry.EXPORTERS`, which ``gtcode run`` reads too; this
module only parses the options and prints what was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from gtcode.cli._common import (
    ExcelSafeOpt,
    ForceOpt,
    PseudonymisedOpt,
    QuietOpt,
    StudyArg,
    guard_pseudonymised,
    handle_errors,
    note,
    overwrite,
    placement_lines,
    working,
)
from gtcode.exports.registry import (
    EXPORTERS,
    ExportOptions,
    Language,
    Level,
    MatrixCell,
    Positions,
    TableStyle,
    export,
)
from gtcode.workspace import open_study

Format = Literal[tuple(EXPORTERS)]  # type: ignore[valid-type]


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)


ToOpt = Annotated[Format, typer.Option("--to", help="Format: " + ", ".join(
    f"{n} ({e.help})" for n, e in EXPORTERS.items()) + ".", show_default=False)]
OutOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="File to write (default: STUDY/exports/...).")]
PositionsOpt = Annotated[Positions, typer.Option(
    "--positions", help="qdpx: count selection positions as 'nvivo' (UTF-16 code units) or "
    "'codepoints' (the REFI-QDA standard).")]
RowsOpt = Annotated[str, typer.Option(
    "--rows", help="matrix: 'case' or the name of a case attribute.")]
CellOpt = Annotated[MatrixCell, typer.Option(
    "--cell", help="matrix: references, presence, words, characters, row_pct or col_pct.")]
LevelOpt = Annotated[Level, typer.Option(
    "--level", help="matrix: category, subcategory or concept.")]
ClassOpt = Annotated[str, typer.Option(
    "--classification", help="classification: the NVivo classification name (cell A1).")]
LangOpt = Annotated[Optional[Language], typer.Option(
    "--lang", help="xlsx/docx/report/network: headings in zh or en (default: the codebook's "
    "language).")]

TableStyleOpt = Annotated[TableStyle, typer.Option(
    "--table-style", help="docx: 'three-line' (三线表, as journals print; APA layout with "
    "--lang en) or 'grid' (every cell bordered).")]
TitleOpt = Annotated[Optional[str], typer.Option(
    "--title", help="report/docx: the title (default: 研究报告 · the study's name; "
    "扎根理论编码表).")]


@handle_errors
def export_cmd(study: StudyArg, to: ToOpt, output: OutOpt = None,
               positions: PositionsOpt = "nvivo", rows: RowsOpt = "case",
               cell: CellOpt = "references", level: LevelOpt = "category",
               classification: ClassOpt = "Person", lang: LangOpt = None,
               table_style: TableStyleOpt = "three-line", title: TitleOpt = None,
               excel_safe: ExcelSafeOpt = False, force: ForceOpt = False,
               pseudonymised_only: PseudonymisedOpt = False, quiet: QuietOpt = False) -> None:
    """Export a study: REFI-QDA project or codebook, codings csv, NVivo sheets.

    Example: gtcode export my-study --to qdpx -o my-study.qdpx
    """
    options = ExportOptions(positions, rows, cell, level, classification, lang, excel_safe,
                            table_style, title)
    with open_study(study) as opened, opened.snapshot(), overwrite(force), \
            working(f"Exporting {to}", quiet) as tick:
        guard_pseudonymised(opened, pseudonymised_only)
        written = export(opened, to, output, options, progress=tick)
    note(written.summary, quiet=quiet)
    for warning in written.warnings:
        note(f"[yellow]Warning:[/] {warning}", quiet=quiet)


def show_refi_import(report, quiet: bool = False) -> None:
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
    for line in placement_lines([*report.spanning, *report.unplaced]):
        note(line, quiet=quiet, markup=False)
