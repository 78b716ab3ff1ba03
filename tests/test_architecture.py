"""The layering rules of docs/architecture.md, checked on the source itself.

- only ``transcripts/nlp.py`` imports spaCy or jieba;
- only ``cli/`` imports typer or rich;
- only ``store/`` runs SQL;
- the library never prints or exits.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "gtcode"


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _calls(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                found.add(func.attr)
            elif isinstance(func, ast.Name):
                found.add(func.id)
    return found


def test_only_nlp_imports_spacy_or_jieba() -> None:
    offenders = [name for name, tree in _modules()
                 if {"spacy", "jieba"} & _imported(tree) and name != "transcripts/nlp.py"]
    assert offenders == []


def test_only_cli_imports_typer_or_rich() -> None:
    offenders = [name for name, tree in _modules()
                 if {"typer", "rich", "click"} & _imported(tree) and not name.startswith("cli/")]
    assert offenders == []


def test_only_store_runs_sql() -> None:
    sql = {"execute", "executemany", "executescript"}
    offenders = [name for name, tree in _modules()
                 if sql & _calls(tree) and not name.startswith("store/")]
    assert offenders == []


def test_library_never_prints_or_exits() -> None:
    offenders = [name for name, tree in _modules()
                 if {"print", "exit", "input"} & _calls(tree) and not name.startswith("cli/")]
    assert offenders == []
