"""Percent agreement, Scott's pi, Brennan-Prediger S and Gwet's AC1.

Definitions (see ``docs/methods.md``, "Intercoder agreement"):

* Only *pairable* units count: units that two or more coders coded. A unit
  with a single value carries no information about agreement and is ignored.
* **Percent agreement** with any number of coders is the mean pairwise
  agreement: in each pairable unit, the share of coder pairs that agree; the
  units are averaged with weights ``m_u`` (the number of coders who coded the
  unit). With complete data every unit has the same weight, so this is the
  plain mean over units and equals Fleiss' P-bar; with missing values it is
  Krippendorff's observed agreement ``sum_c o_cc / n`` (the DKPro convention).
* **Scott's pi**, **Brennan-Prediger S** and **Gwet's AC1** use that observed
  agreement and the category proportions pooled over all pairable values.
  With two coders they are the textbook coefficients; with more they are
  the multi-rater forms (Fleiss' kappa, Randolph's free-marginal kappa).
* **Cohen's kappa** (two coders only) lives in :mod:`gtcode.reliability.cohen`.

Undefined coefficients (chance agreement equal to 1, i.e. a single category
in use) are returned as NaN with ``defined=False`` and a note; data with no
pairable unit raise ``E601``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from gtcode.reliability.coded_data import (
    CodedData,
    Label,
    Matrix,
    code_matrix,
    require_pairable,
)

UNDEFINED_NOTE = (
    "chance agreement is 1 (a single category in use), so the coefficient is 0/0 and undefined"
)


def json_float(value: float | None) -> float | None:
    """A float fit for JSON: NaN and infinities become ``None``."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True)
class ChanceCorrected:
    """A chance-corrected coefficient ``(P_o - P_e) / (1 - P_e)``.

    Attributes:
        name: which coefficient (``"cohen_kappa"``, ``"scott_pi"``...).
        value: the coefficient; NaN when undefined.
        observed: observed agreement ``P_o`` (0-1).
        expected: chance agreement ``P_e`` (0-1).
        n_units: units that entered the computation.
        defined: False when ``1 - P_e`` is 0.
        note: why the value is undefined, or ``None``.
    """

    name: str
    value: float
    observed: float
    expected: float
    n_units: int
    defined: bool = True
    note: str | None = None

    def __float__(self) -> float:
        return self.value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; NaN becomes ``None``."""
        out = asdict(self)
        for key in ("value", "observed", "expected"):
            out[key] = json_float(out[key])
        return out


def chance_corrected(name: str, observed: float, expected: float, n_units: int) -> ChanceCorrected:
    """Build a :class:`ChanceCorrected`, flagging the 0/0 case."""
    if 1.0 - expected <= 1e-12:
        return ChanceCorrected(name, math.nan, observed, expected, n_units, False, UNDEFINED_NOTE)
    value = (observed - expected) / (1.0 - expected)
    return ChanceCorrected(name, float(value), float(observed), float(expected), n_units)


def pairable_counts(data: CodedData, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Category counts and ``m_u`` of the pairable units (E601 if none)."""
    mask = require_pairable(data, what)
    counts = data.counts()[mask]
    return counts, counts.sum(axis=1)


def observed_agreement(counts: np.ndarray, m: np.ndarray) -> float:
    """Mean pairwise agreement over units, weighted by ``m_u`` (see module doc)."""
    agreeing = (counts * (counts - 1.0)).sum(axis=1) / (m - 1.0)
    return float(agreeing.sum() / m.sum())


def percent_agreement(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> float:
    """Percent agreement (0-1) over pairable units, for any number of coders.

    With two coders this is the share of co-coded units on which they agree.
    With more, it is the mean pairwise agreement defined in the module doc.

    Args:
        matrix: units x coders; ``None``/NaN = missing.
        categories: optional list of categories (see :func:`code_matrix`).

    Returns:
        The proportion of agreement, 0-1.

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable.
    """
    counts, m = pairable_counts(code_matrix(matrix, categories), "percent agreement")
    return observed_agreement(counts, m)


_DISPLAY = {
    "scott_pi": "Scott's pi",
    "brennan_prediger": "Brennan-Prediger S",
    "gwet_ac1": "Gwet's AC1",
}


def _multi(
    name: str, matrix: Matrix | CodedData, categories: Sequence[Label] | None, kind: str
) -> ChanceCorrected:
    data = code_matrix(matrix, categories)
    counts, m = pairable_counts(data, _DISPLAY[name])
    p_o = observed_agreement(counts, m)
    pooled = counts.sum(axis=0) / m.sum()
    q = len(data.categories)
    if kind == "pi":
        p_e = float((pooled**2).sum())
    elif q < 2:
        p_e = 1.0
    elif kind == "s":
        p_e = 1.0 / q
    else:
        p_e = float((pooled * (1.0 - pooled)).sum() / (q - 1))
    return chance_corrected(name, p_o, p_e, int(len(m)))


def scott_pi(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> ChanceCorrected:
    """Scott's pi: chance from the category proportions pooled over coders.

    ``P_e = sum_k p_k**2``. With more than two coders this is Fleiss' kappa.

    Args:
        matrix: units x coders; ``None``/NaN = missing.
        categories: optional list of categories.

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable.
    """
    return _multi("scott_pi", matrix, categories, "pi")


def brennan_prediger(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> ChanceCorrected:
    """Brennan & Prediger's free-marginal kappa (Bennett's S): ``P_e = 1/q``.

    ``q`` is the number of categories: those given in ``categories``, else
    those that occur in the data. The value depends on ``q``, so pass the
    codebook's full list when categories may go unused. With more than two
    coders this is Randolph's free-marginal multirater kappa.

    Args:
        matrix: units x coders; ``None``/NaN = missing.
        categories: the full list of possible categories.

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable.
    """
    return _multi("brennan_prediger", matrix, categories, "s")


def gwet_ac1(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> ChanceCorrected:
    """Gwet's AC1: ``P_e = sum_k pi_k (1 - pi_k) / (q - 1)``.

    Resistant to the kappa paradox (skewed prevalence). ``pi_k`` are the pooled
    category proportions over pairable values; ``q`` as in
    :func:`brennan_prediger`.

    Args:
        matrix: units x coders; ``None``/NaN = missing.
        categories: the full list of possible categories.

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable.
    """
    return _multi("gwet_ac1", matrix, categories, "ac1")
