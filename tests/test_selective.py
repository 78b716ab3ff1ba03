"""Selective coding on the hand-built study: reach, centrality, storyline, quotes, hold-out."""

import functools
from pathlib import Path

import pytest

from axial_study import build_study
from gtcode.coding import selective as sel
from gtcode.coding import storyline as story
from gtcode.coding.axial import load_coded_study
from gtcode.coding.quotes import choose_quotes, excerpt
from gtcode.errors import GtcodeError
from gtcode.store.analysis import storyline_rows

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

#: the hand-built study's rule suggestions count too (most of its codings are machine's)
FAST = sel.SaturationOptions(permutations=50, count="all")


@pytest.fixture
def study(tmp_path):
    study, book = build_study(tmp_path / "s")
    yield study, book
    study.close()


def test_reach_and_centrality(study):
    data = load_coded_study(*study)
    reach = {r.id: r for r in story.category_reach(data)}
    res, act, fav = reach["res"], reach["act"], reach["fav"]
    assert (res.cases, res.share, res.segments, res.degree) == (3, 0.75, 4, 2)
    assert res.centrality == pytest.approx(2 / 3)
    assert res.strength == pytest.approx(1 / 6 + 1 / 5)  # Jaccard with fav and act
    assert act.strength == pytest.approx(1 / 5 + 1 / 3)
    # the chain fav - res - act - eco: res and act lie on 2 of the 3 other pairs' paths
    assert res.betweenness == pytest.approx(2 / 3) and act.betweenness == pytest.approx(2 / 3)
    assert fav.betweenness == 0.0
    assert res.core_tie == "因果条件" and reach["eco"].core_tie == "维度（构成）"
    assert act.core_tie == "现象"
    assert story.category_reach(data, "en")[0].core_tie == "causal condition"


def test_representative_quotes_follow_the_rule(study):
    data = load_coded_study(*study)
    # human-accepted first (S1#4 with 2 terms, then S3#2), one per case, then the others
    quotes = choose_quotes(data, ["res"], limit=4)
    assert [(q.case, q.segment) for q in quotes] == [("S1", 4), ("S3", 2), ("S2", 2),
                                                     ("S1", 2)]
    assert quotes[0].human and quotes[0].terms == ("红包", "送礼")
    assert quotes[0].cite() == "\u201c过年要送礼，包红包。\u201d（S1，第4行）"
    assert quotes[0].cite("en") == "\u201c过年要送礼，包红包。\u201d (S1, line 4)"
    pair = choose_quotes(data, ["res", "act"], limit=3)
    assert [(q.case, q.segment) for q in pair] == [("S2", 2)]
    assert choose_quotes(data, ["fav", "eco"]) == []


def test_quotes_prefer_the_table_language_and_unused_segments(tmp_path):
    s, book = build_study(tmp_path / "s", languages={"S1": "en"})
    data = load_coded_study(s, book)
    zh = choose_quotes(data, ["res"], limit=4, lang="zh")
    assert [(q.case, q.segment) for q in zh] == [("S3", 2), ("S2", 2), ("S1", 4), ("S1", 2)]
    en = choose_quotes(data, ["res"], limit=1, lang="en")
    assert [(q.case, q.segment) for q in en] == [("S1", 4)]
    first = choose_quotes(data, ["res"], limit=1)[0]
    again = choose_quotes(data, ["res"], limit=1, avoid={first.segment_id})
    assert [(q.case, q.segment) for q in again] == [("S3", 2)]
    s.close()


def test_quote_overrides_come_first(study):
    s, book = study
    sel.set_quotes(s, book, "res", ["S2.txt#2"], "ana")
    data = load_coded_study(s, book)
    quotes = choose_quotes(data, ["res"], limit=2, overrides=data.overrides["res"])
    assert [(q.case, q.segment, q.override) for q in quotes] == [("S2", 2, True),
                                                                 ("S1", 4, False)]
    line = story.storyline(data, storyline_rows(s.conn))
    core_res = next(x for x in line.structures if x.key == "core:res")
    assert core_res.quotes[0].segment_id == quotes[0].segment_id
    for target, refs in (("nothing", ["S2.txt#2"]), ("res", ["S2.txt#1"]),
                         ("res", ["S9.txt#1"])):
        with pytest.raises(GtcodeError) as info:
            sel.set_quotes(s, book, target, refs, "ana")
        assert info.value.code == "E306"


def test_excerpt_cuts_long_turns_at_sentences():
    text = "我们那边情况复杂。" * 5 + "为了跑项目只好送礼。" + "后来就出事了。" * 5
    short = excerpt(text, ["跑项目", "送礼"], max_chars=30)
    assert "为了跑项目只好送礼。" in short and short.startswith("……") and short.endswith("……")
    assert len(short) <= 34
    assert excerpt("很短。", ["短"]) == "很短。"


