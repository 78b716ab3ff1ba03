"""The coded study: everything axial and selective coding read from a study, loaded once.

What counts
-----------
Every number comes from ``store.codings.effective_codings`` (a human
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

The references are also kept as columns (:class:`RefColumns`, numpy arrays
built once per coded study) for the counting that runs over all of them
(matrices, co-occurrence, quote candidates).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from gtcode.codebook import Codebook
from gtcode.codebook.hierarchy import code_links, level_up
from gtcode.coding.passages import Passages
from gtcode.store import analysis as db
from gtcode.store.codes import list_codes
from gtcode.store.codings import effective_codings
from gtcode.store.project import Study
from gtcode.store.sources import attribute_types, list_cases


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


@dataclass(frozen=True)
class RefColumns:
    """The references of a coded study as numpy columns (row ``i`` is ``references[i]``).

    Codes, cases and coders are numbered (``code[i]`` indexes :attr:`codes`);
    a reference's coders are listed as pairs (``coder_ref[k]`` is the row,
    ``coder[k]`` the coder), a reference with no coder as the coder ``?``.
    """

    codes: tuple[str, ...]
    cases: tuple[str, ...]
    code: np.ndarray
    case: np.ndarray
    segment: np.ndarray
    human: np.ndarray
    start: np.ndarray
    end: np.ndarray
    coder_ref: np.ndarray
    coder: np.ndarray

    @classmethod
    def of(cls, references: Sequence[Reference], cases: Sequence[str] = ()) -> RefColumns:
        """Columns of ``references``; ``cases`` fixes the numbering of known cases first."""
        codes = {code: i for i, code in enumerate(dict.fromkeys(r.code for r in references))}
        case_no = {case: i for i, case in enumerate(dict.fromkeys(
            [*cases, *(r.case for r in references)]))}
        coder_no: dict[str, int] = {}
        pairs = [(row, coder_no.setdefault(name, len(coder_no)))
                 for row, ref in enumerate(references) for name in sorted(ref.coders or {"?"})]
        pair_rows, pair_coders = zip(*pairs, strict=True) if pairs else ((), ())
        ints = functools.partial(np.fromiter, dtype=np.int64, count=len(references))
        return cls(tuple(codes), tuple(case_no), ints(codes[r.code] for r in references),
                   ints(case_no[r.case] for r in references),
                   ints(r.segment_id for r in references),
                   np.fromiter((r.human for r in references), dtype=bool, count=len(references)),
                   ints(r.start for r in references), ints(r.end for r in references),
                   np.asarray(pair_rows, dtype=np.int64), np.asarray(pair_coders, dtype=np.int64))

    def code_mask(self, code_ids: Iterable[str]) -> np.ndarray:
        """Rows coded with one of ``code_ids``."""
        wanted = set(code_ids)
        return np.isin(self.code, [i for i, c in enumerate(self.codes) if c in wanted])

    def reach(self, code_ids: Iterable[str]) -> tuple[int, int]:
        """(cases, segments) coded with one of ``code_ids``."""
        rows = self.code_mask(code_ids)
        return len(np.unique(self.case[rows])), len(np.unique(self.segment[rows]))


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
    def columns(self) -> RefColumns:
        """:attr:`references` as numpy columns (built once)."""
        return RefColumns.of(self.references, self.cases)

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

    def unit_codes(self, unit: str, codes: Sequence[str]) -> tuple[np.ndarray, int]:
        """Which of ``codes`` each ``unit`` (``segment`` or ``case``) holding a reference is
        coded with, itself or through a code under it (a concept counts for its
        subcategory and main category): a boolean units × codes matrix, and the unit count."""
        cols = self.columns
        wanted = {code: j for j, code in enumerate(codes)}
        fits = np.zeros((len(cols.codes) + 1, len(codes)), dtype=bool)  # last row: no code
        for i, code in enumerate(cols.codes):
            for up in (code, self.hierarchy.subcategory(code), self.hierarchy.category(code)):
                if up in wanted:
                    fits[i, wanted[up]] = True
        keys = cols.segment if unit == "segment" else cols.case
        units, where = np.unique(keys, return_inverse=True)
        held = np.zeros((len(units), len(codes)), dtype=bool)
        for j in range(len(codes)):  # a unit holds code j when one of its references fits it
            rows = fits[cols.code, j]
            held[where[rows], j] = True
        return held, len(units)

    def rolled(self, level: str) -> list[str]:
        """Ids of ``level`` codes with at least one reference, in codebook order."""
        return list(self.derived(("rolled", level), lambda: self._rolled(level)))

    def _rolled(self, level: str) -> tuple[str, ...]:
        present = {self.hierarchy.roll(code, level) for code in self.columns.codes} - {None}
        order = [n.id for n in self.hierarchy.nodes.values() if n.id in present]
        return tuple(order + sorted(present - set(order)))


def load_coded_study(study: Study, book: Codebook) -> CodedStudy:
    """Read the counted references, cases, attributes and evidence of a study.

    Read once per :meth:`~gtcode.store.project.Study.remembering` scope (shared: read-only).
    """
    return study.remember(coded_study_key(book), lambda: _read_coded_study(study, book))


def coded_study_key(book: Codebook) -> tuple[str, str]:
    """The key of a study's coded study in :meth:`~gtcode.store.project.Study.remember`
    (a write that changes no coding, segment, case or quote choice may keep it)."""
    return ("coded study", book.hash)


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

