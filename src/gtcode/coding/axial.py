"""Axial coding: roll-up, code × case matrices, co-occurrence, paradigm model, relations.

What counts (effective codings, respondent turns, one reference per segment and code, passage
units) is said once, in :mod:`gtcode.coding.coded_study`, which reads the study; the counting
here runs over its references, as columns (numpy) where it runs over all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import pandas as pd

from gtcode.codebook import Codebook
from gtcode.coding.coded_study import (
    CodedStudy,
    Hierarchy,
    Node,
    RefColumns,
    Reference,
    in_language,
    load_coded_study,
)
from gtcode.coding.cooccurrence import Cooccurrence, measure
from gtcode.errors import GtcodeError
from gtcode.store.project import Study

__all__ = ["CELLS", "LEVELS", "MISSING", "PARADIGM_LINKS", "PARADIGM_ORDER", "CodedStudy",
           "Hierarchy", "Node", "Reference", "Relation", "axial_stage", "axial_summary",
           "cooccurrence", "count_words", "in_language", "load_coded_study", "matrix_coding",
           "paradigm_roles", "percentages", "relations", "row_grouping", "study_matrix"]

LEVELS = ("category", "subcategory", "concept")
CELLS = ("references", "presence", "characters", "words")
#: Strauss & Corbin's paradigm model, in the order papers print it.
PARADIGM_ORDER = ("causal", "phenomenon", "context", "intervening", "strategy", "consequence")
#: Directed links of the paradigm model: (from role, to role, relation label).
PARADIGM_LINKS = (("causal", "phenomenon", "leads to"), ("phenomenon", "strategy", "calls for"),
                  ("context", "strategy", "shapes"), ("intervening", "strategy", "conditions"),
                  ("strategy", "consequence", "results in"))
MISSING = "(missing)"


# -- the code × case matrix ----------------------------------------------------

def count_words(text: str) -> int:
    """Words in ``text``: each CJK character and each run of letters or digits.

    Counting CJK characters (not jieba words) keeps the count independent of
    a segmenter's version, which is how Chinese papers report 字数.
    """
    return len(re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_\u3400-\u9fff\uf900-\ufaff]+",
                          text))


def matrix_coding(references: Sequence[Reference], *, columns: Sequence[str],
                  column_of: Callable[[str], str | None], rows: Sequence[str],
                  row_of: Callable[[str], str], cell: str = "references",
                  words: Callable[[Reference], int] | None = None) -> pd.DataFrame:
    """Cross rows (cases or attribute values) with columns (codes at some level).

    Args:
        references: counted references.
        columns: column code ids in order; ``column_of(code)`` maps a coded
            code to its column (None: not shown).
        rows: row labels in order; ``row_of(case)`` maps a case to its row.
        cell: ``references`` (coded passages: in each unit, passages of the
            column's codes that overlap or touch are one; a segment coded
            whole is one), ``presence`` (cases coded: 0/1 for case rows, a
            count of cases for attribute rows), ``characters`` or ``words``
            coded (the text of those passages, each character once).
        words: reference -> its word count (required for ``words``).
    """
    if cell not in CELLS:
        raise GtcodeError("E112", f"unknown matrix cell {cell!r}.",
                          hint="use " + ", ".join(CELLS))
    return _matrix(RefColumns.of(references), references, columns, column_of, rows, row_of,
                   cell, words)


def _matrix(cols: RefColumns, references: Sequence[Reference], columns: Sequence[str],
            column_of: Callable[[str], str | None], rows: Sequence[str],
            row_of: Callable[[str], str], cell: str,
            words: Callable[[Reference], int] | None) -> pd.DataFrame:
    """:func:`matrix_coding` over the columns of ``references`` (numpy group-bys)."""
    col_labels, row_labels = list(dict.fromkeys(columns)), list(dict.fromkeys(rows))
    col_no = {c: j for j, c in enumerate(col_labels)}
    row_no = {r: i for i, r in enumerate(row_labels)}
    code_col = np.array([col_no.get(column_of(code), -1) for code in cols.codes] + [-1])
    case_row = np.array([row_no.get(row_of(case), -1) for case in cols.cases] + [-1])
    col, row = code_col[cols.code], case_row[cols.case]
    kept = np.flatnonzero((col >= 0) & (row >= 0))
    counts = np.zeros((len(row_labels), len(col_labels)), dtype=np.int64)
    if len(kept) and cell == "presence":  # cases coded: each (row, column, case) once
        key = np.unique((row[kept] * len(col_labels) + col[kept]) * len(cols.cases)
                        + cols.case[kept]) // len(cols.cases)
        np.add.at(counts, (key // len(col_labels), key % len(col_labels)), 1)
    elif len(kept):
        first, ends = _runs(cols, kept, col)
        value = np.ones(len(first), dtype=np.int64) if cell == "references" else (
            ends - cols.start[first] if cell == "characters" else
            np.array([_run_words(references[i], int(e), words) for i, e in zip(first, ends)],
                     dtype=np.int64))
        np.add.at(counts, (row[first], col[first]), value)
    table = counts[[row_no[r] for r in rows]][:, [col_no[c] for c in columns]]
    return pd.DataFrame(table, index=list(rows), columns=list(columns), dtype="int64")


def _runs(cols: RefColumns, kept: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coded passages: per unit and column, references that overlap or touch are one run
    (NVivo's coding references). The first reference of each run (rows of ``cols``) and
    the run's end."""
    order = kept[np.lexsort((cols.end[kept], cols.start[kept], cols.segment[kept], col[kept]))]
    start, end = cols.start[order], cols.end[order]
    group = np.ones(len(order), dtype=bool)
    group[1:] = (col[order][1:] != col[order][:-1]) | (
        cols.segment[order][1:] != cols.segment[order][:-1])
    # offsetting each group past the last one lets one running maximum serve every group
    offset = np.cumsum(group) * (int(max(end.max(), start.max())) + 1)
    reach = np.maximum.accumulate(end + offset)
    new = group.copy()
    new[1:] |= start[1:] + offset[1:] > reach[:-1]
    at = np.flatnonzero(new)
    return order[at], np.maximum.reduceat(end, at)


