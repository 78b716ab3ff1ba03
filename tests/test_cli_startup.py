"""The command line starts at once: ``--help`` and ``--version`` import no library.

``gtcode.cli`` lists its commands from a table (``COMMANDS``) and imports a
command's module only when that command runs; these tests hold the table to
the commands' own docstrings and check, in a fresh interpreter, what gets
imported.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pytest
import typer
from typer.testing import CliRunner

from gtcode.cli import COMMANDS, app, load_command

HEAVY = ("pandas", "networkx", "docx", "numpy", "sklearn", "spacy", "jieba", "openpyxl",
         "xlsxwriter", "lxml", "ruamel", "pydantic")


def imported_after(code: str) -> list[str]:
    """The heavy packages a fresh interpreter has imported after running ``code``."""
    probe = (f"import sys\n{code}\n"
             f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_cli(*args: str) -> str:
    return (f"from gtcode.cli import app\n"
            f"try:\n    app({list(args)!r}, standalone_mode=False)\n"
            f"except SystemExit:\n    pass\n")


def test_importing_the_cli_imports_no_library():
    assert imported_after("import gtcode.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"]])
def test_help_and_version_import_no_heavy_package(args):
    assert imported_after(run_cli(*args)) == []


def test_a_codebook_command_does_not_import_the_analysis():
    loaded = imported_after(run_cli("codebook", "show", "six-pressures"))
    assert not {"pandas", "networkx", "docx", "numpy", "sklearn"} & set(loaded)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_help_table_says_what_each_command_says(name):
    module, line = COMMANDS[name]
    command = load_command(name)
    assert command.name == name
    assert (command.help or "").strip().splitlines()[0] == line, (
        f"update COMMANDS[{name!r}] in gtcode/cli/__init__.py")


def test_every_registered_command_is_in_the_table():
    registered: set[str] = set()
    for module in {module for module, _ in COMMANDS.values()}:
        sub = typer.Typer()
        __import__(module, fromlist=["register"]).register(sub)
        registered |= set(typer.main.get_group(sub).commands)
    assert registered == set(COMMANDS)


def test_the_help_lists_every_command_in_the_workflow_order():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = [re.match(r"\W*(\w+)\s", line) for line in result.output.splitlines()]
    names = [match.group(1) for match in listed if match and match.group(1) in COMMANDS]
    assert names == list(COMMANDS)
    flowing = re.sub(r"[│\s]+", " ", result.output)  # the help as one line, boxes gone
    for _module, line in COMMANDS.values():
        assert line in flowing


def test_a_mistyped_command_is_answered_with_the_right_one():
    result = CliRunner().invoke(app, ["opne", "x"])
    assert result.exit_code == 2
    assert "Did you mean 'open'?" in result.output


def test_a_command_runs_through_the_lazy_group(tmp_path):
    result = CliRunner().invoke(app, ["init", str(tmp_path / "s"), "-q"])
    assert result.exit_code == 0, result.output
    group = typer.main.get_command(app)
    status = group.get_command(click.Context(group), "status")
    assert status.name == "status" and status.callback is not None  # the command, not its stand-in


def test_status_does_not_import_the_analysis(tmp_path):
    assert CliRunner().invoke(app, ["init", str(tmp_path / "s"), "-q"]).exit_code == 0
    loaded = imported_after(run_cli("status", str(tmp_path / "s")))
    assert not {"pandas", "networkx", "docx", "numpy", "sklearn", "jieba"} & set(loaded)
