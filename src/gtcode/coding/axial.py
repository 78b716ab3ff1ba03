"""Axial coding: roll-up, code × case matrices, co-occurrence, paradigm model, relations.

What counts
-----------
Every number here comes from ``store.codings.effective_codings`` (a human
decision outranks a rule suggestion), restricted to respondent and
unknown-role segments: interviewer turns are never counted. A *reference*
is one segment coded with one code: a rule suggestion and a human
acceptance of the same code on the same segment are one reference, and a
segment coded with two concepts of one category is one reference of that
category. Concepts roll up to subcategories and main categories through the
codebook (codes known only to the study, e.g. from an import, roll up
through their stored parents).

Units: a *segment* (speaker turn) for within-segment co-occurrence, a *case*
for within-case co-occurrence (a source with no case is its own case). A
coding that no single segment holds (imports) counts at its own span, a
*passage unit* (see :mod:`gtcode.coding.passages`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import pandas as pd

from gtcode.codebook import Codebook
from gtcode.codebook.hierarchy import code_links, level_up
from gtcode.coding.cooccurrence import Cooccurrence, count_cooccurrence, measure
from gtcode.coding.passages import Passages
from gtcode.errors import GtcodeError
from gtcode.store import analysis as db
from gtcode.store.codes import list_codes
from gtcode.store.codings import effective_codings
from gtcode.store.project import Study
from gtcode.store.sources import attribute_types, list_cases

LEVELS = ("category", "subcategory", "concept")
CELLS = ("references", "presence", "characters", "words")
#: Strauss & Corbin's paradigm model, in the order papers print it.
PARADIGM_ORDER = ("causal", "phenomenon", "context", "intervening", "strategy", "consequence")
#: Directed links of the paradigm model: (from role, to role, relation label).
PARADIGM_LINKS = (("causal", "phenomenon", "leads to"), ("phenomenon", "strategy", "calls for"),
                  ("context", "strategy", "shapes"), ("intervening", "strategy", "conditions"),
                  ("strategy", "consequence", "results in"))
MISSING = "(missing)"


@dataclass(frozen=True)
class Node:
    """A code of the hierarchy, as analysis needs it."""

    id: str
    name: str
    name_en: str | None
    level: str | None
    parent: str | None
    definition: str | None
    paradigm: str | None
    memo: str | None = None

    def label(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def meaning(self, lang: str = "zh") -> str:
        """The definition in ``lang``: bilingual definitions keep the lines of that language."""
        return in_language(self.definition or "", lang)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def in_language(text: str, lang: str) -> str:
    """The lines of ``text`` written in ``lang`` (Chinese lines hold CJK characters).

    Codebooks often give a definition as a Chinese line and an English line;
    a text with no line of that language is returned whole.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    chosen = [line for line in lines if bool(_CJK.search(line)) == (lang != "en")]
    return "\n".join(chosen or lines)


class Hierarchy:
    """Codes in codebook order with their roll-up to subcategory and main category."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes: dict[str, Node] = {n.id: n for n in nodes}
        self._links = code_links(self.nodes.values())
        self._up: dict[tuple[str, str], str | None] = {}

    @classmethod
    def from_codebook(cls, book: Codebook, extra: Iterable[Node] = ()) -> Hierarchy:
        """The codebook's codes, then ``extra`` codes the codebook does not have."""
        nodes = [Node(c.id, c.name, c.name_en, c.level, c.parent, c.definition, c.paradigm,
                      c.memo) for c in book.codes]
        known = {n.id for n in nodes}
        return cls([*nodes, *(n for n in extra if n.id not in known)])

    def label(self, code_id: str | None, lang: str = "zh") -> str:
        node = self.nodes.get(code_id) if code_id else None
        return node.label(lang) if node else (code_id or "")

    def roll(self, code_id: str, level: str) -> str | None:
        """The ``level`` ancestor-or-self of ``code_id``; a concept rolls to itself."""
        if level == "concept":
            return code_id
        key = (code_id, level)
        if key not in self._up:
            self._up[key] = level_up(code_id, level, self._links)
        return self._up[key]

    def category(self, code_id: str) -> str | None:
        return self.roll(code_id, "category")

    def subcategory(self, code_id: str) -> str | None:
        return self.roll(code_id, "subcategory")

    def of_level(self, level: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.level == level]

    def core(self) -> Node | None:
        return next((n for n in self.nodes.values() if n.level == "core"), None)

    def below(self, code_id: str) -> list[str]:
        """Ids of ``code_id`` and every code under it, in codebook order."""
        return [n for n in self.nodes if n == code_id or code_id in self._chain(n)]

    def _chain(self, code_id: str) -> list[str]:
        chain, current, seen = [], self.nodes[code_id].parent, {code_id}
        while current and current in self.nodes and current not in seen:
            seen.add(current)
            chain.append(current)
            current = self.nodes[current].parent
        return chain


