"""Per-code agreement when a unit can carry several codes.

Each code is analysed as a binary variable: for every unit and coder, was the
code *present* (1) or *absent* (0)? This is the most common treatment of
multi-code segments and matches ATLAS.ti's per-code alpha-binary on
pre-defined units. Percent agreement, kappa (Cohen's for two coders, Fleiss'
for more) and Krippendorff's alpha are computed per code.

Three overall figures are offered and always labelled:

* ``pooled``: one present/absent table over all unit x code decisions;
* ``unweighted mean``: the plain mean of the per-code values;
* ``weighted mean``: per-code values weighted by ``n_used``, the number of
  units on which at least one coder applied the code.

Codes whose kappa or alpha is undefined (nobody, or everybody, applied the
code on every unit) are left out of the means for that coefficient and
listed in ``excluded_codes``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from gtcode.errors import GtcodeError
from gtcode.reliability.coded_data import MISSING, CodedData, require_pairable
from gtcode.reliability.coefficients import json_float, percent_agreement
from gtcode.reliability.cohen import cohen_kappa
from gtcode.reliability.fleiss import fleiss_kappa
from gtcode.reliability.krippendorff import Distance, check_level, krippendorff_alpha

#: ``{unit id: codes the coder applied to it}``.
CodeSets = Mapping[Hashable, Iterable[str] | str]


@dataclass(frozen=True)
class CodeAgreement:
    """Present/absent agreement on one code.

    Attributes:
        code: the code.
        n_units: pairable units (coded by two or more coders).
        n_used: units on which at least one coder applied the code.
        percent_agreement: 0-1.
        kappa: Cohen's (two coders) or Fleiss' (more) kappa; NaN if undefined.
        krippendorff_alpha: alpha; NaN if undefined.
        kappa_defined, alpha_defined: False when the value is 0/0.
    """

    code: str
    n_units: int
    n_used: int
    percent_agreement: float
    kappa: float
    krippendorff_alpha: float
    kappa_defined: bool
    alpha_defined: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; NaN becomes ``None``."""
        out = asdict(self)
        for key in ("percent_agreement", "kappa", "krippendorff_alpha"):
            out[key] = json_float(out[key])
        return out


