"""``gtcode agree`` as library calls: one result type for tables, studies and sheets.

* :func:`agree_table`: a plain reliability-data table (one category per cell);
* :func:`agree_code_units`: units that carry sets of codes (a study's coders,
  filled sheets): per-code present/absent agreement plus labelled overall
  figures (``pooled``, ``unweighted_mean``, ``weighted_mean``);
* :func:`agree_characters`: NVivo's character-level coding comparison;
* :func:`agree_study`: build the units from a study and run one of the above.

The headline figures of an :class:`AgreeResult` (``percent_agreement``,
``cohen_kappa``, ``fleiss_kappa``, ``krippendorff_alpha``) are, for codes, the
overall figure chosen with ``overall`` (default ``pooled``), and always say so.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gtcode.errors import GtcodeError
from gtcode.reliability import study_units as su
from gtcode.reliability.agreement_report import AgreementReport, agreement_report
from gtcode.reliability.coded_data import CodedData
from gtcode.reliability.coding_units import (
    RESPONDENT_ROLES,
    CharacterUnits,
    CoderView,
    CodeUnits,
    Disagreement,
    code_disagreements,
    table_disagreements,
)
from gtcode.reliability.coefficients import json_float
from gtcode.reliability.independence import Independence, judge
from gtcode.reliability.krippendorff import LEVELS, alpha_verdict, check_level
from gtcode.reliability.nvivo import (
    NvivoComparison,
    NvivoRow,
    nvivo_comparison,
    nvivo_kappa,
)
from gtcode.reliability.percode import PerCodeReport, per_code_report, presence_array
from gtcode.reliability.table import read_reliability_csv
from gtcode.store.project import Study

#: The overall figures a result can lead with.
OVERALL_METHODS: tuple[str, ...] = ("pooled", "unweighted_mean", "weighted_mean")
_HEADLINE = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")


@dataclass(frozen=True)
class AgreeResult:
    """Everything ``gtcode agree`` reports.

    Attributes:
        mode: ``"table"``, ``"study"`` or ``"sheets"``.
        unit: ``"table_row"``, ``"segment"``, ``"document"`` or ``"character"``.
        code_level: ``"concept"``/``"category"`` when codes are involved.
        level_of_measurement: the alpha level.
        coders: coder names.
        n_units: units analysed (characters for the character unit).
        n_pairable_units: units seen by two or more coders.
        overall_method: which overall figure the headline shows (codes only).
        headline: percent_agreement, cohen_kappa, fleiss_kappa,
            krippendorff_alpha (NaN or None when undefined or not computed).
        report: the full report of the table, or of the pooled present/absent
            decisions when codes are involved.
        per_code: per-code figures (segment and document units).
        nvivo: the coding comparison (character unit).
        code_labels: code id -> display name.
        disagreements: units on which the coders differ.
        disagreement_unit: the unit of ``disagreements`` when it is not ``unit``
            (a study's document and character units list segments).
        units_per_coder: units each coder looked at (codes only).
        notes: plain-language remarks.
        scope: which turns are units (``respondent turns``, ``all turns``;
            empty for a table).
        views: coder -> what she saw when deciding (study and sheet modes).
    """

    mode: str
    unit: str
    code_level: str | None
    level_of_measurement: str
    coders: tuple[str, ...]
    n_units: int
    n_pairable_units: int
    overall_method: str | None
    headline: Mapping[str, float | None]
    report: AgreementReport | None = None
    per_code: PerCodeReport | None = None
    nvivo: NvivoComparison | None = None
    code_labels: Mapping[str, str] = field(default_factory=dict)
    disagreements: tuple[Disagreement, ...] = ()
    units_per_coder: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    disagreement_unit: str | None = None
    scope: str = ""
    views: Mapping[str, CoderView] = field(default_factory=dict)

    @property
    def independence(self) -> Independence:
        """Whether the coders decided independently (see :mod:`.independence`)."""
        return judge(self.coders, self.views)

    @property
    def verdict(self) -> str:
        """The alpha verdict, or what was measured when this is not a reliability test."""
        return self.independence.verdict or alpha_verdict(self.alpha)

    @property
    def alpha(self) -> float:
        """The headline Krippendorff's alpha; NaN when undefined or not computed."""
        value = self.headline.get("krippendorff_alpha")
        return math.nan if value is None else float(value)

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready object (NaN -> ``None``); see ``docs/methods.md``."""
        out: dict[str, Any] = self.report.to_dict() if self.report and self.mode == "table" \
            else {}
        out.update({
            "mode": self.mode, "unit": self.unit, "code_level": self.code_level,
            "level": self.level_of_measurement,
            "level_of_measurement": self.level_of_measurement,
            "coders": list(self.coders), "n_coders": len(self.coders),
            "n_units": self.n_units, "n_pairable_units": self.n_pairable_units,
            "n_units_compared": self.n_pairable_units, "scope": self.scope or self.unit,
            "overall_method": self.overall_method,
        })
        out.update({key: json_float(self.headline.get(key)) for key in _HEADLINE})
        independence = self.independence
        out["alpha_verdict"] = self.verdict
        out["independent"] = independence.independent
        out["measures"] = independence.measures
        out["coders_view"] = {name: {"kind": v.kind, "status": v.status, "blind": v.blind,
                                     "saw_suggestions": v.seeing, "not_recorded": v.unknown,
                                     "describe": v.describe()}
                              for name, v in self.views.items()}
        out["n_disagreements"] = len(self.disagreements)
        out["disagreement_unit"] = self.disagreement_unit or self.unit
        if self.mode != "table":
            out.update(self._codes_dict())
        out["notes"] = list(self.notes)
        return out

    def _codes_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"units_per_coder": dict(self.units_per_coder)}
        disputed = Counter(code for row in self.disagreements for code in row.disputed)
        if self.per_code is not None:
            out["kappa_kind"] = self.per_code.kappa_kind
            out["per_code"] = [dict(row.to_dict(), name=self.code_labels.get(row.code, row.code),
                                    n_disagreements=disputed[row.code])
                               for row in self.per_code.codes]
            out["overall"] = _overall_dict(self.per_code, self.report)
        if self.nvivo is not None:
            out.update(_nvivo_dict(self.nvivo, self.code_labels))
        return out


def _overall_dict(per_code: PerCodeReport, report: AgreementReport | None) -> dict[str, Any]:
    pooled = per_code.pooled.to_dict()
    if report is not None:
        full = report.to_dict()
        pooled.update({key: full[key] for key in (
            "cohen_kappa", "mean_pairwise_cohen_kappa", "fleiss_kappa", "scott_pi",
            "brennan_prediger", "gwet_ac1", "n_units", "n_pairable_units")})
        pooled["n_decisions"] = pooled.pop("n_units")
        pooled["n_pairable_decisions"] = pooled.pop("n_pairable_units")
    return {"pooled": pooled, "unweighted_mean": per_code.unweighted_mean.to_dict(),
            "weighted_mean": per_code.weighted_mean.to_dict()}


def _nvivo_dict(nvivo: NvivoComparison, labels: Mapping[str, str]) -> dict[str, Any]:
    by_code: dict[str, list[NvivoRow]] = {}
    for row in nvivo.rows:
        by_code.setdefault(row.code, []).append(row)
    per_code = []
    for code, rows in by_code.items():
        cells = [sum(getattr(r, f) for r in rows) for f in ("a_and_b", "a_not_b", "b_not_a",
                                                              "neither")]
        kappa, _zero = nvivo_kappa(*cells)
        per_code.append({"code": code, "name": labels.get(code, code), "n_sources": len(rows),
                         "characters": sum(cells),
                         "percent_agreement": json_float((cells[0] + cells[3]) / sum(cells)),
                         "kappa": json_float(kappa),
                         "unweighted_kappa": json_float(sum(r.kappa for r in rows) / len(rows)),
                         "method": "pooled over sources"})
    full = nvivo.to_dict()
    return {"per_code": per_code, "rows": full["rows"],
            "overall": {"pooled": full["pooled"], "unweighted_mean": full["unweighted"],
                        "weighted_mean": full["size_weighted"]},
            "n_zero_over_zero": nvivo.n_zero_over_zero}


def check_overall(overall: str) -> str:
    """Validate an overall-figure name (E112 listing the valid ones)."""
    if overall not in OVERALL_METHODS:
        raise GtcodeError("E112", f"unknown overall figure {overall!r}.",
                          hint="use " + ", ".join(OVERALL_METHODS))
    return overall


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise GtcodeError("E112", f"unknown level of measurement {level!r}.",
                          hint="use " + ", ".join(LEVELS))
    return check_level(level)


def agree_table(path: str | Path, level_of_measurement: str = "nominal") -> AgreeResult:
    """Agreement on a reliability-data CSV table (``gtcode agree TABLE.csv``).

    Raises:
        GtcodeError: as :func:`~gtcode.reliability.read_reliability_csv` and
            :func:`~gtcode.reliability.agreement_report`; E112 for a bad level.
    """
    level = _check_level(level_of_measurement)
    table = read_reliability_csv(path)
    report = agreement_report(table.matrix, table.coders, level)
    headline = {"percent_agreement": report.percent_agreement,
                "cohen_kappa": report.cohen_kappa.value if report.cohen_kappa else None,
                "fleiss_kappa": report.fleiss_kappa.value,
                "krippendorff_alpha": report.krippendorff_alpha.value}
    rows = table_disagreements(table.units, table.coders, table.matrix)
    return AgreeResult("table", "table_row", None, level, table.coders, report.n_units,
                       report.n_pairable_units, None, headline, report=report,
                       disagreements=tuple(rows), notes=report.notes)


def _codes_headline(per_code: PerCodeReport, report: AgreementReport,
                    overall: str) -> dict[str, float | None]:
    if overall == "pooled":
        return {"percent_agreement": report.percent_agreement,
                "cohen_kappa": report.cohen_kappa.value if report.cohen_kappa else None,
                "fleiss_kappa": report.fleiss_kappa.value,
                "krippendorff_alpha": report.krippendorff_alpha.value}
    figure = getattr(per_code, overall)
    cohen = per_code.kappa_kind == "cohen"
    return {"percent_agreement": figure.percent_agreement,
            "cohen_kappa": figure.kappa if cohen else None,
            "fleiss_kappa": None if cohen else figure.kappa,
            "krippendorff_alpha": figure.krippendorff_alpha}


def _require_codes(units: CodeUnits) -> list[str]:
    if units.n_pairable() == 0:
        raise GtcodeError("E601", "no unit was looked at by two or more of the coders, so "
                          "there is nothing to compare.",
                          hint="check the coder names; in a study, --all-units counts every "
                          "respondent segment as seen by every coder")
    codes = units.codes_used()
    if not codes:
        raise GtcodeError("E601", "none of the coders applied any code on the units compared.")
    return codes


def agree_code_units(units: CodeUnits, *, level_of_measurement: str = "nominal",
                     overall: str = "pooled", mode: str = "study") -> AgreeResult:
    """Per-code present/absent agreement on units carrying sets of codes.

    Args:
        units: the units (from a study or from sheets).
        level_of_measurement: the alpha level (binary data: all give the same alpha).
        overall: which overall figure leads: ``pooled``, ``unweighted_mean``
            or ``weighted_mean``.
        mode: ``"study"`` or ``"sheets"`` (copied into the result).

    Raises:
        GtcodeError: E601 when no unit was seen by two coders or no code was
            applied; E112 for a bad option.
    """
    level = _check_level(level_of_measurement)
    check_overall(overall)
    codes = _require_codes(units)
    # Only pairable units carry information; leaving the others out keeps the
    # arrays small and makes n_used (the weights of the weighted mean) count
    # only units that enter the figures.
    ids = [u.id for u in units.units if len(units.seen_by(u.id)) >= 2]
    kept = {c: {u: units.codings[c][u] for u in ids if u in units.codings[c]}
            for c in units.coders}
    per_code = per_code_report(kept, ids, level, codes=codes, missing_as_absent=False)
    presence = presence_array(kept, ids, codes, missing_as_absent=False)
    pooled = CodedData((0, 1), presence.reshape(-1, presence.shape[2]))
    report = agreement_report(pooled, units.coders, level)
    notes = [*units.notes, *_code_notes(units, per_code, overall, level),
             *judge(units.coders, units.views).notes]
    return AgreeResult(mode, units.unit, units.level, level, units.coders, len(units.units),
                       len(ids), overall, _codes_headline(per_code, report, overall),
                       report=report, per_code=per_code, code_labels=dict(units.code_labels),
                       disagreements=tuple(code_disagreements(units)),
                       units_per_coder={c: len(units.codings[c]) for c in units.coders},
                       notes=tuple(notes), scope=units.scope, views=dict(units.views))


def _code_notes(units: CodeUnits, per_code: PerCodeReport, overall: str,
                level: str) -> list[str]:
    notes = [f"overall figures: {overall.replace('_', ' ')} over {len(per_code.codes)} code(s) "
             "(each code present/absent per unit)."]
    single = len(units.units) - units.n_pairable()
    if single:
        notes.append(f"{single} unit(s) looked at by only one coder were ignored.")
    excluded = per_code.unweighted_mean.excluded_codes
    if overall != "pooled" and excluded:
        notes.append(f"{len(excluded)} code(s) with undefined kappa or alpha were left out of "
                     "the mean.")
    if level != "nominal":
        notes.append("present/absent data are binary: every level of measurement gives the "
                     "same alpha.")
    return notes


def agree_characters(units: CharacterUnits, *, overall: str = "pooled",
                     disagreements: Sequence[Disagreement] = (),
                     mode: str = "study") -> AgreeResult:
    """NVivo's coding comparison (character unit) with labelled overall figures.

    Raises:
        GtcodeError: E601 when no code was coded in a source both coders saw.
    """
    check_overall(overall)
    if not units.spans:
        raise GtcodeError("E601", "neither coder coded anything in a source both looked at, "
                          "so there is nothing to compare.")
    nvivo = nvivo_comparison(units.spans, units.lengths)
    figure = {"pooled": nvivo.pooled, "unweighted_mean": nvivo.unweighted,
              "weighted_mean": nvivo.size_weighted}[overall]
    headline = {"percent_agreement": figure.percent_agreement, "cohen_kappa": figure.kappa,
                "fleiss_kappa": None, "krippendorff_alpha": None}
    notes = [*units.notes,
             f"character unit (NVivo coding comparison): one row per code x source; headline "
             f"{overall.replace('_', ' ')}"
             f"{' (weighted by source length)' if overall == 'weighted_mean' else ''}; "
             "cohen_kappa is NVivo's K. Fleiss' kappa and alpha are not computed.",
             "rows where neither coder used a code in a source are not listed "
             "(NVivo shows K = 1 for them)."]
    if nvivo.n_zero_over_zero:
        notes.append(f"{nvivo.n_zero_over_zero} row(s) have K = 1 by NVivo's 0/0 convention.")
    notes += judge(units.coders, units.views).notes
    return AgreeResult(mode, "character", units.level, "nominal", units.coders,
                       nvivo.pooled.total, len(nvivo.rows), overall, headline, nvivo=nvivo,
                       code_labels=dict(units.code_labels), disagreements=tuple(disagreements),
                       notes=tuple(notes), scope=units.scope, views=dict(units.views))


def check_min_alpha(result: AgreeResult, minimum: float) -> None:
    """Raise E603 when the headline alpha is below ``minimum`` or undefined.

    Raises:
        GtcodeError: E603, or E112 for the character unit (no alpha computed).
    """
    if result.unit == "character":
        raise GtcodeError("E112", "the character unit computes NVivo's kappa, not alpha.",
                          hint="drop --min-alpha or use --unit segment")
    independence = result.independence
    if not independence.independent:
        raise GtcodeError("E604", f"this comparison is not a reliability test, so it cannot "
                          f"pass a minimum alpha: it measures {independence.measures}.",
                          hint="compare a coder who filled a blind sheet (gtcode sheet "
                          "export STUDY -o blind.xlsx --blind)")
    alpha = result.alpha
    if math.isnan(alpha):
        raise GtcodeError("E603", f"Krippendorff's alpha is undefined, so it cannot reach "
                          f"the minimum {minimum:.3f}.",
                          hint="all values fell in one category; see the notes")
    if alpha < minimum:
        what = f" ({result.overall_method.replace('_', ' ')})" if result.overall_method else ""
        raise GtcodeError("E603", f"Krippendorff's alpha{what} is {alpha:.4f}, below the "
                          f"minimum {minimum:.3f}.")


def agree_study(study: Study, coders: Sequence[str], *, unit: str = "segment",
                level: str = "concept", all_units: bool = False,
                level_of_measurement: str = "nominal", overall: str = "pooled",
                texts: bool = False,
                roles: tuple[str, ...] | None = RESPONDENT_ROLES) -> AgreeResult:
    """Agreement between coders inside a study (``gtcode agree STUDY --coders ...``).

    How units are built: :mod:`gtcode.reliability.study_units`. The
    disagreements are always listed per segment (where the text is read),
    whatever the unit of the figures.

    Args:
        study: an open study.
        coders: two or more coder names.
        unit: ``segment``, ``document`` or ``character``.
        level: ``concept`` or ``category``.
        all_units: count every respondent segment as seen by every coder.
        level_of_measurement: the alpha level.
        overall: which overall figure leads.
        texts: fill in the passage text of each disagreement.
        roles: the segment roles that are units (default respondent turns and
            turns of unknown role; None: every turn).

    Raises:
        GtcodeError: E112 bad option, E306 unknown coder, E601 nothing to compare.
    """

    su.check_options(unit, level)
    _check_level(level_of_measurement)
    check_overall(overall)
    codings = su.load_study_codings(study, coders, level=level, all_units=all_units,
                                    roles=roles)
    segments = su.segment_units(codings)
    rows = code_disagreements(segments)
    if texts:
        filled = su.fill_texts(study, [row.unit for row in rows])
        rows = [replace(row, unit=info) for row, info in zip(rows, filled, strict=True)]
    if unit == "character":
        chars = su.character_units(codings, su.study_source_lengths(study))
        return replace(agree_characters(chars, overall=overall, disagreements=rows),
                       disagreement_unit="segment")
    units = segments if unit == "segment" else su.document_units(codings)
    result = agree_code_units(units, level_of_measurement=level_of_measurement,
                              overall=overall)
    return replace(result, disagreements=tuple(rows),
                   disagreement_unit=None if unit == "segment" else "segment")
