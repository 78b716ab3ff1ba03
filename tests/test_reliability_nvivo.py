"""NVivo Coding Comparison at character level (TV-NV1) and span arithmetic."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gtcode.errors import GtcodeError
from gtcode.reliability import compare_spans, merge_spans, nvivo_comparison, nvivo_kappa

# TV-NV1: 1000 characters; 50 coded by both, 150 by one user only, 800 by neither.
A_SPLIT = ([(0, 100)], [(0, 50), (100, 200)])  # 50 by A only, 100 by B only
B_SPLIT = ([(0, 200)], [(0, 50)])  # 150 by A only, 0 by B only


def test_tv_nv1_agreement_and_kappa() -> None:
    row = compare_spans(*A_SPLIT, 1000)
    assert (row.a_and_b, row.a_not_b, row.b_not_a, row.neither) == (50, 50, 100, 800)
    assert row.percent_agreement == pytest.approx(0.85)
    assert row.kappa == pytest.approx(70 / 220)
    assert round(row.kappa, 4) == 0.3182
    other = compare_spans(*B_SPLIT, 1000)
    assert other.percent_agreement == pytest.approx(0.85)
    assert round(other.kappa, 4) == 0.3478
    assert not (row.zero_over_zero or row.neither_coded or row.one_coded_nothing)


def test_kappa_paradox_row() -> None:
    row = compare_spans([(0, 20)], [(500, 520)], 1000)
    assert row.percent_agreement == pytest.approx(0.96)
    assert round(row.kappa, 4) == -0.0204


def test_neither_coded_is_one_by_convention_and_flagged() -> None:
    row = compare_spans([], [], 1000)
    assert row.kappa == 1.0 and row.zero_over_zero and row.neither_coded
    assert row.percent_agreement == 1.0
    full = compare_spans([(0, 10)], {*range(10)}, 10)
    assert full.kappa == 1.0 and full.zero_over_zero and not full.neither_coded


def test_one_coder_coded_nothing_gives_zero() -> None:
    row = compare_spans([(10, 30)], [], 100)
    assert row.kappa == 0.0 and row.one_coded_nothing and not row.zero_over_zero


def test_nvivo_kappa_is_cohen_on_the_character_table() -> None:
    kappa, zero = nvivo_kappa(50, 50, 100, 800)
    assert not zero
    p_o, p_e = 0.85, (0.1 * 0.15 + 0.9 * 0.85)
    assert kappa == pytest.approx((p_o - p_e) / (1 - p_e))


def test_character_sets_and_overlapping_spans_give_the_same_row() -> None:
    as_sets = compare_spans(set(range(100)), set(range(50)) | set(range(100, 200)), 1000)
    overlapping = compare_spans(
        [(0, 60), (40, 100), (10, 20)], [(100, 200), (0, 50), (120, 130)], 1000
    )
    for other in (compare_spans(*A_SPLIT, 1000), as_sets, overlapping):
        assert (other.a_and_b, other.a_not_b, other.b_not_a, other.neither) == (50, 50, 100, 800)


def test_merge_spans() -> None:
    spans = np.array([[5, 10], [0, 3], [3, 4], [8, 12], [20, 20], [15, 18]])
    assert merge_spans(spans).tolist() == [[0, 4], [5, 12], [15, 18]]


def test_matches_a_per_character_count_on_random_spans() -> None:
    rng = np.random.default_rng(7)
    length = 20_000
    for _ in range(5):
        spans = [rng.integers(0, length, size=(60, 2)) for _ in range(2)]
        spans = [np.sort(s, axis=1) for s in spans]
        masks = []
        for s in spans:
            mask = np.zeros(length, dtype=bool)
            for start, end in s:
                mask[start:end] = True
            masks.append(mask)
        row = compare_spans([tuple(x) for x in spans[0]], [tuple(x) for x in spans[1]], length)
        assert row.a_and_b == int((masks[0] & masks[1]).sum())
        assert row.neither == int((~masks[0] & ~masks[1]).sum())
        assert row.a_not_b == int((masks[0] & ~masks[1]).sum())


def test_scales_to_long_sources() -> None:
    rng = np.random.default_rng(1)
    length = 50_000_000
    starts = [rng.integers(0, length - 1000, size=200_000) for _ in range(2)]
    spans = [np.column_stack([s, s + rng.integers(1, 1000, size=s.size)]) for s in starts]
    began = time.perf_counter()
    row = compare_spans(spans[0], spans[1], length)
    assert time.perf_counter() - began < 5.0
    assert row.a_and_b + row.a_not_b + row.b_not_a + row.neither == length


def test_comparison_averages_are_labelled() -> None:
    codings = {
        ("stress", "int01"): A_SPLIT,  # TU 1000, K 0.3182
        ("stress", "int02"): ([(0, 200)], [(0, 50)]),  # TU 2000
        ("support", "int01"): ([], []),  # 0/0 -> 1
    }
    result = nvivo_comparison(codings, {"int01": 1000, "int02": 2000})
    k = [row.kappa for row in result.rows]
    assert k[2] == 1.0 and result.n_zero_over_zero == 1
    sizes = np.array([1000, 2000, 1000])
    assert result.unweighted.method == "unweighted" and result.unweighted.kappa == pytest.approx(
        np.mean(k)
    )
    assert result.size_weighted.kappa == pytest.approx(np.dot(k, sizes) / sizes.sum())
    pooled_kappa, _ = nvivo_kappa(100, 200, 100, 3600)
    assert result.pooled.method == "pooled" and result.pooled.kappa == pytest.approx(pooled_kappa)
    assert result.pooled.percent_agreement == pytest.approx(3700 / 4000)
    assert result.pooled.total == 4000 and result.unweighted.n_rows == 3


def test_convention_rows_can_be_excluded() -> None:
    codings = [(("stress", "int01"), A_SPLIT), (("support", "int01"), ([], []))]
    result = nvivo_comparison(codings, {"int01": 1000}, convention_rows="exclude")
    assert len(result.rows) == 2 and result.unweighted.n_rows == 1
    assert result.unweighted.kappa == pytest.approx(70 / 220)
    assert result.to_dict()["convention_rows"] == "exclude"


@pytest.mark.parametrize(
    ("codings", "lengths", "code"),
    [
        ({}, {}, "E601"),
        ({("c", "s"): ([(0, 5)], [])}, {}, "E602"),
        ({("c", "s"): ([(0, 50)], [])}, {"s": 10}, "E602"),
        ({("c", "s"): ([(5, 2)], [])}, {"s": 10}, "E602"),
        ({("c", "s"): ([1, 2, 3], [])}, {"s": 10}, "E602"),
        ({("c", "s"): ([], [])}, {"s": 0}, "E602"),
    ],
)
def test_bad_comparison_input(codings: dict, lengths: dict, code: str) -> None:
    with pytest.raises(GtcodeError) as err:
        nvivo_comparison(codings, lengths)
    assert err.value.code == code


def test_unknown_convention_option() -> None:
    with pytest.raises(GtcodeError) as err:
        nvivo_comparison({("c", "s"): ([], [])}, {"s": 5}, convention_rows="drop")  # type: ignore[arg-type]
    assert err.value.code == "E112"
