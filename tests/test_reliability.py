"""Known-answer tests for the agreement coefficients (methods.md section 2.9).

Each published data set is written below as data, **units x coders** (the
gtcode layout; ``N`` = missing), with its source. The same matrices are also
stored as CSV tables under ``tests/fixtures/reliability/`` and checked to match.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from gtcode.errors import GtcodeError
from gtcode.reliability import (
    agreement_report,
    brennan_prediger,
    cohen_kappa,
    cohen_kappa_from_table,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    get_coefficient,
    gwet_ac1,
    holsti,
    holsti_composite,
    krippendorff_alpha,
    krippendorff_alpha_from_counts,
    mean_pairwise_cohen_kappa,
    percent_agreement,
    read_reliability_csv,
    report_from_csv,
    scott_pi,
    table_to_matrix,
    weighted_kappa_from_table,
)

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"

N = None


def transpose(coders_as_rows: list[list[object]]) -> list[list[object]]:
    """Turn the coders-as-rows layout of the papers into units x coders."""
    return [list(unit) for unit in zip(*coders_as_rows, strict=True)]


# TV-alpha1: Krippendorff / Wikipedia example, 3 coders x 15 units
# (fast-krippendorff tests/test_krippendorff.py).
ALPHA1 = transpose(
    [
        [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
    ]
)

# TV-alpha2: Krippendorff (2004, p. 230), 4 coders x 12 units; unit 12 has one value.
ALPHA2 = transpose(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
)
ALPHA2_WORDS = ["very low", "low", "mid", "high", "very high"]

# TV-alpha3: binary, 2 coders x 10 units (Krippendorff 2004, p. 224; ATLAS.ti manual).
ALPHA3 = transpose(
    [
        [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    ]
)

# TV-alpha4: Krippendorff (2004, p. 227), 2 coders x 12 units, categories a/b/c.
ALPHA4_TABLE = [[1, 1, 0], [0, 4, 1], [0, 0, 5]]
ABC = ["a", "b", "c"]

# TV-alpha5: Krippendorff (2004, p. 246), n = 100; rows = coder 1.
ALPHA5A_TABLE = [[12, 9, 9], [9, 14, 9], [9, 9, 20]]
ALPHA5B_TABLE = [[12, 18, 18], [0, 14, 18], [0, 0, 20]]

# TV-kappa1 and TV-kappa2: Artstein & Poesio (2008), examples 1 and 2.
KAPPA1_TABLE = [[20, 10], [20, 50]]
KAPPA1_LABELS = ["STAT", "IReq"]
KAPPA2_TABLE = [[46, 0, 0], [6, 32, 6], [0, 0, 10]]
KAPPA2_LABELS = ["STAT", "IReq", "Chck"]

# TV-kappa3: Cohen (1960, p. 45), n = 200.
KAPPA3_TABLE = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]

# TV-kappa4: SAS example used by statsmodels.
KAPPA4_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]

# TV-kappa5: Brennan & Prediger (1981), proportions x 100; rows = coder 1.
KAPPA5_EX1 = [[50, 0, 0], [10, 10, 10], [20, 0, 0]]
KAPPA5_EX2 = [[50, 0, 10], [0, 10, 10], [10, 10, 0]]

# TV-F1: Fleiss (1971, p. 379), 30 subjects x 6 raters, categories 1-5.
FLEISS1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip

# TV-F2: Wikipedia's Fleiss example, 10 subjects x 14 raters, counts per category.
FLEISS_WIKI_COUNTS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip

# TV-alpha6: Hayes & Krippendorff (2007, p. 84), 40 units x 5 observers, ordinal 0-3
# (DKPro Statistics HayesKrippendorff2007Test.createExample, units as rows).
HAYES2007 = [
    [1, 1, 2, N, 2], [1, 1, 0, 1, N], [2, 3, 3, 3, N], [N, 0, 0, N, 0], [0, 0, 0, N, 0],
    [0, 0, 0, N, 0], [1, 0, 2, N, 1], [1, N, 2, 0, N], [2, 2, 2, N, 2], [2, 1, 1, 1, N],
    [N, 1, 0, 0, N], [0, 0, 0, 0, N], [1, 2, 2, 2, N], [3, 3, 2, 2, 3], [1, 1, 1, N, 1],
    [1, 1, 1, N, 1], [2, 1, 2, N, 2], [1, 2, 3, 3, N], [1, 1, 0, 1, N], [0, 0, 0, N, 0],
    [0, 0, 1, 1, N], [0, 0, N, 0, 0], [2, 3, 3, 3, N], [0, 0, 0, 0, N], [1, 2, N, 2, 2],
    [0, 1, 1, 1, N], [0, 0, 0, 1, 0], [1, 2, 1, 2, N], [1, 1, 2, 2, N], [1, 1, 2, N, 2],
    [1, 1, 0, N, 0], [2, 1, 2, 1, N], [2, 2, N, 2, 2], [3, 2, 2, 2, N], [2, 2, 2, N, 2],
    [2, 2, 3, N, 2], [2, 2, 2, N, 2], [2, 2, N, 1, 2], [2, 2, 2, 2, N], [1, 1, 1, N, 1],
]  # fmt: skip


def approx(value: float, digits: int) -> object:
    """Equal to ``value`` when rounded to ``digits`` decimals (the published precision)."""
    return pytest.approx(value, abs=0.5 * 10.0**-digits)


# --- Krippendorff's alpha -------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.691358), ("interval", 0.810845), ("ordinal", 0.806721), ("ratio", 0.808944)],
)
def test_alpha1_wikipedia_example(level: str, expected: float) -> None:
    assert krippendorff_alpha(ALPHA1, level).value == approx(expected, 6)


def test_alpha1_from_value_counts() -> None:
    labels = [1, 2, 3, 4]
    counts = [[sum(1 for v in unit if v == c) for c in labels] for unit in ALPHA1]
    assert krippendorff_alpha_from_counts(counts, categories=labels).value == approx(0.691358, 6)
    assert krippendorff_alpha_from_counts(counts, "interval", categories=labels).value == approx(
        0.810845, 6
    )


@pytest.mark.parametrize(
    ("level", "expected", "precise"),
    [
        ("nominal", 0.743, 0.743421),
        ("ordinal", 0.815, 0.815388),
        ("interval", 0.849, 0.849107),
        ("ratio", 0.797, 0.797403),
    ],
)
def test_alpha2_krippendorff_2004(level: str, expected: float, precise: float) -> None:
    result = krippendorff_alpha(ALPHA2, level)
    assert result.value == approx(expected, 3)
    assert result.value == approx(precise, 6)
    assert result.n_units == 11  # unit 12 (a single value) is not pairable
    assert result.n_pairable == 40


def test_alpha2_disagreements_and_percent() -> None:
    nominal = krippendorff_alpha(ALPHA2)
    assert nominal.observed_disagreement == approx(0.200, 3)
    assert nominal.expected_disagreement == approx(0.779, 3)
    interval = krippendorff_alpha(ALPHA2, "interval")
    assert interval.observed_disagreement == approx(0.433, 3)
    assert interval.expected_disagreement == approx(2.872, 3)
    assert percent_agreement(ALPHA2) == approx(0.800, 3)


def test_alpha2_ordinal_with_ordered_text_labels() -> None:
    words = [[N if v is None else ALPHA2_WORDS[v - 1] for v in unit] for unit in ALPHA2]
    result = krippendorff_alpha(words, "ordinal", categories=ALPHA2_WORDS)
    assert result.value == approx(0.815388, 6)


def test_alpha2_single_value_unit_is_ignored() -> None:
    without_unit_12 = ALPHA2[:11]
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert (
            krippendorff_alpha(without_unit_12, level).value
            == krippendorff_alpha(ALPHA2, level).value
        )


def test_alpha3_binary() -> None:
    alpha = krippendorff_alpha(ALPHA3)
    assert percent_agreement(ALPHA3) == approx(0.600, 3)
    assert alpha.value == approx(0.0952, 4)
    assert alpha.value == pytest.approx(16 / 168)
    assert alpha.observed_disagreement == approx(0.400, 3)
    assert alpha.expected_disagreement == approx(0.442, 3)
    kappa = cohen_kappa(ALPHA3)
    assert kappa.value == approx(0.0909, 4)
    assert kappa.expected == pytest.approx(0.56)  # ATLAS.ti's "56%"
    assert scott_pi(ALPHA3).value == approx(0.0476, 4)
    assert brennan_prediger(ALPHA3).value == approx(0.200, 3)


def test_alpha4_three_categories() -> None:
    matrix = table_to_matrix(ALPHA4_TABLE, ABC)
    alpha = krippendorff_alpha(matrix)
    assert percent_agreement(matrix) == approx(0.833, 3)
    assert alpha.value == approx(0.734104, 6)
    assert alpha.observed_disagreement == approx(0.1667, 4)
    assert alpha.expected_disagreement == approx(0.6268, 4)
    assert cohen_kappa(matrix).value == approx(0.7241, 4)
    assert scott_pi(matrix).value == approx(0.7225, 4)
    assert brennan_prediger(matrix).value == approx(0.750, 3)


@pytest.mark.parametrize(("table", "kappa"), [(ALPHA5A_TABLE, 0.186), (ALPHA5B_TABLE, 0.258)])
def test_alpha5_kappa_rewards_differing_marginals(table: list[list[int]], kappa: float) -> None:
    matrix = table_to_matrix(table, ABC)
    assert percent_agreement(matrix) == approx(0.46, 2)
    assert brennan_prediger(matrix).value == approx(0.190, 3)
    assert scott_pi(matrix).value == approx(0.186, 3)
    assert krippendorff_alpha(matrix).value == approx(0.1898, 4)
    assert cohen_kappa(matrix).value == approx(kappa, 3)


@pytest.mark.parametrize(
    ("level", "expected"), [("ordinal", 0.7598), ("nominal", 0.4765), ("interval", 0.7574)]
)
def test_alpha6_hayes_krippendorff_2007(level: str, expected: float) -> None:
    assert krippendorff_alpha(HAYES2007, level).value == approx(expected, 4)


# --- Cohen, Scott, Brennan-Prediger, weighted kappa ------------------------------------


def test_kappa1_artstein_poesio_example1() -> None:
    matrix = table_to_matrix(KAPPA1_TABLE, KAPPA1_LABELS)
    kappa = cohen_kappa(matrix)
    assert kappa.observed == pytest.approx(0.70)
    assert kappa.expected == pytest.approx(0.54)
    assert kappa.value == approx(0.348, 3)
    pi = scott_pi(matrix)
    assert pi.expected == approx(0.545, 3)
    assert pi.value == approx(0.341, 3)
    s = brennan_prediger(matrix)
    assert (s.expected, s.value) == (pytest.approx(0.5), approx(0.40, 2))
    assert krippendorff_alpha(matrix).value == approx(0.3440, 4)


def _chck_distance(c: str, k: str) -> float:
    if c == k:
        return 0.0
    return 0.5 if "Chck" in (c, k) else 1.0


def test_kappa2_artstein_poesio_example2() -> None:
    matrix = table_to_matrix(KAPPA2_TABLE, KAPPA2_LABELS)
    assert percent_agreement(matrix) == approx(0.88, 2)
    assert brennan_prediger(matrix).value == approx(0.82, 2)
    assert scott_pi(matrix).value == approx(0.7995, 4)
    assert cohen_kappa(matrix).value == approx(0.8013, 4)
    alpha = krippendorff_alpha(matrix)
    assert alpha.value == approx(0.80053, 5)
    assert alpha.observed_disagreement == approx(0.120, 3)
    # D_e = 0.60161; the source prints it truncated to 0.601 (DKPro tolerance 0.001).
    assert alpha.expected_disagreement == pytest.approx(0.601, abs=0.001)


def test_kappa2_custom_distance() -> None:
    matrix = table_to_matrix(KAPPA2_TABLE, KAPPA2_LABELS)
    alpha = krippendorff_alpha(matrix, _chck_distance)
    assert alpha.level == "custom"
    assert alpha.value == approx(0.8156, 4)
    assert alpha.observed_disagreement == approx(0.090, 3)
    assert alpha.expected_disagreement == approx(0.4879, 4)
    weights = [[_chck_distance(c, k) for k in KAPPA2_LABELS] for c in KAPPA2_LABELS]
    weighted = weighted_kappa_from_table(KAPPA2_TABLE, weights)
    assert weighted.value == approx(0.8163, 4)
    assert 1 - weighted.observed == approx(0.090, 3)
    assert 1 - weighted.expected == approx(0.490, 3)


def test_kappa3_cohen_1960() -> None:
    kappa = cohen_kappa_from_table(KAPPA3_TABLE)
    assert (kappa.observed, kappa.expected) == (pytest.approx(0.70), pytest.approx(0.41))
    assert kappa.value == approx(0.492, 3)
    assert kappa.value == approx(0.49153, 5)
    assert kappa.n_units == 200
    assert cohen_kappa(table_to_matrix(KAPPA3_TABLE, [1, 2, 3])).value == pytest.approx(kappa.value)


def test_kappa4_sas_example() -> None:
    assert cohen_kappa_from_table(KAPPA4_TABLE).value == approx(0.4842, 4)
    assert weighted_kappa_from_table(KAPPA4_TABLE, "linear").value == approx(0.4701, 4)


def test_kappa4_table_with_unused_category_through_matrix() -> None:
    # Coder 1 never uses category 0: the category must still count (give it explicitly).
    matrix = table_to_matrix(KAPPA4_TABLE, [0, 1, 2])
    assert cohen_kappa(matrix, categories=[0, 1, 2]).value == approx(0.4842, 4)


def test_kappa5_brennan_prediger_examples() -> None:
    ex1 = table_to_matrix(KAPPA5_EX1, [1, 2, 3])
    kappa = cohen_kappa(ex1)
    assert (kappa.observed, kappa.expected) == (pytest.approx(0.60), pytest.approx(0.45))
    assert kappa.value == approx(0.2727, 4)
    s = brennan_prediger(ex1)
    assert s.expected == pytest.approx(1 / 3)
    assert s.value == approx(0.40, 2)
    ex2 = table_to_matrix(KAPPA5_EX2, [1, 2, 3])
    assert cohen_kappa(ex2).expected == pytest.approx(0.44)
    assert cohen_kappa(ex2).value == approx(0.29, 2)
    assert brennan_prediger(ex2).value == approx(0.40, 2)


def test_gwet_ac1_dkpro_vectors() -> None:
    # DKPro Statistics Gwet2008Test: hand example and Cohen (1960) example 2.
    hand = [["y", "y"]] * 8 + [["n", "n"], ["y", "n"]]
    ac1 = gwet_ac1(hand)
    assert (ac1.observed, ac1.expected) == (pytest.approx(0.9), pytest.approx(0.255))
    assert ac1.value == approx(0.8658, 4)
    assert scott_pi(hand).value == approx(0.6078, 4)
    cohen2 = gwet_ac1(table_to_matrix(KAPPA3_TABLE))
    assert cohen2.expected == approx(0.2925, 4)
    assert cohen2.value == approx(0.5760, 4)


# --- Fleiss ---------------------------------------------------------------------------


def test_fleiss1_fleiss_1971() -> None:
    result = fleiss_kappa(FLEISS1971)
    assert result.value == approx(0.4302445, 7)
    assert result.observed == approx(0.5556, 4)
    # P_e = 0.21994 (statsmodels, irr); the source's 0.2201 holds only to DKPro's tolerance 0.001.
    assert result.expected == pytest.approx(0.2201, abs=0.001)
    assert result.complete and result.raters_per_unit == 6 and result.n_units == 30
    sums = [round(p * 180) for p in result.proportions]
    assert sums == [26, 26, 30, 55, 43]
    for category, kappa_j in {1: 0.248, 2: 0.248, 3: 0.517, 4: 0.470, 5: 0.565}.items():
        assert result.category_kappa(category) == pytest.approx(kappa_j, abs=0.005)


def test_fleiss1_randolph_alpha_and_scott() -> None:
    assert brennan_prediger(FLEISS1971).value == approx(0.4444, 4)  # Randolph's free-marginal kappa
    assert krippendorff_alpha(FLEISS1971).value == approx(0.4334, 4)
    assert scott_pi(FLEISS1971).value == pytest.approx(fleiss_kappa(FLEISS1971).value)
    assert percent_agreement(FLEISS1971) == pytest.approx(fleiss_kappa(FLEISS1971).observed)


def test_fleiss2_wikipedia_counts() -> None:
    result = fleiss_kappa_from_counts(FLEISS_WIKI_COUNTS)
    assert result.value == approx(0.2099, 4)
    assert result.value == approx(0.20993, 5)
    assert result.observed == approx(0.37802, 5)
    assert result.expected == approx(0.21276, 5)
    assert [round(p, 3) for p in result.proportions] == [0.143, 0.200, 0.279, 0.150, 0.229]


def test_fleiss_counts_and_matrix_agree() -> None:
    counts = [[sum(1 for v in unit if v == c) for c in range(1, 6)] for unit in FLEISS1971]
    from_counts = fleiss_kappa_from_counts(counts, categories=[1, 2, 3, 4, 5])
    assert from_counts.value == pytest.approx(fleiss_kappa(FLEISS1971).value)
    assert from_counts.per_category == pytest.approx(fleiss_kappa(FLEISS1971).per_category)


def test_fleiss_with_missing_values_is_flagged_incomplete() -> None:
    result = fleiss_kappa(ALPHA2)
    assert not result.complete and result.raters_per_unit is None
    assert result.observed == pytest.approx(percent_agreement(ALPHA2))


# --- Holsti ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "n", "expected"),
    [(0.80, 2, 0.8889), (0.80, 3, 0.9231), (0.82, 2, 0.9011), (0.82, 3, 0.9318)],
)
def test_holsti_composite_chinese_papers(mean: float, n: int, expected: float) -> None:
    assert holsti_composite(mean, n) == approx(expected, 4)


def test_holsti_equals_percent_agreement_on_common_units() -> None:
    result = holsti(ALPHA3)
    assert result.pairs == ((0, 1, pytest.approx(0.6)),)
    assert result.mean_pairwise == pytest.approx(percent_agreement(ALPHA3))
    assert result.composite == pytest.approx(2 * 0.6 / 1.6)


def test_holsti_counts_units_each_coder_coded() -> None:
    # Coder 1 coded 3 units, coder 2 coded 4; they agree on 2: CR = 4 / 7.
    result = holsti([["a", "a"], ["a", "b"], ["b", "b"], [N, "a"]])
    assert result.mean_pairwise == pytest.approx(4 / 7)


def test_holsti_three_coders_mean_and_composite() -> None:
    result = holsti(ALPHA1)
    assert len(result.pairs) == 3
    mean = sum(v for _, _, v in result.pairs) / 3
    assert result.mean_pairwise == pytest.approx(mean)
    assert result.composite == pytest.approx(3 * mean / (1 + 2 * mean))


# --- multi-coder conventions -----------------------------------------------------------


def test_percent_agreement_is_mean_pairwise_with_complete_data() -> None:
    matrix = [["a", "a", "a"], ["a", "a", "b"], ["a", "b", "c"]]
    assert percent_agreement(matrix) == pytest.approx((1 + 1 / 3 + 0) / 3)


def test_cohen_needs_exactly_two_coders() -> None:
    with pytest.raises(GtcodeError) as err:
        cohen_kappa(ALPHA1)
    assert err.value.code == "E602"


def test_mean_pairwise_cohen_kappa() -> None:
    matrix = [row[:3] for row in FLEISS1971]
    result = mean_pairwise_cohen_kappa(matrix)
    pairs = [cohen_kappa([[r[i], r[j]] for r in matrix]).value for i, j in ((0, 1), (0, 2), (1, 2))]
    assert [k for _, _, k in result.pairs] == pytest.approx(pairs)
    assert result.value == pytest.approx(sum(pairs) / 3)
    assert result.n_pairs == 3


# --- edge cases -----------------------------------------------------------------------


def test_perfect_agreement_gives_alpha_one() -> None:
    matrix = [["a", "a"], ["b", "b"], ["c", "c"], ["a", "a"]]
    for level_matrix, level in ((matrix, "nominal"), ([[1, 1], [2, 2], [3, 3]], "interval")):
        assert krippendorff_alpha(level_matrix, level).value == pytest.approx(1.0)
    assert cohen_kappa(matrix).value == pytest.approx(1.0)
    assert fleiss_kappa(matrix).value == pytest.approx(1.0)
    assert percent_agreement(matrix) == 1.0


def test_one_category_only_is_undefined_not_an_error() -> None:
    matrix = [["yes", "yes"], ["yes", "yes"], ["yes", N]]
    alpha = krippendorff_alpha(matrix)
    assert math.isnan(alpha.value) and not alpha.defined and alpha.note
    assert alpha.expected_disagreement == 0.0
    assert alpha.verdict == "undefined"
    for coefficient in (cohen_kappa, scott_pi, brennan_prediger, gwet_ac1, fleiss_kappa):
        result = coefficient(matrix)
        assert math.isnan(result.value) and not result.defined
    assert percent_agreement(matrix) == 1.0


def test_one_category_report_serialises_undefined_as_null() -> None:
    report = agreement_report([["yes", "yes"], ["yes", "yes"]], ["ann", "ben"])
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["krippendorff_alpha"] is None and data["alpha_verdict"] == "undefined"
    assert data["cohen_kappa"] is None and data["percent_agreement"] == 1.0
    assert any("alpha" in note for note in data["notes"])


@pytest.mark.parametrize(
    "matrix",
    [
        [["a", N], [N, "b"], ["a", N]],  # no overlap: each unit coded by one coder
        [[N, N], [N, N]],  # two coders who never coded anything
        [[math.nan, "a"], [float("nan"), N]],  # NaN counts as missing
    ],
)
def test_no_pairable_unit_raises_e601(matrix: list[list[object]]) -> None:
    for coefficient in (percent_agreement, krippendorff_alpha, scott_pi, fleiss_kappa, cohen_kappa):
        with pytest.raises(GtcodeError) as err:
            coefficient(matrix)
        assert err.value.code == "E601"
    with pytest.raises(GtcodeError) as err:
        agreement_report(matrix)
    assert err.value.code == "E601"


def test_holsti_with_coders_who_coded_nothing() -> None:
    with pytest.raises(GtcodeError) as err:
        holsti([[N, N], [N, N]])
    assert err.value.code == "E601"
    assert holsti([["a", N], [N, "a"]]).mean_pairwise == 0.0  # coded, but never the same unit


def test_numpy_and_nan_input() -> None:
    arr = np.array([[np.nan if v is None else v for v in unit] for unit in ALPHA2], dtype=float)
    assert krippendorff_alpha(arr).value == approx(0.743421, 6)
    assert krippendorff_alpha(arr, "interval").value == approx(0.849107, 6)


def test_numeric_text_is_read_as_numbers_at_interval_level() -> None:
    text = [[N if v is None else str(v) for v in unit] for unit in ALPHA2]
    assert krippendorff_alpha(text, "interval").value == approx(0.849107, 6)
    assert krippendorff_alpha(text, "ordinal").value == approx(0.815388, 6)
    assert krippendorff_alpha(text).value == approx(0.743421, 6)


@pytest.mark.parametrize(
    ("matrix", "kwargs"),
    [
        ([], {}),
        ([["a"], ["b"]], {}),
        ([["a", "b"], ["a"]], {}),
        ("ab", {}),
        ([["a", ["b"]]], {}),
        ([["a", "b"], ["a", "z"]], {"categories": ["a", "b"]}),
        ([["x", "y"], ["x", "x"]], {"level": "interval"}),
        ([["x", "y"], ["x", "x"]], {"level": "ordinal"}),
        ([[-1, 2], [3, 3]], {"level": "ratio"}),
    ],
)
def test_malformed_data_raises_e602(matrix: object, kwargs: dict[str, object]) -> None:
    with pytest.raises(GtcodeError) as err:
        krippendorff_alpha(matrix, **kwargs)  # type: ignore[arg-type]
    assert err.value.code == "E602"


def test_unknown_names_raise_e112_listing_valid_ones() -> None:
    with pytest.raises(GtcodeError) as err:
        krippendorff_alpha(ALPHA3, "cardinal")
    assert err.value.code == "E112" and "nominal" in str(err.value)
    with pytest.raises(GtcodeError) as err:
        get_coefficient("kappa")
    assert err.value.code == "E112" and "cohen_kappa" in str(err.value)
    with pytest.raises(GtcodeError) as err:
        weighted_kappa_from_table(KAPPA4_TABLE, "cubic")
    assert err.value.code == "E112"


def test_bad_tables_raise() -> None:
    for table, code in (
        ([[1, 2, 3]], "E602"),
        ([[1, -1], [0, 2]], "E602"),
        ([[0, 0], [0, 0]], "E601"),
    ):
        with pytest.raises(GtcodeError) as err:
            cohen_kappa_from_table(table)
        assert err.value.code == code


# --- the report and the CSV fixtures --------------------------------------------------

FIXTURE_MATRICES = {
    "tv_alpha1.csv": ALPHA1,
    "tv_alpha2.csv": ALPHA2,
    "tv_alpha3.csv": ALPHA3,
    "tv_fleiss1971.csv": FLEISS1971,
    "tv_hayes2007.csv": HAYES2007,
}


@pytest.mark.parametrize("name", sorted(FIXTURE_MATRICES))
def test_csv_fixtures_match_the_published_matrices(name: str) -> None:
    table = read_reliability_csv(FIXTURES / name)
    expected = [[N if v is None else str(v) for v in unit] for unit in FIXTURE_MATRICES[name]]
    assert [list(row) for row in table.matrix] == expected
    assert table.has_unit_column and len(table.units) == len(expected)


def test_report_from_csv_alpha2() -> None:
    report = report_from_csv(FIXTURES / "tv_alpha2.csv")
    assert report.coders == ("A", "B", "C", "D")
    assert report.krippendorff_alpha.value == approx(0.743, 3)
    assert report.percent_agreement == approx(0.800, 3)
    assert report.cohen_kappa is None and report.mean_pairwise_cohen_kappa is not None
    assert report_from_csv(
        FIXTURES / "tv_alpha2.csv", "interval"
    ).krippendorff_alpha.value == approx(0.849, 3)


def test_report_two_coders_to_dict() -> None:
    report = agreement_report(ALPHA3, ["c1", "c2"])
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["n_units"] == 10 and data["n_coders"] == 2 and data["n_pairable_units"] == 10
    assert data["percent_agreement"] == approx(0.600, 3)
    assert data["cohen_kappa"] == approx(0.0909, 4)
    assert data["scott_pi"] == approx(0.0476, 4)
    assert data["brennan_prediger"] == approx(0.200, 3)
    assert data["krippendorff_alpha"] == approx(0.0952, 4)
    assert data["fleiss_kappa"] == approx(0.0476, 4)  # Fleiss' kappa of two coders is Scott's pi
    assert data["holsti"]["pairs"][0]["coders"] == ["c1", "c2"]
    assert data["alpha_verdict"] == "unreliable"
    assert data["mean_pairwise_cohen_kappa"] is None


def test_report_many_coders_and_level_note() -> None:
    report = agreement_report(ALPHA1, level="interval")
    assert report.coders == ("coder 1", "coder 2", "coder 3")
    assert report.krippendorff_alpha.value == approx(0.810845, 6)
    assert report.n_units == 15 and report.n_pairable_units == 12
    assert report.cohen_kappa is None
    assert any("interval" in note for note in report.notes)
    assert any("ignored" in note for note in report.notes)


def test_report_rejects_wrong_coder_names() -> None:
    with pytest.raises(GtcodeError) as err:
        agreement_report(ALPHA3, ["only one"])
    assert err.value.code == "E602"


def test_pandas_missing_values_are_missing() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": ["x", "y", None, "x"], "b": ["x", "y", "y", pd.NA]}, dtype="string")
    result = krippendorff_alpha(frame.to_numpy(dtype=object))
    assert result.n_units == 2 and result.value == pytest.approx(1.0)
