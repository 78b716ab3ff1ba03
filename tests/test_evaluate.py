"""Evaluation against gold labels: known answers for P/R/F1/kappa, matching, errors."""

from __future__ import annotations

import pytest

from gtcode.coding.gold import read_gold
from gtcode.coding.open_coding import open_code
from gtcode.errors import GtcodeError
from gtcode.reliability.evaluate import evaluate
from gtcode.store import open_coding as db
from open_coding_fixtures import make_study

TURNS = {
    "S01.txt": [("interviewer", "问题"),
                ("respondent", "逢年过节都要送礼。"),        # line 2: predicted social_favour
                ("respondent", "工资太低，也讲人情。"),      # line 3: economic + social_favour
                ("respondent", "天气很好。"),                # line 4: nothing
                ("respondent", "欠债很多。")],              # line 5: economic
    "S02.txt": [("respondent", "送礼。")],                   # line 1: social_favour
}
GOLD = """file,line,codes
S01.txt,2,social_favour
S01.txt,3,economic
S01.txt,4,economic
S01.txt,5,
S02.txt,1,favour.renqing
S01.txt,40,economic
"""


@pytest.fixture
def scored(tmp_path):
    study, book = make_study(tmp_path, TURNS)
    open_code(study, book, invivo=False)
    gold = tmp_path / "gold.csv"
    gold.write_text(GOLD, encoding="utf-8")
    return study, book, gold


def test_known_answers(scored):
    study, book, gold = scored
    result = evaluate(study, book, gold)
    assert result.units == 5 and result.unmatched == [(7, "S01.txt", 40)]
    scores = {s.category: s for s in result.categories}
    # social_favour: gold {2, S02:1}, predicted {2, 3, S02:1} -> tp 2, fp 1, fn 0, tn 2
    fav = scores["social_favour"]
    assert (fav.tp, fav.fp, fav.fn, fav.tn) == (2, 1, 0, 2)
    assert fav.precision == pytest.approx(2 / 3) and fav.recall == 1.0
    assert fav.f1 == pytest.approx(0.8)
    # po = 4/5, pe = (3*2 + 2*3)/25 = 12/25 -> kappa = (20/25 - 12/25) / (13/25) = 8/13
    assert fav.kappa == pytest.approx(8 / 13)
    # economic: gold {3, 4}, predicted {3, 5} -> tp 1, fp 1, fn 1, tn 2
    eco = scores["economic"]
    assert (eco.tp, eco.fp, eco.fn, eco.tn) == (1, 1, 1, 2)
    # po = 3/5, pe = (2*2 + 3*3)/25 = 13/25 -> kappa = (2/25) / (12/25) = 1/6
    assert eco.kappa == pytest.approx(1 / 6)
    assert result.macro["kappa"] == pytest.approx((8 / 13 + 1 / 6) / 2)
    assert result.macro["f1"] == pytest.approx((0.8 + 0.5) / 2)
    assert result.to_dict()["categories"][0]["category"] == "social_favour"


def test_files_filter_and_human_decisions_count(scored):
    study, book, gold = scored
    seg = db.find_segment(study.conn, "S01.txt", 4)
    with study.write() as conn:
        db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                               start=seg.start, end=seg.end, code_id="economic.low_pay",
                               coder="li", status="accepted", codebook_hash=book.hash)
    result = evaluate(study, book, gold, files=["S01.txt"])
    assert result.units == 4 and result.files == ["S01.txt"]
    eco = {s.category: s for s in result.categories}["economic"]
    assert (eco.tp, eco.fp, eco.fn, eco.tn) == (2, 1, 0, 1)
    with pytest.raises(GtcodeError) as caught:
        evaluate(study, book, gold, files=["S99.txt"])
    assert caught.value.code == "E306"


def test_undefined_kappa_is_none(tmp_path):
    study, book = make_study(tmp_path, {"S01.txt": [("respondent", "天气很好。")]})
    gold = tmp_path / "gold.csv"
    gold.write_text("file,line,codes\nS01.txt,1,\n", encoding="utf-8")
    result = evaluate(study, book, gold)
    assert all(s.kappa is None and s.precision is None for s in result.categories)
    assert result.macro == {"precision": None, "recall": None, "f1": None, "kappa": None}


def test_malformed_gold(scored, tmp_path):
    study, book, _ = scored
    bad = tmp_path / "bad.csv"
    bad.write_text("file,codes\nS01.txt,economic\n", encoding="utf-8")
    with pytest.raises(GtcodeError) as caught:
        read_gold(bad, book)
    assert caught.value.code == "E405"
    bad.write_text("file,line,codes\nS01.txt,x,economic\nS01.txt,2,nope\n", encoding="utf-8")
    with pytest.raises(GtcodeError) as caught:
        read_gold(bad, book)
    assert caught.value.code == "E405" and "row 2" in str(caught.value) \
        and "row 3" in str(caught.value)
    bad.write_text("\ufefffile,line,codes\nS09.txt,2,economic\n", encoding="utf-8")
    with pytest.raises(GtcodeError) as caught:
        evaluate(study, book, bad)
    assert caught.value.code == "E405"


def test_interviewer_turns_are_not_scored_unless_asked(scored, tmp_path):
    study, book, gold = scored
    with_question = tmp_path / "gold-q.csv"
    with_question.write_text(GOLD + "S01.txt,1,\n", encoding="utf-8")  # the interviewer's turn
    result = evaluate(study, book, with_question)
    assert (result.units, result.out_of_scope, result.scope) == (5, 1, "respondent turns")
    same = evaluate(study, book, gold)
    assert [s.kappa for s in result.categories] == [s.kappa for s in same.categories]
    every = evaluate(study, book, with_question, roles=None)
    assert (every.units, every.out_of_scope, every.scope) == (6, 0, "all turns")
    fav = {s.category: s for s in every.categories}["social_favour"]
    # one more true negative: po = 5/6, pe = (3*2 + 3*4)/36 = 1/2 -> kappa = 2/3 (not 8/13)
    assert (fav.tp, fav.fp, fav.fn, fav.tn) == (2, 1, 0, 3)
    assert fav.kappa == pytest.approx(2 / 3)
    assert result.to_dict()["out_of_scope"] == 1
