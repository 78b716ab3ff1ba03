"""``gtcode sheet export|apply``: the review loop in a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from gtcode.cli._common import (
    ForceOpt,
    PseudonymisedOpt,
    QuietOpt,
    StudyArg,
    guard_pseudonymised,
    handle_errors,
    note,
    overwrite,
    progress,
)
from gtcode.coding.active import least_certain
from gtcode.coding.sheet import export_sheet
from gtcode.coding.sheet_apply import ApplyReport, apply_sheet
from gtcode.coding.sheet_help import help_text
from gtcode.workspace import open_study, study_codebook

sheet_app = typer.Typer(help=help_text(), no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sheet_app, name="sheet")


@sheet_app.command("export")
@handle_errors
def export_cmd(
    study: StudyArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The sheet to write (.xlsx or "
                                         ".csv).", show_default=False)],
    coder: Annotated[Optional[str], typer.Option(
        "--coder", help="Show this coder's earlier codes (read only) and keep her memos and "
        "proposed concepts in their columns.")] = None,
    blind: Annotated[bool, typer.Option(
        "--blind", help="A blind sheet: no machine suggestion, evidence or probability and no "
        "earlier decision, for an independent coder.")] = False,
    next_: Annotated[Optional[int], typer.Option(
        "--next", min=1, help="Only the N undecided respondent turns the learned model is "
        "least sure of, spread over interviews: the decisions that teach it most.")] = None,
    force: ForceOpt = False,
    pseudonymised_only: PseudonymisedOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a coding sheet: one row per segment, the coder's columns left empty.

    A review sheet shows the machine's suggestions and evidence beside the empty
    决定 decision and 编码 codes columns; --blind writes none of them. Only rows the
    coder marks are recorded by `gtcode sheet apply`.

    Example: gtcode sheet export my-study -o sheet.xlsx --coder li --next 50
    """
    with open_study(study) as opened, progress(quiet) as tick, overwrite(force):
        guard_pseudonymised(opened, pseudonymised_only)
        book = study_codebook(opened)
        chosen = None
        if next_ is not None:
            chosen = {u.segment_id for u in least_certain(opened, book, next_, coder=coder,
                                                          progress=tick)}
        with opened.snapshot():
            report = export_sheet(opened, book, output, coder=coder, blind=blind,
                                  segments=chosen, progress=tick)
    what = "blind sheet, no suggestions" if report.mode == "blind" else \
        f"{report.suggested} machine suggestions shown"
    note(f"Wrote {report.rows} rows ({what}) to {output}; the decision and codes columns are "
         "empty: only rows you mark are recorded.", quiet=quiet)
    if output.suffix.lower() == ".csv":
        note("A csv has no instructions tab: see `gtcode sheet --help` (or write .xlsx).",
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

    Rows left undecided (no decision word, no codes) record nothing and are counted as
    undecided.

    Example: gtcode sheet apply my-study sheet.xlsx --coder li
    """
    with open_study(study) as opened:
        report = apply_sheet(opened, study_codebook(opened, register=False), sheet, coder=coder)
    note(apply_summary(report), quiet=quiet)


def apply_summary(report: ApplyReport) -> str:
    """The line ``gtcode sheet apply`` prints."""
    kind = {True: "blind sheet", False: "review sheet"}.get(report.blind, "sheet")
    return (f"{report.rows} rows read ({kind}): {report.decided} decided, {report.undecided} "
            f"undecided (nothing recorded for them). Recorded {report.accepted} accepted, "
            f"{report.rejected} rejected, {report.added} added, {report.removed} removed, "
            f"{report.proposed} concepts proposed, {report.memos} memos "
            f"({report.changed_rows} rows changed anything).")
