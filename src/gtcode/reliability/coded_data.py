"""Reliability data: validating a units x coders matrix and coding it as integers.

Every coefficient in :mod:`gtcode.reliability` takes the same input, a
*reliability-data matrix*: one row per unit (a segment, a paragraph, a
question-answer turn), one column per coder, each cell a category label
(a string or a number) or a missing value (``None`` or NaN). Note that this is
the transpose of the ``krippendorff`` package's coders-as-rows layout.

:func:`code_matrix` checks the shape once and turns the labels into integer
indices into a sorted tuple of categories, so that the coefficients work on
numpy arrays and never compare labels again.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from gtcode.errors import GtcodeError

#: A category label: ``"present"``, ``3``, ``2.5``.
Label: TypeAlias = Hashable
#: Units x coders; ``None`` or NaN marks a missing value.
Matrix: TypeAlias = Sequence[Sequence[Any]]

MISSING = -1


def is_missing(value: Any) -> bool:
    """Whether a cell is a missing value (``None``, a float NaN, pandas NA/NaT)."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    # pandas' NA and NaT, recognised without importing pandas.
    return type(value).__name__ in ("NAType", "NaTType")


def sort_key(label: Any) -> tuple[int, Any]:
    """Order labels: numbers by value first, then everything else as text."""
    if isinstance(label, (int, float, np.integer, np.floating)) and not isinstance(label, bool):
        return (0, float(label))
    return (1, str(label))


@dataclass(frozen=True)
class CodedData:
    """A validated reliability-data matrix with labels replaced by integers.

    Attributes:
        categories: the category labels, in sorted order (or the order given).
        codes: ``units x coders`` integer array; ``codes[u, c]`` indexes
            ``categories``, and ``-1`` marks a missing value.
    """

    categories: tuple[Label, ...]
    codes: np.ndarray

    @property
    def n_units(self) -> int:
        """Number of units (rows), pairable or not."""
        return int(self.codes.shape[0])

    @property
    def n_coders(self) -> int:
        """Number of coders (columns)."""
        return int(self.codes.shape[1])

    def counts(self) -> np.ndarray:
        """``units x categories`` array: how many coders put unit u in category c."""
        n_cat = len(self.categories)
        out = np.zeros((self.n_units, n_cat), dtype=float)
        units, coders = np.nonzero(self.codes != MISSING)
        np.add.at(out, (units, self.codes[units, coders]), 1.0)
        return out

    def values_per_unit(self) -> np.ndarray:
        """How many coders coded each unit (``m_u``)."""
        return (self.codes != MISSING).sum(axis=1)

    def pairable(self) -> np.ndarray:
        """Boolean mask of units with at least two values (the only usable ones)."""
        return self.values_per_unit() >= 2


def _rows(matrix: Matrix) -> list[list[Any]]:
    if isinstance(matrix, np.ndarray):
        if matrix.ndim != 2:
            raise GtcodeError("E602", f"reliability data must be a 2-D table, got {matrix.ndim}-D.")
        return [
            [cell.item() if isinstance(cell, np.generic) else cell for cell in row]
            for row in matrix
        ]
    if isinstance(matrix, (str, bytes)) or not isinstance(matrix, Sequence):
        raise GtcodeError("E602", "reliability data must be a list of rows (units x coders).")
    rows = []
    for i, row in enumerate(matrix, start=1):
        if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
            raise GtcodeError(
                "E602", "each unit must be a row of values, one per coder.", where=f"unit {i}"
            )
        rows.append(list(row))
    return rows


def _check_shape(rows: list[list[Any]], min_coders: int) -> int:
    if not rows:
        raise GtcodeError("E602", "reliability data holds no units.", hint="give at least one row")
    n_coders = len(rows[0])
    for i, row in enumerate(rows, start=1):
        if len(row) != n_coders:
            raise GtcodeError(
                "E602",
                f"unit {i} has {len(row)} values but unit 1 has {n_coders}; "
                "every unit needs one cell per coder.",
                where=f"unit {i}",
                hint="use None for a coder who did not code the unit",
            )
    if n_coders < min_coders:
        raise GtcodeError(
            "E602", f"reliability data needs at least {min_coders} coders, got {n_coders}."
        )
    return n_coders


