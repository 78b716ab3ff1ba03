"""The rule engine: word boundaries, vetoes, English word forms, overlaps, roll-up."""

from __future__ import annotations

import json
from collections import namedtuple

import pytest

from gtcode.codebook.hierarchy import ancestors, code_links, level_up, main_category
from gtcode.coding.rules.engine import RuleEngine
from gtcode.coding.rules.text import evidence_json
from gtcode.coding.rules.wordforms import WordForms, suffix_stem
from gtcode.transcripts.nlp import tokenize
from open_coding_fixtures import BOOK_YAML, book


@pytest.fixture
def engine(tmp_path):
    return RuleEngine(book(tmp_path), lemmas=None)


def codes(engine, text):
    return [m.code_id for m in engine.match(text)]


def test_term_inside_a_word_counts(engine):
    found = {m.code_id: m.hits for m in engine.match("他很懂人情世故，也会做人。")}
    assert set(found) == {"favour.renqing", "favour.shigu"}
    assert [(h.term, h.start, h.end, h.lang) for h in found["favour.renqing"]] == [
        ("人情", 3, 5, "zh")]
    assert [(h.term, h.start, h.end) for h in found["favour.shigu"]] == [("人情世故", 3, 7)]


def test_term_across_a_word_boundary_does_not_count(engine):
    assert codes(engine, "村里的老人情绪不太好") == []
    assert engine.stats.boundary_rejected == 1


def test_aligned_whole_word_and_edges(engine):
    assert codes(engine, "人情") == ["favour.renqing"]
    assert codes(engine, "欠的是人情。") == ["favour.renqing"]


def test_not_term_vetoes_the_code_in_the_whole_segment(engine):
    assert codes(engine, "这里很有人情味。后来也讲人情。") == []
    assert engine.stats.vetoed == 1
    assert codes(engine, "后来也讲人情。") == ["favour.renqing"]


def test_boundary_any_accepts_cross_word_hits(tmp_path):
    any_engine = RuleEngine(book(tmp_path), lemmas=None)
    assert codes(any_engine, "拖欠债务") == ["economic.debt"]
    aligned = RuleEngine(book(tmp_path, BOOK_YAML.replace("boundary: any",
                                                          "boundary: aligned")), lemmas=None)
    assert codes(aligned, "拖欠债务") == []


def test_english_inflections_with_the_suffix_fallback(engine):
    assert engine.forms.mode == "suffix-stripping"
    for text in ("He was bribed.", "bribing them", "Bribes everywhere", "BRIBE"):
        assert codes(engine, text) == ["economic.low_pay"], text
    assert codes(engine, "bribery") == []
    assert codes(engine, "a low salaries problem") == ["economic.low_pay"]
    found = engine.match("They gave Red Envelopes and favours.")
    assert [(h.term, h.start, h.end, h.lang) for h in found[0].hits] == [
        ("red envelope", 10, 23, "en"), ("favour", 28, 35, "en")]


def test_suffix_stem_known_answers():
    cases = {"bribe": "brib", "bribes": "brib", "bribed": "brib", "bribing": "brib",
             "briber": "brib", "policies": "policy", "taxes": "tax", "stopped": "stop",
             "running": "run", "favours": "favour", "boss": "boss", "bosses": "boss",
             "gift": "gift", "needs": "need", "needed": "need", "was": "was"}
    assert {w: suffix_stem(w) for w in cases} == cases


def test_lemma_table_is_used_when_given(tmp_path):
    lemmas = {"bribes": "bribe", "bribed": "bribe", "favours": "favour", "envelopes": "envelope"}
    engine = RuleEngine(book(tmp_path), lemmas=lemmas)
    assert engine.forms.mode == "lemmas"
    assert codes(engine, "he bribed us") == ["economic.low_pay"]
    assert codes(engine, "bribing") == []  # not in this table: lemmas, not suffixes
    assert WordForms(lemmas)("Favours") == "favour"


def test_inside_word_ok_for_english_needs_a_word_start(tmp_path):
    text = BOOK_YAML.replace("boundary: any", "boundary: any").replace(
        "en: [low salary, bribe]\n", "en: [low salary, bribe]\n              boundary: inside-word-ok\n")
    engine = RuleEngine(book(tmp_path, text), lemmas=None)
    assert codes(engine, "bribery") == ["economic.low_pay"]
    assert codes(engine, "abribe") == []


