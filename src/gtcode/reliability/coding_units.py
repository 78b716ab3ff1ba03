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

from gtcode.errors import GtcodeError

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


#: Which turns agreement and evaluation count by default: respondent turns,
#: and turns whose speaker role is unknown (a transcript without speaker labels).
RESPONDENT_ROLES: tuple[str, ...] = ("respondent", "unknown")
#: ``--role`` values: respondent turns (default) or every turn.
ROLE_CHOICES: tuple[str, ...] = ("respondent", "all")


def role_filter(role: str) -> tuple[str, ...] | None:
    """The segment roles a ``--role`` value keeps (None: every role)."""
    if role not in ROLE_CHOICES:
        raise GtcodeError("E112", f"unknown role {role!r}.",
                          hint="use --role " + " or ".join(ROLE_CHOICES))
    return RESPONDENT_ROLES if role == "respondent" else None


def scope_name(roles: tuple[str, ...] | None) -> str:
    """How the units' scope is described: ``respondent turns`` or ``all turns``."""
    return "respondent turns" if roles else "all turns"


@dataclass(frozen=True)
class CoderView:
    """What a coder saw when deciding the units compared.

    Attributes:
        kind: ``human`` (decisions from coding sheets), ``machine`` (rule or
            model coder), ``import`` (coded in another program) or ``sheet``
            (a filled sheet compared as a file).
        blind: units decided on a blind sheet (no machine suggestion shown).
        seeing: units decided on a sheet that showed machine suggestions.
        unknown: units decided where that was not recorded (decisions
            applied before gtcode recorded it, sheets without the record).
    """

    kind: str
    blind: int = 0
    seeing: int = 0
    unknown: int = 0

    @property
    def status(self) -> str:
        """``machine``, ``blind``, ``saw_suggestions`` or ``unknown``."""
        if self.kind == "machine":
            return "machine"
        if self.seeing:
            return "saw_suggestions"
        if self.unknown or self.kind == "import" or not self.blind:
            return "unknown"
        return "blind"

    def short(self) -> str:
        """A few words for a table cell: ``blind (4 units)``, ``saw suggestions (4 of 4)``."""
        total = self.blind + self.seeing + self.unknown
        return {"machine": "machine coder", "blind": f"blind ({total} units)",
                "saw_suggestions": f"saw suggestions ({self.seeing} of {total} units)",
                "unknown": "imported: not known" if self.kind == "import" else
                f"not recorded ({self.unknown} of {total} units)"}[self.status]

    def describe(self) -> str:
        """One phrase: ``blind (215 units)``, ``saw machine suggestions (215 of 215 units)``."""
        total = self.blind + self.seeing + self.unknown
        if self.kind == "machine":
            return "machine coder"
        if self.kind == "import":
            return "imported coder: not known whether she saw machine suggestions"
        status = self.status
        if status == "blind":
            return f"blind (all {total} units decided on blind sheets)"
        if status == "saw_suggestions":
            return f"saw machine suggestions ({self.seeing} of {total} units)"
        return (f"not recorded whether she saw machine suggestions ({self.unknown} of {total} "
                "units: decided before gtcode recorded it, or on a sheet without the record)")


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
        scope: which turns are units (``respondent turns``, ``all turns``).
        views: coder -> what the coder saw when deciding (:class:`CoderView`).
    """

    unit: str
    level: str
    coders: tuple[str, ...]
    units: tuple[UnitInfo, ...]
    codings: Mapping[str, Mapping[str, frozenset[str]]]
    code_labels: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    scope: str = ""
    views: Mapping[str, CoderView] = field(default_factory=dict)

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
        scope, views: as in :class:`CodeUnits`.
    """

    level: str
    coders: tuple[str, str]
    spans: Mapping[tuple[str, str], tuple[Sequence[tuple[int, int]], Sequence[tuple[int, int]]]]
    lengths: Mapping[str, int]
    code_labels: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    scope: str = ""
    views: Mapping[str, CoderView] = field(default_factory=dict)


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