def _index(categories: Sequence[Label] | None, rows: list[list[Any]]) -> dict[Any, int]:
    if categories is None:
        seen = set()
        for i, row in enumerate(rows, start=1):
            for j, cell in enumerate(row, start=1):
                if not is_missing(cell):
                    _check_hashable(cell, i, j)
                    seen.add(cell)
        categories = sorted(seen, key=sort_key)
    index: dict[Any, int] = {}
    for label in categories:
        if is_missing(label):
            raise GtcodeError("E602", "the list of categories contains a missing value.")
        index.setdefault(label, len(index))
    return index


def _check_hashable(cell: Any, unit: int, coder: int) -> None:
    try:
        hash(cell)
    except TypeError:
        raise GtcodeError(
            "E602",
            f"a cell holds a {type(cell).__name__}, not a category label.",
            where=f"unit {unit}, coder {coder}",
            hint="cells must be strings or numbers",
        ) from None


def code_matrix(
    matrix: Matrix | CodedData,
    categories: Sequence[Label] | None = None,
    *,
    min_coders: int = 2,
) -> CodedData:
    """Validate a units x coders matrix and code its labels as integers.

    Args:
        matrix: one row per unit, one cell per coder; ``None``/NaN = missing.
            A :class:`CodedData` is returned unchanged.
        categories: the full list of categories, in order. Defaults to the
            labels seen, sorted (numbers by value, then text). Give it when the
            order matters (ordinal data with text labels) or when categories
            nobody used should count (Brennan-Prediger's ``q``).
        min_coders: fewest columns accepted.

    Returns:
        The coded data.

    Raises:
        GtcodeError: E602 when the matrix is empty, ragged, has too few coders,
            or holds a value outside ``categories``.
    """
    if isinstance(matrix, CodedData):
        return matrix
    rows = _rows(matrix)
    n_coders = _check_shape(rows, min_coders)
    index = _index(categories, rows)
    codes = np.full((len(rows), n_coders), MISSING, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if is_missing(cell):
                continue
            _check_hashable(cell, i + 1, j + 1)
            if cell not in index:
                raise GtcodeError(
                    "E602",
                    f"value {cell!r} is not one of the {len(index)} categories given.",
                    where=f"unit {i + 1}, coder {j + 1}",
                    hint="add it to categories or correct the cell",
                )
            codes[i, j] = index[cell]
    return CodedData(categories=tuple(index), codes=codes)


def require_pairable(data: CodedData, what: str) -> np.ndarray:
    """The mask of pairable units; E601 when there is none.

    Args:
        data: coded reliability data.
        what: the coefficient's name, for the message.

    Raises:
        GtcodeError: E601 when no unit was coded by two or more coders.
    """
    mask = data.pairable()
    if not mask.any():
        raise GtcodeError(
            "E601",
            f"{what} needs at least one unit coded by two or more coders; none was.",
            hint="have the coders code the same units",
        )
    return mask


def count_table(counts: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Validate a units x categories table of counts (E602 if malformed)."""
    try:
        arr = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise GtcodeError(
            "E602", "a count table must be rows of numbers (units x categories)."
        ) from None
    if arr.ndim != 2 or arr.size == 0:
        raise GtcodeError(
            "E602", f"a count table must be a non-empty 2-D table; got shape {arr.shape}."
        )
    if not np.isfinite(arr).all() or (arr < 0).any() or not np.allclose(arr, np.round(arr)):
        raise GtcodeError("E602", "a count table must hold non-negative whole numbers.")
    return arr


def pairable_count_table(counts: Sequence[Sequence[float]] | np.ndarray,
                    categories: Sequence[Label] | None, *, columns: str, needs: str
                    ) -> tuple[np.ndarray, np.ndarray, tuple]:
    """A validated count table cut to the units with two or more values.

    Args:
        counts: units x categories counts (see :func:`count_table`).
        categories: the column labels; ``0, 1, ...`` when None.
        columns: what a column is, for the message ("category", "value").
        needs: the sentence for E601, naming the coefficient.

    Returns:
        (the kept rows, their row sums, the labels).

    Raises:
        GtcodeError: E602 for a malformed table or wrong labels, E601 (with
            ``needs``) when no row sums to 2 or more.
    """
    arr = count_table(counts)
    labels = tuple(categories) if categories is not None else tuple(range(arr.shape[1]))
    if len(labels) != arr.shape[1]:
        raise GtcodeError(
            "E602", f"the table has {arr.shape[1]} {columns} columns but {len(labels)} labels."
        )
    m = arr.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        raise GtcodeError("E601", needs)
    return arr[keep], m[keep], labels