def test_regex_rule_and_evidence(engine):
    found = engine.match("月薪才三千，工资太低了")
    assert [m.code_id for m in found] == ["economic.low_pay"]
    assert [(h.term, h.start, h.end, h.lang) for h in found[0].hits] == [
        ("月薪(才|只有)?[一二三四五两]千", 0, 5, "re"), ("工资太低", 6, 10, "zh")]


def test_overlapping_terms_of_two_codes_and_of_one_code(engine):
    found = {m.code_id: m.hits for m in engine.match("工资太低，送礼讲人情世故")}
    assert set(found) == {"favour.renqing", "favour.shigu", "economic.low_pay"}
    assert [h.term for h in found["favour.renqing"]] == ["送礼", "人情"]


def spy_engine(tmp_path, **options):
    calls = []

    def spy(text, lang):
        calls.append(text)
        return tokenize(text, lang)

    return RuleEngine(book(tmp_path), tokenizer=spy, lemmas=None, **options), calls


def test_segmentation_only_where_a_dictionary_word_crosses_an_edge(tmp_path):
    engine, calls = spy_engine(tmp_path)
    assert codes(engine, "人情。") == ["favour.renqing"]
    assert codes(engine, "讲人情的") == ["favour.renqing"]
    assert calls == []  # no dictionary word crosses an edge of these hits
    assert codes(engine, "村里老人情绪大") == []
    assert codes(engine, "村里老人情绪大") == []
    assert calls == ["村里老人情绪大"]  # 老人 crosses the left edge; the window is cached
    assert engine.stats.window_checks == 2 and engine.stats.tokenizer_calls == 1


def test_without_a_lexicon_every_inner_hit_is_segmented(tmp_path):
    engine, calls = spy_engine(tmp_path, lexicon=None)
    assert codes(engine, "讲人情的") == ["favour.renqing"]
    assert codes(engine, "他说老人情绪") == []
    assert calls == ["讲人情的", "他说老人情绪"]


def test_full_width_latin_is_folded(engine):
    found = engine.match("他说ＢＲＩＢＥＳ。")
    assert [(h.term, h.start, h.end) for h in found[0].hits] == [("bribe", 2, 8)]


def test_evidence_json_shifts_offsets():
    text = evidence_json([("人情", 3, 5, "zh"), ('a"b', 0, 3, "en")], offset=10)
    assert json.loads(text) == [{"term": "人情", "start": 13, "end": 15, "lang": "zh"},
                                {"term": 'a"b', "start": 10, "end": 13, "lang": "en"}]


def test_roll_up(tmp_path):
    cb = book(tmp_path)
    assert ancestors("favour.renqing", cb.links) == ["favour.exchange", "social_favour", "core"]
    assert [c.id for c in cb.ancestors("economic")] == ["core"]
    assert ancestors("nope", cb.links) == []
    assert cb.main_category("favour.shigu") == "social_favour"
    assert cb.main_category("core") is None and cb.main_category("nope") is None
    assert cb.subcategory("favour.renqing") == "favour.exchange"
    assert cb.subcategory("economic") is None


def test_roll_up_of_codes_beyond_the_codebook_and_loops():
    """Codes a study holds beyond its codebook roll up by the same walk; a loop ends it."""
    Row = namedtuple("Row", "id parent level")
    book_codes = [Row("core", None, "core"), Row("econ", "core", "category")]
    stored = [Row("econ", "core", "subcategory"), Row("imp", "econ", None),
              Row("a", "b", "category"), Row("b", "a", "concept")]
    links = code_links(book_codes, stored)
    assert links["econ"] == ("core", "category")  # the codebook's entry wins
    assert main_category("imp", links) == "econ"
    assert level_up("b", "category", links) == "a" and main_category("a", links) == "a"
    assert level_up("imp", "core", links) == "core" and level_up("imp", "x", links) is None


