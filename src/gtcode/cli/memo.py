"""Memo commands: ``memo add``, ``memo list``, ``memo show``, ``memo export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from rich.markup import escape
from rich.table import Table

from gtcode.cli._common import (
    ExcelSafeOpt,
    ForceOpt,
    PseudonymisedOpt,
    QuietOpt,
    StudyArg,
    default_author,
    guard_pseudonymised,
    handle_errors,
    note,
    out,
    overwrite,
)
from gtcode.coding import memos as lib
from gtcode.errors import GtcodeError
from gtcode.exports.memos import export_memos
from gtcode.transcripts.readers import read_text_file
from gtcode.workspace import open_study, study_codebook

memo_app = typer.Typer(help="Memos on codes, categories, cases, sources and segments.",
                       no_args_is_help=True)

OnOpt = Annotated[Optional[str], typer.Option(
    "--on", help="What the memo is about: study, code:ID, case:NAME, source:FILE or "
    "segment:FILE#N.")]


def register(app: typer.Typer) -> None:
    app.add_typer(memo_app, name="memo")


@memo_app.command("add")
@handle_errors
def add_cmd(
    study: StudyArg,
    on: OnOpt = None,
    text: Annotated[Optional[str], typer.Option("--text", help="The memo text.")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Read the text from this "
                                                 "file (UTF-8, GBK, UTF-16 ...).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="A short title.")] = None,
    author: Annotated[Optional[str], typer.Option("--author", help="Who wrote it (default: "
                                                  "your user name).")] = None,
    propose: Annotated[Optional[str], typer.Option(
        "--propose", help="Also propose a new concept of this name (建议概念): on the memo's "
        "segment, under the memo's code; see gtcode codebook adopt.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a memo (from --text, --file, or your $EDITOR when neither is given).

    With --propose NAME the memo also proposes a new concept (建议概念).

    Example: gtcode memo add my-study --on code:resource --text "Mostly village heads."
    """
    if on is None:
        raise typer.BadParameter("say what the memo is about, e.g. --on code:resource or "
                                 "--on segment:S01.txt#12", param_hint="'--on'")
    body = _memo_text(text, file)
    with open_study(study) as opened:
        book = study_codebook(opened)
        if propose is not None:
            from gtcode.coding.proposals import NewProposal, propose_with_memo

            memo_id = propose_with_memo(opened, book, NewProposal(propose, default_author(author)),
                                        target=on, text=body, title=title)
            note(f"Memo {memo_id} saved; {propose.strip()} proposed.", quiet=quiet,
                 markup=False)
            return
        memo = lib.add_memo(opened, on, body, author=default_author(author), title=title,
                            known_codes=[c.id for c in book.codes])
    note(f"Memo {memo.id} on {lib.target_label(memo)} saved.", quiet=quiet)


def _memo_text(text: str | None, file: Path | None) -> str:
    if text is not None and file is not None:
        raise typer.BadParameter("give --text or --file, not both", param_hint="'--text'")
    if file is not None:
        return read_text_file(file)  # any encoding a transcript may be in (GBK too)
    if text is not None:
        return text
    written = click.edit("\n# Write the memo above. Lines starting with # are ignored.\n")
    if written is None:
        raise GtcodeError("E112", "the editor closed without saving; no memo was written.")
    return "\n".join(line for line in written.splitlines() if not line.startswith("#"))


@memo_app.command("list")
@handle_errors
def list_cmd(study: StudyArg, on: OnOpt = None) -> None:
    """List memos (all, or those on one target).

    Example: gtcode memo list my-study --on code:resource
    """
    with open_study(study) as opened:
        memos = lib.list_memos(opened, on)
    table = Table("id", "on", "title", "author", "created (UTC)", "text", title="memos")
    for memo in memos:
        first = memo.text.splitlines()[0] if memo.text else ""
        table.add_row(str(memo.id), escape(lib.target_label(memo)), escape(memo.title or ""),
                      escape(memo.author), memo.created_at,
                      escape(first[:60] + ("…" if len(first) > 60 else "")))
    out.print(table)


@memo_app.command("show")
@handle_errors
def show_cmd(study: StudyArg, memo_id: Annotated[int, typer.Argument(
        help="The memo's id (see memo list).", show_default=False)]) -> None:
    """Print one memo in full.

    Example: gtcode memo show my-study 3
    """
    with open_study(study) as opened:
        memo = lib.get_memo(opened, memo_id)
    out.print(f"Memo {memo.id} on {lib.target_label(memo)}", markup=False, highlight=False)
    if memo.title:
        out.print(memo.title, markup=False)
    out.print(f"{memo.author} · {memo.created_at} · {memo.origin}", markup=False)
    out.print(memo.text, markup=False)


@memo_app.command("export")
@handle_errors
def export_cmd(study: StudyArg, output: Annotated[Path, typer.Option(
        "-o", "--output", help="memos.md, memos.docx or memos.csv.")],
        excel_safe: ExcelSafeOpt = False, force: ForceOpt = False,
        pseudonymised_only: PseudonymisedOpt = False, quiet: QuietOpt = False) -> None:
    """Export every memo to Markdown, Word or csv.

    Example: gtcode memo export my-study -o memos.docx
    """
    with open_study(study) as opened, overwrite(force):
        guard_pseudonymised(opened, pseudonymised_only)
        count = export_memos(opened, output, excel_safe=excel_safe)
    note(f"Wrote {count} memo(s) to {output}", quiet=quiet)
