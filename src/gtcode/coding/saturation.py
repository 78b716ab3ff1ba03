"""Saturation, both ways researchers report it (methods.md §3).

- The new-concept curve: how many concepts each interview adds, in
  collection order and over seeded random orders (median and 95% band of the
  cumulative curve per interview position).
- Guest, Namey & Chen (2020): base size, run length and new-information
  threshold, with the saturation point and how far the data confirm it.
- The Chinese hold-out test (理论饱和度检验): build the categories on most
  interviews, then check that the held-out ones add no new subcategory, main
  category or relation.

Everything here is pure: interviews are given as sets of concept ids in
interview order; the roll-up of a concept to its subcategory and main
category is a function the caller passes in. Which concepts the caller
counts is said by :data:`COUNTED` (methods.md §3.1): those human coders used
(proposed ones included, not those of a machine proposer such as gtcode discover), or,
in a study no human has coded, the codebook
concepts the machine suggested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from gtcode.errors import GtcodeError

#: Guest, Namey & Chen (2020) defaults: base 4, run 2, new information ≤ 5%.
DEFAULT_BASE, DEFAULT_RUN, DEFAULT_THRESHOLD = 4, 2, 0.05
DEFAULT_PERMUTATIONS = 1000
#: How the Guest et al. result is reported (stored with every result).
GUEST_CONVENTION = ("ratio = new concepts in the run / unique concepts in the base; the first "
                    "run with ratio <= threshold confirms saturation at the interview before "
                    "the run (saturation_point = run_start - 1, confirmed_through = run_end)")


#: What the saturation checks counted, as reports say it (English, Chinese).
HUMAN, MACHINE, ALL = "human", "machine", "all"
COUNTED: dict[str, tuple[str, str]] = {
    HUMAN: ("concepts used by human coders (their codings and proposed concepts)",
            "人工编码者使用的概念（人工编码与建议概念）"),
    MACHINE: ("codebook concepts suggested by the machine (no human coding yet)",
              "机器建议的编码手册概念（尚无人工编码）"),
    ALL: ("every coding that counts, human and machine, and proposed concepts",
          "全部有效编码（人工与机器）及建议概念"),
}
#: The choices of ``gtcode selective --count``.
COUNT_CHOICES = ("auto", HUMAN, ALL)


def counted_kind(count: str, any_human: bool) -> str:
    """What to count for ``--count`` (auto, human, all), given whether a human coded.

    Raises:
        GtcodeError: E112 for another value.
    """
    if count not in COUNT_CHOICES:
        raise GtcodeError("E112", f"unknown --count {count!r}.", where="--count",
                          hint="use " + ", ".join(COUNT_CHOICES))
    if count == ALL:
        return ALL
    return HUMAN if any_human or count == HUMAN else MACHINE


def ordered_cases(cases: Sequence[str], order: Sequence[str]) -> list[str]:
    """``cases`` in ``order``: the named ones first, as named, then the rest as they were.

    Raises:
        GtcodeError: E306 for a name that is no case, E112 for a case named twice.
    """
    unknown = [name for name in order if name not in cases]
    if unknown:
        raise GtcodeError("E306", f"no case named {', '.join(unknown[:5])} in this study.",
                          where="--order", hint="see the case names with `gtcode status STUDY`")
    twice = sorted({name for name in order if list(order).count(name) > 1})
    if twice:
        raise GtcodeError("E112", f"the order names {', '.join(twice)} twice.", where="--order",
                          hint="name each case once")
    return [*order, *(c for c in cases if c not in set(order))]


def new_concepts(interviews: Sequence[Iterable[str]]) -> list[list[str]]:
    """For each interview in order, the concepts not seen in any earlier one (sorted)."""
    seen: set[str] = set()
    result = []
    for concepts in interviews:
        fresh = sorted(set(concepts) - seen)
        seen.update(fresh)
        result.append(fresh)
    return result


def new_counts(interviews: Sequence[Iterable[str]]) -> list[int]:
    """How many new concepts each interview adds, in the order given."""
    return [len(fresh) for fresh in new_concepts(interviews)]


def cumulative(counts: Sequence[int]) -> list[int]:
    """Running total of ``counts``."""
    return [int(x) for x in np.cumsum(np.asarray(counts, dtype=int))] if counts else []


# -- Guest, Namey & Chen (2020) -------------------------------------------------

@dataclass(frozen=True)
class GuestWindow:
    """One run of interviews after the base (1-based, inclusive)."""

    start: int
    end: int
    new: int
    ratio: float
    passed: bool


@dataclass(frozen=True)
class GuestResult:
    """The Guest et al. assessment of one interview order.

    ``saturation_point`` is the interview at which saturation is reached and
    ``confirmed_through`` the last interview of the run that confirms it
    (both None when no run passes). ``new_after`` counts the concepts found
    after ``confirmed_through``; ``later_runs_pass`` says whether every later
    run also stays within the threshold (None when no later run fits).
    ``reason`` explains a result that could not be computed.
    """

    base: int
    run: int
    threshold: float
    step: int
    interviews: int
    base_total: int
    windows: tuple[GuestWindow, ...]
    saturation_point: int | None
    confirmed_through: int | None
    new_after: int | None
    later_runs_pass: bool | None
    reason: str | None = None
    convention: str = GUEST_CONVENTION

    @property
    def reached(self) -> bool:
        return self.saturation_point is not None


def guest_saturation(counts: Sequence[int], *, base: int = DEFAULT_BASE, run: int = DEFAULT_RUN,
                     threshold: float = DEFAULT_THRESHOLD, step: int = 1) -> GuestResult:
    """Assess saturation as Guest, Namey & Chen (2020) do (methods.md §3.3).

    Args:
        counts: new concepts per interview, in the order assessed.
        base: interviews whose unique concepts form the reference set.
        run: consecutive interviews whose new concepts are counted together.
        threshold: the largest share of new information (new in the run /
            unique in the base) still counted as saturation, e.g. 0.05 or 0.
        step: how far each run starts after the previous one (1 = rolling).

    Raises:
        GtcodeError: E112 for a base, run or step below 1 or a threshold outside 0–1.
    """
    _check_guest_args(base, run, threshold, step)
    n = len(counts)
    base_total = int(sum(counts[:base]))
    empty = dict(saturation_point=None, confirmed_through=None, new_after=None,
                 later_runs_pass=None)
    if n < base + run:
        return GuestResult(base, run, threshold, step, n, base_total, (), **empty,
                           reason=f"needs at least base + run = {base + run} interviews, has {n}")
    if base_total == 0:
        return GuestResult(base, run, threshold, step, n, 0, (), **empty,
                           reason="no concepts were coded in the base interviews")
    windows = tuple(_window(counts, start, run, base_total, threshold)
                    for start in range(base + 1, n - run + 2, step))
    first = next((w for w in windows if w.passed), None)
    if first is None:
        return GuestResult(base, run, threshold, step, n, base_total, windows, **empty)
    later = [w for w in windows if w.start > first.end]
    return GuestResult(base, run, threshold, step, n, base_total, windows,
                       saturation_point=first.start - 1, confirmed_through=first.end,
                       new_after=int(sum(counts[first.end:])),
                       later_runs_pass=all(w.passed for w in later) if later else None)


def _window(counts: Sequence[int], start: int, run: int, base_total: int,
            threshold: float) -> GuestWindow:
    new = int(sum(counts[start - 1:start - 1 + run]))
    ratio = new / base_total
    # compare in integers where possible: 1/20 must pass a 5% threshold exactly
    passed = new <= threshold * base_total + 1e-9
    return GuestWindow(start, start + run - 1, new, ratio, passed)


def _check_guest_args(base: int, run: int, threshold: float, step: int) -> None:
    if base < 1 or run < 1 or step < 1:
        raise GtcodeError("E112", "base size, run length and step must each be at least 1.",
                          hint="e.g. --base 4 --run 2")
    if not 0 <= threshold <= 1:
        raise GtcodeError("E112", "the new-information threshold must lie between 0 and 1.",
                          hint="e.g. --threshold 0.05 for 5%")


# -- order permutations ---------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """Cumulative unique concepts per interview position over random orders.

    Lists are indexed by position (0 = after the first interview).
    """

    observed: tuple[int, ...]
    median: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    permutations: int
    seed: int


def permutation_band(interviews: Sequence[Iterable[str]], *,
                     permutations: int = DEFAULT_PERMUTATIONS, seed: int = 0,
                     chunk: int = 200) -> Band:
    """Median and 2.5/97.5 percentiles of the cumulative curve over random orders.

    Orders come from ``numpy.random.default_rng(seed).permutation``, so the
    band is the same for the same seed. ``observed`` is the curve in the
    order given (collection order).
    """
    if permutations < 1:
        raise GtcodeError("E112", "the number of permutations must be at least 1.",
                          hint="e.g. --permutations 1000")
    sets = [set(s) for s in interviews]
    observed = tuple(cumulative(new_counts(sets)))
    if not sets:
        return Band((), (), (), (), permutations, seed)
    incidence = _incidence(sets)
    rng = np.random.default_rng(seed)
    orders = np.stack([rng.permutation(len(sets)) for _ in range(permutations)])
    curves = np.concatenate([_curves(incidence, orders[i:i + chunk])
                             for i in range(0, permutations, chunk)])
    lower, median, upper = np.percentile(curves, [2.5, 50.0, 97.5], axis=0)
    as_tuple = lambda a: tuple(float(x) for x in a)  # noqa: E731
    return Band(observed, as_tuple(median), as_tuple(lower), as_tuple(upper), permutations, seed)


def _incidence(sets: list[set[str]]) -> np.ndarray:
    concepts = sorted(set().union(*sets))
    index = {c: j for j, c in enumerate(concepts)}
    matrix = np.zeros((len(sets), len(concepts)), dtype=bool)
    for i, concepts_i in enumerate(sets):
        matrix[i, [index[c] for c in concepts_i]] = True
    return matrix


def _curves(incidence: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Cumulative unique concepts per position for each order (rows of ``orders``)."""
    n = incidence.shape[0]
    ranks = np.argsort(orders, axis=1)  # ranks[p, i]: position of interview i in order p
    masked = np.where(incidence[None, :, :], ranks[:, :, None], n)
    first = masked.min(axis=1)  # first position at which each concept appears
    positions = np.arange(n)
    return (first[:, None, :] <= positions[None, :, None]).sum(axis=2)


