"""Agreement between filled coding sheets (``gtcode agree SHEET_A SHEET_B ...``).

Each sheet is one coder's copy of the sheet ``gtcode sheet export`` writes,
read with the sheet reader of :mod:`gtcode.coding.sheet_io` and each row
with :func:`gtcode.coding.sheet_rows.decide` (the same ones ``gtcode sheet
apply`` uses). Only rows the coder marked count: a row left undecided, or
deleted, was not looked at (a missing value for that coder); a decided row
holds the codes the decision applies (empty = no code).

Coders are named by the file names (``ann.xlsx`` -> ``ann``) unless names
are given. Units are segments (``<source>#<idx>``), or documents (the
segments of one source together); by default only respondent turns (and
turns of unknown role), read from the sheet's role column. At
``level="category"`` a codebook is needed to roll concepts up to their main
categories; with a codebook, codes may be written by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from gtcode.coding.sheet_io import SheetRow, read_sheet
from gtcode.coding.sheet_rows import CodeLookup, decide, shown_on_row
from gtcode.errors import GtcodeError, ProblemList
from gtcode.reliability.agree import AgreeResult, agree_code_units
from gtcode.reliability.coding_units import (
    CODE_LEVELS,
    RESPONDENT_ROLES,
    CoderView,
    CodeUnits,
    UnitInfo,
    code_disagreements,
    document_units,
    scope_name,
)


def sheet_coder_names(paths: Sequence[Path], names: Sequence[str] | None = None) -> list[str]:
    """Coder names for the sheets: the given names, else the file names without suffix.

    Raises:
        GtcodeError: E112 when the number of names differs from the sheets or
            two sheets would get the same name.
    """
    if names:
        if len(names) != len(paths):
            raise GtcodeError("E112", f"{len(names)} coder name(s) for {len(paths)} sheets.",
                              hint="give one name per sheet, in the same order")
        chosen = [n.strip() for n in names]
    else:
        chosen = [Path(p).stem for p in paths]
        if len(set(chosen)) != len(chosen):
            chosen = [str(p) for p in paths]
    if len(set(chosen)) != len(chosen) or not all(chosen):
        raise GtcodeError("E112", "two sheets would have the same coder name.",
                          hint="name the coders with --coders, one per sheet")
    return chosen


@dataclass
class _Sheet:
    """One sheet's decided rows: segment key -> (row, codes applied), and what it showed."""

    rows: dict[str, tuple[SheetRow, frozenset[str]]] = field(default_factory=dict)
    blind: int = 0
    seeing: int = 0
    unknown: int = 0
    undecided: int = 0
    out_of_scope: int = 0


def _sheet_sets(path: Path, rows: list[SheetRow], resolve, roles: tuple[str, ...] | None,
                problems: list[str]) -> _Sheet:
    sheet = _Sheet()
    first: dict[str, int] = {}
    for row in rows:
        key = (row.segment or "").strip()
        source, _, idx = key.rpartition("#")
        where = f"{path}:row {row.number}"
        if not source or not idx.isdigit():
            problems.append(f"[E403] {where}: the segment id is missing or not of the form "
                            "<source>#<number>")
            continue
        if key in first:
            problems.append(f"[E401] {where}: segment {key} is also on row {first[key]}; keep "
                            "one row per segment")
            continue
        first[key] = row.number
        try:
            shown = shown_on_row(row.shown, row.suggested, resolve)
        except ValueError as exc:
            problems.append(f"[E401] {where}: {exc}")
            continue
        decision, found = decide(row.decision, row.codes, shown, resolve)
        problems.extend(f"[{'E402' if p.startswith(('unknown', 'the name')) else 'E401'}] "
                        f"{where}: {p}" for p in found)
        if decision is None:
            sheet.undecided += not found
            continue
        if roles is not None and row.role is not None and (row.role.strip() or "unknown") \
                not in roles:
            sheet.out_of_scope += 1
            continue
        sheet.rows[key] = (row, decision.accepted)
        mark = shown.blind
        sheet.blind += mark is True
        sheet.seeing += mark is False
        sheet.unknown += mark is None
    return sheet


def _read_all(paths: Sequence[Path], resolve,
              roles: tuple[str, ...] | None) -> list[_Sheet]:
    problems: list[str] = []
    sheets = []
    for path in paths:
        rows, cell_problems = read_sheet(Path(path))
        problems.extend(f"[{code}] {path}:row {number}: {message}"
                        for number, code, message in cell_problems)
        sheets.append(_sheet_sets(Path(path), rows, resolve, roles, problems))
    if problems:
        raise ProblemList("E401", problems, hint="fix these rows; nothing was computed")
    return sheets