def test_storyline_structures_and_generated_text(study):
    data = load_coded_study(*study)
    line = story.storyline(data, {})
    keys = [s.key for s in line.structures]
    assert keys == ["core:res", "core:fav", "core:eco", "core:act", "paradigm:res>act",
                    "paradigm:fav>act"]
    core_res = line.structures[0]
    assert core_res.label == "资源压力 → 压力驱动型腐败"
    assert core_res.meaning == ("资源压力是压力驱动型腐败的因果条件：为办成事而向上争取资源的压力。"
                                "该范畴见于4名受访者中的3名（75%），共4个片段。")
    assert line.structures[4].meaning == "资源压力（因果条件）导致腐败行为（现象）。"
    assert line.text == ("本研究的核心范畴为“压力驱动型腐败”。4个主范畴围绕核心范畴展开：资源压力、人情压力为其因果条件；"
                         "腐败行为为其现象；经济压力为其构成维度。从覆盖面看，“资源压力”见于3/4名受访者；"
                         "“腐败行为”与其他主范畴共现最为广泛。［本段为 gtcode 生成的故事线骨架，请研究者据原始资料改写。］")
    assert not line.edited
    english = story.storyline(data, {}, lang="en")
    assert english.structures[0].label == "Resource pressure → Pressure-driven corruption"
    assert "causal condition: Resource pressure, Favour pressure; phenomenon: Corrupt acts" \
        in english.text


def test_cooccurring_pairs_become_structures(study, monkeypatch):
    monkeypatch.setattr(story, "MIN_PAIR_SEGMENTS", 1)
    data = load_coded_study(*study)
    pairs = [s for s in story.storyline(data, {}).structures if s.kind == "cooccurrence"]
    # strongest Jaccard first: eco-act 1/3, then res-fav 1/6
    assert [s.key for s in pairs] == ["pair:eco+act", "pair:res+fav"]
    assert "Jaccard = 0.33" in pairs[0].meaning
    assert [q.case for q in pairs[0].quotes] == ["S4"]


def test_edited_texts_survive_later_runs(study):
    s, book = study
    sel.run_selective(s, book, options=FAST)
    stored = storyline_rows(s.conn)
    assert not stored["core:res"].edited and stored["storyline"].author == "gtcode"
    sel.edit_storyline(s, book, "core:res", "资源压力驱使村干部送礼跑项目。", "ana")
    sel.edit_storyline(s, book, "storyline", "我的故事线。", "ana")
    result = sel.run_selective(s, book, options=FAST)
    core_res = next(x for x in result.storyline.structures if x.key == "core:res")
    assert core_res.meaning == "资源压力驱使村干部送礼跑项目。" and core_res.edited
    assert result.storyline.text == "我的故事线。" and result.storyline.edited
    stored = storyline_rows(s.conn)
    assert stored["core:res"].edited and stored["core:res"].author == "ana"
    assert not stored["core:fav"].edited
    for key, text, code in (("core:nothing", "x", "E306"), ("core:res", "  ", "E112")):
        with pytest.raises(GtcodeError) as info:
            sel.edit_storyline(s, book, key, text, "ana")
        assert info.value.code == code


def test_holdout_and_curve_on_the_study(study):
    data = load_coded_study(*study)
    default = sel.saturation(data, FAST)
    # one third of 4 cases = 1: S4, whose turn codes debt with taking money (new relation)
    assert default.holdout.held == ("S4",)
    assert default.holdout.interviews[0].new_relations == (("act", "eco"),)
    assert not default.holdout.passed
    s3 = sel.saturation(data, sel.SaturationOptions(holdout_cases=("S3",), permutations=50,
                                                    count="all"))
    assert s3.holdout.passed and s3.holdout.interviews[0].new_concepts == ()
    two = sel.saturation(data, sel.SaturationOptions(holdout=2, permutations=50, count="all"))
    s3_item, s4_item = two.holdout.interviews
    assert s3_item.passed and not s4_item.passed
    curve = default.curve
    assert curve.counts == (4, 2, 0, 0) and curve.cumulative == (4, 6, 6, 6)
    assert curve.new[1] == ("act.take", "res.approval.blocked")
    assert not curve.guest.reached and curve.guest.reason  # 4 interviews < base 4 + run 2
    assert curve.band.median[-1] == 6.0


def test_run_summary_line(study):
    result = sel.run_selective(*study, options=FAST)
    assert sel.selective_summary(result) == (
        "selective coding: 4 main categories, 6 relation structures; hold-out test failed "
        "(S4 held out); Guest et al. (base 4, run 2, ≤5%): saturation not reached; counted "
        "all codings (human and machine)")