# -- the hold-out test (理论饱和度检验) -------------------------------------------

#: What counts as a relation in the hold-out test (stored with every result).
RELATION_RULE = ("a relation is a pair of main categories coded together in at least one "
                 "segment (speaker turn); a new relation is a pair found in a held-out "
                 "interview and in no segment of the model-building interviews")


@dataclass(frozen=True)
class NewConcept:
    """A concept first seen in a held-out interview and where it fits."""

    concept: str
    subcategory: str | None
    category: str | None


@dataclass(frozen=True)
class HeldOutInterview:
    """The hold-out result for one interview.

    ``unplaced`` lists new concepts that roll up to no main category: they
    would need a new category, so they fail the test like one.
    """

    case: str
    new_concepts: tuple[NewConcept, ...]
    new_subcategories: tuple[str, ...]
    new_categories: tuple[str, ...]
    new_relations: tuple[tuple[str, str], ...]
    unplaced: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not (self.new_subcategories or self.new_categories or self.new_relations
                    or self.unplaced)


@dataclass(frozen=True)
class HoldoutResult:
    """The hold-out test: model-building and held-out interviews, per-interview results."""

    building: tuple[str, ...]
    held: tuple[str, ...]
    interviews: tuple[HeldOutInterview, ...]
    rule: str = RELATION_RULE

    @property
    def passed(self) -> bool:
        return all(i.passed for i in self.interviews)


