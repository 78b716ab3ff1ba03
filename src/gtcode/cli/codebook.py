"""Codebook commands: ``codebook validate|show|new|diff|export|schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from gtcode.cli._common import (
    ForceOpt,
    Language,
    QuietOpt,
    err,
    handle_errors,
    note,
    out,
    overwrite,
)
from gtcode.codebook import Code, Codebook, load_codebook, validate_file
from gtcode.codebook.builtin import write_template
from gtcode.codebook.diff import diff_codebooks
from gtcode.codebook.export import EXPORTERS, PARADIGM_LABELS, export_codebook
from gtcode.codebook.schema import codebook_json_schema_text
from gtcode.errors import ProblemList

codebook_app = typer.Typer(help="Check, show, create, compare and export codebooks; "
                           "propose, adopt, rename and merge concepts.",
                           no_args_is_help=True)

CodebookArg = Annotated[str, typer.Argument(
    help="A codebook YAML file or a built-in name (six-pressures).", show_default=False)]
LangOpt = Annotated[Language, typer.Option("--lang", help="Name codes in 'zh' (name) or 'en' "
                                      "(name_en).")]

_LEVEL_STYLE = {"core": "bold magenta", "category": "bold", "subcategory": "cyan",
                "concept": ""}


def register(app: typer.Typer) -> None:
    from gtcode.cli.codebook_study import add_commands

    add_commands(codebook_app)
    app.add_typer(codebook_app, name="codebook")


@codebook_app.command("validate")
@handle_errors
def validate_cmd(path: CodebookArg, quiet: QuietOpt = False) -> None:
    """Check a codebook: every problem is listed with its line and YAML path (exit 1).

    Warnings (e.g. a term used by two codes) are shown but do not fail.

    Example: gtcode codebook validate codebook.yaml
    """
    book, problems, warnings = validate_file(path)
    for warning in warnings:
        note(f"[yellow]warning:[/] {warning}", quiet=quiet)
    if book is None:
        raise ProblemList("E202", problems, file=path)
    counts = ", ".join(f"{len(book.level_codes(lv))} {lv}" for lv in
                       ("core", "category", "subcategory", "concept"))
    out.print(f"OK {path}: {book.name} {book.version} ({counts}); hash {book.hash[:12]}")


@codebook_app.command("show")
@handle_errors
def show_cmd(
    path: Annotated[str, typer.Argument(
        help="A codebook YAML, a built-in name, or a study folder (then with counts).",
        show_default=False)],
    tree: Annotated[bool, typer.Option("--tree", help="Show the hierarchy as a tree.")] = False,
    lang: LangOpt = "zh",
) -> None:
    """Show a codebook as a table or a tree; given a study, with coding counts.

    Counts are sources/references, each coding also counted for its
    subcategory, main category and the core.

    Example: gtcode codebook show six-pressures --tree --lang en
    """
    book, counts = _book_and_counts(path)
    if tree:
        shown, needed = _tree(book, counts, lang)
        _print_wide(shown, needed)
    else:
        out.print(_table(book, counts, lang))


def _print_wide(renderable: Tree, needed: int) -> None:
    """Print without cutting lines short (ids and counts are data someone may grep)."""
    width = out.width
    out.width = max(width, needed)
    try:
        out.print(renderable, crop=False)
    finally:
        out.width = width


def _book_and_counts(path: str) -> tuple[Codebook, dict[str, tuple[int, int]] | None]:
    folder = Path(path)
    if not (folder.is_dir() and (folder / "gtcode.db").is_file()):
        return load_codebook(path), None
    from gtcode.store.codings import effective_codings
    from gtcode.workspace import open_study, study_codebook

    with open_study(folder) as study:
        book = study_codebook(study)
        codings = [(c.code_id, c.source, c.segment if c.segment is not None else c.start)
                   for c in effective_codings(study.conn)]
    return book, book.count_codings(codings)


def _label(code: Code, lang: str, counts: dict[str, tuple[int, int]] | None) -> Text:
    style = _LEVEL_STYLE[code.level]
    name = code.display_name(lang)
    text = f"[{style}]{name}[/]" if style else name
    text += f" [dim]{code.id}[/]"
    if code.paradigm:
        text += f" [italic]({PARADIGM_LABELS[code.paradigm]})[/]"
    if counts is not None:
        sources, refs = counts.get(code.id, (0, 0))
        text += f"  [green]{sources}/{refs}[/]"
    return Text.from_markup(text)


def _tree(book: Codebook, counts: dict[str, tuple[int, int]] | None,
          lang: str) -> tuple[Tree, int]:
    """The tree, and the width it needs so that no line is cut short."""
    title = f"[bold]{book.name}[/] {book.version}"
    if counts is not None:
        title += "  [green](sources/references)[/]"
    root = Tree(title)
    widths = [0]

    def add(node: Tree, parent: str | None, depth: int) -> None:
        for code in book.children(parent):
            label = _label(code, lang, counts)
            widths.append(cell_len(label.plain) + 4 * depth + 1)
            add(node.add(label), code.id, depth + 1)

    add(root, None, 1)
    return root, max(widths)


def _table(book: Codebook, counts: dict[str, tuple[int, int]] | None, lang: str) -> Table:
    table = Table(title=f"{book.name} {book.version}")
    for column in ("id", "level", "name", "parent", "terms"):
        table.add_column(column, no_wrap=column in ("id", "level", "terms"))
    if counts is not None:
        table.add_column("sources", justify="right")
        table.add_column("references", justify="right")
    for code in book.codes:
        terms = len(code.rules.all_terms()) + sum(len(rule.all_terms()) for rule in
                                                  code.rules.near) if code.rules else 0
        row = [code.id, code.level, code.display_name(lang), code.parent or "", str(terms)]
        if counts is not None:
            row += [str(n) for n in counts.get(code.id, (0, 0))]
        table.add_row(*row)
    return table


@codebook_app.command("new")
@handle_errors
def new_cmd(
    path: Annotated[Path, typer.Argument(help="The codebook file to create.",
                                         show_default=False)],
    lang: Annotated[Language, typer.Option("--lang", help="Template language: zh or en.")] = "zh",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    schema: Annotated[bool, typer.Option("--schema/--no-schema", help="Also write "
                                         "codebook.schema.json beside it for editors.")] = True,
    quiet: QuietOpt = False,
) -> None:
    """Create a commented codebook template that validates as written.

    Example: gtcode codebook new my-codebook.yaml --lang zh
    """
    from gtcode.coding.sheet import unapplied_review

    with overwrite(force):
        written = write_template(path, lang, force=force, schema=schema,
                                 inspect=unapplied_review(None))
    for item in written:
        note(f"Wrote {item}", quiet=quiet)


@codebook_app.command("diff")
@handle_errors
def diff_cmd(
    a: Annotated[str, typer.Argument(help="The older codebook (file or built-in name).",
                                     show_default=False)],
    b: Annotated[str, typer.Argument(help="The newer codebook.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """List codes added, removed, renamed, moved and redefined from A to B.

    Example: gtcode codebook diff codebook-v1.yaml codebook-v2.yaml
    """
    result = diff_codebooks(load_codebook(a), load_codebook(b))
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    if result.empty:
        out.print("No code changed.")
        return
    for change in result.changes:
        out.print(f"{change.kind:<10} {change.code_id}  {change.detail}", markup=False)
    summary = ", ".join(f"{n} {kind}" for kind, n in result.counts().items())
    err.print(f"{len(result.changes)} changes: {summary}")


@codebook_app.command("export")
@handle_errors
def export_cmd(
    path: CodebookArg,
    to: Annotated[Literal[tuple(EXPORTERS)], typer.Option("--to", help="Format: " + ", ".join(EXPORTERS) + ".",
                                    show_default=False)],
    output: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="The file to write (default: the codebook's name with the "
        "format's extension, in the current folder).")] = None,
    lang: Annotated[Optional[Language], typer.Option("--lang", help="For qdc: name codes in zh "
                                                "or en (default: the codebook's language).")]
    = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Export a codebook to Excel, Markdown or a REFI-QDA codebook (.qdc).

    Example: gtcode codebook export six-pressures --to qdc -o six-pressures.qdc
    """
    from gtcode.coding.sheet import unapplied_review

    book = load_codebook(path)
    target = output or Path(f"{Path(path).stem}.{to}")
    with overwrite(force):
        written = export_codebook(book, target, to, lang=lang, inspect=unapplied_review(None))
    note(f"Wrote {written}", quiet=quiet)