def _also_accepted_by(s, coders, source, idx, code):
    from gtcode.store import open_coding as oc

    seg = oc.find_segment(s.conn, source, idx)
    with s.write() as conn:
        for coder in coders:
            oc.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                                   start=seg.start, end=seg.end, code_id=code, coder=coder,
                                   status="accepted", codebook_hash=None)


def test_quotes_rank_agreement_of_more_coders_first(study):
    s, book = study
    # S2#2: the rules and now two people agree on res.approval.blocked (3 coders); S1#4
    # (the rules + ana, 2 coders, 2 terms) led before, and would under the old rule
    _also_accepted_by(s, ["ben", "cy"], "S2.txt", 2, "res.approval.blocked")
    data = load_coded_study(s, book)
    quotes = choose_quotes(data, ["res"], limit=4)
    assert [(q.case, q.segment) for q in quotes] == [("S2", 2), ("S1", 4), ("S3", 2),
                                                     ("S1", 2)]
    s2 = next(r for r in data.references if (r.case, r.segment) == ("S2", 2)
              and r.code == "res.approval.blocked")
    assert s2.coders == {"gtcode-rules", "ben", "cy"}


def test_a_quote_is_reused_only_when_no_equally_agreed_one_is_left(study):
    data = load_coded_study(*study)
    ids = {(q.case, q.segment): q.segment_id for q in choose_quotes(data, ["res"], limit=4)}
    # S1#4 and S3#2 are agreed on by two coders (rules + ana), S2#2 and S1#2 by one
    once = choose_quotes(data, ["res"], limit=1, avoid={ids["S1", 4]})
    assert [(q.case, q.segment) for q in once] == [("S3", 2)]
    both = choose_quotes(data, ["res"], limit=1, avoid={ids["S1", 4], ids["S3", 2]})
    assert [(q.case, q.segment) for q in both] == [("S1", 4)]  # no equally agreed one left
    # among quotes a single coder made, an unused one is taken before a used one
    single = choose_quotes(data, ["act"], limit=1)
    other = choose_quotes(data, ["act"], limit=1, avoid={single[0].segment_id})
    assert other[0].segment_id != single[0].segment_id


def test_a_chosen_quote_must_carry_its_code_and_nothing_is_stored_otherwise(study):
    s, book = study
    before = storyline_rows(s.conn)
    for target, refs in (("res", ["S2.txt#3"]),          # fav.kin.ask and a rejected eco.debt
                         ("eco", ["S2.txt#3"]),          # eco.debt was rejected: not counted
                         ("res", ["S2.txt#2", "S4.txt#2"]),
                         ("core:res", ["S3.txt#3"])):
        with pytest.raises(GtcodeError) as info:
            sel.set_quotes(s, book, target, refs, "ana")
        assert info.value.code == "E605" and info.value.where.startswith(f"--quote {target}=")
    with pytest.raises(GtcodeError):
        sel.selective_edits(s, book, edit=("core:res", "新的解释。"),
                            quotes={"res": ["S2.txt#2"], "fav": ["S1.txt#5"]}, author="ana")
    assert storyline_rows(s.conn) == before  # the edit and the good quote were not stored
    sel.set_quotes(s, book, "res", ["S2.txt#2"], "ana")  # res.approval.blocked is under res
    assert storyline_rows(s.conn)["quote:res"].text == "S2.txt#2"
    with pytest.raises(GtcodeError) as info:  # a relation needs both of its categories
        sel.set_quotes(s, book, "paradigm:res>act", ["S1.txt#4"], "ana")
    assert info.value.code == "E605"
    sel.set_quotes(s, book, "paradigm:res>act", ["S2.txt#2"], "ana")


def test_sample_tables_and_report_do_not_reuse_quotes(sample_run):
    import collections
    import re

    import openpyxl

    book = openpyxl.load_workbook(sample_run.study.parent / "gtcode.xlsx")
    cited = collections.Counter()
    for name in ("开放式编码", "范式模型", "选择性编码"):
        for row in book[name].iter_rows(values_only=True):
            for value in row:
                cited.update(re.findall(r"“[^”]+”（[^）]+）", str(value or "")))
    # four places for one quote before; now a quote repeats only when every candidate of a
    # code was quoted already (two concepts coded on one turn share it; see the unit tests)
    assert max(cited.values()) <= 3
    page = (sample_run.study.parent / "report.html").read_text(encoding="utf-8")
    quotes = re.findall(r"<blockquote>(.*?)<cite>", page)
    assert quotes and len(set(quotes)) == len(quotes)