def select_holdout(cases: Sequence[str], *, k: int | None = None,
                   names: Sequence[str] | None = None, random: bool = False,
                   seed: int = 0) -> list[str]:
    """Choose the held-out interviews, in collection order.

    By default the last ``k`` cases of ``cases`` (collection order); with
    ``names`` exactly those; with ``random`` ``k`` cases drawn by
    ``numpy.random.default_rng(seed)``. At least one case must remain for
    building the model.

    Raises:
        GtcodeError: E306 for an unknown case name, E601 when nothing would be
            left to build on, E112 for a k below 1.
    """
    if names:
        unknown = [n for n in names if n not in cases]
        if unknown:
            raise GtcodeError("E306", f"no case named {', '.join(unknown)} in this study.",
                              hint="see the case names with `gtcode status STUDY`")
        held = set(names)
    else:
        if k is None or k < 1:
            raise GtcodeError("E112", "hold out at least one interview.", hint="--holdout 3")
        if random:
            picked = np.random.default_rng(seed).choice(len(cases), size=min(k, len(cases)),
                                                        replace=False)
            held = {cases[int(i)] for i in picked}
        else:
            held = set(cases[len(cases) - k:]) if k <= len(cases) else set(cases)
    if len(held) >= len(cases):
        raise GtcodeError("E601", f"holding out {len(held)} of {len(cases)} interviews leaves "
                          "none to build the categories on.", hint="hold out fewer interviews")
    return [c for c in cases if c in held]


def default_holdout_size(n_cases: int) -> int:
    """One third of the interviews (王建明 & 王俊豪 2011: 2/3 build, 1/3 test), at least 1."""
    return max(1, n_cases // 3)


def holdout_test(concepts: Mapping[str, set[str]],
                 segments: Mapping[str, Sequence[set[str]]],
                 held: Sequence[str],
                 fits: Callable[[str], tuple[str | None, str | None]]) -> HoldoutResult:
    """Run the hold-out test on coded interviews.

    Args:
        concepts: case -> the concepts coded in it (every case of the study,
            in collection order).
        segments: case -> for each coded segment, the main categories coded in it.
        held: the held-out cases; every other case builds the model.
        fits: concept -> (subcategory, main category) from the codebook.
    """
    held_set = set(held)
    building = [c for c in concepts if c not in held_set]
    known = set().union(*(concepts[c] for c in building)) if building else set()
    known_subs = {fits(c)[0] for c in known} - {None}
    known_cats = {fits(c)[1] for c in known} - {None}
    known_pairs = _pairs(s for c in building for s in segments.get(c, ()))
    results = []
    for case in held:
        fresh = sorted(concepts.get(case, set()) - known)
        placed = tuple(NewConcept(c, *fits(c)) for c in fresh)
        coded = [fits(c) for c in concepts.get(case, set())]
        results.append(HeldOutInterview(
            case=case, new_concepts=placed,
            new_subcategories=tuple(sorted({s for s, _ in coded if s} - known_subs)),
            new_categories=tuple(sorted({m for _, m in coded if m} - known_cats)),
            new_relations=tuple(sorted(_pairs(segments.get(case, ())) - known_pairs)),
            unplaced=tuple(p.concept for p in placed if p.category is None)))
    return HoldoutResult(tuple(building), tuple(held), tuple(results))


def _pairs(units: Iterable[set[str]]) -> set[tuple[str, str]]:
    return {pair for unit in units for pair in combinations(sorted(unit), 2)}
