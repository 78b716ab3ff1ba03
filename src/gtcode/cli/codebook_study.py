"""A study's codebook as it grows: ``codebook propose|adopt|rename|merge``.

Registered on the ``codebook`` group by :func:`add_commands` (called from
``gtcode.cli.codebook.register``); the library does the work in
:mod:`gtcode.coding.proposals` and :mod:`gtcode.coding.codebook_changes`.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gtcode.cli._common import QuietOpt, StudyArg, default_author, handle_errors, note

CoderOpt = Annotated[Optional[str], typer.Option(
    "--coder", help="Who makes the change (default: your user name); logged with it.")]
ParentOpt = Annotated[Optional[str], typer.Option(
    "--parent", help="The subcategory (or category) id the concept goes under.")]
DefinitionOpt = Annotated[Optional[str], typer.Option(
    "--definition", help="What the concept means (定义).")]
NameEnOpt = Annotated[Optional[str], typer.Option("--name-en", help="Its English name.")]


def add_commands(app: typer.Typer) -> None:
    """Add the study commands to the ``codebook`` group (once)."""
    names = {c.name for c in app.registered_commands}
    for name, func in (("propose", propose_cmd), ("adopt", adopt_cmd), ("rename", rename_cmd),
                       ("merge", merge_cmd)):
        if name not in names:
            app.command(name)(func)


@handle_errors
def propose_cmd(
    study: StudyArg,
    name: Annotated[str, typer.Option("--name", help="The concept's name (名称), e.g. 跑项目.",
                                      show_default=False)],
    parent: ParentOpt = None,
    segment: Annotated[Optional[list[str]], typer.Option(
        "--segment", metavar="FILE#N", help="A passage it names, FILE#N (repeat for more).")] = None,
    definition: DefinitionOpt = None,
    name_en: NameEnOpt = None,
    coder: CoderOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Propose a new concept (建议概念), on passages or none, for later adoption.

    Example: gtcode codebook propose my-study --name 跑项目 --parent resource.upward_funding --segment S03.txt#12
    """
    from gtcode.coding.proposals import NewProposal, propose
    from gtcode.workspace import open_study, study_codebook

    with open_study(study) as opened:
        book = study_codebook(opened)
        count = propose(opened, book, NewProposal(name, default_author(coder),
                                                  tuple(segment or ()), parent, definition,
                                                  name_en))
    note(f"Proposed {name.strip()} ({count} passage(s)); adopt it with `gtcode codebook adopt "
         f"{study} {name.strip()}`.", quiet=quiet, markup=False)


@handle_errors
def adopt_cmd(
    study: StudyArg,
    names: Annotated[Optional[list[str]], typer.Argument(
        help="The proposed concepts to adopt (see gtcode status).", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Adopt every proposed concept.")] = False,
    parent: ParentOpt = None,
    code_id: Annotated[Optional[str], typer.Option(
        "--id", help="The new concept's id (one name only; default: from its English name).")]
    = None,
    name_en: NameEnOpt = None,
    definition: DefinitionOpt = None,
    coder: CoderOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Turn proposed concepts into concepts of the study's codebook.yaml; their passages are coded.

    The YAML keeps your comments and order; each proposal's passages get the new
    code in its proposer's name, and the decision log records the adoption.

    Example: gtcode codebook adopt my-study 跑项目 --parent resource.upward_funding --id resource.project_running
    """
    from gtcode.coding.codebook_changes import AdoptOptions, adopt
    from gtcode.workspace import open_study

    if bool(names) == all_:
        raise typer.BadParameter("name the proposals to adopt, or give --all", param_hint="NAMES")
    with open_study(study) as opened:
        report = adopt(opened, None if all_ else names, by=default_author(coder),
                       options=AdoptOptions(parent, code_id, name_en, definition))
    _say(report, f"Adopted {', '.join(report.codes)}", quiet)


@handle_errors
def rename_cmd(
    study: StudyArg,
    old: Annotated[str, typer.Argument(help="The code id (or proposed concept) to rename.",
                                       show_default=False)],
    new: Annotated[str, typer.Argument(help="Its new id (or the proposal's new name).",
                                       show_default=False)],
    name: Annotated[Optional[str], typer.Option("--name", help="Also a new name (名称).")]
    = None,
    name_en: NameEnOpt = None,
    coder: CoderOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Rename a code (its id, optionally its names); every coding, memo and quote follows.

    Example: gtcode codebook rename my-study resource.x resource.project_running --name 跑项目
    """
    from gtcode.coding.codebook_changes import rename
    from gtcode.workspace import open_study

    with open_study(study) as opened:
        report = rename(opened, old, new, by=default_author(coder), name=name, name_en=name_en)
    _say(report, f"Renamed {old} to {new}", quiet)


@handle_errors
def merge_cmd(
    study: StudyArg,
    codes: Annotated[list[str], typer.Argument(
        help="The codes (or proposed concepts) to merge, then the code to merge them into.",
        show_default=False)],
    coder: CoderOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Merge codes or proposed concepts into one code (the last); every coding is kept.

    Example: gtcode codebook merge my-study resource.a resource.b 跑项目 resource.c
    """
    from gtcode.coding.codebook_changes import merge
    from gtcode.workspace import open_study

    if len(codes) < 2:
        raise typer.BadParameter("give the codes to merge and then the code to merge them into",
                                 param_hint="CODES")
    with open_study(study) as opened:
        report = merge(opened, codes[:-1], codes[-1], by=default_author(coder))
    _say(report, f"Merged {', '.join(codes[:-1])} into {codes[-1]}", quiet)


def _say(report, head: str, quiet: bool) -> None:
    parts = [f"{report.moved} coding(s) moved"]
    if report.merged:
        parts.append(f"{report.merged} joined a coding already there")
    if report.coded:
        parts.append(f"{report.coded} passage(s) coded")
    if report.suggestions:
        parts.append(f"{report.suggestions} machine suggestion(s) moved")
    written = "codebook.yaml updated" if report.yaml_written else "codebook.yaml unchanged"
    note(f"{head}: {', '.join(parts)}; {written}.", quiet=quiet, markup=False)
    for line in report.notes:
        note(f"note: {line}", quiet=quiet, markup=False)
