"""``gtcode sheet export|apply``: the review loop in a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from gtcode.cli._common import (
    ForceOpt,
    QuietOpt,
    StudyArg,
    handle_errors,
    note,
    overwrite,
    progress,
)
from gtcode.coding.active import least_certain
from gtcode.coding.sheet import apply_sheet, export_sheet
from gtcode.workspace import open_study, study_codebook

sheet_app = typer.Typer(help="Review codings in a spreadsheet: export a sheet, apply it back.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sheet_app, name="sheet")


@sheet_app.command("export")
@handle_errors
def export_cmd(
    study: StudyArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The sheet to write (.xlsx or "
                                         ".csv).", show_default=False)],
    coder: Annotated[Optional[str], typer.Option(
        "--coder", help="Fill the coder's columns with this coder's earlier decisions.")] = None,
    next_: Annotated[Optional[int], typer.Option(
        "--next", min=1, help="Only the N undecided respondent turns the learned model is "
        "least sure of, spread over interviews: the decisions that teach it most.")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a coding sheet: one row per segment with suggested codes and evidence.

    Example: gtcode sheet export my-study -o sheet.xlsx --coder li --next 50
    """
    with open_study(study) as opened, progress(quiet) as tick, overwrite(force):
        book = study_codebook(opened)
        chosen = None
        if next_ is not None:
            chosen = {u.segment_id for u in least_certain(opened, book, next_, coder=coder,
                                                          progress=tick)}
        with opened.snapshot():
            report = export_sheet(opened, book, output, coder=coder, segments=chosen,
                                  progress=tick)
    note(f"Wrote {report.rows} rows ({report.suggested} suggested codes) to {output}.",
         quiet=quiet)


@sheet_app.command("apply")
@handle_errors
def apply_cmd(
    study: StudyArg,
    sheet: Annotated[Path, typer.Argument(help="The reviewed sheet (.xlsx or .csv).",
                                          show_default=False)],
    coder: Annotated[str, typer.Option("--coder", help="Whose decisions these are.",
                                       show_default=False)],
    quiet: QuietOpt = False,
) -> None:
    """Record a coder's decisions from a reviewed sheet (all rows checked first).

    Example: gtcode sheet apply my-study sheet.xlsx --coder li
    """
    with open_study(study) as opened:
        report = apply_sheet(opened, study_codebook(opened, register=False), sheet, coder=coder)
    note(f"{report.rows} rows read: {report.accepted} accepted, {report.rejected} rejected, "
         f"{report.added} added, {report.removed} removed, {report.proposed} concepts "
         f"proposed, {report.memos} memos ({report.changed_rows} rows changed anything).",
         quiet=quiet)
