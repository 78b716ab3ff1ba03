"""Study commands: ``init``, ``import``, ``status`` and the one-shot ``run``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gtcode.cli._common import (
    EmbeddingsOpt,
    ExcelSafeOpt,
    ForceOpt,
    ModelOpt,
    PseudonymisedOpt,
    QuietOpt,
    SchedulerOpt,
    StudyArg,
    err,
    handle_errors,
    note,
    out,
    overwrite,
    placement_lines,
    progress,
    split_list,
)
from gtcode.importer import ImportOptions, ImportReport
from gtcode.store import sources as db
from gtcode.store.codings import unplaced_codings
from gtcode.transcripts.readers import DEFAULT_MAX_BYTES
from gtcode.workspace import DEFAULT_CODEBOOK, init_study, open_study

DEFAULT_MAX_MB = DEFAULT_MAX_BYTES // 2**20

FilesArg = Annotated[list[Path], typer.Argument(
    help="Transcripts (.txt .md .docx, or .csv/.xlsx with one turn per row) or folders of them.",
    show_default=False)]
CasesOpt = Annotated[Optional[Path], typer.Option(
    "--cases", help="Case attributes (.csv/.xlsx): the case column found by its header (case, "
    "case_id, 个案, 编号, 受访者编号 …), an optional file column (file, source, 文件 …), "
    "attributes in the other columns; or NVivo's classification-sheet layout (case names in "
    "the first column). See docs/cases.md.")]
CodebookOpt = Annotated[str, typer.Option(
    "--codebook", help="A built-in codebook name or a path to a codebook YAML.")]
EncodingOpt = Annotated[Optional[str], typer.Option(
    "--encoding", help="Read every file with this encoding (e.g. gb18030, big5, utf-16).")]
T2sOpt = Annotated[bool, typer.Option("--t2s", help="Convert traditional to simplified "
                                      "Chinese (offsets stay 1:1).")]
SegmentOpt = Annotated[Literal["turn", "paragraph", "sentence"], typer.Option("--segment",
                                         help="Segment by speaker 'turn', 'paragraph' or "
                                         "'sentence'.")]
InterviewerOpt = Annotated[Optional[str], typer.Option(
    "--interviewer-labels", help="Speaker labels of the interviewer, comma separated "
    "(e.g. 问,Q,I); overrides inference.")]
RespondentOpt = Annotated[Optional[str], typer.Option(
    "--respondent-labels", help="Speaker labels of respondents, comma separated.")]
MaxMbOpt = Annotated[int, typer.Option(
    "--max-mb", min=1, help="Refuse transcripts and case sheets larger than this many MB.")]
ReplaceOpt = Annotated[bool, typer.Option(
    "--replace", help="Re-import files that changed (machine codings are recomputed, human "
    "codings re-anchored; a backup is kept).")]


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
    app.command("init")(init_cmd)
    app.command("import")(import_cmd)
    app.command("status")(status_cmd)


def _options(encoding: str | None, t2s: bool, segment: str, interviewer: str | None,
             respondent: str | None, replace: bool = False,
             max_mb: int = DEFAULT_MAX_MB) -> ImportOptions:
    return ImportOptions(encoding=encoding, t2s=t2s, segment_mode=segment,
                         interviewer_labels=tuple(split_list(interviewer)),
                         respondent_labels=tuple(split_list(respondent)), replace=replace,
                         max_bytes=max_mb * 2**20)


FromOpt = Annotated[Optional[Path], typer.Option(
    "--from", help="Create the study from a REFI-QDA project (.qdpx, or a .qde beside its "
    "sources folder) made by NVivo, ATLAS.ti, MAXQDA or QualCoder.")]
RunPositionsOpt = Annotated[Literal["both", "nvivo", "codepoints"], typer.Option(
    "--positions", help="REFI-QDA projects to write: 'both' (project.qdpx in NVivo's UTF-16 "
    "units and project-codepoints.qdpx in code points, for QualCoder and other readers), "
    "'nvivo' or 'codepoints' (project.qdpx only).")]
PositionsOpt = Annotated[Literal["auto", "nvivo", "codepoints", "atlas"], typer.Option(
    "--positions", help="With --from: how the project counts positions (auto, nvivo, "
    "codepoints, atlas).")]


@handle_errors
def init_cmd(study: StudyArg, codebook: CodebookOpt = DEFAULT_CODEBOOK,
             from_: FromOpt = None, positions: PositionsOpt = "auto",
             quiet: QuietOpt = False) -> None:
    """Create a new, empty study folder with a copy of the codebook.

    Example: gtcode init my-study --codebook six-pressures
    """
    if from_ is not None:
        from gtcode.cli.export import show_refi_import
        from gtcode.exchange.refi_qda import import_project

        show_refi_import(import_project(from_, study, positions=positions), quiet)
        return
    created = init_study(study, codebook)
    created.close()
    note(f"Created study [bold]{study}[/] with codebook {codebook}.", quiet=quiet)


@handle_errors
def import_cmd(study: StudyArg, files: FilesArg = None, cases: CasesOpt = None,
               encoding: EncodingOpt = None, t2s: T2sOpt = False, segment: SegmentOpt = "turn",
               interviewer_labels: InterviewerOpt = None, respondent_labels: RespondentOpt = None,
               replace: ReplaceOpt = False, max_mb: MaxMbOpt = DEFAULT_MAX_MB,
               scheduler: SchedulerOpt = None, quiet: QuietOpt = False) -> None:
    """Import transcripts and/or case attributes into a study.

    Example: gtcode import my-study data/sample --cases data/sample/cases.csv
    """
    if not files and not cases:
        raise typer.BadParameter("give transcripts to import, or --cases")
    options = _options(encoding, t2s, segment, interviewer_labels, respondent_labels, replace,
                       max_mb)
    from gtcode.pipeline import import_transcripts  # the analysis, only for this command

    with open_study(study) as opened, progress(quiet) as callback:
        report = import_transcripts(opened, files or [], options=options, cases=cases,
                                    progress=callback, scheduler=scheduler)
    _show_import(report, quiet)


def _show_import(report: ImportReport, quiet: bool) -> None:
    note(f"Imported {len(report.added)} new, {len(report.replaced)} replaced, "
         f"{len(report.unchanged)} unchanged source(s); {report.segments} segments.", quiet=quiet)
    if report.backup:
        note(f"Backup kept at {report.backup}", quiet=quiet)
    if report.recomputed is not None:
        note(f"Recomputed the rule suggestions of the replaced source(s): "
             f"{report.recomputed} suggestion(s).", quiet=quiet)
    if report.reanchored or report.orphaned:
        note(f"Re-anchored {report.reanchored} human/imported coding(s); "
             f"{report.orphaned} could not be re-anchored (kept, see `gtcode status`).",
             quiet=quiet)
    for warning in report.warnings:
        note(f"[yellow]Warning:[/] {warning}", quiet=quiet)
    for line in placement_lines(report.placement):
        note(line, quiet=quiet, markup=False)


@handle_errors
def status_cmd(study: StudyArg) -> None:
    """Show sources and cases by name, segments, and codings per stage.

    Example: gtcode status my-study
    """
    with open_study(study) as opened:
        conn = opened.conn
        counts = db.counts(conn)
        table = Table(title=f"gtcode study {study}")
        table.add_column("what")
        table.add_column("count", justify="right")
        for key in ("sources", "cases", "segments", "respondent_segments", "characters",
                    "memos", "decisions"):
            table.add_row(key.replace("_", " "), str(counts[key]))
        out.print(table)
        _status_names(conn)
        codings = Table(title="codings by origin, coder and status")
        for column in ("origin", "coder", "status"):
            codings.add_column(column)
        codings.add_column("count", justify="right")
        for origin, coder, state, count in db.coding_counts(conn):
            codings.add_row(origin, coder, state, str(count))
        out.print(codings)
        _status_proposals(opened)
        _status_extras(opened)


def _status_names(conn) -> None:
    sources = Table("source 来源", "case 个案", "segments", "respondent turns",
                    title="sources 来源")
    for name, case, segments, respondent in db.source_overview(conn):
        sources.add_row(Text(name), Text(case or "—"), str(segments), str(respondent))
    cases = Table("case 个案", "sources 来源", "attributes", title="cases 个案")
    for name, names, valued in db.case_overview(conn):
        cases.add_row(Text(name), Text(", ".join(names) or "—"), str(valued))
    if sources.row_count:
        out.print(sources)
    if cases.row_count:
        out.print(cases)


def _status_proposals(opened) -> None:
    from gtcode.coding.proposals import study_proposals

    proposals = Table("concept 概念", "by 提出者", "parent 上级", "cases 个案",
                      "passages 片段", title="proposed concepts 建议概念 (gtcode codebook adopt)")
    for item in study_proposals(opened):
        places = ", ".join(p.ref for p in item.places[:3]) + (" …" if len(item.places) > 3
                                                               else "")
        proposals.add_row(Text(item.name), Text(", ".join(item.by)), Text(item.parent or "—"),
                          str(len(item.cases)), Text(places or "—"))
    if proposals.row_count:
        out.print(proposals)


def _status_extras(opened) -> None:
    for line in placement_lines(unplaced_codings(opened.conn)):
        out.print(line, markup=False)
    backups = opened.backups()
    if backups:
        out.print(f"Backups ({len(backups)}), newest: {backups[-1]}")
    _status_privacy(opened)
    out.print(f"Codebook: {opened.codebook_path.name} (hash {str(opened.meta('codebook_hash'))[:12]})")


def _status_privacy(opened) -> None:
    from gtcode.privacy import privacy_status

    state = privacy_status(opened)
    if state.applied:
        applied = state.applied
        out.print(f"Pseudonymised 已假名化: {applied['at']}, {applied['terms_replaced']} term(s) "
                  f"replaced; key file {applied['key_file']} (kept outside the study)")
    if state.unreviewed is not None:
        out.print(f"Unreviewed identifying terms 未审阅的身份信息: {state.unreviewed} "
                  f"(checked {state.checked_at})")
    elif state.checked_at:
        out.print("Unreviewed identifying terms 未审阅的身份信息: not known, texts changed "
                  "since the last check (run `gtcode anonymize`)")
    else:
        out.print("Pseudonymisation 假名化: not checked yet (run `gtcode anonymize`)")


@handle_errors
def run_cmd(files: FilesArg, out_dir: Annotated[Path, typer.Option(
                "--out", help="Output folder: the study goes to OUT/study, exports to OUT/.")],
            cases: CasesOpt = None, codebook: CodebookOpt = DEFAULT_CODEBOOK,
            encoding: EncodingOpt = None, t2s: T2sOpt = False, segment: SegmentOpt = "turn",
            interviewer_labels: InterviewerOpt = None, respondent_labels: RespondentOpt = None,
            replace: ReplaceOpt = False, max_mb: MaxMbOpt = DEFAULT_MAX_MB,
            model: ModelOpt = True, embeddings: EmbeddingsOpt = None,
            positions: RunPositionsOpt = "both", excel_safe: ExcelSafeOpt = False,
            title: Annotated[Optional[str], typer.Option(
                "--title", help="Title of report.html and tables.docx (default: 研究报告 · "
                "the name of OUT).")] = None,
            force: ForceOpt = False, pseudonymised_only: PseudonymisedOpt = False,
            scheduler: SchedulerOpt = None,
            quiet: QuietOpt = False) -> None:
    """Run every stage on transcripts and write every export, in one go.

    Example: gtcode run data/sample --cases data/sample/cases.csv --out out
    """
    options = _options(encoding, t2s, segment, interviewer_labels, respondent_labels, replace,
                       max_mb)
    from gtcode.pipeline import run as run_pipeline  # the analysis, only for this command

    with progress(quiet) as callback, overwrite(force):
        report = run_pipeline(files, out_dir, cases=cases, codebook=codebook, options=options,
                              model=model, embeddings=embeddings, progress=callback,
                              positions=positions, excel_safe=excel_safe, title=title,
                              pseudonymised_only=pseudonymised_only, scheduler=scheduler)
    _show_import(report.imported, quiet)
    for line in report.stages:
        note(line, quiet=quiet)
    note(f"Study: {report.study}", quiet=quiet)
    note("Outputs:", quiet=quiet)
    for path in report.outputs:
        note(f"  {path}", quiet=quiet)
    for warning in report.warnings:  # said even with -q
        note(f"[yellow]Warning:[/] {escape(warning)}")
    if not quiet:
        err.print()
