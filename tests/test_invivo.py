"""In-vivo candidates: phrases, weighting, exclusions, cases, fillers and fragments."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from gtcode.coding.invivo import (
    InvivoSegment,
    example_context,
    extract_invivo,
    segment_phrases,
)
from gtcode.coding.invivo_rank import COEFFICIENTS, FEATURES, INTERCEPT, features, probability
from gtcode.coding.invivo_words import EN_FILLERS, ZH_FILLERS, en_words
from gtcode.coding.open_coding import find_invivo
from gtcode.transcripts.nlp import tokenize, zh_word_tags
from open_coding_fixtures import make_study


def fake(text, lang):
    """Whitespace tokenizer with offsets (known answers without jieba)."""
    out, pos = [], 0
    for word in text.split(" "):
        out.append((word, pos, pos + len(word)))
        pos += len(word) + 1
    return out


def test_phrases_begin_and_end_on_content_words():
    counts = segment_phrases("我 觉得 圈子 文化 ， 圈子 文化 就是 大", fake)
    # 我, 觉得 and 就是 are no edges; ， breaks; 大 alone is too short (two-character words
    # are counted, and kept as candidates only when one speaker's own: see below)
    assert counts == Counter({"圈子文化": 2, "圈子": 2, "文化": 2})
    counts = segment_phrases("不 送 不 办 的 事", fake)
    assert counts["不送不办"] == 1 and "不送不办的" not in counts  # a negation may lead
    assert not any(p.endswith("不") for p in counts)


def test_english_phrases_keep_contractions_and_possessives_whole():
    assert en_words("My wife’s brother can't say no, isn't it?") == [
        "my", "wife's", "brother", "can't", "say", "no", ",", "isn't", "it", "?"]
    counts = segment_phrases("The red envelope was a red envelope. My wife's brother can't "
                             "refuse, everybody did it.", fake)
    assert counts["red envelope"] == 2 and counts["wife's brother"] == 1
    assert counts["everybody did it"] == 1  # an object pronoun may end a phrase
    assert not any(re.search(r"(^| )(n't|'s|ca|wo)( |$)", p) for p in counts)
    assert "red" not in counts and "envelope" not in counts  # one English word is no phrase
    assert not any(p.endswith("'s") for p in counts)


def test_weighting_subsumption_exclusion_and_cases():
    segments = [InvivoSegment(1, "A#1", "A", "圈子 文化 ， 送礼品"),
                InvivoSegment(2, "B#1", "B", "圈子 文化 ， 小面子"),
                InvivoSegment(3, "B#2", "B", "小面子 ， 送礼品"),
                InvivoSegment(4, "C#1", "C", "天气")]
    result = extract_invivo(segments, tokenize=fake, exclude={"送礼品"})
    by_phrase = {c.phrase: c for c in result.candidates}
    assert set(by_phrase) == {"圈子文化", "小面子"}  # 送礼品 is excluded
    assert by_phrase["圈子文化"].cases == ("A", "B")
    assert by_phrase["圈子文化"].sources == ("A", "B")
    assert by_phrase["圈子文化"].where == ("A#1", "B#1")
    assert by_phrase["圈子文化"].count == 2 and by_phrase["小面子"].segments == 2
    # no background: every Chinese word counts as 2e-5; 9 words in all
    keyness = math.log(2 / 9) - 2 * math.log(2e-5)
    assert by_phrase["圈子文化"].keyness == round(keyness, 4)
    assert result.per_segment[1] == [("圈子文化", round(keyness, 4))]
    row = features("圈子文化", ("圈子", "文化"), count=2, interviews=2, own=0.5,
                   keyness=keyness, general_logp=2 * math.log(2e-5), clause=True,
                   quoted=False, idiom=False, compound=False, asked=0, dictionary=None)
    assert row == pytest.approx([0.0, 2.0, -2 * math.log(2e-5) / 20, math.log(3), math.log(2), 0.5, 1.0,
                   0.0, 0.0, 0.0, 2.0, 0.4, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    # Chinese keeps the formula: keyness x log(1 + count) x sqrt(interviews) x sqrt(size)
    assert by_phrase["圈子文化"].score == float(
        f"{keyness * math.log(3) * math.sqrt(2) * math.sqrt(2):.4g}")
    assert 4 not in result.per_segment


def test_a_clause_said_once_counts_when_it_stands_out_or_is_quoted():
    segments = [InvivoSegment(1, "A#1", "A", "心头 那杆 秤 歪 了 ， 小金库"),
                InvivoSegment(2, "B#1", "B", "“ 一把手 说了算 ” ， 小金库"),
                InvivoSegment(3, "B#2", "B", "吃 饭 喝 酒")]
    background = {"那杆": 10, "秤": 100, "歪": 100, "一把手": 9_000, "说了算": 9_000,
                  "吃": 900_000, "饭": 900_000, "喝": 900_000, "酒": 900_000, "小金库": 10}
    result = extract_invivo(segments, tokenize=fake, background=background)
    by_phrase = {c.phrase: c for c in result.candidates}
    assert "心头那杆秤歪" in by_phrase  # said once, but rare in general language
    assert "一把手说了算" in by_phrase  # said once, in quotation marks
    assert "吃饭喝酒" not in by_phrase  # said once, everyday words
    quoted, plain = by_phrase["一把手说了算"], by_phrase["心头那杆秤歪"]
    assert quoted.count == plain.count == 1


def test_the_ranker_is_a_logistic_model_of_its_features():
    row = [0.0] * len(FEATURES)
    assert probability(row) == 1 / (1 + math.exp(-INTERCEPT))
    row[FEATURES.index("own")] = 1.0
    row[FEATURES.index("verb")] = 1.0
    z = INTERCEPT + COEFFICIENTS["own"] + COEFFICIENTS["verb"]
    assert math.isclose(probability(row), 1 / (1 + math.exp(-z)))
    assert probability(row, {name: 0.0 for name in FEATURES}, 0.0) == 0.5


def test_a_telling_phrase_said_once_outranks_a_topic_said_everywhere():
    # English is ranked by the model: "the line just kept moving" said once, by one
    # respondent, above "project money" (an office's name) said by four;
    # recurrence and keyness (the formula Chinese keeps) put the topic first.
    segments = [InvivoSegment(1, "A#1", "A", "the line just kept moving. project money"),
                InvivoSegment(2, "B#1", "B", "project money, the weather"),
                InvivoSegment(3, "C#1", "C", "project money"),
                InvivoSegment(4, "D#1", "D", "project money")]
    result = extract_invivo(segments, tokenize=fake)
    phrases = [c.phrase for c in result.candidates]
    assert phrases.index("line just kept moving") < phrases.index("project money")
    once = {c.phrase: c for c in result.candidates}["line just kept moving"]
    assert once.count == 1 and once.sources == ("A",)
    formula_first = sorted(result.candidates, key=lambda c: -c.keyness * math.log1p(c.count)
                           * math.sqrt(len(c.sources)))
    assert formula_first[0].phrase == "project money"


def test_a_phrase_in_coded_turns_ranks_higher():
    segments = [InvivoSegment(1, "A#1", "A", "grease the wheels"),
                InvivoSegment(2, "B#1", "B", "paper the cracks")]
    plain = extract_invivo(segments, tokenize=fake)
    assert [c.score for c in plain.candidates] == [plain.candidates[0].score] * 2
    coded = extract_invivo(segments, tokenize=fake, coded={2})
    assert [c.phrase for c in coded.candidates] == ["paper the cracks", "grease the wheels"]
    assert coded.candidates[0].score > coded.candidates[1].score


def test_the_top_is_spread_over_interviews():
    segments = [InvivoSegment(i, f"A#{i}", "A", text) for i, text in enumerate(
        ["grease the wheels", "paper the cracks", "fill the hole", "tie the hands",
         "feel the clock"], 1)]
    segments.append(InvivoSegment(9, "B#1", "B", "save face"))
    scored = extract_invivo(segments, tokenize=fake).candidates
    score = {c.phrase: c.score for c in scored}
    phrases = [c.phrase for c in scored]
    assert len(phrases) == 6 and score["save face"] < min(s for p, s in score.items()
                                                          if p != "save face")
    # each of A's phrases loses SPREAD for every better phrase of A: B's comes second
    assert phrases.index("save face") == 1


def test_a_two_character_word_is_a_candidate_when_one_speaker_owns_it():
    segments = [InvivoSegment(1, "A#1", "A", "饥荒 ， 低保"), InvivoSegment(2, "A#2", "A", "饥荒"),
                InvivoSegment(3, "B#1", "B", "低保 ， 饥荒"), InvivoSegment(4, "C#1", "C", "低保"),
                InvivoSegment(5, "D#1", "D", "低保")]
    phrases = [c.phrase for c in extract_invivo(segments, tokenize=fake).candidates]
    assert phrases == ["饥荒"]  # A says it twice of three times; 低保 is everybody's


def test_a_phrase_said_inside_a_longer_one_gives_way():
    segments = [InvivoSegment(1, "A#1", "A", "整宿 整宿 睡不着"),
                InvivoSegment(2, "B#1", "B", "整宿 整宿 睡不着"),
                InvivoSegment(3, "C#1", "C", "心里 不 踏实"),
                InvivoSegment(4, "D#1", "D", "心里 不 踏实 ， 不 踏实")]
    phrases = [c.phrase for c in extract_invivo(segments, tokenize=fake).candidates]
    assert "整宿整宿睡不着" in phrases and "睡不着" not in phrases
    # 不踏实 is said apart from 心里不踏实 once in three times: both stay
    assert {"心里不踏实", "不踏实"} <= set(phrases)


def test_everyday_combinations_fall_away_against_general_language():
    segments = [InvivoSegment(1, "A#1", "A", "后来 出了事 ， 小金库"),
                InvivoSegment(2, "B#1", "B", "后来 出了事 ， 小金库")]
    background = {"出了事": 9_000_000, "小金库": 1, "其他": 999_999}
    result = extract_invivo(segments, tokenize=fake, background=background)
    assert [c.phrase for c in result.candidates] == ["小金库"]
    keyness = math.log(2 / 6) - math.log(1 / 10_000_000)
    size = 3 / 2  # a Chinese phrase's length in words: its characters / 2
    assert result.candidates[0].score == float(
        f"{keyness * math.log(3) * math.sqrt(2) * math.sqrt(size):.4g}")


def test_interviewer_phrases_are_left_out():
    segments = [InvivoSegment(1, "A#1", "A", "廉政 教育 ， 小金库"),
                InvivoSegment(2, "A#2", "A", "廉政 教育 ， 小金库"),
                InvivoSegment(3, "A#3", "A", "廉政 教育", asked=True),
                InvivoSegment(4, "A#4", "A", "廉政 教育 廉政 教育", asked=True)]
    result = extract_invivo(segments, tokenize=fake)
    assert [c.phrase for c in result.candidates] == ["小金库"]


def test_real_tokenizer_chinese_phrase():
    counts = segment_phrases("一年到头就是跑项目，跑项目。", tokenize, tags=zh_word_tags())
    assert counts["跑项目"] == 2


def test_a_chinese_phrase_is_at_most_eight_characters():
    counts = segment_phrases("圈子 corruption 文化 小金库 一把手 说了算", fake)
    assert not any("corruption" in p for p in counts)
    assert counts["文化小金库"] == 1 and "小金库一把手说了算" not in counts  # 9 characters
    assert counts["一把手说了算"] == 1


def test_example_context():
    text = "那时候大家都这样，不送不办，你不送，事情就办不成。"
    assert example_context(text, "不送不办", width=3) == "…这样，不送不办，你不…"
    assert example_context("They said: Everybody  did it, so.", "everybody did it") == \
        "They said: Everybody did it, so."
    assert example_context(text, "潜规则") == ""


FILLER_TURNS = {
    "S01.txt": [("interviewer", "谢谢你们配合。你们镇里廉政教育怎么搞？廉政教育多吗？廉政教育呢？"),
                ("respondent", "嗯，那个，就是说，镇里嘛，县里嘛，然后，其实，反正就是跑项目。"
                               "后来一个月两千块钱，2019年，谢谢你们。"),
                ("respondent", "啊，对对对，这个，那个，监区里头，有个事，后来又跑项目，不送不办。"
                               "谢谢你们，廉政教育。")],
    "S02.txt": [("respondent", "嗯嗯，然后呢，局里，县里，镇里，就是，那个，不送不办嘛，跑项目。"
                               "谢谢你们。有一回，一个月，三千块。"),
                ("respondent", "呃，反正，其实，那个，大家都这样，不送不办，监区。")],
    "E01.txt": [("interviewer", "Thank you. So how did the county bureau work? The county bureau?"),
                ("respondent", "Um, you know, I mean, like, well, it's just, uh, everybody did "
                               "it. We couldn't say no. Two years, five thousand yuan. Thank you. "
                               "My wife's brother, um, you know, grease the wheels."),
                ("respondent", "Yeah, um, uh, I mean, you know, the county, the bureau, grease "
                               "the wheels, that's how things are done here. Thank you. "
                               "Everybody did it. We couldn't say no. My wife's brother.")],
}


def test_a_filler_heavy_study_gives_phrases_not_fillers_or_fragments(tmp_path):
    study, book = make_study(tmp_path, FILLER_TURNS)
    result = find_invivo(study, book, store=False)
    top = [c.phrase for c in result.candidates[:10]]
    assert {"跑项目", "不送不办", "grease the wheels"} <= set(top)
    fillers = ZH_FILLERS | EN_FILLERS | {"you know", "i mean", "谢谢你们", "thank you"}
    places = {"镇里", "县里", "局里", "监区", "county", "bureau"}
    for phrase in top:
        words = set(phrase.split()) | {phrase}
        assert not words & fillers, phrase
        assert not any(place in phrase for place in places), phrase
        assert not re.search(r"(^| )(n't|'s|ca|wo)( |$)", phrase), phrase
        assert not re.search(r"[0-9一两三五千]|years|thousand", phrase), phrase
        assert "廉政教育" not in phrase  # the interviewer's words
    by_phrase = {c.phrase: c for c in result.candidates}
    assert by_phrase["不送不办"].count == 3 and len(by_phrase["不送不办"].sources) == 2
    assert by_phrase["不送不办"].example_at == "S01.txt#3"
    assert "不送不办" in by_phrase["不送不办"].example


def test_find_invivo_excludes_interviewer_turns_and_codebook_terms(tmp_path):
    turns = {"S01.txt": [("interviewer", "面子工程面子工程"), ("respondent", "送礼送礼，小金库。"),
                         ("respondent", "还有小金库。")]}
    study, book = make_study(tmp_path, turns)
    result = find_invivo(study, book)
    phrases = [c.phrase for c in result.candidates]
    assert "小金库" in phrases
    assert "送礼" not in phrases and not any("面子" in p for p in phrases)


@pytest.mark.slow
def test_the_shipped_ranker_is_what_the_training_script_fits(monkeypatch, tmp_path):
    import runpy
    import sys
    from pathlib import Path

    monkeypatch.setenv("GTCODE_CACHE_DIR", str(tmp_path / "cache"))
    script = Path(__file__).resolve().parent.parent / "scripts" / "train_invivo_ranker.py"
    monkeypatch.setattr(sys, "argv", [str(script), "--check"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(script), run_name="__main__")
    assert exit_.value.code == 0