@codebook_app.command("schema")
@handle_errors
def schema_cmd(
    output: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Write the schema to this file instead of stdout.")] = None,
) -> None:
    """Print the codebook JSON Schema (for YAML editors such as VS Code).

    Put `# yaml-language-server: $schema=codebook.schema.json` on the first line
    of the codebook to have it checked while you type.

    Example: gtcode codebook schema -o codebook.schema.json
    """
    text = codebook_json_schema_text()
    if output is None:
        typer.echo(text, nl=False)
        return
    from gtcode.coding.sheet import unapplied_review
    from gtcode.files import atomic_write_text, guard_output

    guard_output(output, inspect=unapplied_review(None))
    atomic_write_text(output, text)
    note(f"Wrote {output}")


@codebook_app.command("import")
@handle_errors
def import_cmd(
    path: Annotated[Path, typer.Argument(
        help="A REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA or QualCoder.",
        show_default=False)],
    output: Annotated[Path, typer.Option("--out", "-o", help="The codebook YAML to write.")],
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Turn a REFI-QDA codebook (.qdc) into a gtcode codebook YAML.

    Example: gtcode codebook import nvivo.qdc -o codebook.yaml
    """
    from gtcode.exchange.refi_qda import import_codebook

    with overwrite(force):
        import_codebook(path, output)
    note(f"Wrote {output}", quiet=quiet)
