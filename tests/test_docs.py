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
