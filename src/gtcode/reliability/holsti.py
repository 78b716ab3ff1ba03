"""Holsti's coefficient of reliability and the composite reliability of n coders.

Holsti (1969) compares two coders who may have coded different numbers of
units: ``CR = 2M / (N1 + N2)``, with ``N1``, ``N2`` the units each coded and
``M`` the units both coded with the same category. When both coded the same
units it equals percent agreement.

Chinese content-analysis papers also print a composite reliability for
``n`` coders built from the mean pairwise agreement ``K``:
``R = n K / (1 + (n - 1) K)`` (a Spearman-Brown step-up). gtcode reports both
and labels them; neither corrects for chance.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gtcode.errors import GtcodeError
from gtcode.reliability.coded_data import MISSING, CodedData, Label, Matrix, code_matrix
from gtcode.reliability.coefficients import json_float


@dataclass(frozen=True)
class HolstiResult:
    """Holsti's pairwise CR and the composite reliability.

    Attributes:
        pairs: ``(coder_i, coder_j, CR_ij)`` for every coder pair (0-based);
            NaN when neither coder of the pair coded any unit.
        mean_pairwise: the mean of the defined ``CR_ij`` (the ``K`` above).
        composite: ``n K / (1 + (n - 1) K)`` with ``n`` coders.
        n_coders: number of coders ``n``.
    """

    pairs: tuple[tuple[int, int, float], ...]
    mean_pairwise: float
    composite: float
    n_coders: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "mean_pairwise": json_float(self.mean_pairwise),
            "composite": json_float(self.composite),
            "n_coders": self.n_coders,
            "pairs": [{"coders": [i, j], "cr": json_float(v)} for i, j, v in self.pairs],
        }


def holsti_pair(codes_i: np.ndarray, codes_j: np.ndarray) -> float:
    """``2M / (N1 + N2)`` for two coders' integer codes (``-1`` = not coded)."""
    n1 = int((codes_i != MISSING).sum())
    n2 = int((codes_j != MISSING).sum())
    if n1 + n2 == 0:
        return math.nan
    matches = int(((codes_i == codes_j) & (codes_i != MISSING)).sum())
    return 2.0 * matches / (n1 + n2)


def holsti_composite(mean_agreement: float, n_coders: int) -> float:
    """Composite reliability ``R = n K / (1 + (n - 1) K)``.

    Args:
        mean_agreement: the mean pairwise agreement ``K`` (0-1).
        n_coders: the number of coders ``n`` (2 or more).

    Raises:
        GtcodeError: E602 if ``n_coders`` < 2 or ``K`` is outside 0-1.
    """
    if n_coders < 2:
        raise GtcodeError(
            "E602", f"the composite reliability needs 2 or more coders, got {n_coders}."
        )
    if math.isnan(mean_agreement):
        return math.nan
    if not 0.0 <= mean_agreement <= 1.0:
        raise GtcodeError("E602", f"mean agreement must lie in 0-1, got {mean_agreement}.")
    return n_coders * mean_agreement / (1.0 + (n_coders - 1) * mean_agreement)


def holsti(
    matrix: Matrix | CodedData, *, categories: Sequence[Label] | None = None
) -> HolstiResult:
    """Holsti's CR for every coder pair, their mean and the composite R.

    Args:
        matrix: units x coders; ``None``/NaN = the coder did not code the unit.
        categories: optional list of categories.

    Raises:
        GtcodeError: E602 for malformed data; E601 when no coder pair has any
            coded unit.
    """
    data = code_matrix(matrix, categories)
    pairs = tuple(
        (i, j, holsti_pair(data.codes[:, i], data.codes[:, j]))
        for i, j in itertools.combinations(range(data.n_coders), 2)
    )
    defined = [v for _, _, v in pairs if not math.isnan(v)]
    if not defined:
        raise GtcodeError("E601", "Holsti's CR needs coded units; no coder coded any.")
    mean = float(np.mean(defined))
    return HolstiResult(pairs, mean, holsti_composite(mean, data.n_coders), data.n_coders)
