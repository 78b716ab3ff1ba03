"""Constant comparison commands: ``compare`` (similar passages) and ``discover`` (new concepts)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from gtcode.cli._common import QuietOpt, StudyArg, handle_errors, note, out, progress
from gtcode.coding.compare import BASIS_SUGGESTED, Comparison, compare
from gtcode.coding.discover import MIN_LENGTH, Discovery, discover
from gtcode.workspace import open_study, study_codebook

SimilarEmbeddingsOpt = Annotated[Optional[bool], typer.Option(
    "--embeddings/--no-embeddings", help="Read sentence embeddings as well as character "
    "n-grams (default: when installed; each turn is embedded once and kept in the study).",
    show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
#: Characters of a passage the table shows.
EXCERPT = 60


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)
    app.command("discover")(discover_cmd)


@handle_errors
def compare_cmd(
    study: StudyArg,
    code: Annotated[Optional[str], typer.Option(
        "--code", help="Compare with the passages coded with this code (or a code under it): "
        "their centroid; the coders' passages, else the machine's suggestions.")] = None,
    segment: Annotated[Optional[str], typer.Option(
        "--segment", metavar="FILE#N", help="Compare with one segment, FILE#N (segment N of FILE, as the "
        "sheet's 段落 column names it).")] = None,
    top: Annotated[int, typer.Option("--top", help="How many passages to list.")] = 10,
    uncoded_only: Annotated[bool, typer.Option(
        "--uncoded-only", help="Only passages no coding counts on.")] = False,
    embeddings: SimilarEmbeddingsOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """List the passages of other interviews most similar to a segment or a code.

    Respondent turns are ranked by the similarity of their character n-grams and (when
    installed) sentence embeddings; each names its source, case, segment and the codes on
    it (coded by a person, or suggested). --segment leaves out its own interview; --code
    leaves out the passages it was computed from.

    Example: gtcode compare my-study --segment S01.txt#12 --top 5
    """
    with open_study(study) as opened:
        book = study_codebook(opened)
        with progress(quiet) as tick:
            result = compare(opened, book, code=code, segment=segment, top=top,
                             uncoded_only=uncoded_only, embeddings=embeddings, progress=tick)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _show_comparison(result, quiet)


def _show_comparison(result: Comparison, quiet: bool) -> None:
    if result.basis == BASIS_SUGGESTED:
        note(f"[yellow]Note:[/] no person has coded {escape(result.query)} yet; compared with "
             f"the {result.basis_passages} passage(s) the machine suggested it on.", quiet=quiet)
    table = Table(title=f"Most similar to {escape(result.query)} ({result.features})")
    for heading in ("#", "相似度\nsimilarity", "段落\npassage", "个案\ncase", "行\nline"):
        table.add_column(heading, no_wrap=True)
    table.add_column("编码\ncodes", overflow="fold")
    table.add_column("文本\ntext", ratio=1, overflow="fold")
    for rank, match in enumerate(result.matches, start=1):
        p = match.passage
        codes = [escape(c) for c in p.human] + [escape(c) + "?" for c in p.suggested]
        text = " ".join(p.text.split())
        table.add_row(str(rank), f"{match.similarity:.3f}", escape(p.ref), escape(p.case or ""),
                      str(p.line or ""), ", ".join(codes) or "—",
                      escape(text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")))
    out.print(table)
    note(f"{len(result.matches)} of {result.candidates} passage(s); code? = suggested by the "
         "machine, not yet decided.", quiet=quiet)


@handle_errors
def discover_cmd(
    study: StudyArg,
    min_size: Annotated[int, typer.Option(
        "--min-size", help="Fewest turns in a candidate concept.")] = 3,
    min_interviews: Annotated[int, typer.Option(
        "--min-interviews", help="Fewest interviews a candidate concept is found in.")] = 2,
    min_length: Annotated[int, typer.Option(
        "--min-length", help="Shortest turn clustered: Chinese characters plus English "
        "words (shorter turns, such as 对。or Yes., are left out).")] = MIN_LENGTH,
    top: Annotated[int, typer.Option(
        "--top", help="How many candidates to list (the best: most interviews, then most "
        "turns).")] = 30,
    propose: Annotated[bool, typer.Option(
        "--propose", help="Store the listed candidates as proposed concepts (by gtcode-discover, one "
        "per turn), replacing those an earlier --propose stored and nobody adopted.")] = False,
    embeddings: SimilarEmbeddingsOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Group respondent turns that no concept covers into candidate new concepts.

    A turn is uncovered when no coding counts on it (no person coded it, no machine
    suggestion stands). Uncovered turns are clustered by similarity; a cluster found in
    several interviews is a candidate, listed with its distinctive phrases and example
    passages.

    Example: gtcode discover my-study --min-interviews 3
    """
    with open_study(study) as opened:
        with progress(quiet) as tick:
            result = discover(opened, min_size=min_size, min_interviews=min_interviews,
                              min_length=min_length, top=top, embeddings=embeddings,
                              propose=propose,
                              progress=tick)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _show_discovery(result, quiet)


def _show_discovery(result: Discovery, quiet: bool) -> None:
    table = Table(title=f"Candidate new concepts 候选新概念 ({result.features})")
    for heading in ("#", "段落数\nturns", "访谈数\ninterviews", "内聚度\ncohesion"):
        table.add_column(heading, no_wrap=True)
    table.add_column("代表短语\nphrases", ratio=1, overflow="fold")
    table.add_column("示例段落\nexamples", ratio=1, overflow="fold")
    for c in result.candidates:
        table.add_row(str(c.number), str(c.size), str(c.interviews), f"{c.cohesion:.3f}",
                      escape("、".join(p.phrase for p in c.phrases)),
                      escape(", ".join(c.examples)))
    out.print(table)
    note(f"{result.uncovered} of {result.turns} respondent turns are uncovered; "
         f"{result.clustered} long enough were grouped into {result.clusters} cluster(s); "
         f"{result.found} candidate(s), {len(result.candidates)} listed.", quiet=quiet)
    if result.proposed:
        note(f"Stored {result.proposed} proposed concept(s) by gtcode-discover.", quiet=quiet)