def _run_words(ref: Reference, end: int, words: Callable[[Reference], int] | None) -> int:
    if words is None:
        return 0
    return words(ref if end == ref.end else replace(ref, end=end))


def percentages(frame: pd.DataFrame, axis: str) -> pd.DataFrame:
    """Row (``axis="row"``) or column percentages, 0 where a total is 0."""
    if axis == "row":
        totals = frame.sum(axis=1).replace(0, 1)
        return frame.div(totals, axis=0) * 100
    totals = frame.sum(axis=0).replace(0, 1)
    return frame.div(totals, axis=1) * 100


def row_grouping(data: CodedStudy, by: str | None) -> tuple[list[str], Callable[[str], str]]:
    """Row labels and the case -> row map: by case, or by a case attribute's values.

    Attribute values keep collection order, numerically sorted for number types.

    Raises:
        GtcodeError: E306 for an attribute the study does not have.
    """
    if by is None:
        return list(data.cases), lambda case: case
    if by not in data.attribute_types:
        known = ", ".join(data.attribute_types) or "none"
        raise GtcodeError("E306", f"no case attribute named {by!r} (attributes: {known}).",
                          hint="import a cases file with --cases, or pick another --by")
    value = lambda case: data.attributes.get(case, {}).get(by) or MISSING  # noqa: E731
    rows = list(dict.fromkeys(value(c) for c in data.cases))
    if data.attribute_types[by] in ("integer", "float"):
        rows.sort(key=lambda v: (v == MISSING, _number(v)))
    return rows, value


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("inf")


def study_matrix(data: CodedStudy, *, level: str = "category", cell: str = "references",
                 by: str | None = None) -> pd.DataFrame:
    """The code × case matrix of a study (columns: ``level`` codes that were coded)."""
    _check_level(level)
    if cell not in CELLS:
        raise GtcodeError("E112", f"unknown matrix cell {cell!r}.",
                          hint="use " + ", ".join(CELLS))
    rows, row_of = row_grouping(data, by)
    return data.derived(("matrix", level, cell, by), lambda: _study_matrix(
        data, level, cell, rows, row_of)).copy()


def _study_matrix(data: CodedStudy, level: str, cell: str, rows: list[str],
                  row_of: Callable[[str], str]) -> pd.DataFrame:
    words = None
    if cell == "words":
        words = lambda ref: count_words(ref.passage(data.texts.get(ref.segment_id, "")))  # noqa
    return _matrix(data.columns, data.references, data.rolled(level),
                   lambda code: data.hierarchy.roll(code, level), rows, row_of, cell, words)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise GtcodeError("E112", f"unknown level {level!r}.", hint="use " + ", ".join(LEVELS))


# -- co-occurrence -----------------------------------------------------------------

def cooccurrence(data: CodedStudy, *, unit: str = "segment",
                 level: str = "category") -> Cooccurrence:
    """Co-occurrence of ``level`` codes within segments or within cases.

    ``n`` is every counted segment (coded or not) or every case.
    """
    _check_level(level)
    if unit not in ("segment", "case"):
        raise GtcodeError("E112", f"unknown co-occurrence unit {unit!r}.",
                          hint="use segment or case")
    return _count(data, unit, data.rolled(level))


