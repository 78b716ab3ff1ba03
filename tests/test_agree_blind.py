"""Agreement nobody can inflate by accident: blind coders, respondent turns, honest figures.

ann reviews a sheet showing the rule suggestions and accepts them all; ben codes
a blind sheet. Both also mark every interviewer turn "no code".
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding.open_coding import open_code
from gtcode.coding.sheet import export_sheet
from gtcode.coding.sheet_apply import apply_sheet
from gtcode.errors import GtcodeError
from gtcode.numbers import percent
from gtcode.reliability.agree import agree_study, check_min_alpha
from gtcode.reliability.sheets import agree_sheets
from open_coding_fixtures import make_study
from sheet_helpers import mark_xlsx

TURNS = {
    "S01.txt": [("interviewer", "你们送礼吗？"), ("respondent", "逢年过节都要送礼。"),
                ("interviewer", "工资呢？"), ("respondent", "月薪才三千。"),
                ("interviewer", "还有呢？"), ("respondent", "天气很好。")],
    "S02.txt": [("interviewer", "家里怎样？"), ("respondent", "家里欠债。"),
                ("interviewer", "后来呢？"), ("respondent", "讲人情世故。"),
                ("interviewer", "最后？"), ("respondent", "没什么。")],
}
#: ben's blind codes per respondent turn (the rules: renqing, low_pay, -, debt, shigu, -)
BEN = {"S01.txt#2": "favour.renqing", "S01.txt#4": "economic.low_pay", "S01.txt#6": None,
       "S02.txt#2": "economic.debt", "S02.txt#4": "favour.renqing", "S02.txt#6": None}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("blind")
    opened, book = make_study(tmp, TURNS)
    open_code(opened, book, invivo=False)
    interviewer = {f"{s}#{i}": ("无编码 none", None) for s in TURNS for i in (1, 3, 5)}
    review = export_sheet(opened, book, tmp / "ann.xlsx").path
    accept = {seg: ("接受 accept", None) for seg in BEN}
    apply_sheet(opened, book, mark_xlsx(review, review, {**accept, **interviewer}), coder="ann")
    blind = export_sheet(opened, book, tmp / "ben.xlsx", blind=True).path
    marks = {seg: (None, code) if code else ("无编码 none", None) for seg, code in BEN.items()}
    apply_sheet(opened, book, mark_xlsx(blind, blind, {**marks, **interviewer}), coder="ben")
    opened.sheets = (review, blind)
    yield opened
    opened.close()


def test_a_reviewer_against_the_machine_is_not_called_reliable(study):
    result = agree_study(study, ["ann", "gtcode-rules"])
    assert result.alpha == pytest.approx(1.0)  # she accepted every suggestion she saw
    assert result.views["ann"].status == "saw_suggestions" and result.views["ann"].seeing == 6
    assert not result.independence.independent
    data = result.to_dict()
    assert data["alpha_verdict"] == "not a reliability test" != "reliable"
    assert data["measures"] == "acceptance of machine suggestions"
    assert data["coders_view"]["gtcode-rules"]["status"] == "machine"
    assert any("measures how far ann accepted them" in n for n in result.notes)
    with pytest.raises(GtcodeError) as caught:
        check_min_alpha(result, 0.8)
    assert caught.value.code == "E604"


def test_a_blind_coder_against_the_machine_is_a_reliability_test(study):
    result = agree_study(study, ["ben", "gtcode-rules"])
    assert result.views["ben"].status == "blind" and result.views["ben"].blind == 6
    assert result.independence.independent
    assert result.to_dict()["alpha_verdict"] in ("reliable", "tentative", "unreliable")
    assert result.to_dict()["measures"] == "intercoder reliability"
    check_min_alpha(result, -1.0)  # no refusal: a real test


def test_units_are_respondent_turns_unless_all_are_asked_for(study):
    result = agree_study(study, ["ann", "ben"])
    assert (result.n_units, result.n_pairable_units, result.scope) == (6, 6, "respondent turns")
    every = agree_study(study, ["ann", "ben"], roles=None)
    assert (every.n_pairable_units, every.scope) == (12, "all turns")
    # the six interviewer turns both left uncoded inflate percent agreement
    assert every.headline["percent_agreement"] > result.headline["percent_agreement"]
    assert any("6 interviewer turn(s) left out" in n for n in result.notes)


def test_known_answer_on_respondent_turns(study):
    """ann = the rules; on S02#4 (人情世故) the rules and ann have renqing and shigu, ben renqing."""
    result = agree_study(study, ["ann", "ben"])
    # codes used: renqing, shigu, low_pay, debt -> 4 codes x 6 units = 24 present/absent
    # pairs; they differ only on (S02#4, shigu): 23/24 agree
    assert result.headline["percent_agreement"] == pytest.approx(23 / 24)
    every = agree_study(study, ["ann", "ben"], roles=None)
    assert every.headline["percent_agreement"] == pytest.approx(47 / 48)


def test_sheet_mode_says_which_sheet_was_blind(study):
    review, blind = study.sheets
    result = agree_sheets([review, blind], coders=["ann", "ben"])
    assert result.views["ann"].status == "saw_suggestions"
    assert result.views["ben"].status == "blind"
    assert result.n_pairable_units == 6 and result.scope == "respondent turns"
    assert agree_sheets([review, blind], roles=None).n_pairable_units == 12


def test_cli_says_who_was_blind_and_refuses_the_gate(study):
    runner = CliRunner()
    shown = runner.invoke(app, ["agree", str(study.path), "--coders", "ann,gtcode-rules"])
    assert shown.exit_code == 0, shown.output
    assert "saw suggestions (6 of 6 units)" in shown.stdout
    assert "not a reliability test" in shown.stdout and "reliable\n" not in shown.stdout
    assert "units compared 比较单元 (respondent" in shown.stdout
    gate = runner.invoke(app, ["agree", str(study.path), "--coders", "ann,gtcode-rules",
                               "--min-alpha", "0.8"])
    assert gate.exit_code == 1 and "[E604]" in gate.stderr
    blind = runner.invoke(app, ["agree", str(study.path), "--coders", "ben,ann", "--json",
                                "--role", "all"])
    data = json.loads(blind.stdout)
    assert data["coders_view"]["ben"]["status"] == "blind"
    assert (data["n_units_compared"], data["scope"]) == (12, "all turns")


def test_percentages_are_never_rounded_up_to_100():
    assert percent(0.997) == "99.7%" and percent(0.9999) == "99.99%"
    assert percent(0.99999999) == "99.999%" and percent(1.0) == "100%"
    assert percent(0.0004) == "0.04%" and percent(0.0) == "0%"
    assert percent(0.5) == "50%" and percent(0.125, 1) == "12.5%"
    assert percent(float("nan")) == "—" and percent(None) == "—"


def test_the_report_shows_the_units_used(study, tmp_path):
    from gtcode.exports.report import write_report
    from gtcode.workspace import study_codebook

    page = write_report(study, study_codebook(study), tmp_path / "r.html").read_text("utf-8")
    assert "比较单位为 6 个受访者话轮" in page
    assert "95.8%" not in page and "96%" in page  # pooled percent agreement 23/24


def test_the_report_writes_0_997_as_99_7_percent():
    from types import SimpleNamespace

    from gtcode.exports.report.analysis import _overall

    figure = SimpleNamespace(method="pooled", percent_agreement=0.997, kappa=0.8,
                             krippendorff_alpha=0.8, n_codes=3)
    html = _overall(SimpleNamespace(pooled=figure, unweighted_mean=figure,
                                    weighted_mean=figure), "zh")
    assert "99.7%" in html and "100%" not in html
