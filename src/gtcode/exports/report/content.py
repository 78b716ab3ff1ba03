"""The data behind each part of the report, as plain dataclasses.

Functions here take plain inputs (source and segment rows, or the
:class:`~gtcode.coding.axial.CodedStudy` that axial coding loads) and return
what a chart or table shows, so every number can be unit-tested without a
browser. The counting is the analysis modules' (``gtcode.coding.axial``):
only respondent (and unknown-role) segments count, a reference is a segment
coded with a code, and a source with no case stands for a case of its own.
This module only reshapes their results for display.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gtcode.coding import axial
from gtcode.coding.axial import CodedStudy

#: Segment roles whose codings count (interviewer turns never do).
COUNTED_ROLES = frozenset({"respondent", "unknown", None})
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")


def text_counts(text: str) -> tuple[int, int]:
    """(Chinese characters, English words) in ``text``.

    Chinese is counted in characters (字), the unit Chinese studies report;
    English in words (runs of Latin letters and digits, with inner ' or -).
    """
    return len(_HAN.findall(text)), len(_WORD.findall(text))


# -- corpus -------------------------------------------------------------------

@dataclass
class SourceStats:
    """One transcript: its case, language and size (respondent turns only)."""

    name: str
    case: str
    language: str | None
    segments: int = 0
    respondent_segments: int = 0
    han_chars: int = 0
    latin_words: int = 0


@dataclass
class CaseStats:
    """One case: its attributes, sources and size summed over them."""

    name: str
    attributes: dict[str, str | None]
    sources: list[str] = field(default_factory=list)
    segments: int = 0
    respondent_segments: int = 0
    han_chars: int = 0
    latin_words: int = 0


@dataclass(frozen=True)
class Corpus:
    """Sources and cases of the study, in collection order."""

    sources: tuple[SourceStats, ...]
    cases: tuple[CaseStats, ...]
    attributes: tuple[str, ...]
    has_case_sheet: bool

    def total(self, name: str) -> int:
        """The sum of a numeric field over sources (e.g. ``"han_chars"``)."""
        return sum(getattr(s, name) for s in self.sources)


def corpus_stats(sources: Sequence[Any], segments: Iterable[Any],
                 cases: Sequence[tuple[str, Mapping[str, str | None]]],
                 attributes: Sequence[str]) -> Corpus:
    """Count segments and words per source and per case.

    Args:
        sources: rows with ``name``, ``case`` and ``language`` (collection order).
        segments: rows with ``source``, ``role`` and ``text``.
        cases: (case name, attribute values) from the case sheet.
        attributes: attribute names in sheet order.
    """
    stats = {s.name: SourceStats(s.name, s.case or s.name, s.language) for s in sources}
    for seg in segments:
        row = stats.get(seg.source)
        if row is None:
            continue
        row.segments += 1
        if seg.role in COUNTED_ROLES:
            row.respondent_segments += 1
            han, words = text_counts(seg.text)
            row.han_chars += han
            row.latin_words += words
    sheet = {name: dict(values) for name, values in cases}
    by_case: dict[str, CaseStats] = {}
    for row in stats.values():
        case = by_case.setdefault(row.case, CaseStats(row.case, sheet.get(row.case, {})))
        case.sources.append(row.name)
        for key in ("segments", "respondent_segments", "han_chars", "latin_words"):
            setattr(case, key, getattr(case, key) + getattr(row, key))
    return Corpus(tuple(stats.values()), tuple(by_case.values()), tuple(attributes),
                  bool(cases))


# -- codebook tree -------------------------------------------------------------------

@dataclass(frozen=True)
class TreeRow:
    """A code in the tree with its coding counts.

    ``direct`` counts segments coded with this very code; ``segments`` the
    distinct segments coded with it or any code below it; ``cases`` the cases
    among those segments.
    """

    id: str
    name: str
    name_en: str | None
    level: str | None
    depth: int
    direct: int
    segments: int
    cases: int


def codebook_tree(data: CodedStudy) -> list[TreeRow]:
    """Every code of the study's hierarchy, depth first in codebook order, with counts."""
    nodes = data.hierarchy.nodes
    direct: dict[str, set[int]] = defaultdict(set)
    rolled: dict[str, set[int]] = defaultdict(set)
    cases: dict[str, set[str]] = defaultdict(set)
    for ref in data.references:
        direct[ref.code].add(ref.segment_id)
        for code in _chain(nodes, ref.code):
            rolled[code].add(ref.segment_id)
            cases[code].add(ref.case)
    children: dict[str | None, list[str]] = defaultdict(list)
    for node in nodes.values():
        parent = node.parent if node.parent in nodes else None
        children[parent].append(node.id)
    rows: list[TreeRow] = []

    def walk(parent: str | None, depth: int) -> None:
        for code_id in children.get(parent, ()):
            node = nodes[code_id]
            rows.append(TreeRow(code_id, node.name, node.name_en, node.level, depth,
                                len(direct[code_id]), len(rolled[code_id]),
                                len(cases[code_id])))
            if depth < 64:  # a cycle in imported parents must not recurse forever
                walk(code_id, depth + 1)

    walk(None, 0)
    return rows


def _chain(nodes: Mapping[str, Any], code_id: str) -> list[str]:
    """The code and its ancestors (stops at unknown parents and cycles)."""
    chain, current = [], code_id
    while current and current not in chain:
        chain.append(current)
        node = nodes.get(current)
        current = node.parent if node is not None else None
    return chain


# -- matrices --------------------------------------------------------------------------

@dataclass(frozen=True)
class Matrix:
    """A heat map's data: rows x columns of numbers and the text of each cell."""

    row_ids: tuple[str, ...]
    row_labels: tuple[str, ...]
    col_ids: tuple[str, ...]
    col_labels: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    cells: tuple[tuple[str, ...], ...]
    vmax: float


def case_matrix(data: CodedStudy, lang: str) -> Matrix:
    """Coded segments per case (rows, collection order) and main category (columns).

    The counts are :func:`gtcode.coding.axial.study_matrix` with
    ``cell="references"``: distinct segments of the case coded under the category.
    """
    frame = axial.study_matrix(data, level="category", cell="references")
    values = tuple(tuple(float(v) for v in row) for row in frame.to_numpy().tolist())
    cells = tuple(tuple(str(int(v)) for v in row) for row in values)
    cols = tuple(str(c) for c in frame.columns)
    rows = tuple(str(r) for r in frame.index)
    high = max((v for row in values for v in row), default=0.0)
    return Matrix(rows, rows, cols, tuple(data.hierarchy.label(c, lang) for c in cols),
                  values, cells, high)


def attribute_matrix(data: CodedStudy, attribute: str, lang: str) -> Matrix:
    """Share of each attribute group's cases in which each main category occurs.

    Counts come from :func:`gtcode.coding.axial.study_matrix` with
    ``cell="presence"`` grouped ``by`` the attribute; a cell reads
    ``50% (2/4)``; a row is labelled with its group size.
    """
    frame = axial.study_matrix(data, level="category", cell="presence", by=attribute)
    _, row_of = axial.row_grouping(data, attribute)
    sizes: dict[str, int] = defaultdict(int)
    for case in data.cases:
        sizes[row_of(case)] += 1
    rows = tuple(str(r) for r in frame.index)
    values, cells = [], []
    for group, counts in zip(rows, frame.to_numpy().tolist()):
        size = sizes[group] or 1
        values.append(tuple(int(h) / size for h in counts))
        cells.append(tuple(f"{round(100 * int(h) / size)}% ({int(h)}/{size})" for h in counts))
    cols = tuple(str(c) for c in frame.columns)
    return Matrix(rows, tuple(f"{r} (n={sizes[r]})" for r in rows), cols,
                  tuple(data.hierarchy.label(c, lang) for c in cols), tuple(values),
                  tuple(cells), 1.0)


def chart_attributes(data: CodedStudy, *, max_groups: int = 12,
                     max_numeric: int = 6) -> tuple[list[str], list[str]]:
    """Attributes worth a heat map, and those left out.

    An attribute is charted when it splits the cases into at least 2 groups
    and fewer groups than cases (an identifier says nothing as a group): at
    most ``max_groups`` for text, at most ``max_numeric`` distinct values for
    numbers (an age or an amount that differs for nearly every case is left
    out rather than binned by a rule the researcher did not choose).
    """
    keep, skip = [], []
    for name, kind in data.attribute_types.items():
        groups = {(data.attributes.get(c, {}).get(name) or "") for c in data.cases}
        limit = max_numeric if kind in ("integer", "float") else max_groups
        if 2 <= len(groups) <= limit and len(groups) < len(data.cases):
            keep.append(name)
        else:
            skip.append(name)
    return keep, skip


def top_columns(matrix: Matrix, limit: int) -> Matrix:
    """The ``limit`` columns with the largest totals (ties: original order)."""
    if len(matrix.col_ids) <= limit:
        return matrix
    totals = [sum(row[j] for row in matrix.values) for j in range(len(matrix.col_ids))]
    keep = sorted(sorted(range(len(totals)), key=lambda j: (-totals[j], j))[:limit])
    pick = lambda seq: tuple(seq[j] for j in keep)  # noqa: E731
    return Matrix(matrix.row_ids, matrix.row_labels, pick(matrix.col_ids),
                  pick(matrix.col_labels), tuple(pick(r) for r in matrix.values),
                  tuple(pick(r) for r in matrix.cells), matrix.vmax)


# -- co-occurrence network ------------------------------------------------------------

@dataclass(frozen=True)
class Network:
    """Main categories as nodes (coded segments) and their co-occurrence in segments.

    ``edges`` are (a, b, segments with both, Jaccard); ``left_out`` counts
    coded categories not drawn because only the most used are.
    """

    nodes: tuple[tuple[str, str, int], ...]
    edges: tuple[tuple[str, str, int, float], ...]
    positions: dict[str, tuple[float, float]]
    left_out: int = 0


def category_network(data: CodedStudy, lang: str, *, limit: int = 40,
                     seed: int = 7) -> Network:
    """The network of :func:`gtcode.coding.axial.cooccurrence` (segments, main categories)."""
    co = axial.cooccurrence(data, unit="segment", level="category")
    used = sorted((c for c in co.codes if co.totals.get(c, 0) > 0),
                  key=lambda c: (-co.totals[c], co.codes.index(c)))
    kept = set(used[:limit])
    nodes = tuple((c, data.hierarchy.label(c, lang), co.totals[c]) for c in co.codes
                  if c in kept)
    edges = tuple((p.a, p.b, p.n12, round(p.value("jaccard"), 4))
                  for p in co.all_pairs(min_count=1) if p.a in kept and p.b in kept)
    return Network(nodes, edges, layout([n[0] for n in nodes], edges, seed=seed),
                   len(used) - len(kept))


def layout(ids: Sequence[str], edges: Sequence[tuple[str, str, int, float]], *,
           seed: int = 7) -> dict[str, tuple[float, float]]:
    """Seeded spring layout (networkx), rounded so that it prints the same everywhere."""
    import networkx as nx

    if not ids:
        return {}
    if len(ids) == 1:
        return {ids[0]: (0.0, 0.0)}
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from((a, b, float(n)) for a, b, n, _ in edges)
    pos = nx.spring_layout(graph, seed=seed, weight="weight", k=1.6 / len(ids) ** 0.5)
    return {k: (round(float(v[0]), 4), round(float(v[1]), 4)) for k, v in pos.items()}


# -- paradigm model ---------------------------------------------------------------------

def paradigm_data(data: CodedStudy, lang: str) -> dict[str, list[str]]:
    """Role -> names of the (sub)categories given that role (:func:`axial.paradigm_roles`).

    As in the paradigm table of ``gtcode.tables.paper``: when no category plays the
    phenomenon, the core category stands for it (marked as the core).
    """
    roles = {role: [data.hierarchy.label(c, lang) for c in ids]
             for role, ids in axial.paradigm_roles(data.hierarchy)}
    core = data.hierarchy.core()
    if core is not None and not roles["phenomenon"] and any(roles.values()):
        mark = " (core category)" if lang == "en" else "（核心范畴）"
        roles["phenomenon"] = [core.label(lang) + mark]
    return roles
