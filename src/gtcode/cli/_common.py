"""Shared pieces of the command line: consoles, the error handler, progress.

Only ``gtcode.cli`` imports typer and rich. Commands parse arguments, call one
library function, and render its result; a :class:`GtcodeError` from the
library becomes ``Error: ...`` on stderr and exit code 1 (usage errors are 2).
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gtcode.errors import GtcodeError

#: Data goes to stdout; talk (progress, notes, errors) to stderr.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

StudyArg = Annotated[Path, typer.Argument(help="The study folder (holds gtcode.db).",
                                          show_default=False)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Overwrite an output file even when it holds work that would be lost (a "
    "filled-in review sheet not applied); what is lost is printed. Never a study's own files.")]
ExcelSafeOpt = Annotated[bool, typer.Option(
    "--excel-safe", help="csv files: prefix text that a spreadsheet would run as a formula "
    "(starting with = + - @) with an apostrophe. Without it csv text is verbatim; xlsx cells "
    "are always plain text.")]
ModelOpt = Annotated[bool, typer.Option(
    "--model/--no-model", help="Let the learned model combine its decisions with the rule "
    "hits (--no-model: the rules alone).")]
EmbeddingsOpt = Annotated[Optional[bool], typer.Option(
    "--embeddings/--no-embeddings", help="Let the learned model read sentence embeddings "
    "(default: when installed; each turn is embedded once and kept in the study).",
    show_default=False)]
PseudonymisedOpt = Annotated[bool, typer.Option(
    "--pseudonymised-only", help="Refuse to export while the study holds identifying terms "
    "nobody has reviewed (see `gtcode anonymize`).")]
SchedulerOpt = Annotated[Optional[str], typer.Option(
    "--scheduler", metavar="ADDRESS", help="Run the per-source work on a Dask cluster: "
    "'local:N' starts N worker processes here, or give a running scheduler's address "
    "(tcp://host:8786). Needs `pip install 'gtcode\\[dask]'`; results are the same as without "
    "it. See docs/scale.md.", show_default=False)]
#: A language of names, headings and texts (a usage error, exit 2, for any other).
Language = Literal["zh", "en"]


def fail(error: GtcodeError) -> typer.Exit:
    """Print a domain error as one line on stderr and return the exit to raise."""
    err.print(f"[bold red]Error:[/] {escape(error.render())}", markup=True, highlight=False)
    return typer.Exit(code=1)


def handle_errors(func: F) -> F:
    """Decorator for commands: turn library errors into a clean exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GtcodeError as error:
            raise fail(error) from None
        except KeyboardInterrupt:
            err.print("Interrupted; nothing of this command was committed.")
            raise typer.Exit(code=130) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def overwrite(force: bool) -> Iterator[None]:
    """Let the library overwrite files holding work when ``force``; say what was lost."""
    from gtcode.files import overwriting

    with overwriting(force) as lost:
        yield
    for item in lost:  # said even with --quiet: work was lost
        err.print(f"[yellow]Warning:[/] overwritten, as --force asked: {item}", markup=True,
                  highlight=False)


def note(message: str, *, quiet: bool = False, markup: bool = True) -> None:
    """A message for the user on stderr (silenced by ``--quiet``)."""
    if not quiet:
        err.print(message, markup=markup, highlight=False)


@contextlib.contextmanager
def progress(quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """Yield a ``callback(task, done, total)`` that drives rich progress bars.

    The library reports progress through such callbacks; bars are shown only
    on a terminal and never with ``--quiet``.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda task, done, total: None
        return
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                    console=err, transient=True)
    tasks: dict[str, Any] = {}

    def callback(task: str, done: int, total: int) -> None:
        if task not in tasks:
            tasks[task] = bars.add_task(task, total=total or None)
        bars.update(tasks[task], completed=done, total=total or None)

    with bars:
        yield callback


def guard_pseudonymised(study: Any, asked: bool) -> None:
    """``--pseudonymised-only``: refuse (E901) while any identifying term is unreviewed."""
    if asked:
        from gtcode.privacy import require_pseudonymised

        require_pseudonymised(study)


def default_author(author: str | None) -> str:
    if author:
        return author
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "researcher"


@contextlib.contextmanager
def working(task: str, quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """A bar that runs with the elapsed time while a step with no count of its own works.

    Yields the :func:`progress` callback, for the steps inside that do count.
    """
    with progress(quiet) as callback:
        callback(task, 0, 0)
        yield callback


def split_list(value: str | None) -> list[str]:
    """Parse ``"a,b, c"`` (also full-width ``，``) into ``["a", "b", "c"]``."""
    if not value:
        return []
    return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]


def placement_lines(rows, limit: int = 20) -> list[str]:
    """Lines naming codings no single segment holds (``store.codings.PlacementRow``).

    Codings with text count at their own span; the others (an empty span, a
    passage lost on ``--replace``) cannot be counted and are said so.
    """
    lines: list[str] = []
    spanning = [r for r in rows if r.placeable]
    lost = [r for r in rows if not r.placeable]
    for found, head in ((spanning, "lie in no single segment; each counts at its own span "
                         "(code points, end exclusive)"),
                        (lost, "could not be placed (empty span, or passage lost on "
                         "--replace) and count nowhere")):
        if not found:
            continue
        lines.append(f"{len(found)} coding(s) {head}:")
        for row in found[:limit]:
            name = row.code_name if row.code_name == row.code_id else \
                f"{row.code_name} ({row.code_id})"
            lines.append(f"  {row.source} {row.start}-{row.end}  {name}  [{row.coder}]")
        if len(found) > limit:
            lines.append(f"  ... and {len(found) - limit} more (see `gtcode status`)")
    return lines
