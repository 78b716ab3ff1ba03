"""Krippendorff's alpha for nominal, ordinal, interval and ratio data.

Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability":
only pairable values count (units coded by two or more coders), the
coincidence matrix is

    o_ck = sum_u (ordered c-k value pairs in unit u) / (m_u - 1),

``n_c = sum_k o_ck``, ``n = sum_c n_c`` and

    D_o = sum_ck o_ck d2(c, k) / n
    D_e = sum_ck n_c n_k d2(c, k) / (n (n - 1))
    alpha = 1 - D_o / D_e.

Undefined alpha: when all pairable values fall in one category, ``D_e = 0``
and alpha is 0/0. gtcode then returns ``value = NaN`` with ``defined=False``
and a note (the coders agree perfectly but the data cannot show that they
could have disagreed). Data with no pairable unit at all raise ``E601``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from gtcode.errors import GtcodeError
from gtcode.reliability.coded_data import (
    CodedData,
    Label,
    Matrix,
    code_matrix,
    pairable_count_table,
)
from gtcode.reliability.coefficients import json_float, pairable_counts

#: The metric levels alpha knows by name.
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
#: A custom squared difference function ``d2(c, k)`` on category labels.
Distance = Callable[[Label, Label], float]

#: Krippendorff (2004, p. 241): rely on alpha >= .800; .667 for tentative conclusions.
RELIABLE = 0.800
TENTATIVE = 0.667

UNDEFINED_ALPHA = "all pairable values are in one category, so D_e = 0 and alpha is 0/0 (undefined)"


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha and its parts.

    Attributes:
        value: alpha; NaN when undefined.
        level: ``"nominal"``, ``"ordinal"``, ``"interval"``, ``"ratio"`` or ``"custom"``.
        observed_disagreement: ``D_o``.
        expected_disagreement: ``D_e``.
        n_pairable: ``n``, the number of pairable values.
        n_units: the number of pairable units.
        defined: False when ``D_e`` is 0.
        note: why alpha is undefined, or ``None``.
    """

    value: float
    level: str
    observed_disagreement: float
    expected_disagreement: float
    n_pairable: int
    n_units: int
    defined: bool = True
    note: str | None = None

    def __float__(self) -> float:
        return self.value

    @property
    def verdict(self) -> str:
        """``"reliable"``, ``"tentative"``, ``"unreliable"`` or ``"undefined"``."""
        return alpha_verdict(self.value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; NaN becomes ``None``."""
        out = asdict(self)
        for key in ("value", "observed_disagreement", "expected_disagreement"):
            out[key] = json_float(out[key])
        out["verdict"] = self.verdict
        return out


def alpha_verdict(value: float) -> str:
    """Krippendorff's reading of an alpha value.

    Returns:
        ``"reliable"`` (>= .800), ``"tentative"`` (>= .667), ``"unreliable"``
        or ``"undefined"`` (NaN).
    """
    if math.isnan(value):
        return "undefined"
    if value >= RELIABLE:
        return "reliable"
    if value >= TENTATIVE:
        return "tentative"
    return "unreliable"


def coincidence_matrix(counts: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``o_ck`` from pairable units' category counts ``n_uc`` and sizes ``m_u``."""
    weighted = counts / (m - 1.0)[:, None]
    o = counts.T @ weighted
    o[np.diag_indices_from(o)] -= weighted.sum(axis=0)
    return o


def check_level(level: str | Distance) -> str:
    """The level's name (``"custom"`` for a function); E112 if unknown."""
    if callable(level):
        return "custom"
    if level not in LEVELS:
        raise GtcodeError(
            "E112", f"unknown level {level!r}.", hint="use one of: " + ", ".join(LEVELS)
        )
    return level


def _as_number(label: Label, level: str) -> float:
    try:
        if isinstance(label, bool):
            raise ValueError
        number = float(label.strip()) if isinstance(label, str) else float(label)
    except (TypeError, ValueError):
        raise GtcodeError(
            "E602",
            f"the {level} level needs numeric values; category {label!r} is not a number.",
            hint="use level 'nominal', or 'ordinal' with the categories listed in order",
        ) from None
    if not math.isfinite(number):
        raise GtcodeError("E602", f"category {label!r} is not a finite number.")
    return number


def _ordinal(n_c: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    perm = np.argsort(ranks, kind="stable")
    ns = n_c[perm]
    cs = np.cumsum(ns)
    idx = np.arange(len(ns))
    lo = np.minimum(idx[:, None], idx[None, :])
    hi = np.maximum(idx[:, None], idx[None, :])
    between = cs[hi] - cs[lo] + ns[lo]
    sorted_d2 = (between - (ns[:, None] + ns[None, :]) / 2.0) ** 2
    inv = np.argsort(perm)
    return sorted_d2[np.ix_(inv, inv)]


def difference_matrix(
    level: str | Distance, categories: Sequence[Label], n_c: np.ndarray, *, ordered: bool = False
) -> np.ndarray:
    """The squared differences ``d2(c, k)`` between all categories.

    Args:
        level: a name in :data:`LEVELS` or a function ``d2(c, k)``.
        categories: the category labels.
        n_c: the coincidence marginals (used by the ordinal metric).
        ordered: True when ``categories`` is in a meaningful order (given by
            the caller); ordinal data then use that order instead of numbers.

    Raises:
        GtcodeError: E112 for an unknown level; E602 for non-numeric values
            at the interval/ratio level, negative ratio values, or text labels
            at the ordinal level without an explicit order.
    """
    q = len(categories)
    name = check_level(level)
    if name == "custom":
        d2 = np.array([[float(level(c, k)) for k in categories] for c in categories])  # type: ignore[operator]
        if (d2 < 0).any() or not np.isfinite(d2).all():
            raise GtcodeError("E602", "a custom distance must return finite, non-negative numbers.")
        return d2
    if name == "nominal":
        return 1.0 - np.eye(q)
    if name == "ordinal":
        ranks = (
            np.arange(q, dtype=float)
            if ordered
            else np.array([_as_number(c, name) for c in categories])
        )
        return _ordinal(n_c, ranks)
    values = np.array([_as_number(c, name) for c in categories])
    diff = values[:, None] - values[None, :]
    if name == "interval":
        return diff**2
    if (values < 0).any():
        raise GtcodeError(
            "E602", "the ratio level needs non-negative values (a ratio scale has a true zero)."
        )
    total = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (diff / np.where(total > 0, total, 1.0)) ** 2, 0.0)


def _alpha(
    counts: np.ndarray,
    m: np.ndarray,
    categories: Sequence[Label],
    level: str | Distance,
    ordered: bool,
) -> AlphaResult:
    o = coincidence_matrix(counts, m)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    d2 = difference_matrix(level, categories, n_c, ordered=ordered)
    d_o = float((o * d2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * d2).sum() / (n * (n - 1.0)))
    name = check_level(level)
    n_pairable = int(round(n))
    if d_e <= 0.0:
        return AlphaResult(
            math.nan, name, d_o, d_e, n_pairable, int(len(m)), False, UNDEFINED_ALPHA
        )
    return AlphaResult(1.0 - d_o / d_e, name, d_o, d_e, n_pairable, int(len(m)))


def krippendorff_alpha(
    matrix: Matrix | CodedData,
    level: str | Distance = "nominal",
    *,
    categories: Sequence[Label] | None = None,
) -> AlphaResult:
    """Krippendorff's alpha for a units x coders matrix with missing values.

    Args:
        matrix: units x coders (any number >= 2); ``None``/NaN = missing.
            Units with a single value are not pairable and are ignored.
        level: ``"nominal"``, ``"ordinal"``, ``"interval"``, ``"ratio"``, or
            a function ``d2(c, k)`` giving the squared difference of two labels.
            Interval and ratio need numbers (numeric strings are accepted);
            ordinal needs numbers or an ordered ``categories`` list.
        categories: all categories in order (the value domain). For the
            ordinal level this order defines the ranks.

    Returns:
        alpha with ``D_o``, ``D_e`` and the number of pairable values; alpha
        is NaN with ``defined=False`` when ``D_e`` is 0 (one category only).

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable,
            E112 for an unknown level.
    """
    check_level(level)
    data = code_matrix(matrix, categories)
    counts, m = pairable_counts(data, "Krippendorff's alpha")
    return _alpha(counts, m, data.categories, level, ordered=categories is not None)


def krippendorff_alpha_from_counts(
    value_counts: Sequence[Sequence[float]] | np.ndarray,
    level: str | Distance = "nominal",
    *,
    categories: Sequence[Label] | None = None,
) -> AlphaResult:
    """Krippendorff's alpha from a units x values table of counts.

    ``value_counts[u][c]`` coders gave unit ``u`` the value ``categories[c]``.

    Args:
        value_counts: non-negative whole counts; rows summing to < 2 are ignored.
        level: as in :func:`krippendorff_alpha`.
        categories: the column labels, in order; defaults to ``0, 1, ...``
            (which the ordinal, interval and ratio levels then read as numbers).

    Raises:
        GtcodeError: E602 for a malformed table, E601 when no row sums to 2+.
    """
    check_level(level)
    arr, m, labels = pairable_count_table(
        value_counts, categories, columns="value",
        needs="Krippendorff's alpha needs at least one unit with two or more values.")
    return _alpha(arr, m, labels, level, ordered=categories is not None)
