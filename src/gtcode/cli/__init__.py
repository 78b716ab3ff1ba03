"""The ``gtcode`` command line: a thin typer shell over the library.

Each command group lives in its own module with a ``register(app)`` function.
Modules are imported only when one of their commands runs, so ``gtcode
--help`` and ``gtcode --version`` start at once and each command imports only
what it uses: add a new command to :data:`COMMANDS` with its one-line help
(``tests/test_cli_startup.py`` checks that line against the command's docstring).
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from gtcode._version import __version__

#: command -> (module that registers it, the first line of its help), in the
#: order of the help text: the workflow's order.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("gtcode.cli.study",
            "Run every stage on transcripts and write every export, in one go."),
    "init": ("gtcode.cli.study", "Create a new, empty study folder with a copy of the codebook."),
    "import": ("gtcode.cli.study", "Import transcripts and/or case attributes into a study."),
    "status": ("gtcode.cli.study",
               "Show sources and cases by name, segments, and codings per stage."),
    "open": ("gtcode.cli.open_coding", "Suggest codes (rules plus the best learned model "
             "available) and list in-vivo candidates."),
    "evaluate": ("gtcode.cli.open_coding", "Compare the study's codings (or one coder's) with "
                 "gold labels at main-category level."),
    "compare": ("gtcode.cli.compare",
                "List the passages of other interviews most similar to a segment or a code."),
    "discover": ("gtcode.cli.compare",
                 "Group respondent turns that no concept covers into candidate new concepts."),
    "learn": ("gtcode.cli.learn", "Train a coder on your decisions; print its cross-validated "
              "reliability, then store it."),
    "axial": ("gtcode.cli.axial", "Roll concepts up, and print the code × case matrix, "
              "co-occurrence and relations."),
    "selective": ("gtcode.cli.axial", "Reach and centrality of main categories, the storyline, "
                  "and both saturation checks."),
    "agree": ("gtcode.cli.agree",
              "Intercoder agreement: percent, kappa, Fleiss, alpha; per code and overall."),
    "report": ("gtcode.cli.report",
               "Write the study report: one self-contained HTML page of the whole study."),
    "anonymize": ("gtcode.cli.anonymize", "Pseudonymise transcripts: find names, places, units "
                  "and numbers, then replace them."),
    "export": ("gtcode.cli.export", "Export a study: REFI-QDA project or codebook, codings csv, "
               "NVivo sheets."),
    "codebook": ("gtcode.cli.codebook", "Check, show, create, compare and export codebooks; "
                 "propose, adopt, rename and merge concepts."),
    "sheet": ("gtcode.cli.sheet", "Review codings in a spreadsheet: export a sheet, fill it in, "
              "apply it back."),
    "memo": ("gtcode.cli.memo", "Memos on codes, categories, cases, sources and segments."),
}

_SETTINGS: dict[str, Any] = {"add_completion": False, "rich_markup_mode": "rich"}


def load_command(name: str) -> click.Command:
    """The click command ``name``, built from the module that registers it."""
    sub = typer.Typer(**_SETTINGS)
    importlib.import_module(COMMANDS[name][0]).register(sub)
    return typer.main.get_group(sub).commands[name]


class _LazyGroup(TyperGroup):
    """The root group: lists commands from :data:`COMMANDS`, imports one when it runs."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (_module, line) in COMMANDS.items():  # stand-ins for the help listing
            self.commands[name] = click.Command(name, help=line)
        self._listing = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if self._listing or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        command = load_command(cmd_name)
        self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="gtcode",
    cls=_LazyGroup,
    help="Grounded-theory coding of interview transcripts: open, axial and selective coding, "
    "agreement, saturation, and NVivo/REFI-QDA exchange.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    **_SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gtcode {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """gtcode: grounded-theory coding from the command line."""


def main() -> None:
    """Console-script entry point."""
    # pretty_exceptions_enable=False above: a crash never prints local variables
    # (transcripts are confidential).
    app()
