"""``gtcode learn``: train the study's model and show how reliable it is before storing it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from gtcode.cli._common import QuietOpt, StudyArg, handle_errors, note, out, progress, split_list
from gtcode.coding.learn import LearnResult, forget_model, learn, save_model
from gtcode.workspace import open_study, study_codebook

EmbeddingsOpt = Annotated[Optional[bool], typer.Option(
    "--embeddings/--no-embeddings", help="Read sentence embeddings (multilingual-e5-small, "
    "offline; default: when installed). Off is faster on large studies.",
    show_default=False)]


def register(app: typer.Typer) -> None:
    app.command("learn")(learn_cmd)


@handle_errors
def learn_cmd(
    study: StudyArg,
    coder: Annotated[Optional[str], typer.Option(
        "--coder", help="Learn from these human coders' decisions, comma separated (default: "
        "every human coder).")] = None,
    labels: Annotated[Optional[Path], typer.Option(
        "--labels", help="Learn from a gold labels csv (file,line,codes; the format of "
        "gtcode evaluate) instead of decisions.")] = None,
    min_kappa: Annotated[Optional[float], typer.Option(
        "--min-kappa", min=-1.0, max=1.0, help="Never suggest a code whose cross-validated "
        "kappa is below this (e.g. 0.6).")] = None,
    embeddings: EmbeddingsOpt = None,
    builtin: Annotated[bool, typer.Option(
        "--builtin/--no-builtin", help="With the built-in codebook, learn from the labelled "
        "turns gtcode ships too (the reliability shown is on your interviews only).")]
    = True,
    forget: Annotated[bool, typer.Option(
        "--forget", help="Remove the study's model (the built-in model or the rules code "
        "again) and stop.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Train a coder on your decisions; print its cross-validated reliability, then store it.

    Cross-validation never puts one interview in both the training and the test part.
    Later `gtcode open` and `gtcode run` suggest codes with it.

    Example: gtcode learn my-study --coder ann --min-kappa 0.6
    """
    if labels is not None and coder:
        raise typer.BadParameter("give --coder or --labels, not both", param_hint="'--labels'")
    with open_study(study) as opened:
        if forget:
            gone = forget_model(opened)
            note("Removed the study's model." if gone else "The study has no model.",
                 quiet=quiet)
            return
        book = study_codebook(opened)
        with progress(quiet) as tick:
            result = learn(opened, book, coders=split_list(coder) or None, labels=labels,
                           min_kappa=min_kappa, embeddings=embeddings, shipped=builtin,
                           progress=tick)
        _show(result, as_json)
        save_model(opened, book, result)
    note(f"Stored the study's model: {len(result.model.labels)} codes learned from "
         f"{result.examples} turns in {result.sources} interviews; `gtcode open` uses it now.",
         quiet=quiet)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _show(result: LearnResult, as_json: bool) -> None:
    model = result.model
    if as_json:
        out.print_json(json.dumps({
            "examples": result.examples, "sources": result.sources,
            "trained_on": result.trained_on, "folds": model.meta.get("folds"),
            "codes": [score.__dict__ for score in model.scores],
            "too_few": [short.__dict__ for short in result.shortfalls]}, ensure_ascii=False))
        return
    table = Table("code", "level", "positives", "precision", "recall", "kappa", "threshold",
                  title=f"Cross-validated by interview ({model.meta.get('folds')} folds, "
                        f"{result.examples} turns, {result.sources} interviews)")
    for score in model.scores:
        threshold = f"{score.threshold:.3f}" if score.suggested else "refused"
        table.add_row(score.label, score.level, str(score.positives), _fmt(score.precision),
                      _fmt(score.recall), _fmt(score.kappa), threshold)
    out.print(table)
    for short in result.shortfalls:
        more = (f"needs {short.needed} more" if short.needed else
                "needs turns from a second interview")
        note(f"{short.code} ({short.level}): {short.positives} positive turns in "
             f"{short.sources} interviews; {more} to be learned on its own.")
