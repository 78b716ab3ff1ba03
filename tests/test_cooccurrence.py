"""Co-occurrence measures against methods.md §5.2 test vectors and hand counts."""

import math

import pytest

from gtcode.coding import cooccurrence as co


def test_tv_co1_measures():
    n1, n2, n12, n = 100, 10, 5, 400
    assert co.jaccard(n1, n2, n12) == pytest.approx(5 / 105)
    assert round(co.c_coefficient(n1, n2, n12), 3) == 0.048
    assert co.dice(n1, n2, n12) == pytest.approx(0.0909, abs=1e-4)
    assert co.ochiai(n1, n2, n12) == pytest.approx(0.1581, abs=1e-4)
    assert co.overlap(n1, n2, n12) == pytest.approx(0.5)
    assert co.association_strength(n1, n2, n12) == pytest.approx(0.005)
    assert co.lift(n1, n2, n12, n) == pytest.approx(2.0)
    assert co.pmi(n1, n2, n12, n) == pytest.approx(1.0)
    assert co.phi(n1, n2, n12, n) == pytest.approx(0.0925, abs=1e-4)


def test_tv_co2_measures():
    n1, n2, n12, n = 12, 8, 6, 40
    assert co.jaccard(n1, n2, n12) == pytest.approx(0.4286, abs=1e-4)
    assert co.dice(n1, n2, n12) == pytest.approx(0.600)
    assert co.ochiai(n1, n2, n12) == pytest.approx(0.6124, abs=1e-4)
    assert co.overlap(n1, n2, n12) == pytest.approx(0.750)
    assert co.lift(n1, n2, n12, n) == pytest.approx(2.5)
    assert co.pmi(n1, n2, n12, n) == pytest.approx(1.3219, abs=1e-4)
    assert co.phi(n1, n2, n12, n) == pytest.approx(0.491, abs=1e-3)


def test_degenerate_inputs_do_not_divide_by_zero():
    assert co.jaccard(0, 0, 0) == 0.0
    assert co.dice(0, 0, 0) == 0.0
    assert co.ochiai(0, 3, 0) == 0.0
    assert co.overlap(0, 3, 0) == 0.0
    assert co.lift(0, 3, 0, 10) == 0.0
    assert co.pmi(2, 3, 0, 10) == -math.inf
    assert co.phi(10, 3, 3, 10) == 0.0  # code 1 in every unit: a margin is empty


def test_measure_by_name_and_errors():
    assert co.measure("jaccard", 12, 8, 6) == pytest.approx(6 / 14)
    assert co.measure("lift", 12, 8, 6, 40) == pytest.approx(2.5)
    with pytest.raises(ValueError):
        co.measure("cosine", 1, 1, 1)
    with pytest.raises(ValueError):
        co.measure("phi", 1, 1, 1)


def test_count_cooccurrence_by_hand():
    # units: {a,b}, {a,b,c}, {a}, {c}, {} ; x is not a code of interest
    units = [["a", "b", "b"], ["c", "b", "a"], ["a", "x"], ["c"], []]
    result = co.count_cooccurrence(units, ["a", "b", "c"])
    assert result.n == 5
    assert result.totals == {"a": 3, "b": 2, "c": 2}
    assert result.n12("a", "b") == 2 and result.n12("b", "a") == 2
    assert result.n12("a", "c") == 1 and result.n12("b", "c") == 1
    assert result.n12("a", "a") == 3
    assert result.matrix("count") == [[3, 2, 1], [2, 2, 1], [1, 1, 2]]
    jac = result.matrix("jaccard")
    assert jac[0][1] == pytest.approx(2 / 3)  # 2 / (3 + 2 - 2)
    assert jac[0][2] == pytest.approx(1 / 4)  # 1 / (3 + 2 - 1)
    assert jac[1][2] == pytest.approx(1 / 3)
    assert jac[0][0] == 1.0
    pairs = result.all_pairs(min_count=2)
    assert [(p.a, p.b, p.n12) for p in pairs] == [("a", "b", 2)]
    assert pairs[0].value("dice") == pytest.approx(0.8)


def test_count_cooccurrence_with_total_units():
    result = co.count_cooccurrence([["a", "b"], ["a"]], ["a", "b"], n=10)
    assert result.n == 10
    assert result.pair("a", "b").value("lift") == pytest.approx(10 * 1 / (2 * 1))
