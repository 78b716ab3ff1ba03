"""The ``gtcode`` command line: a thin typer shell over the library.

Each command group lives in its own module with a ``register(app)`` function;
add new modules to ``_COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from gtcode._version import __version__

_COMMAND_MODULES = [  # in the order of the help text: the workflow's order
    "gtcode.cli.study",
    "gtcode.cli.codebook",
    "gtcode.cli.open_coding",
    "gtcode.cli.learn",
    "gtcode.cli.sheet",
    "gtcode.cli.axial",
    "gtcode.cli.memo",
    "gtcode.cli.agree",
    "gtcode.cli.report",
    "gtcode.cli.export",
]

app = typer.Typer(
    name="gtcode",
    help="Grounded-theory coding of interview transcripts: open, axial and selective coding, "
    "agreement, saturation, and NVivo/REFI-QDA exchange.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
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


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Console-script entry point."""
    # pretty_exceptions_enable=False above: a crash never prints local variables
    # (transcripts are confidential).
    app()
