"""Two-coder coefficients: Cohen's kappa, weighted kappa and contingency tables.

Cohen's kappa is defined for exactly two coders, on the units both coded;
``P_e = sum_k p_k. p_.k`` uses each coder's own marginals. For more coders,
:func:`mean_pairwise_cohen_kappa` gives the mean over coder pairs (Light's
kappa), labelled as such. :func:`table_to_matrix` turns a published
contingency table into a units x 2 matrix so that every coefficient, alpha
included, can be computed from it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gtcode.errors import GtcodeError
from gtcode.reliability.coded_data import (
    MISSING,
    CodedData,
    Label,
    Matrix,
    code_matrix,
    require_pairable,
)
from gtcode.reliability.coefficients import (
    ChanceCorrected,
    chance_corrected,
    json_float,
)


def contingency_table(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> tuple[np.ndarray, tuple[Label, ...]]:
    """Two coders' contingency table over the units both coded.

    Args:
        matrix: units x 2 coders.
        categories: optional list of categories (rows and columns, in order).

    Returns:
        ``(table, categories)``: ``table[k, l]`` counts units coder 1 put in
        ``categories[k]`` and coder 2 in ``categories[l]``.

    Raises:
        GtcodeError: E602 unless there are exactly two coders.
    """
    data = code_matrix(matrix, categories)
    if data.n_coders != 2:
        raise GtcodeError(
            "E602",
            f"Cohen's kappa compares exactly two coders; the data have {data.n_coders}.",
            hint="use fleiss_kappa, krippendorff_alpha or mean_pairwise_cohen_kappa",
        )
    require_pairable(data, "Cohen's kappa")
    both = (data.codes != MISSING).all(axis=1)
    q = len(data.categories)
    table = np.zeros((q, q), dtype=float)
    np.add.at(table, (data.codes[both, 0], data.codes[both, 1]), 1.0)
    return table, data.categories


def table_to_matrix(
    table: Sequence[Sequence[float]] | np.ndarray, categories: Sequence[Label] | None = None
) -> list[list[Label]]:
    """Expand a two-coder contingency table into a units x 2 matrix.

    Args:
        table: square table of counts; rows = coder 1, columns = coder 2.
        categories: labels of rows/columns; defaults to ``0, 1, ...``.

    Returns:
        One ``[label_1, label_2]`` row per counted unit, so every coefficient
        (including Krippendorff's alpha) can be computed from a published table.
    """
    arr = _square_table(table)
    labels = list(categories) if categories is not None else list(range(arr.shape[0]))
    if len(labels) != arr.shape[0]:
        raise GtcodeError(
            "E602", f"the table has {arr.shape[0]} categories but {len(labels)} labels were given."
        )
    if not np.allclose(arr, np.round(arr)):
        raise GtcodeError("E602", "a table expanded into units must hold whole counts.")
    rows: list[list[Label]] = []
    for row, col in itertools.product(range(arr.shape[0]), repeat=2):
        rows.extend([labels[row], labels[col]] for _ in range(int(round(arr[row, col]))))
    return rows


def _square_table(table: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    try:
        arr = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise GtcodeError("E602", "a contingency table must be a square table of counts.") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise GtcodeError("E602", f"a contingency table must be square; got shape {arr.shape}.")
    if (arr < 0).any() or not np.isfinite(arr).all():
        raise GtcodeError("E602", "a contingency table must hold non-negative, finite counts.")
    if arr.sum() <= 0:
        raise GtcodeError(
            "E601", "the contingency table is empty: no unit was coded by both coders."
        )
    return arr


def cohen_kappa_from_table(table: Sequence[Sequence[float]] | np.ndarray) -> ChanceCorrected:
    """Cohen's kappa from a square contingency table (counts or proportions).

    ``P_o = sum_k p_kk``; ``P_e = sum_k p_k. * p_.k`` (each coder's own marginals).

    Args:
        table: rows = coder 1's categories, columns = coder 2's, same order.

    Raises:
        GtcodeError: E602 if not square or negative, E601 if empty.
    """
    arr = _square_table(table)
    p = arr / arr.sum()
    p_e = float(p.sum(axis=1) @ p.sum(axis=0))
    return chance_corrected("cohen_kappa", float(np.trace(p)), p_e, int(round(arr.sum())))


def cohen_kappa(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> ChanceCorrected:
    """Cohen's (1960) kappa for exactly two coders, on the units both coded.

    Args:
        matrix: units x 2 coders; ``None``/NaN = missing.
        categories: optional list of categories.

    Raises:
        GtcodeError: E602 unless exactly two coders; E601 if no unit was
            coded by both.
    """
    table, _ = contingency_table(matrix, categories=categories)
    return cohen_kappa_from_table(table)


def weighted_kappa_from_table(
    table: Sequence[Sequence[float]] | np.ndarray,
    weights: str | Sequence[Sequence[float]] = "linear",
) -> ChanceCorrected:
    """Weighted kappa ``1 - sum w p_kl / sum w p_k. p_.l`` (Cohen 1968).

    Args:
        table: square contingency table, categories in their natural order.
        weights: ``"linear"`` (``|k-l|``), ``"quadratic"`` (``(k-l)**2``) or a
            square matrix of disagreement weights (0 on the diagonal).

    Returns:
        ``observed`` and ``expected`` are reported as agreements
        ``1 - D / max(w)``, so that ``value = (P_o - P_e) / (1 - P_e)`` holds.

    Raises:
        GtcodeError: E602 for a bad table or weights; E112 for an unknown name.
    """
    arr = _square_table(table)
    w = _weights(weights, arr.shape[0])
    p = arr / arr.sum()
    d_o = float((w * p).sum())
    d_e = float((w * np.outer(p.sum(axis=1), p.sum(axis=0))).sum())
    scale = float(w.max()) or 1.0
    return chance_corrected(
        "weighted_kappa", 1.0 - d_o / scale, 1.0 - d_e / scale, int(round(arr.sum()))
    )


def _weights(weights: str | Sequence[Sequence[float]], q: int) -> np.ndarray:
    k = np.arange(q, dtype=float)
    if isinstance(weights, str):
        if weights == "linear":
            return np.abs(k[:, None] - k[None, :])
        if weights == "quadratic":
            return (k[:, None] - k[None, :]) ** 2
        raise GtcodeError(
            "E112",
            f"unknown kappa weights {weights!r}.",
            hint="use 'linear', 'quadratic' or a matrix",
        )
    w = np.asarray(weights, dtype=float)
    if w.shape != (q, q) or (w < 0).any():
        raise GtcodeError("E602", f"weights must be a non-negative {q} x {q} matrix.")
    return w


@dataclass(frozen=True)
class PairwiseKappa:
    """Mean of Cohen's kappa over all coder pairs (Light's kappa).

    Attributes:
        value: the mean over pairs whose kappa is defined; NaN if none.
        pairs: ``(coder_i, coder_j, kappa)`` for every pair (0-based indices).
        n_pairs: pairs in the mean.
        note: why pairs were left out, or ``None``.
    """

    value: float
    pairs: tuple[tuple[int, int, float], ...]
    n_pairs: int
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "value": json_float(self.value),
            "pairs": [{"coders": [i, j], "kappa": json_float(k)} for i, j, k in self.pairs],
            "n_pairs": self.n_pairs,
            "note": self.note,
        }


def mean_pairwise_cohen_kappa(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> PairwiseKappa:
    """Mean pairwise Cohen's kappa (Light 1971), for two or more coders.

    Each pair uses the units both coders coded. Pairs with no common unit or
    an undefined kappa are left out of the mean and reported as NaN.

    Raises:
        GtcodeError: E602 for malformed data, E601 when no unit is pairable.
    """
    data = code_matrix(matrix, categories)
    require_pairable(data, "mean pairwise Cohen's kappa")
    pairs = []
    for i, j in itertools.combinations(range(data.n_coders), 2):
        sub = CodedData(data.categories, data.codes[:, [i, j]])
        if not sub.pairable().any():
            pairs.append((i, j, math.nan))
            continue
        pairs.append((i, j, cohen_kappa(sub).value))
    defined = [k for _, _, k in pairs if not math.isnan(k)]
    value = float(np.mean(defined)) if defined else math.nan
    left_out = len(pairs) - len(defined)
    note = (
        f"{left_out} coder pair(s) without common units or with undefined kappa left out"
        if left_out
        else None
    )
    return PairwiseKappa(value, tuple(pairs), len(defined), note)
