"""Write docs/cli.md from the command line itself, so the reference never drifts.

Usage: python scripts/gen_cli_docs.py [--check]
With --check, exit 1 when docs/cli.md is out of date (the test suite runs this).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer.main

from gtcode.cli import app

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADER = """# Command reference (命令参考)

Generated from the command line by `python scripts/gen_cli_docs.py`; do not edit by hand.
Every command also answers `-h`/`--help`. Exit codes: 0 success, 1 a clear error (bad input,
refused operation; the message names the file and the place), 2 wrong usage.
Commands that can take more than a few seconds (run, import, open, learn, sheet export, axial,
selective, report, export) show a progress bar on a terminal (on stderr, gone when done); `-q`
turns it off, and so does sending the output to a file or a pipe.

"""


def _is_group(command: object) -> bool:
    return hasattr(command, "list_commands")


def _commands(group, prefix: str) -> list[tuple[str, object]]:
    """(path, command) of every command below ``group``, groups included, in help order."""
    found = []
    ctx = group.context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        path = f"{prefix} {name}"
        if _is_group(command):
            found.append((path, command))
            found.extend(_commands(command, path))
        else:
            found.append((path, command))
    return found


def _usage(path: str, command) -> str:
    ctx = command.context_class(command, info_name=path)
    pieces = command.collect_usage_pieces(ctx)
    return f"{path} {' '.join(pieces)}".strip()


def _section(path: str, command) -> str:
    lines = [f"## `{path}`", "", (command.help or "").strip(), "", "```", _usage(path, command),
             "```", ""]
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if params:
        lines += ["| argument / option | help |", "|---|---|"]
        for param in params:
            if param.param_type_name == "option":
                names = ", ".join(f"`{o}`" for o in param.opts + param.secondary_opts)
            else:
                names = f"`{(param.name or '').upper()}`"
            help_text = (getattr(param, "help", None) or "").replace("|", "\\|").replace("\n", " ")
            help_text = help_text.replace("\\[", "[")  # rich markup's escaped bracket
            descriptor = getattr(param, "type_descriptor", None)
            choices = descriptor.choices if descriptor is not None and descriptor.is_choice else None
            if choices:
                help_text += " Choices: " + ", ".join(f"`{c}`" for c in choices) + "."
            lines.append(f"| {names} | {help_text} |")
        lines.append("")
    return "\n".join(lines)


def render() -> str:
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, command in _commands(root, "gtcode"):
        parts.append(_section(path, command))
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run python scripts/gen_cli_docs.py")
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(DOC.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
