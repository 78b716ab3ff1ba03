"""``gtcode report``: the study report as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from gtcode.cli._common import (
    ForceOpt,
    Language,
    PseudonymisedOpt,
    QuietOpt,
    StudyArg,
    guard_pseudonymised,
    handle_errors,
    note,
    overwrite,
    working,
)
from gtcode.exports.report import write_report
from gtcode.exports.report.i18n import LANGS
from gtcode.workspace import NO_SOURCES_HINT, has_sources, open_study, study_codebook

OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="The HTML file to write (default: STUDY/exports/report.html).")]
LangOpt = Annotated[Optional[Language], typer.Option(
    "--lang", help="Language of headings and code names: zh or en (default: the codebook's "
    "language, else zh).")]
TitleOpt = Annotated[Optional[str], typer.Option(
    "--title", help="The report's title (default: 研究报告 · the study's folder name).")]


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_language(lang: str | None, codebook_language: str | None) -> str:
    """The language asked for, else the codebook's when the report speaks it, else zh."""
    if lang:
        return lang
    return codebook_language if codebook_language in LANGS else "zh"


@handle_errors
def report_cmd(study: StudyArg, output: OutputOpt = None, lang: LangOpt = None,
               title: TitleOpt = None, force: ForceOpt = False,
               pseudonymised_only: PseudonymisedOpt = False,
               quiet: QuietOpt = False) -> None:
    """Write the study report: one self-contained HTML page of the whole study.

    Corpus, codebook tree, heat maps, co-occurrence network, paradigm model,
    saturation, hold-out test, agreement, the three GT tables and quotes;
    opens from disk, needs no internet, prints to PDF.

    Example: gtcode report my-study -o report.html --lang en --title "Village cadres"
    """
    with open_study(study) as opened, overwrite(force), working("Writing the report", quiet):
        guard_pseudonymised(opened, pseudonymised_only)
        book = study_codebook(opened)
        target = output or opened.exports_dir / "report.html"
        path = write_report(opened, book, target,
                            lang=report_language(lang, book.language), title=title)
        empty = not has_sources(opened)
    if empty:  # said even with -q: the report holds no data
        note(f"[yellow]Warning:[/] the study has no transcripts yet: the report shows the "
             f"codebook only ({escape(NO_SOURCES_HINT.format(study=study))}).")
    note(f"Report written to [bold]{path}[/]", quiet=quiet)