def _roll(codebook, level: str) -> Callable[[str], str | None]:
    if level == "concept":
        return lambda code: code
    if codebook is None:
        raise GtcodeError("E112", "--level category on sheets needs the codebook to roll "
                          "codes up.", hint="pass --codebook six-pressures or a YAML path")
    return lambda code: codebook.main_category(code) if codebook.get(code) is not None \
        else None


def _labels(codebook) -> dict[str, str]:
    if codebook is None:
        return {}
    return {c.id: f"{c.id} {c.name}" if c.name and c.name != c.id else c.id
            for c in codebook.codes}


def read_sheet_units(paths: Sequence[str | Path], *, coders: Sequence[str] | None = None,
                     unit: str = "segment", level: str = "concept", codebook=None,
                     roles: tuple[str, ...] | None = RESPONDENT_ROLES) -> CodeUnits:
    """Read two or more filled sheets into units (rules in the module docstring).

    Args:
        paths: the sheets (``.xlsx`` or ``.csv``), one per coder.
        coders: coder names, one per sheet; default the file names.
        unit: ``"segment"`` or ``"document"``.
        level: ``"concept"`` or ``"category"`` (needs ``codebook``).
        codebook: a :class:`~gtcode.codebook.Codebook` for names and roll-up.
        roles: the segment roles that are units (None: every turn).

    Raises:
        GtcodeError: E112 for bad options; E101/E401 from the sheet reader;
            a ProblemList (E401/E402/E403) naming every bad row of every sheet.
    """
    paths = [Path(p) for p in paths]
    if len(paths) < 2:
        raise GtcodeError("E112", "sheet mode compares two or more sheets.")
    if unit not in ("segment", "document") or level not in CODE_LEVELS:
        raise GtcodeError("E112", f"sheets support --unit segment or document and --level "
                          f"concept or category, not {unit!r}/{level!r}.")
    names = sheet_coder_names(paths, coders)
    roll = _roll(codebook, level)
    resolve = CodeLookup.of(codebook).resolve if codebook is not None else str.strip
    infos: dict[str, UnitInfo] = {}
    sets: dict[str, dict[str, frozenset[str]]] = {}
    views: dict[str, CoderView] = {}
    dropped, notes = 0, []
    for name, sheet in zip(names, _read_all(paths, resolve, roles), strict=True):
        sets[name] = {}
        views[name] = CoderView("sheet", sheet.blind, sheet.seeing, sheet.unknown)
        for key, (row, codes) in sheet.rows.items():
            infos.setdefault(key, UnitInfo(key, key.rpartition("#")[0], text=row.text))
            rolled = [roll(code) for code in sorted(codes)]
            dropped += rolled.count(None)
            sets[name][key] = frozenset(c for c in rolled if c is not None)
        if sheet.undecided or sheet.out_of_scope:
            notes.append(f"{name}: {len(sheet.rows)} decided row(s) compared; "
                         f"{sheet.undecided} undecided row(s) not looked at"
                         + (f", {sheet.out_of_scope} decided interviewer turn(s) left out "
                            "(--role all counts every turn)" if sheet.out_of_scope else "")
                         + ".")
    if dropped:
        notes.append(f"{dropped} code(s) under no main category of the codebook were left out "
                     "at --level category.")
    units = CodeUnits("segment", level, tuple(names), tuple(infos.values()), sets,
                      _labels(codebook), tuple(notes), scope_name(roles), views)
    return document_units(units) if unit == "document" else units


def agree_sheets(paths: Sequence[str | Path], *, coders: Sequence[str] | None = None,
                 unit: str = "segment", level: str = "concept", codebook=None,
                 level_of_measurement: str = "nominal", overall: str = "pooled",
                 roles: tuple[str, ...] | None = RESPONDENT_ROLES) -> AgreeResult:
    """Agreement between filled coding sheets (``gtcode agree SHEET_A SHEET_B``).

    The disagreements list segments (even for ``unit="document"``), with the
    text as the sheets show it.

    Raises:
        GtcodeError: as :func:`read_sheet_units` and
            :func:`~gtcode.reliability.agree.agree_code_units`.
    """
    if unit not in ("segment", "document"):
        raise GtcodeError("E112", f"sheets support --unit segment or document, not {unit!r}.",
                          hint="the character unit needs a study's coded spans")
    segments = read_sheet_units(paths, coders=coders, level=level, codebook=codebook,
                                roles=roles)
    if unit == "segment":
        return agree_code_units(segments, level_of_measurement=level_of_measurement,
                                overall=overall, mode="sheets")
    result = agree_code_units(document_units(segments), mode="sheets", overall=overall,
                              level_of_measurement=level_of_measurement)
    return replace(result, disagreements=tuple(code_disagreements(segments)),
                   disagreement_unit="segment")


def looks_like_sheet(path: str | Path) -> bool:
    """Whether a file reads as a coding sheet (has the segment, decision and codes columns)."""
    try:
        read_sheet(Path(path))
    except GtcodeError:
        return False
    return True
