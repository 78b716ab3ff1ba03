"""Tokens, sentences and language detection (the spaCy/jieba layer)."""

from __future__ import annotations

import pytest

from gtcode.errors import GtcodeError
from gtcode.transcripts import nlp


def test_chinese_tokens_carry_offsets_and_word_boundaries():
    text = "人情世故和 老人情绪"
    tokens = nlp.tokenize(text, "zh")
    assert all(text[s:e] == w for w, s, e in tokens)
    words = [w for w, _, _ in tokens]
    assert "人情世故" in words and "人情" not in words and " " not in words


def test_tokenize_agrees_with_the_spacy_jieba_pipeline():
    text = "我们村没啥资源，上面是有项目，可项目不会自己掉下来。"
    spacy_words = [t.text for t in nlp.zh_nlp().make_doc(text) if not t.is_space]
    assert [w for w, _, _ in nlp.tokenize(text, "zh")] == spacy_words


def test_english_tokens():
    text = "It's a pressure cooker, not pressure."
    tokens = nlp.tokenize(text, "en")
    assert all(text[s:e] == w for w, s, e in tokens)
    assert [w for w, _, _ in tokens][:3] == ["It", "'s", "a"]


def test_pipelines_are_cached():
    assert nlp.zh_nlp() is nlp.zh_nlp() and nlp.en_nlp() is nlp.en_nlp()


def test_sentences_are_trimmed_spans():
    text = "你好。 最近怎么样？还行"
    assert [text[s:e] for s, e in nlp.sentences(text, "zh")] == ["你好。", "最近怎么样？", "还行"]
    text = "One. Two!  Three"
    assert [text[s:e] for s, e in nlp.sentences(text, "en")] == ["One.", "Two!", "Three"]


@pytest.mark.parametrize("text,lang", [
    ("我觉得 NVivo 很好用", "zh"), ("I met 张三 in the county town today", "en"),
    ("Hello there", "en"), ("", "zh"), ("123", "zh"),
])
def test_detect_language(text, lang):
    assert nlp.detect_language(text) == lang
    assert nlp.tokenize(text, "auto") == nlp.tokenize(text, lang)


def test_unknown_language_is_E112():
    with pytest.raises(GtcodeError) as info:
        nlp.tokenize("x", "fr")
    assert info.value.code == "E112"


def _jieba_words(text: str) -> list[tuple[str, int, int]]:
    import jieba

    return [(w, s, e) for w, s, e in jieba.tokenize(text) if not w.isspace()]


def _labelled_lines() -> list[str]:
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data"
    lines = []
    for path in sorted(data.glob("*/*.txt")):
        data_bytes = path.read_bytes()
        try:
            text = data_bytes.decode("utf-8-sig")
        except UnicodeDecodeError:  # the GBK sample files
            text = data_bytes.decode("gb18030")
        lines += [line for line in text.splitlines() if line.strip()]
    return lines


def test_chinese_words_are_jiebas_on_every_labelled_line():
    """rjieba cuts runs of Chinese characters; the words must be jieba's, one for one."""
    lines = _labelled_lines()
    assert len(lines) > 2000
    different = [line[:20] for line in lines if nlp.tokenize(line, "zh") != _jieba_words(line)]
    assert different == []
    if nlp._rjieba() is not None:  # the fast path was taken, on both kinds of line
        assert any(not nlp._NOT_HAN.search(line) for line in lines)
        assert any(nlp._NOT_HAN.search(line) for line in lines)


def test_chinese_words_are_jiebas_on_random_mixed_text():
    import random

    rng = random.Random(5)
    pieces = ["人情世故", "老人情绪", "领导", "说", "3000块", "2015年", "i.e.", "T恤", "e-mail", "，",
              "。", "……", "“", "”", " ", "\r\n", "\t", "%", "#", "&", "+", "_", "-", "A股", "ok",
              "吃饭", "请客送礼", "小金库", "跑项目", "的", "了", "们", "呢", "阿Q", "3.5%", "（", "）",
              "Ｑ", "ｏｋ", "㐀", "\u3000", "廉洁自律", "一把手", "拍板", "没办法"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        assert nlp.tokenize(text, "zh") == _jieba_words(text), text


def test_without_rjieba_jieba_does_it_all(monkeypatch):
    monkeypatch.setattr(nlp, "_rjieba", lambda: None)
    text = "逢年过节要送礼，月薪3000块，i.e. 人情世故。"
    assert nlp.tokenize(text, "zh") == _jieba_words(text)
