"""What ``gtcode agree`` compares: units, the codes each coder applied, disputes.

Three builders fill these structures: :mod:`gtcode.reliability.study_units`
(coders inside a study), :mod:`gtcode.reliability.sheets` (filled coding
sheets) and :func:`table_disagreements` (a plain reliability-data table).

* :class:`CodeUnits`: for every unit (a segment, a document) and every coder
  who looked at it, the set of codes the coder applied. A coder who did not
  look at a unit has no entry for it (a missing value, not "no code").
* :class:`CharacterUnits`: for two coders, the spans each coded per code and
  source, for NVivo's character-level coding comparison.
* :class:`Disagreement`: one unit on which the coders who saw it differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

#: Units ``gtcode agree`` knows.
UNIT_KINDS: tuple[str, ...] = ("segment", "document", "character")
#: Code levels agreement can be computed at.
CODE_LEVELS: tuple[str, ...] = ("concept", "category")


@dataclass(frozen=True)
class UnitInfo:
    """Where a unit comes from, for the disagreement view.

    Attributes:
        id: the unit id: ``"S01#3"`` (segment 3 of S01), ``"S01"`` (a
            document), or a table's unit id.
        source, case, speaker: where it sits (``None`` when unknown).
        start, end: the passage in the source text (segments only).
        text: the passage text, filled only for units shown to people.
    """

    id: str
    source: str | None = None
    case: str | None = None
    speaker: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class CodeUnits:
    """For each unit and each coder who saw it, the codes the coder applied.

    Attributes:
        unit: ``"segment"`` or ``"document"``.
        level: ``"concept"`` or ``"category"``.
        coders: coder names, in the order given.
        units: every unit at least one coder saw, in study order.
        codings: ``{coder: {unit id: frozenset of codes}}``; a unit the coder
            did not see is absent (missing), an empty set means "no code".
        code_labels: code id -> display name (``"id 名称"``).
        notes: plain-language remarks on how the units were built.
    """

    unit: str
    level: str
    coders: tuple[str, ...]
    units: tuple[UnitInfo, ...]
    codings: Mapping[str, Mapping[str, frozenset[str]]]
    code_labels: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def seen_by(self, unit_id: str) -> list[str]:
        """Coders who looked at a unit, in coder order."""
        return [c for c in self.coders if unit_id in self.codings[c]]

    def n_pairable(self) -> int:
        """Units seen by two or more coders."""
        return sum(len(self.seen_by(u.id)) >= 2 for u in self.units)

    def codes_used(self) -> list[str]:
        """Codes any coder applied, in label order then id order."""
        used = {c for sets in self.codings.values() for codes in sets.values() for c in codes}
        order = {code: i for i, code in enumerate(self.code_labels)}
        return sorted(used, key=lambda c: (order.get(c, len(order)), c))

    def with_notes(self, *notes: str) -> CodeUnits:
        """A copy with more notes."""
        return replace(self, notes=self.notes + tuple(n for n in notes if n))


@dataclass(frozen=True)
class CharacterUnits:
    """Two coders' coded spans per (code, source), for NVivo's comparison.

    Attributes:
        level: ``"concept"`` or ``"category"``.
        coders: the two coder names.
        spans: ``{(code, source): (spans of coder A, spans of coder B)}``,
            half-open ``(start, end)`` offsets; only pairs where at least one
            coder coded the code in the source.
        lengths: source name -> characters (TU).
        code_labels: code id -> display name.
        notes: remarks on how the rows were chosen.
    """

    level: str
    coders: tuple[str, str]
    spans: Mapping[tuple[str, str], tuple[Sequence[tuple[int, int]], Sequence[tuple[int, int]]]]
    lengths: Mapping[str, int]
    code_labels: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disagreement:
    """A unit on which the coders who saw it did not all apply the same codes.

    Attributes:
        unit: where it is and its text.
        codes: coder -> codes applied (sorted), ``None`` for a coder who did
            not see the unit.
        disputed: codes applied by some but not all coders who saw it.
    """

    unit: UnitInfo
    codes: Mapping[str, tuple[str, ...] | None]
    disputed: tuple[str, ...]


def code_disagreements(units: CodeUnits) -> list[Disagreement]:
    """Every unit seen by two or more coders whose code sets differ, in unit order."""
    rows = []
    for info in units.units:
        seers = units.seen_by(info.id)
        if len(seers) < 2:
            continue
        sets = [units.codings[c][info.id] for c in seers]
        disputed = frozenset().union(*sets) - frozenset.intersection(*sets)
        if not disputed:
            continue
        codes = {c: (tuple(sorted(units.codings[c][info.id])) if c in seers else None)
                 for c in units.coders}
        rows.append(Disagreement(info, codes, tuple(_ordered(disputed, units.code_labels))))
    return rows


def _ordered(codes: frozenset[str], labels: Mapping[str, str]) -> list[str]:
    order = {code: i for i, code in enumerate(labels)}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def table_disagreements(
    units: Sequence[str], coders: Sequence[str], matrix: Sequence[Sequence[object]]
) -> list[Disagreement]:
    """Rows of a reliability-data table on which two or more values differ.

    Args:
        units: unit ids, one per row.
        coders: coder names, one per column.
        matrix: the table's cells; ``None`` = missing.
    """
    rows = []
    for unit, cells in zip(units, matrix, strict=True):
        values = {c: v for c, v in zip(coders, cells, strict=True) if v is not None}
        distinct = {str(v) for v in values.values()}
        if len(values) < 2 or len(distinct) < 2:
            continue
        codes = {c: ((str(values[c]),) if c in values else None) for c in coders}
        rows.append(Disagreement(UnitInfo(str(unit)), codes, tuple(sorted(distinct))))
    return rows


def document_units(units: CodeUnits) -> CodeUnits:
    """Segment units grouped by source: a document counts for a coder who saw any of
    its segments, with the union of the codes the coder applied there.
    """
    infos: dict[str, UnitInfo] = {}
    for info in units.units:
        source = info.source or info.id
        infos.setdefault(source, UnitInfo(source, source, info.case))
    by_id = {info.id: info.source or info.id for info in units.units}
    sets: dict[str, dict[str, frozenset[str]]] = {}
    for coder in units.coders:
        docs: dict[str, set[str]] = {}
        for unit_id, codes in units.codings[coder].items():
            docs.setdefault(by_id[unit_id], set()).update(codes)
        sets[coder] = {doc: frozenset(codes) for doc, codes in docs.items()}
    return replace(units, unit="document", units=tuple(infos.values()), codings=sets)
