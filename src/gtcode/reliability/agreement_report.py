"""One call for a whole agreement report, and the registry of coefficients.

:func:`agreement_report` computes every coefficient gtcode reports for a
units x coders matrix; :func:`report_from_csv` does the same for a CSV table.
``AgreementReport.to_dict()`` is what ``gtcode agree TABLE.csv --json`` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gtcode.errors import GtcodeError
from gtcode.reliability.coded_data import (
    CodedData,
    Label,
    Matrix,
    code_matrix,
    require_pairable,
)
from gtcode.reliability.coefficients import (
    ChanceCorrected,
    brennan_prediger,
    gwet_ac1,
    json_float,
    percent_agreement,
    scott_pi,
)
from gtcode.reliability.cohen import (
    PairwiseKappa,
    cohen_kappa,
    mean_pairwise_cohen_kappa,
)
from gtcode.reliability.fleiss import FleissResult, fleiss_kappa
from gtcode.reliability.holsti import HolstiResult, holsti
from gtcode.reliability.krippendorff import (
    AlphaResult,
    Distance,
    check_level,
    krippendorff_alpha,
)
from gtcode.reliability.table import read_reliability_csv

#: Coefficients by name; each takes a units x coders matrix.
COEFFICIENTS: dict[str, Callable[..., Any]] = {
    "percent_agreement": percent_agreement,
    "cohen_kappa": cohen_kappa,
    "mean_pairwise_cohen_kappa": mean_pairwise_cohen_kappa,
    "scott_pi": scott_pi,
    "brennan_prediger": brennan_prediger,
    "gwet_ac1": gwet_ac1,
    "fleiss_kappa": fleiss_kappa,
    "krippendorff_alpha": krippendorff_alpha,
    "holsti": holsti,
}


def get_coefficient(name: str) -> Callable[..., Any]:
    """Look a coefficient up by name.

    Raises:
        GtcodeError: E112 naming the valid coefficients when ``name`` is unknown.
    """
    try:
        return COEFFICIENTS[name]
    except KeyError:
        raise GtcodeError(
            "E112",
            f"unknown agreement coefficient {name!r}.",
            hint="use one of: " + ", ".join(COEFFICIENTS),
        ) from None


def _label(label: Label) -> Any:
    return label if isinstance(label, (str, int, float)) else str(label)


@dataclass(frozen=True)
class AgreementReport:
    """Every coefficient for one reliability-data matrix.

    Attributes:
        coders: coder names, in column order.
        level: the alpha level (the other coefficients are nominal).
        n_units: units (rows), pairable or not.
        n_pairable_units: units coded by two or more coders.
        n_coders: number of coders.
        categories: the categories, sorted (or as given).
        percent_agreement: mean pairwise agreement, 0-1.
        cohen_kappa: two coders only, else ``None``.
        mean_pairwise_cohen_kappa: Light's mean over pairs; three or more
            coders only, else ``None``.
        fleiss_kappa, scott_pi, brennan_prediger, gwet_ac1,
        krippendorff_alpha, holsti: the coefficients with their parts.
        notes: plain-language remarks (ignored units, undefined values).
    """

    coders: tuple[str, ...]
    level: str
    n_units: int
    n_pairable_units: int
    n_coders: int
    categories: tuple[Label, ...]
    percent_agreement: float
    cohen_kappa: ChanceCorrected | None
    mean_pairwise_cohen_kappa: PairwiseKappa | None
    fleiss_kappa: FleissResult
    scott_pi: ChanceCorrected
    brennan_prediger: ChanceCorrected
    gwet_ac1: ChanceCorrected
    krippendorff_alpha: AlphaResult
    holsti: HolstiResult
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: headline values at the top, parts under ``details``."""
        pairs = self.mean_pairwise_cohen_kappa
        holsti_dict = self.holsti.to_dict()
        for pair in holsti_dict["pairs"]:
            pair["coders"] = [self.coders[i] for i in pair["coders"]]
        return {
            "coders": list(self.coders),
            "level": self.level,
            "n_units": self.n_units,
            "n_pairable_units": self.n_pairable_units,
            "n_coders": self.n_coders,
            "n_pairable_values": self.krippendorff_alpha.n_pairable,
            "categories": [_label(c) for c in self.categories],
            "percent_agreement": json_float(self.percent_agreement),
            "cohen_kappa": json_float(self.cohen_kappa.value) if self.cohen_kappa else None,
            "mean_pairwise_cohen_kappa": json_float(pairs.value) if pairs else None,
            "fleiss_kappa": json_float(self.fleiss_kappa.value),
            "scott_pi": json_float(self.scott_pi.value),
            "brennan_prediger": json_float(self.brennan_prediger.value),
            "gwet_ac1": json_float(self.gwet_ac1.value),
            "krippendorff_alpha": json_float(self.krippendorff_alpha.value),
            "alpha_verdict": self.krippendorff_alpha.verdict,
            "holsti": holsti_dict,
            "details": self._details(),
            "notes": list(self.notes),
        }

    def _details(self) -> dict[str, Any]:
        details: dict[str, Any] = {
            "krippendorff_alpha": self.krippendorff_alpha.to_dict(),
            "fleiss_kappa": self.fleiss_kappa.to_dict(),
            "scott_pi": self.scott_pi.to_dict(),
            "brennan_prediger": self.brennan_prediger.to_dict(),
            "gwet_ac1": self.gwet_ac1.to_dict(),
        }
        if self.cohen_kappa:
            details["cohen_kappa"] = self.cohen_kappa.to_dict()
        if self.mean_pairwise_cohen_kappa:
            pairs = self.mean_pairwise_cohen_kappa.to_dict()
            for pair in pairs["pairs"]:
                pair["coders"] = [self.coders[i] for i in pair["coders"]]
            details["mean_pairwise_cohen_kappa"] = pairs
        return details


def _coder_names(coders: Sequence[str] | None, n_coders: int) -> tuple[str, ...]:
    if coders is None:
        return tuple(f"coder {i}" for i in range(1, n_coders + 1))
    names = tuple(str(c) for c in coders)
    if len(names) != n_coders or len(set(names)) != len(names):
        raise GtcodeError(
            "E602", f"give {n_coders} distinct coder names, one per column; got {len(names)}."
        )
    return names


def _notes(
    data: CodedData, alpha: AlphaResult, fleiss: FleissResult, level: str
) -> tuple[str, ...]:
    notes = []
    single = int(((data.codes >= 0).sum(axis=1) < 2).sum())
    if single:
        notes.append(
            f"{single} unit(s) coded by fewer than two coders were ignored (not pairable)."
        )
    if not alpha.defined:
        notes.append(f"Krippendorff's alpha: {alpha.note}.")
    if not fleiss.complete:
        notes.append(
            "missing values: percent agreement and the kappa-type coefficients "
            "weight units by their number of values."
        )
    if level != "nominal":
        notes.append(
            f"only Krippendorff's alpha uses the {level} level; the other coefficients are nominal."
        )
    if data.n_coders > 2:
        notes.append(
            "Cohen's kappa compares two coders; "
            "mean_pairwise_cohen_kappa is the mean over coder pairs."
        )
    return tuple(notes)


def agreement_report(
    matrix: Matrix,
    coders: Sequence[str] | None = None,
    level: str | Distance = "nominal",
    *,
    categories: Sequence[Label] | None = None,
) -> AgreementReport:
    """Compute every agreement coefficient for a units x coders matrix.

    Args:
        matrix: one row per unit, one cell per coder; ``None``/NaN = missing.
        coders: coder names, one per column; default ``"coder 1"``, ...
        level: Krippendorff's alpha level: ``"nominal"``, ``"ordinal"``,
            ``"interval"``, ``"ratio"`` or a function ``d2(c, k)``.
        categories: all categories in order (sets ``q`` for Brennan-Prediger
            and Gwet, and the ranks for ordinal alpha).

    Returns:
        An :class:`AgreementReport`; undefined coefficients are NaN and noted.

    Raises:
        GtcodeError: E602 for malformed data or coder names, E601 when no unit
            was coded by two coders, E112 for an unknown level.
    """
    name = check_level(level)
    data = code_matrix(matrix, categories)
    names = _coder_names(coders, data.n_coders)
    require_pairable(data, "an agreement report")
    alpha = krippendorff_alpha(data, level, categories=categories)
    fleiss = fleiss_kappa(data)
    return AgreementReport(
        coders=names,
        level=name,
        n_units=data.n_units,
        n_pairable_units=int(data.pairable().sum()),
        n_coders=data.n_coders,
        categories=data.categories,
        percent_agreement=percent_agreement(data),
        cohen_kappa=cohen_kappa(data) if data.n_coders == 2 else None,
        mean_pairwise_cohen_kappa=mean_pairwise_cohen_kappa(data) if data.n_coders > 2 else None,
        fleiss_kappa=fleiss,
        scott_pi=scott_pi(data),
        brennan_prediger=brennan_prediger(data),
        gwet_ac1=gwet_ac1(data),
        krippendorff_alpha=alpha,
        holsti=holsti(data),
        notes=_notes(data, alpha, fleiss, name),
    )


def report_from_csv(
    path: str | Path,
    level: str | Distance = "nominal",
    *,
    categories: Sequence[Label] | None = None,
    delimiter: str | None = None,
) -> AgreementReport:
    """Read a reliability-data CSV table and compute the full report.

    Args:
        path: the table (format in :mod:`gtcode.reliability.table`).
        level: the alpha level.
        categories: all categories in order (see :func:`agreement_report`).
        delimiter: column separator; detected when ``None``.

    Raises:
        GtcodeError: as :func:`read_reliability_csv` and :func:`agreement_report`.
    """
    table = read_reliability_csv(path, delimiter=delimiter)
    return agreement_report(table.matrix, table.coders, level, categories=categories)
