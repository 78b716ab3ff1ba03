"""Fleiss' kappa for any number of coders, overall and per category.

Fleiss (1971) assumes every unit was rated by the same number ``m`` of
raters. gtcode accepts missing values with the convention used throughout
this package: units with fewer than two values are ignored, and units are
weighted by their number of values ``m_u``::

    P_o   = sum_u sum_j n_uj (n_uj - 1) / (m_u - 1)  /  n,     n = sum_u m_u
    p_j   = sum_u n_uj / n
    P_e   = sum_j p_j**2
    kappa = (P_o - P_e) / (1 - P_e)
    kappa_j = 1 - [sum_u n_uj (m_u - n_uj) / (m_u - 1)] / (n p_j (1 - p_j))

With complete data (every ``m_u = m``) these are exactly Fleiss' formulas
(``P-bar``, ``P-bar_e`` and the category kappas); ``complete`` says which case
applied. The overall value equals the multi-coder :func:`scott_pi`, of which
Fleiss' kappa is the generalisation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gtcode.reliability.coded_data import (
    CodedData,
    Label,
    Matrix,
    code_matrix,
    pairable_count_table,
)
from gtcode.reliability.coefficients import (
    UNDEFINED_NOTE,
    json_float,
    observed_agreement,
    pairable_counts,
)


@dataclass(frozen=True)
class FleissResult:
    """Fleiss' kappa and its parts.

    Attributes:
        value: kappa; NaN when undefined (one category only).
        observed: ``P_o`` (Fleiss' P-bar).
        expected: ``P_e`` (Fleiss' P-bar_e).
        n_units: pairable units used.
        raters_per_unit: ``m`` when constant, else ``None``.
        complete: True when every pairable unit had the same number of values.
        categories: the category labels, in order.
        proportions: ``p_j`` per category.
        per_category: ``kappa_j`` per category (NaN when ``p_j`` is 0 or 1).
        defined: False when the overall kappa is 0/0.
        note: why the value is undefined, or ``None``.
    """

    value: float
    observed: float
    expected: float
    n_units: int
    raters_per_unit: int | None
    complete: bool
    categories: tuple[Label, ...]
    proportions: tuple[float, ...]
    per_category: tuple[float, ...]
    defined: bool = True
    note: str | None = field(default=None)

    def __float__(self) -> float:
        return self.value

    def category_kappa(self, label: Label) -> float:
        """``kappa_j`` of one category label."""
        return self.per_category[self.categories.index(label)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; categories become strings keyed in order."""
        return {
            "value": json_float(self.value),
            "observed": json_float(self.observed),
            "expected": json_float(self.expected),
            "n_units": self.n_units,
            "raters_per_unit": self.raters_per_unit,
            "complete": self.complete,
            "categories": [
                {"category": _plain(c), "proportion": json_float(p), "kappa": json_float(k)}
                for c, p, k in zip(
                    self.categories, self.proportions, self.per_category, strict=True
                )
            ],
            "defined": self.defined,
            "note": self.note,
        }


def _plain(label: Label) -> Any:
    return label if isinstance(label, (str, int, float, bool)) else str(label)


def _from_counts(counts: np.ndarray, m: np.ndarray, categories: tuple[Label, ...]) -> FleissResult:
    n = m.sum()
    p_o = observed_agreement(counts, m)
    p = counts.sum(axis=0) / n
    p_e = float((p**2).sum())
    spread = (counts * (m[:, None] - counts) / (m[:, None] - 1.0)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_cat = np.where(p * (1 - p) > 0, 1.0 - spread / (n * p * (1 - p)), math.nan)
    complete = bool((m == m[0]).all())
    defined = 1.0 - p_e > 1e-12
    value = (p_o - p_e) / (1.0 - p_e) if defined else math.nan
    return FleissResult(
        value=float(value),
        observed=p_o,
        expected=p_e,
        n_units=int(len(m)),
        raters_per_unit=int(m[0]) if complete else None,
        complete=complete,
        categories=categories,
        proportions=tuple(float(x) for x in p),
        per_category=tuple(float(x) for x in per_cat),
        defined=defined,
        note=None if defined else UNDEFINED_NOTE,
    )


def fleiss_kappa(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> FleissResult:
    """Fleiss' (1971) kappa from a units x coders matrix.

    Args:
        matrix: units x coders (any number >= 2); ``None``/NaN = missing.
        categories: optional list of categories, in the order to report them.

    Returns:
        The overall kappa with ``P_o``, ``P_e`` and per-category kappas.

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable.
    """
    data = code_matrix(matrix, categories)
    counts, m = pairable_counts(data, "Fleiss' kappa")
    return _from_counts(counts, m, data.categories)


def fleiss_kappa_from_counts(
    counts: Sequence[Sequence[float]] | np.ndarray, *, categories: Sequence[Label] | None = None
) -> FleissResult:
    """Fleiss' kappa from a units x categories table of rater counts.

    This is the layout of Fleiss (1971) and of statsmodels' ``fleiss_kappa``:
    ``counts[u][j]`` raters put unit ``u`` in category ``j``.

    Args:
        counts: non-negative whole counts; rows summing to less than 2 are ignored.
        categories: labels of the columns; defaults to ``0, 1, ...``.

    Raises:
        GtcodeError: E602 for a malformed table, E601 when no row sums to 2+.
    """
    arr, m, labels = pairable_count_table(
        counts, categories, columns="category",
        needs="Fleiss' kappa needs at least one unit rated by two or more raters.")
    return _from_counts(arr, m, labels)