def test_scan_spans_codes_each_span_as_scan_does(engine):
    parts = ["问：送礼吗？", "答：工资太低，讲人情", "世故。", "答：工资\n问：少", "答：bribed him"]
    text = "".join(parts)
    spans, position = [], 0
    for part in parts:
        spans.append((position + 2, position + len(part)))
        position += len(part)
    spans = [spans[1], spans[2], spans[3], spans[4]]  # the interviewer's turn is not coded
    together = engine.scan_spans(text, spans)
    alone = [[(i, [(t, a + lo, b + lo, lang) for t, a, b, lang in hits])
              for i, hits in engine.scan(text[lo:hi])] for lo, hi in spans]
    assert together == alone
    assert [engine.code_ids[i] for i, _ in together[0]] == ["favour.renqing",
                                                             "economic.low_pay"]
    assert together[1] == []  # 人情世故 across two segments is no hit


def test_lemma_table_from_spacy_lookups_data(tmp_path, monkeypatch):
    import gzip
    import sys
    import types

    from gtcode.coding.rules.wordforms import load_lemma_table

    (tmp_path / "en_lemma_lookup.json.gz").write_bytes(
        gzip.compress(json.dumps({"Bribed": "bribe", "was": "be"}).encode()))
    fake = types.SimpleNamespace(en={"lemma_lookup": str(tmp_path / "en_lemma_lookup.json")})
    monkeypatch.setitem(sys.modules, "spacy_lookups_data", fake)
    assert load_lemma_table() == {"bribed": "bribe", "was": "be"}
    monkeypatch.setitem(sys.modules, "spacy_lookups_data", None)
    assert load_lemma_table() is None


def general_path_only(engine):
    """Send every character-automaton hit through the general (slow, obvious) path."""
    engine._entries = [entry if not uses else
                       (entry[0], -1, False, "", "", entry[5], None, None, uses, entry[9])
                       for entry, (_l, _c, uses, _k) in zip(engine._entries,
                                                             engine._char_patterns)]
    return engine


def random_texts(seed, count):
    """Random texts of terms and their neighbours, with spans cut between pieces."""
    import random

    rng = random.Random(seed)
    pieces = ["人情", "人情世故", "人情味", "送礼", "工资低", "工资太低", "欠债", "老人", "情绪",
              "世故", "老", "讲", "的", "，", "。", " ", "村里", "拖欠", "债务", "礼物", "工资",
              "人", "情", "送", "工", "欠", " bribe ", " Bribes ", " low salary ", " favours ",
              "ＢＲＩＢＥ。", "月薪三千", "\n"]
    for _ in range(count):
        parts = [rng.choice(pieces) for _ in range(rng.randint(1, 25))]
        ends = [0]
        for part in parts:
            ends.append(ends[-1] + len(part))
        cuts = sorted(rng.sample(ends, min(len(ends), rng.randint(1, 6))))
        yield "".join(parts), [(cuts[j], cuts[j + 1]) for j in range(0, len(cuts) - 1, 2)]


def test_fast_path_decides_every_hit_as_the_general_path(tmp_path):
    cb = book(tmp_path)
    fast, slow = RuleEngine(cb, lemmas=None), general_path_only(RuleEngine(cb, lemmas=None))
    assert any(entry[-1] is None and entry[6] is not None for entry in fast._entries)
    for text, spans in random_texts(1, 400):
        assert fast.scan_spans(text, spans) == slow.scan_spans(text, spans), (text, spans)
    assert vars(fast.stats) == vars(slow.stats)
    assert fast.stats.window_checks > 0 and fast.stats.boundary_rejected > 0


def test_a_word_crossing_either_edge_alone_is_checked(tmp_path):
    engine, calls = spy_engine(tmp_path)
    codes(engine, "我说老人情。")  # 老人 crosses only the left edge of 人情
    codes(engine, "讲人情绪。")  # 情绪 crosses only the right edge
    assert calls == ["我说老人情", "讲人情绪"]


def test_scan_spans_equals_scan_of_each_span_on_random_texts(tmp_path):
    engine = RuleEngine(book(tmp_path), lemmas=None)
    for text, spans in random_texts(2, 400):
        alone = [[(i, [(t, a + lo, b + lo, lang) for t, a, b, lang in hits])
                  for i, hits in engine.scan(text[lo:hi])] for lo, hi in spans]
        assert engine.scan_spans(text, spans) == alone, (text, spans)


def jieba_verdict(window, start, end):
    return not any(a < start < b < end or start < a < end < b
                   for _t, a, b in tokenize(window, "zh"))


