"""The import graph of a package, and the rules of docs/architecture.md checked on it.

Used by ``tests/test_architecture.py`` on ``src/gtcode`` and, in its own unit
tests, on small packages written to a temporary folder. Every import counts:
at the top of a module, inside a function, or under ``if TYPE_CHECKING:``
(the last ones are left out of cycle detection only, because they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """One import of a package module by another."""

    importer: str
    imported: str
    line: int
    in_function: bool
    type_only: bool


def module_names(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the package at ``root``."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def collect_imports(root: Path) -> list[Import]:
    """Every import, by any module of the package at ``root``, of another of its modules."""
    modules = module_names(root)
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, in_function, type_only in _import_nodes(tree):
            for target in _targets(node, package, modules):
                if target != name:
                    found.append(Import(name, target, node.lineno, in_function, type_only))
    return found


def _import_nodes(tree: ast.AST, in_function: bool = False, type_only: bool = False):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, in_function, type_only
            continue
        inner_function = in_function or isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        inner_type = type_only or (isinstance(node, ast.If) and _is_type_checking(node.test))
        if isinstance(node, ast.If) and inner_type and not type_only:
            for child in node.body:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]),
                                         inner_function, True)
            for child in node.orelse:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]),
                                         inner_function, False)
            continue
        yield from _import_nodes(node, inner_function, inner_type)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, package: str,
             modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [_known(alias.name, modules) for alias in node.names
                if _known(alias.name, modules)]
    if node.level:
        base = package.split(".")
        base = base[:len(base) - (node.level - 1)]
        origin = ".".join([*base, *([node.module] if node.module else [])])
    else:
        origin = node.module or ""
    targets = []
    for alias in node.names:
        submodule = f"{origin}.{alias.name}"
        target = submodule if submodule in modules else _known(origin, modules)
        if target:
            targets.append(target)
    return targets


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` is, or the nearest package of it that belongs to us."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def part_of(module: str, parts: Iterable[str]) -> str | None:
    """The longest of ``parts`` (dotted names below the root) that holds ``module``."""
    below = module.partition(".")[2]
    best = None
    for part in parts:
        if below == part or below.startswith(part + "."):
            if best is None or len(part) > len(best):
                best = part
    if best is None and below == "":
        return ""  # the package's own __init__: its public API, on top
    return best


def layer_violations(imports: Iterable[Import], layers: Sequence[Sequence[str]]) -> list[str]:
    """Imports that point up a layer or sideways to a sibling part of the same layer.

    ``layers`` lists, top first, the parts (dotted names below the root package)
    of each layer; the root's ``__init__`` (the public API) stands above them
    all. A module may import its own part and any part of a lower layer.
    Modules no layer names are reported too, so a new package gets a place.
    """
    rank = {part: number for number, layer in enumerate(layers) for part in layer}
    rank[""] = -1
    problems = []
    for item in imports:
        here, there = part_of(item.importer, rank), part_of(item.imported, rank)
        for module, part in ((item.importer, here), (item.imported, there)):
            if part is None:
                problems.append(f"{module}: in no layer of docs/architecture.md")
        if here is None or there is None or here == there:
            continue
        if rank[there] <= rank[here] and not there.startswith(here + "."):
            way = "up a layer" if rank[there] < rank[here] else "sideways"
            problems.append(f"{item.importer}:{item.line} imports {item.imported} ({way}: "
                            f"{here or 'the API'} -> {there or 'the API'})")
    return sorted(set(problems))


def cycles(imports: Iterable[Import]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop.

    Function-level imports count (they hide a cycle, they do not remove it);
    imports under ``if TYPE_CHECKING:`` do not (they never run).
    """
    graph: dict[str, set[str]] = {}
    for item in imports:
        if not item.type_only:
            graph.setdefault(item.importer, set()).add(item.imported)
            graph.setdefault(item.imported, set())
    return [sorted(group) for group in _strongly_connected(graph) if len(group) > 1]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on deep graphs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups
