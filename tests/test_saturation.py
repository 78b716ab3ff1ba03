"""Saturation: Guest et al. test vector, permutation band, hold-out pass and fail."""

import numpy as np
import pytest

from gtcode.coding import saturation as sat
from gtcode.errors import GtcodeError

TV_SAT1 = [10, 5, 3, 2, 2, 1, 1, 0, 0, 0]


def test_new_counts_and_cumulative():
    interviews = [{"a", "b"}, {"b", "c"}, {"a"}, {"d", "c", "e"}]
    assert sat.new_concepts(interviews) == [["a", "b"], ["c"], [], ["d", "e"]]
    assert sat.new_counts(interviews) == [2, 1, 0, 2]
    assert sat.cumulative([2, 1, 0, 2]) == [2, 3, 3, 5]


def test_guest_tv_sat1_five_percent():
    result = sat.guest_saturation(TV_SAT1, base=4, run=2, threshold=0.05)
    assert result.base_total == 20
    first = [(w.start, w.end, w.new, w.passed) for w in result.windows[:3]]
    assert first == [(5, 6, 3, False), (6, 7, 2, False), (7, 8, 1, True)]
    assert [round(w.ratio, 2) for w in result.windows[:3]] == [0.15, 0.10, 0.05]
    assert result.saturation_point == 6 and result.confirmed_through == 8
    assert result.new_after == 0 and result.later_runs_pass is True  # run 9-10 adds nothing
    assert [w.start for w in result.windows] == [5, 6, 7, 8, 9]
    assert result.reached


def test_guest_tv_sat1_zero_threshold_and_step_two():
    zero = sat.guest_saturation(TV_SAT1, base=4, run=2, threshold=0.0)
    assert (zero.saturation_point, zero.confirmed_through) == (7, 9)
    stepped = sat.guest_saturation(TV_SAT1, base=4, run=2, threshold=0.05, step=2)
    assert [(w.start, w.end) for w in stepped.windows] == [(5, 6), (7, 8), (9, 10)]
    assert (stepped.saturation_point, stepped.confirmed_through) == (6, 8)
    assert stepped.later_runs_pass is True  # 9-10 adds nothing


def test_guest_not_reached_and_too_short():
    never = sat.guest_saturation([4, 4, 4, 4, 4, 4, 4], base=4, run=2)
    assert not never.reached and never.windows and never.reason is None
    short = sat.guest_saturation([3, 1, 1], base=4, run=2)
    assert not short.reached and short.reason and not short.windows
    empty_base = sat.guest_saturation([0, 0, 0, 0, 1, 0], base=4, run=2)
    assert not empty_base.reached and "base" in empty_base.reason
    with pytest.raises(GtcodeError) as info:
        sat.guest_saturation(TV_SAT1, base=0)
    assert info.value.code == "E112"


def test_permutation_band_deterministic_under_seed():
    interviews = [{"a", "b"}, {"b", "c"}, {"a"}, {"d"}, {"a", "e"}, set()]
    one = sat.permutation_band(interviews, permutations=300, seed=7)
    two = sat.permutation_band(interviews, permutations=300, seed=7, chunk=17)
    assert one == two
    other = sat.permutation_band(interviews, permutations=300, seed=8)
    assert other.observed == one.observed
    assert one.observed == (2, 3, 3, 4, 5, 5)
    # every order ends with all 5 concepts; the first interview adds 0-2
    assert one.median[-1] == one.lower[-1] == one.upper[-1] == 5.0
    assert 0 <= one.lower[0] <= one.median[0] <= one.upper[0] <= 2
    assert all(lo <= med <= hi for lo, med, hi in zip(one.lower, one.median, one.upper))


def test_permutation_curves_match_a_direct_count():
    interviews = [{"a"}, {"a", "b"}, {"c"}]
    incidence = sat._incidence([set(s) for s in interviews])
    orders = np.array([[2, 0, 1], [1, 2, 0]])
    curves = sat._curves(incidence, orders)
    # order 3,1,2: c | a | b -> 1,2,3 ; order 2,3,1: a b | c | - -> 2,3,3
    assert curves.tolist() == [[1, 2, 3], [2, 3, 3]]


HIERARCHY = {"c1": ("s1", "A"), "c2": ("s1", "A"), "c3": ("s2", "A"), "c4": ("s3", "B"),
             "c5": ("s4", "C"), "x": (None, None)}


def _fits(concept):
    return HIERARCHY[concept]


def test_holdout_passes_with_new_concept_in_known_category():
    concepts = {"S1": {"c1", "c4"}, "S2": {"c3", "c4"}, "S3": {"c2", "c4"}}
    segments = {"S1": [{"A", "B"}], "S2": [{"A"}, {"B"}], "S3": [{"A", "B"}]}
    result = sat.holdout_test(concepts, segments, ["S3"], _fits)
    assert result.building == ("S1", "S2") and result.held == ("S3",)
    (s3,) = result.interviews
    assert s3.new_concepts == (sat.NewConcept("c2", "s1", "A"),)
    assert not s3.new_subcategories and not s3.new_categories and not s3.new_relations
    assert s3.passed and result.passed


def test_holdout_fails_on_new_category_subcategory_relation_or_unplaced():
    concepts = {"S1": {"c1", "c4"}, "S2": {"c3"}, "S3": {"c5", "c1"}, "S4": {"c1", "c3", "x"}}
    segments = {"S1": [{"A"}, {"B"}], "S2": [{"A"}], "S3": [{"C", "A"}],
                "S4": [{"A"}, {"A", "B"}]}
    result = sat.holdout_test(concepts, segments, ["S3", "S4"], _fits)
    s3, s4 = result.interviews
    assert s3.new_categories == ("C",) and s3.new_subcategories == ("s4",)
    assert s3.new_relations == (("A", "C"),)
    assert not s3.passed
    # S4: A and B met in S4 only (never in one segment of S1/S2): a new relation
    assert s4.new_relations == (("A", "B"),) and s4.unplaced == ("x",)
    assert s4.new_categories == () and not s4.passed
    assert not result.passed


def test_select_holdout():
    cases = ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert sat.select_holdout(cases, k=2) == ["S5", "S6"]
    assert sat.select_holdout(cases, names=["S4", "S2"]) == ["S2", "S4"]
    picked = sat.select_holdout(cases, k=2, random=True, seed=3)
    assert picked == sat.select_holdout(cases, k=2, random=True, seed=3) and len(picked) == 2
    assert sat.default_holdout_size(12) == 4 and sat.default_holdout_size(2) == 1
    for kwargs, code in (({"names": ["S9"]}, "E306"), ({"k": 6}, "E601"), ({"k": 0}, "E112")):
        with pytest.raises(GtcodeError) as info:
            sat.select_holdout(cases, **kwargs)
        assert info.value.code == code