def test_jieba_route_gives_the_verdict_of_a_full_segmentation():
    import random

    from gtcode.coding.rules.windows import RouteDecider, default_route_decider
    from gtcode.transcripts.nlp import _jieba

    decide, jieba = default_route_decider(), _jieba().dt
    assert decide is not None
    rng = random.Random(4)
    words = ("人情 老人 情绪 世故 讲 的 村里 工资 太低 送礼 礼物 面子 进步 风气 上面 压力 行情 情人 "
             "通报 审批 上访 前任 领导 书记 干部 群众 老百姓 孩子 工作 事情 问题 时候 后来 现在 一直 "
             "开会 汇报 检查 考核 材料 项目 资金 工程 修路 房子 土地 补贴 低保 扶贫 指标 签字 报账 "
             "发票 手续 程序 规定 政策 其实 确实 特别 比较 可能 还是 就是 然后 所以 因为 但是 一个 "
             "大家 别人 自己 人家 心里 觉得 知道 担心 害怕 高兴 负担 责任 任务 机会 关系 办法 条件 "
             "经济 收入 开支 看病 上学 结婚 买房 生活 日子 喝酒 电话 微信 过年 年底 去年 今年 学校 "
             "医院 银行 企业 公司 市场 会议室 规矩 习惯 说法 道理 意思 态度 能力 水平 经验 身体 "
             "人 情 老 世 故 面 子 进 步 气 压 上 行 通 报 审 批 访 前 任 龘 靐 齉 鬯 彧").split()
    checked, unsure, false, hmm = 0, 0, 0, 0
    bare = RouteDecider(decide.words, jieba.total)  # no HMM: says None where it would decide
    for _ in range(3000):
        window = "".join(rng.choice(words) for _ in range(rng.randint(1, 7)))
        if len(window) < 2:
            continue
        start = rng.randrange(len(window) - 1)
        end = rng.randint(start + 2, len(window))
        route = {}
        jieba.calc(window, jieba.get_DAG(window), route)
        assert decide.route(window) == [route[x][1] + 1 for x in range(len(window))], window
        verdict = decide(window, start, end)
        if verdict is None:
            unsure += 1
            continue
        checked += 1
        false += not verdict
        hmm += bare(window, start, end) is None
        assert verdict == jieba_verdict(window, start, end), (window, start, end)
    assert checked > 2800 and false > 300 and unsure == 0 and hmm > 10
    assert decide("老人情绪", 1, 3) is False and decide("讲人情的", 1, 3) is True
    assert decide("老人情ａ", 1, 3) is None  # not one jieba block: segment it instead


def test_route_is_jiebas_route():
    from gtcode.coding.rules.windows import default_route_decider
    from gtcode.transcripts.nlp import _jieba

    decide, jieba = default_route_decider(), _jieba().dt
    for window in ["老人情绪", "村里老人情绪大", "讲人情的", "他很懂人情世故也会做人", "龘靐齉人情",
                   "工资太低送礼讲人情世故", "书记情人", "任故一直", "的的的的", "人"]:
        route = {}
        jieba.calc(window, jieba.get_DAG(window), route)
        assert decide.route(window) == [route[x][1] + 1 for x in range(len(window))], window


def test_english_words_found_with_many_latin_letters_outside_the_segments(engine):
    head = "Interviewer notes, not coded: " * 5 + "\n"
    text = head + "答：he was bribed again"
    lo = len(head) + 2
    found = engine.scan_spans(text, [(0, 4), (lo, len(text))])
    assert [[engine.code_ids[i] for i, _ in pairs] for pairs in found] == [
        [], ["economic.low_pay"]]
    assert engine.scan_spans(text, [(lo, lo + 6)]) == [[]]  # "he was": no term
    assert engine.scan_spans(head + "bribe", [(0, 10), (len(head), len(head) + 5)])[1]