@dataclass(frozen=True)
class Reference:
    """One counted segment coded with one code."""

    case: str
    source: str
    segment_id: int
    segment: int
    code: str
    human: bool
    start: int
    end: int
    seg_start: int = 0
    coders: frozenset[str] = frozenset()

    @property
    def chars(self) -> int:
        return self.end - self.start

    def passage(self, segment_text: str) -> str:
        """The coded passage, cut from the text of its segment."""
        return segment_text[self.start - self.seg_start:self.end - self.seg_start]


T = TypeVar("T")

@dataclass
class CodedStudy:
    """Everything axial and selective coding read from a study, loaded once."""

    hierarchy: Hierarchy
    references: list[Reference]
    cases: list[str]
    segments: list[db.CountedSegment]
    attributes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    attribute_types: dict[str, str] = field(default_factory=dict)
    evidence: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    overrides: dict[str, list[int]] = field(default_factory=dict)
    _index: dict[int, db.CountedSegment] = field(default_factory=dict, init=False, repr=False)
    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    def segment(self, segment_id: int) -> db.CountedSegment:
        """The counted segment with this id."""
        if not self._index:
            self._index = {s.id: s for s in self.segments}
        return self._index[segment_id]

    @functools.cached_property
    def references_by_code(self) -> dict[str, list[Reference]]:
        """code -> its references, in the order of :attr:`references`."""
        found: dict[str, list[Reference]] = {}
        for ref in self.references:
            found.setdefault(ref.code, []).append(ref)
        return found

    @functools.cached_property
    def evidence_by_segment(self) -> dict[int, list[tuple[str, list[str]]]]:
        """segment id -> (code, terms) of its rule evidence, in the order of :attr:`evidence`."""
        found: dict[int, list[tuple[str, list[str]]]] = {}
        for (segment_id, code), terms in self.evidence.items():
            found.setdefault(segment_id, []).append((code, terms))
        return found

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, worked out once for this coded study (callers keep it read-only)."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    def unit_codes(self, unit: str) -> dict[object, frozenset[str]]:
        """segment id or case (``unit``) -> its codes, their subcategories and categories."""
        return self.derived(("unit codes", unit), lambda: self._unit_codes(unit))

    def _unit_codes(self, unit: str) -> dict[object, frozenset[str]]:
        units: dict[object, set[str]] = {}
        for ref in self.references:
            here = units.setdefault(ref.segment_id if unit == "segment" else ref.case, set())
            here.add(ref.code)
            here.update(c for c in (self.hierarchy.subcategory(ref.code),
                                    self.hierarchy.category(ref.code)) if c)
        return {key: frozenset(codes) for key, codes in units.items()}

    def rolled(self, level: str) -> list[str]:
        """Ids of ``level`` codes with at least one reference, in codebook order."""
        present = {self.hierarchy.roll(r.code, level) for r in self.references} - {None}
        order = [n.id for n in self.hierarchy.nodes.values() if n.id in present]
        return order + sorted(present - set(order))


def load_coded_study(study: Study, book: Codebook) -> CodedStudy:
    """Read the counted references, cases, attributes and evidence of a study.

    Read once per :meth:`~gtcode.store.project.Study.remembering` scope (shared: read-only).
    """
    return study.remember(("coded study", book.hash), lambda: _read_coded_study(study, book))