def _count(data: CodedStudy, unit: str, codes: Sequence[str]) -> Cooccurrence:
    """Count over units whose code sets hold each coded code and its ancestors."""
    return data.derived(("cooccurrence", unit, tuple(codes)),
                        lambda: _count_units(data, unit, list(codes)))


def _count_units(data: CodedStudy, unit: str, codes: list[str]) -> Cooccurrence:
    """:func:`~gtcode.coding.cooccurrence.count_cooccurrence` over the study's units, as a
    units × codes product (the same counts)."""
    total = len(data.segments) if unit == "segment" else len(data.cases)
    held, _units = data.unit_codes(unit, codes)
    ones = held.astype(np.float64)  # exact: counts stay far below 2**53
    both = np.rint(ones.T @ ones).astype(np.int64)
    totals = {code: int(both[j, j]) for j, code in enumerate(codes) if both[j, j]}
    pairs = {(codes[a], codes[b]): int(both[a, b])
             for a, b in combinations(range(len(codes)), 2) if both[a, b]}
    return Cooccurrence(tuple(codes), totals, pairs, total)


# -- the paradigm model and relations -------------------------------------------------

def paradigm_roles(hierarchy: Hierarchy) -> list[tuple[str, list[str]]]:
    """Each paradigm role in print order with the (sub)categories the codebook gives it."""
    return [(role, [n.id for n in hierarchy.nodes.values() if n.paradigm == role])
            for role in PARADIGM_ORDER]


@dataclass(frozen=True)
class Relation:
    """A candidate relation between two categories.

    ``kind`` is ``paradigm`` (a directed link of the paradigm model, from the
    codebook's roles) or ``cooccurrence`` (coded together; evidence for a
    relation, not a finding). Counts are given for both kinds.
    """

    source: str
    target: str
    kind: str
    label: str
    segments: int
    jaccard: float
    cases: int
    case_jaccard: float
    n1: int = 0
    n2: int = 0
    n: int = 0

    def value(self, name: str) -> float:
        """A within-segment measure of :data:`~gtcode.coding.cooccurrence.MEASURES`."""
        return measure(name, self.n1, self.n2, self.segments, self.n)


def relations(data: CodedStudy, *, min_segments: int = 1) -> list[Relation]:
    """Paradigm links first, then main-category pairs coded together in a segment.

    Paradigm links join any (sub)categories the codebook gives roles; their
    counts are of segments and cases coded under both.
    """
    roles = dict(paradigm_roles(data.hierarchy))
    codes = list(dict.fromkeys([*data.rolled("category"), *(c for ids in roles.values()
                                                              for c in ids)]))
    seg, case = _count(data, "segment", codes), _count(data, "case", codes)
    found: list[Relation] = []
    linked: set[frozenset[str]] = set()
    for src_role, dst_role, label in PARADIGM_LINKS:
        for a in roles[src_role]:
            for b in roles[dst_role]:
                if a != b:
                    found.append(_relation(a, b, "paradigm", label, seg, case))
                    linked.add(frozenset((a, b)))
    main = cooccurrence(data, unit="segment")
    for pair in main.all_pairs(min_count=max(1, min_segments)):
        if frozenset((pair.a, pair.b)) not in linked:
            found.append(_relation(pair.a, pair.b, "cooccurrence", "co-occurs with", seg, case))
    return found


def _relation(a: str, b: str, kind: str, label: str, seg: Cooccurrence,
              case: Cooccurrence) -> Relation:
    pair = seg.pair(a, b)
    return Relation(a, b, kind, label, pair.n12, pair.value("jaccard"), case.n12(a, b),
                    case.pair(a, b).value("jaccard"), pair.n1, pair.n2, pair.n)


def axial_summary(data: CodedStudy) -> str:
    """One line for ``gtcode run``: what rolled up to what, and how much co-occurs."""
    pairs = cooccurrence(data, unit="segment").all_pairs(min_count=1)
    return (f"axial coding: {len(data.rolled('concept'))} concepts → "
            f"{len(data.rolled('subcategory'))} subcategories → "
            f"{len(data.rolled('category'))} main categories in {len(data.cases)} cases; "
            f"{len(pairs)} category pairs co-occur within segments")


def axial_stage(study: Study, book: Codebook, progress=None) -> str:
    """The ``gtcode run`` stage: nothing is stored; returns the summary line."""
    return axial_summary(load_coded_study(study, book))
