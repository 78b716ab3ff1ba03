"""Per-code present/absent agreement with pooled, unweighted and weighted figures."""

from __future__ import annotations

import json
import math

import pytest

from gtcode.errors import GtcodeError
from gtcode.reliability import (
    cohen_kappa,
    krippendorff_alpha,
    per_code_report,
    percent_agreement,
)

UNITS = ["u1", "u2", "u3", "u4"]
# Code A: both coders on u1, u2 (perfect). Code B: ann on u2, u4; ben on u3, u4.
CODINGS = {
    "ann": {"u1": {"A"}, "u2": {"A", "B"}, "u3": set(), "u4": {"B"}},
    "ben": {"u1": {"A"}, "u2": {"A"}, "u3": {"B"}, "u4": "B"},
}


def test_per_code_figures_by_hand() -> None:
    report = per_code_report(CODINGS, UNITS)
    a, b = report.code("A"), report.code("B")
    assert (a.percent_agreement, a.kappa, a.krippendorff_alpha, a.n_used) == (1.0, 1.0, 1.0, 2)
    # B: ann 0101, ben 0011 -> 2 of 4 agree, kappa 0, alpha = 1 - 0.5 / (32/56) = 0.125
    assert b.percent_agreement == 0.5 and b.n_used == 3 and b.n_units == 4
    assert b.kappa == pytest.approx(0.0)
    assert b.krippendorff_alpha == pytest.approx(0.125)
    assert report.kappa_kind == "cohen" and report.coders == ("ann", "ben")


def test_overall_figures_are_labelled_and_correct() -> None:
    report = per_code_report(CODINGS, UNITS)
    assert report.unweighted_mean.method == "unweighted mean"
    assert report.unweighted_mean.percent_agreement == pytest.approx(0.75)
    assert report.unweighted_mean.kappa == pytest.approx(0.5)
    assert report.unweighted_mean.krippendorff_alpha == pytest.approx(0.5625)
    assert report.weighted_mean.method == "weighted mean"  # weights: A used on 2 units, B on 3
    assert report.weighted_mean.percent_agreement == pytest.approx(0.7)
    assert report.weighted_mean.kappa == pytest.approx(0.4)
    assert report.weighted_mean.krippendorff_alpha == pytest.approx(0.475)
    assert report.pooled.method == "pooled"  # 8 unit x code decisions, 6 agree
    assert report.pooled.percent_agreement == pytest.approx(0.75)
    assert report.pooled.kappa == pytest.approx(0.5)
    assert report.pooled.krippendorff_alpha == pytest.approx(1 - 0.25 / (128 / 240))


def test_pooled_equals_one_stacked_table() -> None:
    stacked = [[1, 1], [1, 1], [0, 0], [0, 0], [0, 0], [1, 0], [0, 1], [1, 1]]
    report = per_code_report(CODINGS, UNITS)
    assert report.pooled.krippendorff_alpha == pytest.approx(krippendorff_alpha(stacked).value)
    assert report.pooled.kappa == pytest.approx(cohen_kappa(stacked).value)
    assert report.pooled.percent_agreement == pytest.approx(percent_agreement(stacked))


def test_atlas_ti_binary_example_as_one_code() -> None:
    # TV-alpha3 as a code applied to units: ann on 1, 2; ben on 2, 3, 6, 8.
    units = list(range(1, 11))
    codings = {"ann": {1: {"x"}, 2: {"x"}}, "ben": {2: {"x"}, 3: {"x"}, 6: {"x"}, 8: {"x"}}}
    row = per_code_report(codings, units).code("x")
    assert row.percent_agreement == pytest.approx(0.6)
    assert row.krippendorff_alpha == pytest.approx(0.0952, abs=5e-5)
    assert row.kappa == pytest.approx(0.0909, abs=5e-5)


def test_unused_code_is_undefined_and_excluded_from_means() -> None:
    report = per_code_report(CODINGS, UNITS, codes=["A", "B", "C"])
    c = report.code("C")
    assert c.n_used == 0 and c.percent_agreement == 1.0
    assert math.isnan(c.krippendorff_alpha) and not c.alpha_defined and not c.kappa_defined
    assert report.unweighted_mean.excluded_codes == ("C",)
    assert report.unweighted_mean.n_codes == 2
    assert report.unweighted_mean.krippendorff_alpha == pytest.approx(0.5625)
    assert report.unweighted_mean.percent_agreement == pytest.approx((1 + 0.5 + 1) / 3)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["codes"][2]["krippendorff_alpha"] is None


def test_two_coders_who_never_coded_anything() -> None:
    codings = {"ann": {"u1": set(), "u2": set()}, "ben": {}}
    with pytest.raises(GtcodeError) as err:
        per_code_report(codings, ["u1", "u2"])
    assert err.value.code == "E601"
    report = per_code_report(codings, ["u1", "u2"], codes=["A"])
    assert report.code("A").percent_agreement == 1.0
    assert not report.code("A").alpha_defined
    assert math.isnan(report.weighted_mean.krippendorff_alpha)


def test_missing_units_can_mean_not_coded() -> None:
    codings = {"ann": {"u1": {"A"}, "u2": set(), "u3": {"A"}}, "ben": {"u1": {"A"}, "u2": set()}}
    absent = per_code_report(codings, ["u1", "u2", "u3"])
    missing = per_code_report(codings, ["u1", "u2", "u3"], missing_as_absent=False)
    assert absent.code("A").n_units == 3 and absent.code("A").percent_agreement == pytest.approx(
        2 / 3
    )
    assert missing.code("A").n_units == 2 and missing.code("A").percent_agreement == 1.0


def test_three_coders_use_fleiss() -> None:
    codings = {
        "ann": {"u1": {"A"}, "u2": {"B"}, "u3": {"A", "B"}},
        "ben": {"u1": {"A"}, "u2": {"B"}, "u3": {"B"}},
        "cat": {"u1": {"A"}, "u2": set(), "u3": {"A", "B"}},
    }
    report = per_code_report(codings, ["u1", "u2", "u3"], level="interval")
    assert report.kappa_kind == "fleiss" and report.level == "interval"
    a = report.code("A")
    assert a.krippendorff_alpha == pytest.approx(
        krippendorff_alpha([[1, 1, 1], [0, 0, 0], [1, 0, 1]]).value
    )


@pytest.mark.parametrize(
    ("codings", "units", "kwargs"),
    [
        ({"ann": {"u1": {"A"}}}, ["u1"], {}),
        (CODINGS, [], {}),
        (CODINGS, ["u1", "u1", "u2", "u3", "u4"], {}),
        (CODINGS, ["u1", "u2"], {}),
        (CODINGS, UNITS, {"codes": ["A"]}),
    ],
)
def test_malformed_per_code_input(codings: dict, units: list[str], kwargs: dict) -> None:
    with pytest.raises(GtcodeError) as err:
        per_code_report(codings, units, **kwargs)
    assert err.value.code == "E602"
