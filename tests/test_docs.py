"""Every command has help text with an example, and docs/cli.md matches the CLI."""

from __future__ import annotations

import subprocess
import sys

import typer.main
from tests.conftest import REPO

from gtcode.cli import app


def _leaf_commands(group, prefix: str = "gtcode"):
    ctx = group.context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if hasattr(command, "list_commands"):
            yield from _leaf_commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_every_command_has_help_and_an_example() -> None:
    commands = list(_leaf_commands(typer.main.get_command(app)))
    assert len(commands) >= 20
    for path, command in commands:
        assert command.help and "Example:" in command.help, path
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{path} {param.opts}"


def test_cli_reference_is_up_to_date() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_cli_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_sheet_instructions_are_in_the_cli_reference_in_both_languages() -> None:
    from gtcode.coding.sheet_help import STEPS

    reference = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for zh, en in STEPS:
        assert zh in reference and en in reference


def test_the_case_sheet_layouts_are_documented_with_an_example(tmp_path) -> None:
    from gtcode.transcripts.cases import read_cases

    text = (REPO / "docs" / "cases.md").read_text(encoding="utf-8")
    example = text.split("```csv", 1)[1].split("```", 1)[0].strip()
    assert example.startswith("file,case_id")
    assert "docs/cases.md" in (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    path = tmp_path / "cases.csv"
    path.write_text(example + "\n", encoding="utf-8")
    assert read_cases(path).names == ["P01", "P02"]
