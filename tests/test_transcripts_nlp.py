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