def test_the_run_line_names_a_long_hold_out_by_its_ends():
    from gtcode.coding.selective import _some

    assert _some(["A", "B"]) == "A, B"
    many = [f"R{n:04d}" for n in range(1, 341)]
    assert _some(many) == "R0001, R0002, R0003, ... R0340 (340 cases)"


def test_quotes_cite_the_timestamp_the_transcript_shows(tmp_path):
    """A quote is cited by case and timestamp when the transcript has one, else its line."""
    from gtcode.coding.quotes import Quote
    from gtcode.transcripts.timestamps import turn_time

    assert turn_time("……\n[00:12:31] 答：") == "00:12:31"
    assert turn_time("答（12:31）：") == "12:31"
    assert turn_time("[00:03:05]\n答：") == "00:03:05"
    assert turn_time("前文 [00:00:09] 问：好的。\n答：") is None  # another line's time
    assert turn_time("答：") is None
    quote = Quote("S03", "S03.txt", 12, 5, "要跑项目。", (), False, line=15, time="00:12:31")
    assert quote.cite() == "\u201c要跑项目。\u201d（S03，00:12:31）"
    assert quote.cite("en") == "\u201c要跑项目。\u201d (S03, 00:12:31)"
    untimed = Quote("S03", "S03.txt", 12, 5, "要跑项目。", (), False, line=15)
    assert untimed.where() == "S03，第15行" and untimed.where("en") == "S03, line 15"


def test_sample_quotes_carry_their_timestamps(tmp_path):
    """S01 of data/sample marks each turn ``[00:00:46] 答：``: its quotes cite that time."""
    from gtcode.codebook import load_codebook
    from gtcode.coding.quotes import Quote
    from gtcode.importer import import_files
    from gtcode.store.analysis import text_before
    from gtcode.tables.paper import timed
    from gtcode.workspace import init_study

    study = init_study(tmp_path / "s", "six-pressures")
    try:
        import_files(study, [SAMPLE / "S01.txt"])
        data = load_coded_study(study, load_codebook("six-pressures"))
        first = data.segments[0]
        quote = Quote(first.case, first.source, first.idx, first.id, "…", (), False,
                      line=first.line)
        (cited,) = timed([quote], functools.partial(text_before, study.conn))
        text = (SAMPLE / "S01.txt").read_text(encoding="utf-8").splitlines()[first.line - 1]
        assert cited.time and text.startswith(f"[{cited.time}]")
        assert cited.cite() == f"\u201c…\u201d（S01，{cited.time}）"
    finally:
        study.close()


def test_the_holdout_split_is_stored_with_the_study(study):
    """Chosen once (--holdout-cases S1), the split is used by every later run and output."""
    from gtcode.exports.report import build_report
    from gtcode.tables.matrices import build_tables

    s, book = study
    assert sel.holdout_split(s) is None
    chosen = sel.SaturationOptions(holdout_cases=("S1",), permutations=30)
    assert sel.run_selective(s, book, options=chosen).saturation.holdout.held == ("S1",)
    assert sel.holdout_split(s)["holdout_cases"] == ["S1"]
    later = sel.run_selective(s, book, options=sel.SaturationOptions(permutations=30))
    assert later.saturation.holdout.held == ("S1",)  # no split given: the stored one
    sel.selective_stage(s, book)  # gtcode run's stage
    assert sel.stored_options(s).holdout_cases == ("S1",)
    s.set_meta(sel.OPTIONS_META, "{}")  # even without the last run's options
    assert sel.stored_options(s).holdout_cases == ("S1",)
    tables = build_tables(s, book, options=sel.stored_options(s))
    assert tables.result.saturation.holdout.held == ("S1",)
    assert "留出 1 次访谈检验：S1" in build_report(s, book)
    other = sel.run_selective(s, book, options=sel.SaturationOptions(holdout=2, permutations=30))
    assert other.saturation.holdout.held == ("S3", "S4")
    assert sel.holdout_split(s)["holdout"] == 2 and not sel.holdout_split(s)["holdout_cases"]


def test_selective_explains_its_results(study):
    s, book = study
    failed = sel.run_selective(s, book, options=sel.SaturationOptions(permutations=30,
                                                                   count="all"))
    lines = sel.selective_explanation(failed)
    assert lines[0].startswith("  hold-out test failed: the 1 held-out interview(s) brought")
    assert "interview more people or revise the categories" in lines[0]
    assert lines[1].startswith("  Guest et al.:")
    # gtcode run's stage explains its own result (default options: human codings count)
    default = sel.selective_explanation(sel.run_selective(s, book))
    assert default[0].startswith("  hold-out test passed")
    assert sel.selective_stage(s, book).split("\n")[1:] == default
