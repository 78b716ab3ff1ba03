"""Axial and selective coding commands: ``axial`` and ``selective``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.markup import escape
from rich.table import Table

from gtcode.cli._common import (
    ForceOpt,
    Language,
    QuietOpt,
    StudyArg,
    default_author,
    handle_errors,
    note,
    out,
    overwrite,
    split_list,
    working,
)
from gtcode.coding import axial as ax
from gtcode.coding import saturation as sat
from gtcode.coding.cooccurrence import MEASURES
from gtcode.coding.selective import (
    SaturationOptions,
    SelectiveResult,
    run_selective,
    selective_edits,
    selective_explanation,
    selective_summary,
)
from gtcode.exports.network import font_warning, write_network
from gtcode.numbers import percent
from gtcode.transcripts.readers import read_text_file
from gtcode.workspace import open_study, require_sources, study_codebook

LangOpt = Annotated[Language, typer.Option("--lang", help="Language of names and texts: zh or en.")]
AuthorOpt = Annotated[Optional[str], typer.Option(
    "--author", help="Who wrote an edited text or chose a quote (default: your user name).")]


def register(app: typer.Typer) -> None:
    app.command("axial")(axial_cmd)
    app.command("selective")(selective_cmd)


@handle_errors
def axial_cmd(
    study: StudyArg,
    level: Annotated[Literal[ax.LEVELS], typer.Option("--level", help="Columns: category, subcategory or "
                                       "concept.")] = "category",
    cell: Annotated[Literal[ax.CELLS], typer.Option("--cell", help="Matrix cells: references, presence, "
                                      "characters or words.")] = "references",
    by: Annotated[Optional[str], typer.Option("--by", help="Rows by this case attribute "
                                              "(e.g. position) instead of by case.")] = None,
    percent: Annotated[Optional[Literal["row", "column"]], typer.Option("--percent", help="Show row or column "
                                                   "percentages.")] = None,
    unit: Annotated[Literal["segment", "case"], typer.Option("--unit", help="Co-occurrence within a segment or a "
                                      "case.")] = "segment",
    measure: Annotated[Literal[tuple(MEASURES)], typer.Option("--measure", help="Co-occurrence measure: "
                                         + ", ".join(MEASURES) + ".")] = "count",
    network: Annotated[Optional[Path], typer.Option("--network", help="Write network.graphml, "
                                                    "network.png and network.svg to this "
                                                    "folder.")] = None,
    lang: LangOpt = "zh",
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Roll concepts up, and print the code × case matrix, co-occurrence and relations.

    Example: gtcode axial my-study --by position --cell presence
    """
    with open_study(study) as opened:
        book = study_codebook(opened)
        require_sources(opened, "roll up")
        with working("Axial coding", quiet):
            data = ax.load_coded_study(opened, book)
            frame = ax.study_matrix(data, level=level, cell=cell, by=by)
            if percent:
                frame = ax.percentages(frame, percent)
            co = ax.cooccurrence(data, unit=unit, level=level)
        if not quiet:
            _show_frame(data, frame, f"{level} × {'case' if by is None else by} ({cell}"
                        f"{', ' + percent + ' %' if percent else ''})", lang,
                        percent is not None)
            _show_cooccurrence(data, co, measure, unit, lang)
            _show_relations(data, lang)
        if network is not None:
            with overwrite(force):
                written = write_network(data, network / "network.graphml", lang)
            for path in written:
                note(f"Wrote {path}", quiet=quiet)
            if font_warning(lang):
                note(f"[yellow]Warning:[/] {escape(font_warning(lang))}")
        note(ax.axial_summary(data), quiet=quiet)


def _show_frame(data, frame, title: str, lang: str, floats: bool) -> None:
    table = Table("", *(escape(data.hierarchy.label(c, lang)) for c in frame.columns),
                  title=escape(title))
    for index, values in zip(frame.index, frame.to_numpy().tolist()):
        table.add_row(escape(str(index)), *(f"{v:.1f}" if floats else str(int(v)) for v in values))
    out.print(table)


