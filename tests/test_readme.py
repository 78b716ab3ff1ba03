"""The README's step-by-step tour runs as written (with the sample files put in)."""

from __future__ import annotations

import re
import shlex
import shutil

from tests.conftest import REPO, SAMPLE
from typer.testing import CliRunner

from gtcode.cli import app

#: README placeholders -> files that exist in the repository.
FILES = {
    "interviews/": str(SAMPLE),
    "cases.xlsx": str(SAMPLE / "cases.csv"),
    "gold.csv": str(SAMPLE / "labels.csv"),
    "units.csv": str(REPO / "tests" / "fixtures" / "reliability" / "tv_alpha1.csv"),
}


def tour_commands() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("The same, step by step", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line.startswith("gtcode "):
            commands.append([FILES.get(word, word) for word in shlex.split(line)[1:]])
    return commands


def test_readme_tour_runs(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    commands = tour_commands()
    assert len(commands) >= 15
    runner = CliRunner()
    for args in commands:
        if args[:2] == ["init", "from-nvivo"]:
            shutil.copy(tmp_path / "my-study.qdpx", tmp_path / "project.qdpx")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert (tmp_path / "from-nvivo" / "gtcode.db").is_file()


def test_readme_library_example_runs(tmp_path, monkeypatch, capsys) -> None:
    """The README's Python example runs as written (from a folder holding data/sample)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    code = text.split("As a library", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "data").mkdir()
    shutil.copytree(SAMPLE, tmp_path / "data" / "sample")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and all(len(line.split()) == 4 for line in lines)
    assert (tmp_path / "out" / "again.qdpx").is_file()