def test_variants_are_every_character_that_normalises_to_the_alphabet():
    import re

    from gtcode.coding.rules.text import (
        LATIN_RANGES,
        fold_variants,
        normalise_for_matching,
    )

    latin = re.compile(r"[A-Za-z\u00c0-\u024f]")
    for point in range(0x110000):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        normal = normalise_for_matching(char)
        if latin.match(normal):
            assert any(a <= point <= b for a, b in LATIN_RANGES), hex(point)
        if normal != char:
            variants = fold_variants({normal})
            assert variants is None or char in variants[normal], hex(point)
    for char, forms in fold_variants(set("abkz09人情-")).items():
        assert all(normalise_for_matching(form) == char for form in forms), char
    assert fold_variants({"σ"}) is None and fold_variants({"é"}) is None and fold_variants({"K"}) is None


def test_raw_and_normalised_reading_code_alike(tmp_path):
    import random

    text = BOOK_YAML.replace("zh: [欠债]\n", "zh: [欠债, ktv, a股, 3d, k歌]\n")
    raw = RuleEngine(book(tmp_path, text), lemmas=None)
    assert raw._reads_raw
    normalised = RuleEngine(book(tmp_path, text), lemmas=None)
    normalised._reads_raw = False
    normalised._matcher = type(raw._matcher)(
        [(key, pid) for pid, (*_r, key) in enumerate(normalised._char_patterns)])
    rng = random.Random(6)
    pieces = ["KTV", "ＫＴＶ", "\u212aTV", "ktv", "Ａ股", "a股", "３D", "3ｄ", "K歌", "欠债", "人情",
              "老人", "情绪", "，", " ", "bribes", "Σ", "İ", "x"]
    for _ in range(300):
        sample = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert raw.scan(sample) == normalised.scan(sample), sample
    assert [raw.code_ids[i] for i, _ in raw.scan("去\u212aTV唱Ｋ歌")] == ["economic.debt"]


def test_normalising_keeps_offsets_with_full_width_and_long_lower_cases():
    from gtcode.coding.rules.text import normalise_for_matching

    assert normalise_for_matching("３D，İktvＫ") == "3d，İktvk"


def test_which_regexes_must_begin_with_a_latin_letter():
    import re

    from gtcode.coding.rules.regex_gate import starts_with_latin_letter
    from gtcode.coding.rules.text import LATIN_RANGES

    latin = {r"(only|just) (about )?[0-9]+ (yuan )?a month": True, r"\bfoo": True,
             r"(?:a|)b": True, r"a?b": True, r"(?<=x)ab": True, r"(a|b)+c": True,
             r"[A-Za-z]+ing": True, r"(一个|个)(正科|副科)(?!长)": False, r"a?1": False,
             r"[^a]b": False, r".x": False, r"\d+ yuan": False, r"x*": False, r"": False,
             r"(?i:a)b": False, r"[a-z]x|工资": False, r"(": False}
    assert {pattern: starts_with_latin_letter(pattern) for pattern in latin} == latin
    letter = re.compile("[a-z]", re.IGNORECASE)
    for point in range(0x110000):  # what an ASCII letter matches is in the Latin test
        if letter.match(chr(point)):
            assert any(a <= point <= b for a, b in LATIN_RANGES), hex(point)


def test_english_regex_runs_only_when_a_segment_holds_a_latin_letter(tmp_path):
    text = BOOK_YAML.replace('regex: ["月薪(才|只有)?[一二三四五两]千"]',
                             'regex: ["月薪(才|只有)?[一二三四五两]千", "only [0-9]+ yuan"]')
    engine = RuleEngine(book(tmp_path, text), lemmas=None)
    monthly = tuple(sorted(f"月薪{only}{n}千" for only in ("", "才", "只有") for n in "一二三四五两"))
    assert [(latin, needs) for *_rest, latin, needs, _number in engine._regex] == [(False, monthly),
                                                                         (True, None)]
    source = "问：only 300 yuan?\n答：是的，月薪三千。\n答：ONLY 300 Yuan a month\n"
    first, second = (source.index("是的"), source.index("\n答：O"))
    spans = [(first, second), (second + 3, len(source) - 1)]
    found = engine.scan_spans(source, spans)
    assert [[hit for _i, hits in pairs for hit in hits] for pairs in found] == [
        [("月薪(才|只有)?[一二三四五两]千", first + 3, first + 7, "re")],
        [("only [0-9]+ yuan", second + 3, second + 16, "re")]]
    assert engine.scan_spans(source, spans[:1]) == found[:1]  # no Latin letter: skipped