def _show_cooccurrence(data, co, measure: str, unit: str, lang: str) -> None:
    names = [escape(data.hierarchy.label(c, lang)) for c in co.codes]
    table = Table("", *names, title=f"co-occurrence within {unit}s ({measure}; N = {co.n})")
    for name, row in zip(names, co.matrix(measure)):
        table.add_row(name, *(f"{v:.3f}" if measure != "count" else str(int(v)) for v in row))
    out.print(table)


def _show_relations(data, lang: str) -> None:
    table = Table("A", "B", "basis", "relation", "segments", "Jaccard", "cases",
                  title="candidate relations")
    for r in ax.relations(data):
        table.add_row(escape(data.hierarchy.label(r.source, lang)),
                      escape(data.hierarchy.label(r.target, lang)),
                      r.kind, r.label, str(r.segments), f"{r.jaccard:.3f}", str(r.cases))
    out.print(table)


@handle_errors
def selective_cmd(
    study: StudyArg,
    holdout: Annotated[Optional[int], typer.Option(
        "--holdout", help="Hold out the last K interviews (stored with the study: later runs, "
        "exports and the report use it; default: the stored split, else the last third)."
        )] = None,
    holdout_cases: Annotated[Optional[str], typer.Option(
        "--holdout-cases", help="Hold out these cases, comma separated (e.g. S09,S10).")] = None,
    holdout_random: Annotated[bool, typer.Option(
        "--holdout-random", help="Draw the K held-out interviews at random (with --seed).")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed for random choices.")] = 0,
    permutations: Annotated[int, typer.Option(
        "--permutations", min=1, help="Random orders for the new-concept band.")] = 1000,
    base: Annotated[int, typer.Option("--base", min=1, help="Guest et al. base size.")] = 4,
    run: Annotated[int, typer.Option("--run", min=1, help="Guest et al. run length.")] = 2,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Guest et al. new-information threshold (0.05 = 5%).")] = 0.05,
    order: Annotated[Optional[str], typer.Option(
        "--order", help="Interview order for saturation: cases comma separated (e.g. "
        "S03,S01,S02); the rest follow in collection order (default: the case sheet's order).")
    ] = None,
    count: Annotated[str, typer.Option(
        "--count", help="Which concepts saturation counts: auto (those human coders used, "
        "their proposed ones included; the machine's only when no human has coded), human, "
        "or all (human and machine, gtcode discover's proposals too).")] = "auto",
    edit: Annotated[Optional[str], typer.Option(
        "--edit", help="Key of a relation structure (or 'storyline') to rewrite.")] = None,
    text: Annotated[Optional[str], typer.Option("--text", help="The new text for --edit.")
    ] = None,
    from_file: Annotated[Optional[Path], typer.Option(
        "--from-file", help="Read the new text for --edit from this file (UTF-8, GBK, UTF-16 ...).")] = None,
    quote: Annotated[Optional[list[str]], typer.Option(
        "--quote", help="Choose a quote: CODE_OR_KEY=SOURCE#N (repeatable).")] = None,
    author: AuthorOpt = None,
    lang: LangOpt = "zh",
    quiet: QuietOpt = False,
) -> None:
    """Reach and centrality of main categories, the storyline, and both saturation checks.

    Example: gtcode selective my-study --holdout 4 --seed 1
    """
    options = _saturation_options(holdout, holdout_cases, holdout_random, seed, permutations,
                                  base, run, threshold, order, count)
    chosen = _quotes(quote or [])
    new_text = _edit_text(text, from_file) if edit else None
    with open_study(study) as opened:
        book = study_codebook(opened)
        require_sources(opened, "analyse")
        if edit or chosen:
            selective_edits(opened, book, edit=(edit, new_text) if edit else None,
                            quotes=chosen, author=default_author(author))
        if edit:
            note(f"Stored your text for {edit}; later runs keep it.", quiet=quiet)
        for target, refs in chosen.items():
            note(f"Quotes for {target}: {', '.join(refs)}", quiet=quiet)
        with working("Selective coding and saturation", quiet):
            result = run_selective(opened, book, lang=lang, options=options)
    if not quiet:
        _show_selective(result, lang)
    note(selective_summary(result), quiet=quiet)
    for line in selective_explanation(result):
        note(line, quiet=quiet, markup=False)


def _saturation_options(holdout, holdout_cases, holdout_random, seed, permutations, base, run,
                        threshold, order, count) -> SaturationOptions:
    if holdout is not None and holdout_cases:
        raise typer.BadParameter("give either --holdout K or --holdout-cases, not both",
                                 param_hint="'--holdout-cases'")
    if holdout_random and holdout_cases:
        raise typer.BadParameter("--holdout-random draws K cases; it cannot be combined with "
                                 "--holdout-cases", param_hint="'--holdout-random'")
    return SaturationOptions(holdout=holdout, holdout_cases=tuple(split_list(holdout_cases)),
                             holdout_random=holdout_random, seed=seed,
                             permutations=permutations, base=base, run=run, threshold=threshold,
                             order=tuple(split_list(order)), count=count)


def _edit_text(text: str | None, from_file: Path | None) -> str:
    if text is not None and from_file is not None:
        raise typer.BadParameter("give --text or --from-file, not both", param_hint="'--text'")
    if from_file is not None:
        return read_text_file(from_file)  # any encoding a transcript may be in (GBK too)
    if text is None:
        raise typer.BadParameter("--edit needs --text or --from-file", param_hint="'--edit'")
    return text


def _quotes(specs: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for spec in specs:
        target, sep, ref = spec.rpartition("=")
        if not sep or not target.strip() or "#" not in ref:
            raise typer.BadParameter(f"cannot read {spec!r}; write CODE=SOURCE#N, e.g. "
                                     "resource=S03.txt#12", param_hint="'--quote'")
        grouped.setdefault(target.strip(), []).append(ref.strip())
    return grouped


def _show_selective(result: SelectiveResult, lang: str) -> None:
    data_table = Table("main category", "cases", "share", "references", "degree", "strength",
                       "tie to core", title="main categories")
    for r in result.reach:
        data_table.add_row(escape(r.id), str(r.cases), percent(r.share), str(r.segments),
                           str(r.degree), f"{r.strength:.3f}", escape(r.core_tie or ""))
    out.print(data_table)
    structures = Table("key", "structure", "edited", "meaning", title="relation structures")
    for s in result.storyline.structures:
        structures.add_row(escape(s.key), escape(s.label), "yes" if s.edited else "",
                           escape(s.meaning))
    out.print(structures)
    out.print(result.storyline.text, markup=False)
    _show_holdout(result)
    _show_curve(result)


def _show_holdout(result: SelectiveResult) -> None:
    held = result.saturation.holdout
    if held is None:
        out.print(f"hold-out test: {result.saturation.holdout_note}", markup=False)
        return
    table = Table("held out", "new concepts", "new categories / relations", "passed",
                  title=f"hold-out test: {'passed' if held.passed else 'failed'}")
    for item in held.interviews:
        novel = [*item.new_categories, *item.new_subcategories,
                 *(f"{_concept(c)}: fits no category" for c in item.unplaced),
                 *(f"{a}–{b}" for a, b in item.new_relations)]
        new = ", ".join(_concept(n.concept) for n in item.new_concepts)
        table.add_row(escape(item.case), escape(new), escape(", ".join(novel)),
                      "yes" if item.passed else "no")
    out.print(table)


def _concept(code: str) -> str:
    """A concept id; a proposed one (``proposed:NAME``) as ``NAME (proposed)``."""
    prefix = "proposed:"
    return f"{code[len(prefix):]} (proposed)" if code.startswith(prefix) else code


def _show_curve(result: SelectiveResult) -> None:
    curve = result.saturation.curve
    band = curve.band
    table = Table("#", "case", "new", "cumulative", "median", "2.5%", "97.5%",
                  title=f"new concepts per interview ({band.permutations} random orders, "
                  f"seed {band.seed})")
    for i, case in enumerate(curve.cases):
        table.add_row(str(i + 1), escape(case), str(curve.counts[i]), str(curve.cumulative[i]),
                      f"{band.median[i]:.1f}", f"{band.lower[i]:.1f}", f"{band.upper[i]:.1f}")
    out.print(table)
    out.print(f"Both saturation checks counted {sat.COUNTED[result.saturation.counted][0]}, "
              "in this interview order.", markup=False)
