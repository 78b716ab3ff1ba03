"""Co-occurrence of codes in units, and the similarity measures papers report.

Pure functions over plain data. A *unit* is whatever the caller counts in:
a segment (speaker turn) for within-segment co-occurrence, a case for
within-case co-occurrence. Notation (methods.md §5.2): ``n1``, ``n2`` are the
numbers of units coded with code 1 and code 2, ``n12`` the units coded with
both, ``n`` the number of units in all (coded or not; needed for lift, PMI
and phi).

Two codes applied to one unit count once for that unit, however many times
each was applied (ATLAS.ti counts co-occurrence events the same way).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

#: Measure name -> what it is (for tables, help texts and errors).
MEASURES: dict[str, str] = {
    "count": "n12, units coded with both",
    "jaccard": "Jaccard = ATLAS.ti c-coefficient, n12/(n1+n2-n12)",
    "dice": "Dice/Sørensen, 2·n12/(n1+n2)",
    "ochiai": "Ochiai (cosine), n12/√(n1·n2)",
    "overlap": "overlap (Simpson), n12/min(n1,n2)",
    "association": "association strength, n12/(n1·n2)",
    "lift": "lift, N·n12/(n1·n2)",
    "pmi": "pointwise mutual information, log2(lift)",
    "phi": "phi coefficient of the 2×2 table",
}


def jaccard(n1: int, n2: int, n12: int) -> float:
    """Jaccard index on unit sets, identical to ATLAS.ti's c-coefficient.

    Returns 0.0 when neither code was applied.
    """
    union = n1 + n2 - n12
    return n12 / union if union else 0.0


#: ATLAS.ti's name for the same number.
c_coefficient = jaccard


def dice(n1: int, n2: int, n12: int) -> float:
    """Dice/Sørensen coefficient 2·n12/(n1+n2); 0.0 when both are unused."""
    total = n1 + n2
    return 2 * n12 / total if total else 0.0


def ochiai(n1: int, n2: int, n12: int) -> float:
    """Ochiai (cosine) coefficient n12/√(n1·n2); 0.0 when either is unused."""
    return n12 / math.sqrt(n1 * n2) if n1 and n2 else 0.0


def overlap(n1: int, n2: int, n12: int) -> float:
    """Overlap (Simpson) coefficient n12/min(n1, n2); 0.0 when either is unused."""
    smaller = min(n1, n2)
    return n12 / smaller if smaller else 0.0


def association_strength(n1: int, n2: int, n12: int) -> float:
    """Association strength n12/(n1·n2) (van Eck & Waltman); 0.0 when unused."""
    return n12 / (n1 * n2) if n1 and n2 else 0.0


def lift(n1: int, n2: int, n12: int, n: int) -> float:
    """Lift N·n12/(n1·n2): above 1 the codes meet more often than by chance."""
    return n * n12 / (n1 * n2) if n1 and n2 else 0.0


def pmi(n1: int, n2: int, n12: int, n: int) -> float:
    """Pointwise mutual information log2(lift); -inf when the codes never meet."""
    value = lift(n1, n2, n12, n)
    return math.log2(value) if value > 0 else -math.inf


def phi(n1: int, n2: int, n12: int, n: int) -> float:
    """Phi coefficient of the 2×2 table (both, only 1, only 2, neither).

    Returns 0.0 when a margin is empty (a code used in no unit or in all).
    """
    a, b, c = n12, n1 - n12, n2 - n12
    d = n - a - b - c
    denominator = math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    return (a * d - b * c) / denominator if denominator else 0.0


def measure(name: str, n1: int, n2: int, n12: int, n: int | None = None) -> float:
    """Compute the measure called ``name`` (a key of :data:`MEASURES`).

    Raises:
        ValueError: for an unknown name, or a measure needing ``n`` without it.
    """
    pairwise = {"count": lambda: float(n12), "jaccard": lambda: jaccard(n1, n2, n12),
                "dice": lambda: dice(n1, n2, n12), "ochiai": lambda: ochiai(n1, n2, n12),
                "overlap": lambda: overlap(n1, n2, n12),
                "association": lambda: association_strength(n1, n2, n12)}
    if name in pairwise:
        return pairwise[name]()
    with_n = {"lift": lift, "pmi": pmi, "phi": phi}
    if name not in with_n:
        raise ValueError(f"unknown measure {name!r}; use one of {', '.join(MEASURES)}")
    if n is None:
        raise ValueError(f"measure {name!r} needs the number of units n")
    return with_n[name](n1, n2, n12, n)


@dataclass(frozen=True)
class Pair:
    """Two codes and how they co-occur in the counted units."""

    a: str
    b: str
    n1: int
    n2: int
    n12: int
    n: int

    def value(self, name: str) -> float:
        """The measure ``name`` for this pair (see :data:`MEASURES`)."""
        return measure(name, self.n1, self.n2, self.n12, self.n)


@dataclass(frozen=True)
class Cooccurrence:
    """Code totals and pair counts over a set of units.

    ``totals[code]`` is the number of units coded with ``code``; ``pairs``
    maps an ordered pair ``(a, b)`` (``a`` before ``b`` in ``codes``) to
    the units coded with both; ``n`` is the number of units in all.
    """

    codes: tuple[str, ...]
    totals: dict[str, int]
    pairs: dict[tuple[str, str], int]
    n: int

    def n12(self, a: str, b: str) -> int:
        """Units coded with both ``a`` and ``b`` (the total of ``a`` when a == b)."""
        if a == b:
            return self.totals.get(a, 0)
        return self.pairs.get((a, b), self.pairs.get((b, a), 0))

    def pair(self, a: str, b: str) -> Pair:
        return Pair(a, b, self.totals.get(a, 0), self.totals.get(b, 0), self.n12(a, b), self.n)

    def all_pairs(self, *, min_count: int = 0) -> list[Pair]:
        """Every pair of ``codes`` (in code order) with at least ``min_count`` units."""
        return [self.pair(a, b) for a, b in combinations(self.codes, 2)
                if self.n12(a, b) >= min_count]

    def matrix(self, name: str = "count") -> list[list[float]]:
        """The square matrix of measure ``name`` in ``codes`` order.

        The diagonal holds each code's unit total for ``count`` and 1.0 (or
        0.0 for an unused code) for the similarity measures.
        """
        rows = []
        for a in self.codes:
            row = []
            for b in self.codes:
                if a == b and name != "count":
                    row.append(1.0 if self.totals.get(a, 0) else 0.0)
                else:
                    row.append(measure(name, self.totals.get(a, 0), self.totals.get(b, 0),
                                       self.n12(a, b), self.n))
            rows.append(row)
        return rows


def count_cooccurrence(units: Iterable[Iterable[str]], codes: Sequence[str], *,
                       n: int | None = None) -> Cooccurrence:
    """Count code totals and co-occurring pairs over ``units``.

    Args:
        units: for each unit, the codes applied to it (repeats are ignored).
        codes: the codes of interest, in display order; others are ignored.
        n: the number of units in all, uncoded ones included; defaults to the
            number of units given.
    """
    order = {code: i for i, code in enumerate(codes)}
    totals: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    seen = 0
    for unit in units:
        seen += 1
        present = sorted({c for c in unit if c in order}, key=order.__getitem__)
        totals.update(present)
        pairs.update(combinations(present, 2))
    return Cooccurrence(tuple(codes), dict(totals), dict(pairs), seen if n is None else n)
