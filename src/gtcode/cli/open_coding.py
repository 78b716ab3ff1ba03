"""Open coding commands: ``open`` (rule suggestions, in-vivo candidates) and ``evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.table import Table

from gtcode.cli._common import (
    EmbeddingsOpt,
    ModelOpt,
    QuietOpt,
    SchedulerOpt,
    StudyArg,
    handle_errors,
    note,
    out,
    progress,
    split_list,
)
from gtcode.coding.invivo import Candidate, InvivoResult
from gtcode.coding.invivo_rank import MODEL_LANGUAGES
from gtcode.coding.open_coding import find_invivo, open_code
from gtcode.reliability.coding_units import ROLE_CHOICES, role_filter
from gtcode.reliability.evaluate import Evaluation, evaluate
from gtcode.workspace import open_study, study_codebook


def register(app: typer.Typer) -> None:
    app.command("open")(open_cmd)
    app.command("evaluate")(evaluate_cmd)


@handle_errors
def open_cmd(
    study: StudyArg,
    include_interviewer: Annotated[bool, typer.Option(
        "--include-interviewer", help="Code interviewer turns too.")] = False,
    invivo_only: Annotated[bool, typer.Option(
        "--invivo-only", help="Only find and list in-vivo candidates (no rule coding).")] = False,
    top: Annotated[int, typer.Option("--top", help="How many in-vivo candidates to list.")] = 20,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the in-vivo candidates (up to --top) as a JSON list of objects "
        "(phrase, lang, count, cases = interviews, sources, case_names, segments, asked, "
        "keyness, score, ranked_by = model or formula, example) "
        "and nothing else on stdout.")] = False,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", min=1,
        help="Processes that match rules (default: one per CPU for studies over 2 million "
             "characters, on Linux; 1 elsewhere). Results do not depend on it.")] = None,
    model: ModelOpt = True,
    embeddings: EmbeddingsOpt = None,
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Suggest codes (rules plus the best learned model available) and list in-vivo candidates.

    The learned model is the study's own once `gtcode learn` has run, else the built-in
    model for the built-in codebook; its suggestions combine its decisions with the rule
    hits. Machine suggestions are replaced on every run; human decisions are never touched.

    Example: gtcode open my-study
    """
    if jobs is not None and scheduler is not None:
        raise typer.BadParameter("give --jobs or --scheduler, not both", param_hint="--jobs")
    with open_study(study) as opened:
        book = study_codebook(opened, register=invivo_only)  # else in open_code's transaction
        with progress(quiet) as tick:
            if invivo_only:
                _show_invivo(find_invivo(opened, book, progress=tick, scheduler=scheduler),
                             top, as_json)
                return
            report = open_code(opened, book, include_interviewer=include_interviewer,
                               progress=tick, jobs=jobs, model=model, embeddings=embeddings,
                               scheduler=scheduler)
        for warning in report.warnings:
            note(f"[yellow]Warning:[/] {warning}", quiet=quiet)
        if as_json:
            _show_invivo(report.invivo or InvivoResult(), top, as_json)
        elif not quiet:
            counts = report.model_codes if report.model else report.by_code
            title = (f"Combined suggestions (rules + {report.model} model)" if report.model
                     else "Rule suggestions")
            table = Table("code", "category", "segments", title=title)
            for code, count in sorted(counts.items()):
                table.add_row(code, book.main_category(code) or "", str(count))
            out.print(table)
            if report.invivo is not None:
                _show_invivo(report.invivo, top, False)
        note(f"{report.summary()}; {report.boundary_rejected} hits off word boundaries, "
             f"{report.vetoed} vetoed by `not` terms; English word forms: {report.word_forms}.",
             quiet=quiet)


def _show_invivo(result: InvivoResult, top: int, as_json: bool) -> None:
    shown = result.candidates[:top]
    if as_json:
        typer.echo(json.dumps([invivo_dict(c) for c in shown], ensure_ascii=False, indent=2))
        return
    table = Table("phrase 短语", "interviews 访谈", "count 次数", "example 例句", "score 得分",
                  title="In-vivo candidates 本土概念候选 (respondents' words; best first)")
    for cand in shown:
        where = cand.example_at + (f" ({cand.example_case})" if cand.example_case else "")
        table.add_row(cand.phrase, str(len(cand.sources)), str(cand.count),
                      f"{where}: {cand.example}" if cand.example else where,
                      f"{cand.score:.2f}")
    out.print(table)


def invivo_dict(cand: Candidate) -> dict:
    """One candidate as ``--json`` prints it."""
    return {"phrase": cand.phrase, "lang": cand.lang, "count": cand.count,
            "cases": len(cand.sources), "sources": list(cand.sources),
            "case_names": list(cand.cases), "segments": cand.segments, "asked": cand.asked,
            "keyness": cand.keyness, "score": cand.score,
            "ranked_by": "model" if cand.lang in MODEL_LANGUAGES else "formula",
            "example": {"segment": cand.example_at, "case": cand.example_case,
                        "text": cand.example}}


@handle_errors
def evaluate_cmd(
    study: StudyArg,
    gold: Annotated[Path, typer.Argument(help="Gold labels csv: file,line,codes.",
                                         show_default=False)],
    files: Annotated[Optional[str], typer.Option(
        "--files", help="Score only these source files, comma separated.")] = None,
    coder: Annotated[Optional[str], typer.Option(
        "--coder", help="Score one coder: gtcode-rules, gtcode-model or a person (default: "
        "the codings that count, human decisions first).")] = None,
    role: Annotated[Literal[ROLE_CHOICES], typer.Option(
        "--role", help="Which turns are scored: respondent (respondent turns and turns of "
        "unknown role) or all (interviewer turns too).")] = "respondent",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Compare the study's codings (or one coder's) with gold labels at main-category level.

    Prints precision, recall, F1 and Cohen's kappa per main category and macro averages,
    over respondent turns unless --role all.

    Example: gtcode evaluate out/study data/sample/labels.csv --files S07.txt,S09.txt
    """
    with open_study(study) as opened:
        result = evaluate(opened, study_codebook(opened), gold, files=split_list(files) or None,
                          coder=coder, roles=role_filter(role))
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _show_evaluation(result)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _show_evaluation(result: Evaluation) -> None:
    table = Table("category", "TP", "FP", "FN", "TN", "precision", "recall", "F1", "kappa",
                  title=f"{result.units} gold segments ({result.scope}) in "
                  f"{len(result.files)} files")
    for s in result.categories:
        table.add_row(s.category, str(s.tp), str(s.fp), str(s.fn), str(s.tn), _fmt(s.precision),
                      _fmt(s.recall), _fmt(s.f1), _fmt(s.kappa))
    m = result.macro
    table.add_row("macro", "", "", "", "", _fmt(m["precision"]), _fmt(m["recall"]),
                  _fmt(m["f1"]), _fmt(m["kappa"]), style="bold")
    out.print(table)
    if result.out_of_scope:
        note(f"{result.out_of_scope} gold row(s) on interviewer turns were not scored "
             "(--role all scores them).")
    if result.unmatched:
        note(f"{len(result.unmatched)} gold row(s) match no segment, e.g. row "
             f"{result.unmatched[0][0]} ({result.unmatched[0][1]} line "
             f"{result.unmatched[0][2]}).")