def test_required_literals_of_regexes():
    from gtcode.coding.rules.regex_gate import required_literals

    known = {"(两|三)个点": ("三个点", "两个点"), "工资[^，]{0,8}(低|少)": ("工资",),
             "(一个|个)(正科|副科)(?!长)": ("个副科", "个正科"),
             "(书记|镇长)[^，]{0,6}都(那样|这样)": ("都这样", "都那样"),
             "a?工资": ("工资",), "(工资)?太低": ("太低",), "((a))工资": None,
             "[两三]个": ("三个", "两个"), "[^两]个点": ("个点",),
             "(想|寻思)[^，]{0,8}(当|弄)": None, "工|资": None, "(?:工资|)太": None,
             "(only|just) x": None, "": None, "(": None}
    assert {pattern: required_literals(pattern) for pattern in known} == known


def test_required_literals_prefer_the_rarest_run_when_frequencies_are_known():
    from gtcode.coding.rules.regex_gate import required_literals

    pattern = "(书记|镇长)[^，]{0,6}(就是说|还是说)"
    words = {"就是说": 3000, "还是说": 2000, "书记": 50, "镇长": 20}
    assert required_literals(pattern) == ("就是说", "还是说")  # longest shortest string
    assert required_literals(pattern, frequency=lambda s: words.get(s, 0)) == ("书记", "镇长")
    # optional parts multiply the strings, and a string holding another is dropped
    assert required_literals("出了?事[^。]{0,4}(就是|还是)",
                             frequency=lambda s: {"就是": 9, "还是": 9}.get(s, 0)) == \
        ("出了事", "出事")


def test_regex_runs_only_where_a_required_literal_is_in_a_segment(tmp_path):
    engine = RuleEngine(book(tmp_path), lemmas=None)
    source = "问：月薪三千吗？\n答：是的，工资太低。\n答：月薪才三千。\n"
    first, second = source.index("是的"), source.index("月薪才")

    def coded(spans):
        return [[(engine.code_ids[i], [hit[0] for hit in hits]) for i, hits in pairs]
                for pairs in engine.scan_spans(source, spans)]

    assert coded([(first, first + 8)]) == [[("economic.low_pay", ["工资太低"])]]
    assert coded([(first, first + 8), (second, second + 6)]) == [
        [("economic.low_pay", ["工资太低"])],
        [("economic.low_pay", ["月薪(才|只有)?[一二三四五两]千"])]]



def test_a_regex_without_its_literal_in_a_segment_is_not_run(tmp_path, monkeypatch):
    from gtcode.coding.rules import scan as rule_scan

    runs = []
    original = rule_scan.Run.regex
    monkeypatch.setattr(rule_scan.Run, "regex",
                        lambda self, *args: runs.append(args[2]) or original(self, *args))
    engine = RuleEngine(book(tmp_path), lemmas=None)
    source = "问：月薪三千吗？\n答：工资太低。\n"
    start = source.index("工资")
    assert engine.scan_spans(source, [(start, start + 5)])[0][0][0] == engine.code_ids.index(
        "economic.low_pay")
    assert runs == []  # 月薪 only in the interviewer's turn
    engine.scan_spans(source, [(2, 8)])
    assert runs == ["月薪(才|只有)?[一二三四五两]千"]


A_NOT_B_YAML = """\
name: a-not-b
codes:
  - id: ties
    name: 关系
    level: concept
    rules:
      terms:
        zh: [关系好, 送得多]
"""


@pytest.mark.parametrize(("text", "term"), [
    ("跟上面关系好不好，很关键", "关系好"),   # 好不好 is one word for the segmenter
    ("你送得多不多，人家心里有数", "送得多"),
])
def test_a_term_followed_by_an_a_not_b_question_on_itself_counts(tmp_path, text, term):
    engine = RuleEngine(book(tmp_path, A_NOT_B_YAML), lemmas=None)
    assert [h.term for m in engine.match(text) for h in m.hits][:1] == [term]


def test_the_a_not_b_exception_needs_the_repeat(tmp_path):
    engine = RuleEngine(book(tmp_path, A_NOT_B_YAML), lemmas=None)
    assert codes(engine, "村里的关系好不容易理顺") == []  # 好不容易: no repeat of 好 after 不
