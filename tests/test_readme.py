"""The README's step-by-step tour runs as written (with the sample files put in)."""

from __future__ import annotations

import re
import shlex
import shutil

from tests.conftest import REPO, SAMPLE
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding.sheet_io import HEADINGS
from sheet_helpers import col, xlsx_sheet

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


def fill_in(path) -> None:
    """Mark every respondent turn: accept the suggestions, or (blind) code some of them."""
    sheet = xlsx_sheet(path)
    header = [c.value for c in sheet[1]]
    role, decision, codes = (col(header, k) for k in ("role", "decision", "codes"))
    blind = HEADINGS["suggested"] not in header
    for number, row in enumerate(sheet.iter_rows(min_row=2)):
        if row[role].value == "respondent":
            if not blind:
                row[decision].value = "接受 accept"
            elif number % 3:
                row[decision].value = "无编码 none"
            else:
                row[codes].value = "人情世故压力"  # a code written by its Chinese name
    sheet.parent.save(path)


def test_readme_tour_runs(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    commands = tour_commands()
    assert len(commands) >= 15
    runner = CliRunner()
    for args in commands:
        if args[:2] == ["init", "from-nvivo"]:
            shutil.copy(tmp_path / "my-study.qdpx", tmp_path / "project.qdpx")
        if args[:2] == ["sheet", "apply"]:
            fill_in(tmp_path / args[3])  # the coder marks rows in Excel
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
