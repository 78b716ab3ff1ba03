"""The layering rules of docs/architecture.md, checked on the source itself.

- imports point down the layers, never up or sideways, and close no cycle
  (imports inside functions count);
- only ``transcripts/nlp.py`` imports spaCy or jieba; only ``cli/`` imports
  typer or rich, and ``import gtcode`` loads neither;
- only ``store/`` runs SQL; the library never prints or exits;
- no module is over 500 lines; each rule of the method is written once.

The checker itself (``tests/import_rules.py``) is tested at the end on small
packages written to a temporary folder: it must fail when a module imports up
a layer or closes a cycle.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from import_rules import collect_imports, cycles, layer_violations

SRC = Path(__file__).resolve().parents[1] / "src" / "gtcode"

#: The layers, top first (docs/architecture.md, "Layers"). A module may import its own
#: part and the parts of any lower layer; parts of one layer do not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("__main__",),
    ("cli",),
    ("pipeline",),
    ("exports",),
    ("exchange", "reliability", "tables"),
    ("coding",),
    ("coding.learned",),
    ("coding.rules",),
    ("importer", "workspace", "privacy"),
    ("store",),
    ("codebook", "transcripts"),
    ("cache", "cluster", "files", "numbers", "progress", "spreadsheet"),
    ("errors", "_version"),
]
MAX_LINES = 500


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


def test_imports_point_down_the_layers() -> None:
    assert layer_violations(collect_imports(SRC), LAYERS) == []


def test_no_import_cycles_function_level_imports_included() -> None:
    assert cycles(collect_imports(SRC)) == []


def test_no_module_is_over_500_lines() -> None:
    long = {path.relative_to(SRC).as_posix(): n for path in SRC.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_only_nlp_imports_spacy_or_jieba() -> None:
    offenders = [name for name, tree in _modules()
                 if {"spacy", "jieba", "rjieba"} & _imported(tree)
                 and name != "transcripts/nlp.py"]
    assert offenders == []


def test_only_cli_imports_typer_or_rich() -> None:
    offenders = [name for name, tree in _modules()
                 if {"typer", "rich", "click"} & _imported(tree) and not name.startswith("cli/")]
    assert offenders == []


def test_import_gtcode_loads_neither_typer_nor_rich() -> None:
    code = ("import sys, gtcode; gtcode.Study; "
            "print(sorted(m for m in ('typer', 'rich', 'click') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_public_api_resolves() -> None:
    import gtcode

    assert set(gtcode.__all__) == {"__version__", *gtcode._API}
    for name in gtcode.__all__:
        assert getattr(gtcode, name) is not None, name
    assert gtcode.agree.__name__ == "agree_study" and callable(gtcode.run)
    assert {"codings", "all_codings", "sources", "segments"} <= set(vars(gtcode.Study))


def test_only_store_runs_sql() -> None:
    sql = {"execute", "executemany", "executescript"}
    offenders = [name for name, tree in _modules()
                 if sql & _calls(tree) and not name.startswith("store/")]
    assert offenders == []


def test_library_never_prints_or_exits() -> None:
    offenders = [name for name, tree in _modules()
                 if {"print", "exit", "input"} & _calls(tree) and not name.startswith("cli/")]
    assert offenders == []


def _definitions(pattern: str) -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(SRC).as_posix()}:{number}")
    return found


def test_each_rule_of_the_method_is_written_once() -> None:
    # which codings count: the counted_codings view, in the schema's migrations only
    assert {p.split(":")[0] for p in _definitions(r"r\.status = 'rejected'")} == {
        "store/schema.py"}
    assert len(_definitions(r"^RULE_CODER\s*=")) == 1
    assert len(_definitions(r"^DEFAULT_CODEBOOK\s*=")) == 1
    assert len(_definitions(r"^Progress\s*=")) == 1
    assert len(_definitions(r"^EXPORTERS: dict\[str, Exporter\]")) == 1
    # a code's main category: one walk up the parents
    assert [p.split(":")[0] for p in _definitions(r"def level_up\(")] == [
        "codebook/hierarchy.py"]


# -- the checker's own tests: it must fail on what it is meant to catch ----------------

def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return package


TOY_LAYERS = [("top",), ("middle",), ("low", "side")]


def test_the_checker_finds_an_import_up_a_layer(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "top.py": "from pkg import middle\n",
        "middle.py": "import pkg.low\n",
        "low.py": "def f():\n    from pkg.top import x\n",  # hidden in a function: still found
        "side.py": "",
    })
    problems = layer_violations(collect_imports(package), TOY_LAYERS)
    assert problems == ["pkg.low:2 imports pkg.top (up a layer: low -> top)"]


def test_the_checker_finds_a_sideways_import_and_a_module_in_no_layer(tmp_path: Path) -> None:
    package = _package(tmp_path, {"low.py": "from pkg.side import y\n", "side.py": "y = 1\n",
                                  "stray.py": "from pkg import low\n"})
    problems = layer_violations(collect_imports(package), TOY_LAYERS)
    assert "pkg.low:1 imports pkg.side (sideways: low -> side)" in problems
    assert "pkg.stray: in no layer of docs/architecture.md" in problems


def test_the_checker_finds_a_cycle_closed_inside_a_function(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "a.py": "from pkg.b import g\n",
        "b.py": "def g():\n    from pkg import c\n",
        "c.py": "import pkg.a\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n",
    })
    imports = collect_imports(package)
    assert cycles(imports) == [["pkg.a", "pkg.b", "pkg.c"]]
    hidden = [i for i in imports if i.importer == "pkg.b"]
    assert hidden and hidden[0].in_function
    typed = [i for i in imports if i.importer == "pkg.d"]
    assert typed and typed[0].type_only  # counted for layers, never for cycles


def test_the_checker_resolves_relative_and_package_imports(tmp_path: Path) -> None:
    package = _package(tmp_path, {"sub/__init__.py": "from .inner import z\n",
                                  "sub/inner.py": "from .. import low\nz = 1\n",
                                  "low.py": ""})
    edges = {(i.importer, i.imported) for i in collect_imports(package)}
    assert ("pkg.sub", "pkg.sub.inner") in edges and ("pkg.sub.inner", "pkg.low") in edges
