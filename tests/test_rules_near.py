"""The rule engine's near rules and sentence-scoped not terms, edge by edge."""

from __future__ import annotations

import pytest

from gtcode.coding.rules.engine import RuleEngine
from gtcode.coding.rules.scan import close
from open_coding_fixtures import book

NEAR_YAML = """\
name: near test
version: "1"
codes:
  - id: sub
    name: 亚文化
    level: category
  - id: sub.everyone
    name: 大家都这样
    level: concept
    parent: sub
    rules:
      terms:
        zh: [人人都拿]
        en: [everyone takes]
      near:
        - terms:
            zh: [都这样, 也拿]
            en: [very common]
          context:
            zh: [红包, 拿]
            en: [gift, money]
        - terms:
            zh: [很正常]
          context:
            zh: [送礼]
          within: 4
  - id: sub.other
    name: 另一个
    level: concept
    parent: sub
    rules:
      terms:
        zh: [红包, 正常得很]
  - id: sub.shared
    name: 同一个词
    level: concept
    parent: sub
    rules:
      near:
        - terms:
            zh: [正常得很]
          context:
            zh: [回扣]
  - id: work
    name: 工作冲突
    level: category
  - id: work.load
    name: 任务重
    level: concept
    parent: work
    rules:
      terms:
        zh: [任务重]
        en: [workload]
      regex: ["加班到[一二三四五六七八九十]点"]
      not:
        zh: [任务不重, 不加班]
        en: [no workload]
      not_scope: sentence
  - id: work.segment
    name: 整段否定
    level: concept
    parent: work
    rules:
      terms:
        zh: [考核]
      not:
        zh: [不考核]
"""


@pytest.fixture
def engine(tmp_path):
    return RuleEngine(book(tmp_path, NEAR_YAML), lemmas=None)


def coded(engine, text):
    return {m.code_id: [(h.term, h.start) for h in m.hits] for m in engine.match(text)}


# -- near ---------------------------------------------------------------------------------

def test_near_term_counts_with_a_context_word_in_its_sentence(engine):
    assert coded(engine, "收红包嘛，都这样。") == {"sub.everyone": [("都这样", 5)],
                                                "sub.other": [("红包", 1)]}
    assert coded(engine, "都这样，红包也收。")["sub.everyone"] == [("都这样", 0)]  # after it


def test_near_term_alone_or_its_context_alone_is_no_hit(engine):
    assert coded(engine, "开会嘛，都这样。") == {}
    assert "sub.everyone" not in coded(engine, "他收了红包。")


@pytest.mark.parametrize("end", ["。", "！", "？", "!", "?", "；", ";", "\n"])
def test_a_sentence_end_between_term_and_context_word_parts_them(engine, end):
    assert "sub.everyone" not in coded(engine, f"收红包{end}都这样")


@pytest.mark.parametrize("middle", ["，", "……", "：", "、", " "])
def test_commas_colons_and_the_ellipsis_do_not_end_a_sentence(engine, middle):
    assert "sub.everyone" in coded(engine, f"收红包{middle}都这样")


def test_english_full_stop_ends_a_sentence_only_before_a_space_quote_or_the_end(engine):
    assert coded(engine, "Gifts? It was very common.") == {}
    assert coded(engine, "Gifts. It was very common.") == {}
    assert "sub.everyone" in coded(engine, "It was very common to take money.")
    assert "sub.everyone" in coded(engine, "It was very common, the gift.")  # word forms
    assert "sub.everyone" in coded(engine, "Money (about 3.5 yuan) was very common")


def test_within_counts_the_characters_between_term_and_context_word(engine):
    assert "sub.everyone" in coded(engine, "送礼一二三四很正常")      # 4 between
    assert "sub.everyone" not in coded(engine, "送礼一二三四五很正常")  # 5 between
    assert "sub.everyone" in coded(engine, "很正常一二三四送礼")       # after it
    assert "sub.everyone" in coded(engine, "送礼。很正常")             # no sentence test


def test_a_near_term_overlapping_its_context_word_counts(engine):
    assert coded(engine, "他也拿。")["sub.everyone"] == [("也拿", 1)]


def test_context_words_count_only_inside_the_same_segment(engine):
    text = "收红包，都这样都这样，开会"
    spans = [(0, 4), (4, 10), (10, 13)]
    found = engine.scan_spans(text, spans)
    names = [[engine.code_ids[index] for index, _hits in span] for span in found]
    assert names == [["sub.other"], [], []]
    assert engine.scan_spans(text, [(0, 13)])[0][0][0] == engine.code_ids.index("sub.everyone")


def test_a_near_rule_and_a_plain_term_of_the_same_code_both_give_evidence(engine):
    assert coded(engine, "人人都拿，红包都这样")["sub.everyone"] == [("人人都拿", 0),
                                                                ("都这样", 7)]


def test_context_words_are_not_terms_of_the_code(engine):
    terms = engine.terms()
    assert {"都这样", "很正常", "very common"} <= terms
    assert "拿" not in terms and "gift" not in terms and "送礼" not in terms


# -- not_scope: sentence -----------------------------------------------------------------

def test_a_sentence_scoped_not_term_vetoes_only_its_own_sentence(engine):
    assert coded(engine, "今年任务不重。去年任务重。") == {"work.load": [("任务重", 9)]}
    assert coded(engine, "任务重，其实任务不重。") == {}
    assert coded(engine, "No workload here, they said. The workload was huge.") == {
        "work.load": [("workload", 33)]}
    assert engine.stats.vetoed == 1


def test_a_sentence_scoped_not_term_vetoes_regex_hits_in_its_sentence(engine):
    assert coded(engine, "我不加班，加班到十点是别人。") == {}
    assert coded(engine, "我不加班。后来加班到十点。") == {"work.load": [("加班到[一二三四五六七八九十]点", 7)]}


def test_the_default_scope_still_vetoes_the_whole_segment(engine):
    assert coded(engine, "今年不考核。去年考核。") == {}


# -- the sentence test itself ------------------------------------------------------------

def test_close_reads_only_the_gap_between_the_two_stretches():
    text = "ab。cd"
    assert close(text, (0, 1), (1, 2), None)          # touching
    assert close(text, (0, 2), (1, 2), None)          # overlapping
    assert not close(text, (0, 2), (3, 5), None)      # 。 in the gap
    assert not close(text, (3, 5), (0, 2), None)      # order does not matter
    assert close(text, (0, 2), (3, 5), 1)             # one character apart
    assert not close(text, (0, 1), (3, 5), 1)         # two characters apart


def test_a_near_term_that_is_also_a_plain_term_of_another_code(engine):
    assert coded(engine, "正常得很。") == {"sub.other": [("正常得很", 0)]}
    assert coded(engine, "回扣嘛，正常得很。") == {"sub.other": [("正常得很", 4)],
                                                "sub.shared": [("正常得很", 4)]}


def test_latin_context_words_without_any_latin_term(tmp_path):
    text = NEAR_YAML.replace("        en: [everyone takes]\n", "").replace(
        "            en: [very common]\n", "").replace("        en: [workload]\n", "").replace(
        "        en: [no workload]\n", "")
    engine = RuleEngine(book(tmp_path, text), lemmas=None)
    assert not engine._word_keys  # no English scan of the text: the stretch is split itself
    assert coded(engine, "都这样, the gifts")["sub.everyone"] == [("都这样", 0)]
    assert "sub.everyone" not in coded(engine, "都这样, the giftshop")