def _read_coded_study(study: Study, book: Codebook) -> CodedStudy:
    conn = study.conn
    extra = [Node(c.id, c.name, c.name_en, c.level, c.parent, c.description, c.paradigm)
             for c in list_codes(conn)]
    hierarchy = Hierarchy.from_codebook(book, extra)
    segments = db.counted_segments(conn)
    by_id = {s.id: s for s in segments}
    passages = Passages(conn)
    merged: dict[tuple[int, str], list[Reference]] = {}
    for coding in effective_codings(conn):
        if coding.segment_id is None:  # no single segment holds it: its own span counts
            seg = passages.unit(coding)
        else:  # None for an interviewer turn: never counted
            seg = by_id.get(coding.segment_id)
        if seg is None:
            continue
        runs = merged.setdefault((seg.id, coding.code_id), [])
        human = coding.origin in ("human", "import")
        start, end, coders = coding.start, coding.end, frozenset((coding.coder,))
        for old in [r for r in runs if r.start <= end and start <= r.end]:
            runs.remove(old)  # overlapping or touching passages of one code are one reference
            human, start, end = old.human or human, min(old.start, start), max(old.end, end)
            coders |= old.coders
        runs.append(Reference(seg.case, seg.source, seg.id, seg.idx, coding.code_id, human,
                              start, end, seg.start, coders))
    references = sorted((r for runs in merged.values() for r in runs),
                        key=lambda r: (r.segment_id, r.code, r.start))
    attrs = dict(list_cases(conn))
    overrides = db.quote_overrides(conn)
    wanted = {r.segment_id for r in references if r.segment_id > 0} | {
        s for ids in overrides.values() for s in ids if s in by_id}
    texts = {**db.segment_texts(conn, sorted(wanted)), **passages.texts()}
    units = sorted(passages.units.values(), key=lambda u: (u.position, u.source, u.start, u.id))
    return CodedStudy(hierarchy, references, db.case_order(conn), [*segments, *units], attrs,
                      attribute_types(conn), db.rule_evidence(conn), texts, overrides)


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
    seen: dict[tuple[str, str], dict[object, list[Reference]]] = {}
    for ref in references:
        column = column_of(ref.code)
        if column is None or column not in columns:
            continue
        bucket = seen.setdefault((row_of(ref.case), column), {})
        if cell == "presence":
            bucket[ref.case] = []
        else:
            bucket.setdefault(ref.segment_id, []).append(ref)
    data = [[sum(_cell_value(cell, refs, words) for refs in seen.get((r, c), {}).values())
             for c in columns] for r in rows]
    return pd.DataFrame(data, index=list(rows), columns=list(columns), dtype="int64")


def _cell_value(cell: str, refs: list[Reference],
                words: Callable[[Reference], int] | None) -> int:
    """One unit's share of a cell: its coded passages under one column, overlaps merged.

    A reference is a run of coded text: passages of one column's codes that
    overlap or touch in a unit are one (NVivo's coding references).
    """
    if cell == "presence":
        return 1
    runs: list[Reference] = []
    for ref in sorted(refs, key=lambda r: (r.start, r.end)):
        if runs and ref.start <= runs[-1].end:
            runs[-1] = replace(runs[-1], end=max(runs[-1].end, ref.end))
        else:
            runs.append(ref)
    if cell == "references":
        return len(runs)
    if cell == "characters":
        return sum(r.chars for r in runs)
    return sum(words(r) for r in runs) if words else 0


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
    rows, row_of = row_grouping(data, by)
    words = None
    if cell == "words":
        words = lambda ref: count_words(ref.passage(data.texts.get(ref.segment_id, "")))  # noqa
    return matrix_coding(data.references, columns=data.rolled(level),
                         column_of=lambda code: data.hierarchy.roll(code, level), rows=rows,
                         row_of=row_of, cell=cell, words=words)


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
    total = len(data.segments) if unit == "segment" else len(data.cases)
    return count_cooccurrence(data.unit_codes(unit).values(), codes, n=total)


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