@dataclass(frozen=True)
class OverallAgreement:
    """An overall figure across codes, labelled by how it was made.

    Attributes:
        method: ``"pooled"``, ``"unweighted mean"`` or ``"weighted mean"``.
        percent_agreement, kappa, krippendorff_alpha: the figures.
        n_codes: codes that entered kappa and alpha (for the means, codes whose
            kappa and alpha are defined); percent agreement, always defined,
            is averaged over all codes.
        excluded_codes: codes left out of a mean because kappa or alpha was
            undefined (empty for ``pooled``).
    """

    method: str
    percent_agreement: float
    kappa: float
    krippendorff_alpha: float
    n_codes: int
    excluded_codes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; NaN becomes ``None``."""
        out = asdict(self)
        for key in ("percent_agreement", "kappa", "krippendorff_alpha"):
            out[key] = json_float(out[key])
        out["excluded_codes"] = list(self.excluded_codes)
        return out


@dataclass(frozen=True)
class PerCodeReport:
    """Per-code agreement with pooled, unweighted and weighted overall figures.

    Attributes:
        coders: coder names, in input order.
        n_units: units analysed (all listed units).
        level: the alpha level used (all levels agree on binary data).
        kappa_kind: ``"cohen"`` (two coders) or ``"fleiss"`` (more).
        codes: one :class:`CodeAgreement` per code, in the order of ``codes``
            (sorted when derived from the data).
        pooled, unweighted_mean, weighted_mean: the labelled overall figures.
    """

    coders: tuple[str, ...]
    n_units: int
    level: str
    kappa_kind: str
    codes: tuple[CodeAgreement, ...]
    pooled: OverallAgreement
    unweighted_mean: OverallAgreement
    weighted_mean: OverallAgreement

    def code(self, name: str) -> CodeAgreement:
        """The row of one code; KeyError for a code not in the report."""
        for row in self.codes:
            if row.code == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "coders": list(self.coders),
            "n_units": self.n_units,
            "level": self.level,
            "kappa_kind": self.kappa_kind,
            "codes": [row.to_dict() for row in self.codes],
            "pooled": self.pooled.to_dict(),
            "unweighted_mean": self.unweighted_mean.to_dict(),
            "weighted_mean": self.weighted_mean.to_dict(),
        }


def _as_set(value: Iterable[str] | str) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _collect_codes(codings: Mapping[str, CodeSets], codes: Sequence[str] | None) -> list[str]:
    used = sorted(
        {c for sets in codings.values() for v in sets.values() for c in _as_set(v)}, key=str
    )
    if codes is None:
        if not used:
            raise GtcodeError(
                "E601",
                "no coder applied any code.",
                hint="pass codes=[...] to analyse a codebook's codes",
            )
        return used
    unknown = sorted(set(used) - set(codes), key=str)
    if unknown:
        raise GtcodeError(
            "E602", f"{len(unknown)} code(s) applied but not in the list of codes: {unknown[:5]}."
        )
    return list(dict.fromkeys(codes))


def presence_array(
    codings: Mapping[str, CodeSets],
    units: Sequence[Hashable],
    codes: Sequence[str],
    *,
    missing_as_absent: bool = True,
) -> np.ndarray:
    """``codes x units x coders`` integer array: 1 present, 0 absent, -1 missing.

    Args:
        codings: ``{coder: {unit: codes applied}}``.
        units: every unit the coders were asked to code.
        codes: the codes to analyse.
        missing_as_absent: True: a unit missing from a coder's mapping means the
            coder applied no code to it. False: the coder did not code that
            unit (a missing value for every code).

    Raises:
        GtcodeError: E602 when a coder's mapping names a unit not in ``units``.
    """
    unit_index = {u: i for i, u in enumerate(units)}
    code_index = {c: i for i, c in enumerate(codes)}
    out = np.full(
        (len(codes), len(units), len(codings)), 0 if missing_as_absent else MISSING, dtype=np.int64
    )
    for j, (coder, sets) in enumerate(codings.items()):
        for unit, applied in sets.items():
            if unit not in unit_index:
                raise GtcodeError(
                    "E602",
                    f"coder {coder!r} coded unit {unit!r}, which is not in the list of units.",
                )
            out[:, unit_index[unit], j] = 0
            for code in _as_set(applied):
                out[code_index[code], unit_index[unit], j] = 1
    return out


def _figures(data: CodedData, level: str | Distance) -> tuple[float, float, float, bool, bool]:
    pa = percent_agreement(data)
    kappa = cohen_kappa(data) if data.n_coders == 2 else fleiss_kappa(data)
    alpha = krippendorff_alpha(data, level)
    return pa, kappa.value, alpha.value, kappa.defined, alpha.defined


def _code_row(code: str, codes: np.ndarray, level: str | Distance) -> CodeAgreement:
    data = CodedData((0, 1), codes)
    pa, kappa, alpha, k_ok, a_ok = _figures(data, level)
    n_used = int((codes == 1).any(axis=1).sum())
    return CodeAgreement(code, int(data.pairable().sum()), n_used, pa, kappa, alpha, k_ok, a_ok)


def _mean(rows: Sequence[CodeAgreement], weighted: bool) -> OverallAgreement:
    weights = np.array([r.n_used if weighted else 1 for r in rows], dtype=float)
    ok = np.array([r.alpha_defined and r.kappa_defined for r in rows])

    def avg(values: list[float], mask: np.ndarray) -> float:
        w = weights[mask]
        return float(np.dot(np.array(values)[mask], w) / w.sum()) if w.sum() > 0 else math.nan

    everything = np.ones(len(rows), dtype=bool)
    return OverallAgreement(
        method="weighted mean" if weighted else "unweighted mean",
        percent_agreement=avg([r.percent_agreement for r in rows], everything),
        kappa=avg([r.kappa for r in rows], ok),
        krippendorff_alpha=avg([r.krippendorff_alpha for r in rows], ok),
        n_codes=int(ok.sum()),
        excluded_codes=tuple(r.code for r, keep in zip(rows, ok, strict=True) if not keep),
    )


def per_code_report(
    codings_by_coder: Mapping[str, CodeSets],
    units: Sequence[Hashable],
    level: str | Distance = "nominal",
    *,
    codes: Sequence[str] | None = None,
    missing_as_absent: bool = True,
) -> PerCodeReport:
    """Present/absent agreement per code, plus pooled and averaged figures.

    Args:
        codings_by_coder: ``{coder: {unit: set of codes applied}}``; a single
            string counts as one code. Two or more coders.
        units: every unit the coders were asked to code (ids, unique).
        level: the alpha level (binary data give the same alpha at every level).
        codes: the codes to analyse, e.g. the whole codebook; defaults to the
            codes anybody applied. Codes nobody applied get undefined kappa
            and alpha (NaN, flagged) and weight 0.
        missing_as_absent: see :func:`presence_array`.

    Returns:
        A :class:`PerCodeReport`.

    Raises:
        GtcodeError: E602 for fewer than 2 coders, no or duplicate units, or
            unknown units/codes; E601 when no unit was coded by two coders or
            no code was applied and none was listed.
    """
    name = check_level(level)
    if len(codings_by_coder) < 2:
        raise GtcodeError(
            "E602", f"per-code agreement needs at least 2 coders, got {len(codings_by_coder)}."
        )
    if not units or len(set(units)) != len(units):
        raise GtcodeError("E602", "the list of units must be non-empty and hold each unit once.")
    code_list = _collect_codes(codings_by_coder, codes)
    presence = presence_array(
        codings_by_coder, units, code_list, missing_as_absent=missing_as_absent
    )
    require_pairable(CodedData((0, 1), presence[0]), "per-code agreement")
    rows = tuple(_code_row(c, presence[i], level) for i, c in enumerate(code_list))
    stacked = CodedData((0, 1), presence.reshape(-1, presence.shape[2]))
    pa, kappa, alpha, _, _ = _figures(stacked, level)
    return PerCodeReport(
        coders=tuple(codings_by_coder),
        n_units=len(units),
        level=name,
        kappa_kind="cohen" if len(codings_by_coder) == 2 else "fleiss",
        codes=rows,
        pooled=OverallAgreement("pooled", pa, kappa, alpha, len(rows)),
        unweighted_mean=_mean(rows, weighted=False),
        weighted_mean=_mean(rows, weighted=True),
    )
