"""In-vivo candidates: phrases, weighting, exclusions, cases."""

from __future__ import annotations

import math
from collections import Counter

from gtcode.coding.invivo import InvivoSegment, extract_invivo, segment_phrases
from gtcode.coding.open_coding import find_invivo
from gtcode.transcripts.nlp import tokenize
from open_coding_fixtures import make_study


def fake(text, lang):
    """Whitespace tokenizer with offsets (known answers without jieba)."""
    out, pos = [], 0
    for word in text.split(" "):
        out.append((word, pos, pos + len(word)))
        pos += len(word) + 1
    return out


def test_phrases_skip_stop_words_punctuation_and_short_words():
    counts = segment_phrases("我 觉得 圈子 文化 ， 圈子 文化 就是 大", fake)
    assert counts == Counter({"圈子": 2, "文化": 2, "圈子文化": 2})
    english = segment_phrases("the red envelope was a red envelope", fake)
    assert english == Counter({"red": 2, "envelope": 2, "red envelope": 2})


def test_weighting_subsumption_exclusion_and_cases():
    segments = [InvivoSegment(1, "A#1", "A", "圈子 文化 送礼"),
                InvivoSegment(2, "B#1", "B", "圈子 文化 面子"),
                InvivoSegment(3, "B#2", "B", "面子 工程 送礼"),
                InvivoSegment(4, "C#1", "C", "天气")]
    result = extract_invivo(segments, tokenize=fake, exclude={"送礼"})
    by_phrase = {c.phrase: c for c in result.candidates}
    assert set(by_phrase) == {"圈子文化", "面子"}  # 圈子 and 文化 are subsumed, 送礼 excluded
    assert by_phrase["圈子文化"].cases == ("A", "B")
    assert by_phrase["圈子文化"].where == ("A#1", "B#1")
    assert by_phrase["圈子文化"].count == 2 and by_phrase["面子"].segments == 2
    # no background: every word counts as 1e-5; 10 content tokens in all
    keyness = math.log(2 / 10) - 2 * math.log(1e-5)
    assert result.per_segment[1] == [("圈子文化", round(keyness, 4))]
    assert by_phrase["圈子文化"].score == round(keyness * math.log(3) * math.sqrt(2), 4)
    assert 4 not in result.per_segment


def test_everyday_words_fall_away_against_general_language():
    segments = [InvivoSegment(1, "A#1", "A", "后来 ， 小金库"),
                InvivoSegment(2, "B#1", "B", "后来 ， 小金库")]
    background = {"后来": 9_000_000, "小金库": 1, "其他": 999_999}
    result = extract_invivo(segments, tokenize=fake, background=background)
    assert [c.phrase for c in result.candidates] == ["小金库"]
    keyness = math.log(2 / 4) - math.log(1 / 10_000_000)
    assert result.candidates[0].score == round(keyness * math.log(3) * math.sqrt(2), 4)


def test_real_tokenizer_chinese_phrase():
    counts = segment_phrases("一年到头就是跑项目，跑项目。", tokenize)
    assert counts["跑项目"] == 2 or counts["项目"] == 2


def test_find_invivo_excludes_interviewer_turns_and_codebook_terms(tmp_path):
    turns = {"S01.txt": [("interviewer", "面子工程面子工程"), ("respondent", "送礼送礼，小金库。"),
                         ("respondent", "还有小金库。")]}
    study, book = make_study(tmp_path, turns)
    result = find_invivo(study, book)
    phrases = [c.phrase for c in result.candidates]
    assert "小金库" in phrases
    assert "送礼" not in phrases and not any("面子" in p for p in phrases)


def test_a_chinese_phrase_is_at_most_eight_characters():
    counts = segment_phrases("圈子 corruption 文化 小金库 一把手说了算", fake)
    assert "corruption" not in counts and not any("corruption" in p for p in counts)
    assert counts["文化小金库"] == 1 and "小金库一把手说了算" not in counts  # 9 characters
    assert counts["一把手说了算"] == 1
