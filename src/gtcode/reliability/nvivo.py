"""NVivo's Coding Comparison, reproduced at character level.

NVivo (9-12) compares two coders (or coder groups) separately for every
combination of code (node) and source, counting characters:

* percentage agreement = (characters coded by both + coded by neither) / TU
* EF1 = |A| |B| / TU, EF2 = (TU - |A|)(TU - |B|) / TU
* K = (TA - (EF1 + EF2)) / (TU - (EF1 + EF2)), with TA the agreeing characters

which is Cohen's kappa on the 2 x 2 table of characters. When neither coder
coded anything (or both coded everything) K is 0/0 and NVivo shows 1;
gtcode does the same and sets ``zero_over_zero`` on the row. When exactly
one coder coded nothing, K is 0.

NVivo prints no overall figure. gtcode offers three, always labelled:
``unweighted`` (mean over rows), ``size_weighted`` (rows weighted by
source length TU) and ``pooled`` (one 2 x 2 table summed over all rows).

Coverage is given as half-open ``(start, end)`` character spans (0-based,
``end`` excluded), which may overlap, or as a set of character positions.
All arithmetic is on spans, never per character.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeAlias

import numpy as np

from gtcode.errors import GtcodeError
from gtcode.reliability.coefficients import json_float

Span: TypeAlias = tuple[int, int]
#: Spans ``[(start, end), ...]`` or a set of character positions.
Coverage: TypeAlias = Sequence[Span] | Set[int]


def _span_array(coverage: Coverage, length: int, where: str) -> np.ndarray:
    if isinstance(coverage, Set):
        pos = np.unique(np.fromiter(coverage, dtype=np.int64, count=len(coverage)))
        if pos.size == 0:
            return np.empty((0, 2), dtype=np.int64)
        breaks = np.flatnonzero(np.diff(pos) > 1)
        starts = pos[np.r_[0, breaks + 1]]
        ends = pos[np.r_[breaks, pos.size - 1]] + 1
        arr = np.column_stack([starts, ends])
    else:
        raw = list(coverage)
        try:
            arr = np.asarray(raw, dtype=np.int64) if raw else np.empty((0, 2), dtype=np.int64)
        except (TypeError, ValueError):
            arr = np.empty(0)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise GtcodeError(
                "E602", "coded spans must be (start, end) pairs of integers.", where=where
            )
    if arr.size and ((arr[:, 0] > arr[:, 1]).any() or arr.min() < 0 or arr.max() > length):
        raise GtcodeError(
            "E602",
            f"a coded span lies outside the source (0-{length}) or ends before it starts.",
            where=where,
            hint="spans are half-open (start, end) character offsets",
        )
    return arr


def merge_spans(spans: np.ndarray) -> np.ndarray:
    """Merge ``(start, end)`` rows into sorted, disjoint spans (vectorised)."""
    spans = spans[spans[:, 1] > spans[:, 0]]
    if spans.size == 0:
        return spans.reshape(0, 2)
    spans = spans[np.argsort(spans[:, 0], kind="stable")]
    reach = np.maximum.accumulate(spans[:, 1])
    new = np.r_[True, spans[1:, 0] > reach[:-1]]
    group_end = np.r_[np.flatnonzero(new)[1:] - 1, len(spans) - 1]
    return np.column_stack([spans[new, 0], reach[group_end]])


def covered(spans: np.ndarray) -> int:
    """Characters covered by spans (overlaps counted once)."""
    merged = merge_spans(spans)
    return int((merged[:, 1] - merged[:, 0]).sum())


@dataclass(frozen=True)
class NvivoRow:
    """One code x source row of a coding comparison.

    Attributes:
        code, source: what was compared.
        total: TU, the source length in characters.
        a_and_b, a_not_b, b_not_a, neither: the 2 x 2 character counts.
        percent_agreement: ``(a_and_b + neither) / total``, 0-1.
        kappa: NVivo's K (1 under the 0/0 convention).
        zero_over_zero: K was 0/0 and set to 1 (NVivo's convention).
        neither_coded: neither coder coded this code in this source.
        one_coded_nothing: exactly one coder coded nothing here (K = 0).
    """

    code: str
    source: str
    total: int
    a_and_b: int
    a_not_b: int
    b_not_a: int
    neither: int
    percent_agreement: float
    kappa: float
    zero_over_zero: bool
    neither_coded: bool
    one_coded_nothing: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def nvivo_kappa(
    a_and_b: float, a_not_b: float, b_not_a: float, neither: float
) -> tuple[float, bool]:
    """NVivo's K from the 2 x 2 counts, and whether the 0/0 convention applied.

    Returns:
        ``(K, zero_over_zero)``; K is 1.0 when the denominator is 0.
    """
    total = a_and_b + a_not_b + b_not_a + neither
    coded_a, coded_b = a_and_b + a_not_b, a_and_b + b_not_a
    expected = (coded_a * coded_b + (total - coded_a) * (total - coded_b)) / total
    denominator = total - expected
    if abs(denominator) <= 1e-9 * max(total, 1.0):
        return 1.0, True
    return (a_and_b + neither - expected) / denominator, False


def compare_spans(
    coverage_a: Coverage, coverage_b: Coverage, length: int, *, code: str = "", source: str = ""
) -> NvivoRow:
    """Compare two coders' coverage of one code in one source.

    Args:
        coverage_a: coder A's spans ``(start, end)`` (half-open) or positions.
        coverage_b: coder B's, likewise.
        length: the source length in characters (TU), > 0.
        code, source: labels copied into the row.

    Raises:
        GtcodeError: E602 for a non-positive length or a span outside the source.
    """
    where = f"code {code!r}, source {source!r}"
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length <= 0:
        raise GtcodeError(
            "E602", f"source length must be a positive whole number, got {length!r}.", where=where
        )
    a = _span_array(coverage_a, int(length), where)
    b = _span_array(coverage_b, int(length), where)
    size_a, size_b = covered(a), covered(b)
    both = size_a + size_b - covered(np.vstack([a, b]))
    neither = int(length) - size_a - size_b + both
    kappa, zero = nvivo_kappa(both, size_a - both, size_b - both, neither)
    return NvivoRow(
        code,
        source,
        int(length),
        both,
        size_a - both,
        size_b - both,
        neither,
        (both + neither) / length,
        float(kappa),
        zero,
        neither_coded=size_a == 0 and size_b == 0,
        one_coded_nothing=(size_a == 0) != (size_b == 0),
    )


@dataclass(frozen=True)
class NvivoAverage:
    """An overall figure over several rows, labelled by how it was made.

    Attributes:
        method: ``"unweighted"``, ``"size_weighted"`` or ``"pooled"``.
        percent_agreement: 0-1.
        kappa: the averaged (or pooled) K.
        n_rows: rows that entered.
        total: characters that entered (sum of TU).
        zero_over_zero: pooled only: the summed table was 0/0 (K set to 1).
    """

    method: str
    percent_agreement: float
    kappa: float
    n_rows: int
    total: int
    zero_over_zero: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        out = asdict(self)
        out["percent_agreement"] = json_float(self.percent_agreement)
        out["kappa"] = json_float(self.kappa)
        return out


@dataclass(frozen=True)
class NvivoComparison:
    """All rows of a coding comparison with three labelled overall figures.

    Attributes:
        rows: one per (code, source), in input order.
        unweighted: mean of the rows' K and agreement.
        size_weighted: means weighted by each row's TU.
        pooled: K and agreement of the summed 2 x 2 table.
        convention_rows: how rows with K set by the 0/0 convention were
            treated in the averages: ``"include"`` or ``"exclude"``.
        n_zero_over_zero: rows whose K was set to 1 by the convention.
    """

    rows: tuple[NvivoRow, ...]
    unweighted: NvivoAverage
    size_weighted: NvivoAverage
    pooled: NvivoAverage
    convention_rows: str
    n_zero_over_zero: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "rows": [row.to_dict() for row in self.rows],
            "unweighted": self.unweighted.to_dict(),
            "size_weighted": self.size_weighted.to_dict(),
            "pooled": self.pooled.to_dict(),
            "convention_rows": self.convention_rows,
            "n_zero_over_zero": self.n_zero_over_zero,
        }


def _averages(rows: Sequence[NvivoRow]) -> tuple[NvivoAverage, NvivoAverage, NvivoAverage]:
    if not rows:
        nan = math.nan
        return tuple(
            NvivoAverage(m, nan, nan, 0, 0) for m in ("unweighted", "size_weighted", "pooled")
        )  # type: ignore[return-value]
    kappa = np.array([r.kappa for r in rows])
    agree = np.array([r.percent_agreement for r in rows])
    size = np.array([r.total for r in rows], dtype=float)
    total = int(size.sum())
    cells = [sum(getattr(r, f) for r in rows) for f in ("a_and_b", "a_not_b", "b_not_a", "neither")]
    pooled_k, zero = nvivo_kappa(*cells)
    return (
        NvivoAverage("unweighted", float(agree.mean()), float(kappa.mean()), len(rows), total),
        NvivoAverage(
            "size_weighted",
            float(agree @ size / total),
            float(kappa @ size / total),
            len(rows),
            total,
        ),
        NvivoAverage(
            "pooled", (cells[0] + cells[3]) / total, float(pooled_k), len(rows), total, zero
        ),
    )


def nvivo_comparison(
    codings: Mapping[tuple[str, str], tuple[Coverage, Coverage]]
    | Iterable[tuple[tuple[str, str], tuple[Coverage, Coverage]]],
    source_lengths: Mapping[str, int],
    *,
    convention_rows: Literal["include", "exclude"] = "include",
) -> NvivoComparison:
    """NVivo-style coding comparison over many (code, source) combinations.

    Args:
        codings: ``{(code, source): (coverage_a, coverage_b)}``. Only the
            combinations given are compared; include ``([], [])`` for a code
            neither coder used in a source if NVivo would list it.
        source_lengths: characters per source (TU).
        convention_rows: ``"include"`` (default, what averaging NVivo's
            exported rows in a spreadsheet gives) or ``"exclude"`` rows whose
            K was set to 1 by the 0/0 convention from all three averages.

    Returns:
        The rows and the unweighted, size-weighted and pooled figures.

    Raises:
        GtcodeError: E601 when nothing is compared; E602 for an unknown
            source, bad spans or lengths; E112 for a bad ``convention_rows``.
    """
    if convention_rows not in ("include", "exclude"):
        raise GtcodeError(
            "E112",
            f"unknown convention_rows {convention_rows!r}.",
            hint="use 'include' or 'exclude'",
        )
    items = codings.items() if isinstance(codings, Mapping) else codings
    rows = []
    for (code, source), (cov_a, cov_b) in items:
        if source not in source_lengths:
            raise GtcodeError(
                "E602", f"no length given for source {source!r}.", hint="add it to source_lengths"
            )
        rows.append(compare_spans(cov_a, cov_b, source_lengths[source], code=code, source=source))
    if not rows:
        raise GtcodeError(
            "E601", "the coding comparison has no (code, source) combination to compare."
        )
    kept = [r for r in rows if convention_rows == "include" or not r.zero_over_zero]
    unweighted, weighted, pooled = _averages(kept)
    n_zero = sum(r.zero_over_zero for r in rows)
    return NvivoComparison(tuple(rows), unweighted, weighted, pooled, convention_rows, n_zero)
