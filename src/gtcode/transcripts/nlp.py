"""Tokens, sentences and language: the only module in gtcode that imports spaCy or jieba.

Pipelines are built lazily on first use and cached for the process; nothing
is downloaded (blank pipelines only). jieba's dictionary loads once (about
0.5 s, cached by jieba in the temp folder) and its start-up log is silenced.
The rule engine does not need it: :func:`zh_words` is the same dictionary as
an automaton kept in gtcode's index cache (loads in 0.03 s), and
:func:`zh_hmm_cut` is jieba's HMM alone.

Speed: :func:`tokenize` on Chinese gives the words of ``jieba.cut`` (HMM on),
the same as spaCy's jieba segmenter (a test checks they agree), without
building a spaCy ``Doc``. Runs of Chinese characters go to ``rjieba`` (jieba's
algorithm, dictionary and HMM in Rust: about 12 times faster than jieba in
Python); a run that also holds Latin letters, digits or the few symbols jieba
keeps inside a word (``+#&._%-``) goes to jieba itself, because rjieba splits
those differently. Tests check, on every labelled turn of ``data/`` and on
random mixed text, that the words are jieba's, character for character.
Without rjieba (no wheel for the platform) jieba does all of it. First use
costs about 0.6 s (jieba's dictionary) plus about 0.5 s for the spaCy pipeline.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from gtcode.errors import GtcodeError

LANGUAGES = ("zh", "en")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN = re.compile(r"[A-Za-z]")
#: Share of CJK among letters above which a text counts as Chinese. An English
#: word is about five letters to a Chinese word's one or two characters.
ZH_SHARE = 0.2


@lru_cache(maxsize=1)
def _jieba_module() -> Any:
    """jieba imported, its dictionary not loaded."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=1)
def _jieba() -> Any:
    jieba = _jieba_module()
    jieba.initialize()
    return jieba


def zh_lexicon() -> Mapping[str, int]:
    """jieba's prefix dictionary, the one :func:`tokenize` segments with.

    Maps each dictionary word to its frequency; a mere prefix of a word maps
    to 0. The rule engine uses it to see which words could cross a hit's edge.
    """
    return _jieba().dt.FREQ


def zh_lexicon_fingerprint() -> str:
    """A string that changes whenever :func:`zh_lexicon` does (for on-disk caches).

    Read off jieba's version and dictionary file, without loading the dictionary.
    """
    jieba = _jieba_module()
    name = jieba.dt.dictionary or os.path.join(os.path.dirname(jieba.__file__),
                                               jieba.DEFAULT_DICT_NAME)
    stat = os.stat(name)
    return (f"jieba {getattr(jieba, '__version__', '?')} {os.path.basename(name)} "
            f"{stat.st_size} {stat.st_mtime_ns}")


#: Bits of a :func:`zh_words` value that hold the word's length.
WORD_LENGTH_BITS = 5


@lru_cache(maxsize=1)
def zh_words() -> tuple[Any, float]:
    """jieba's dictionary as an Aho-Corasick automaton, and the total of its frequencies.

    Each word with a frequency maps to ``frequency << WORD_LENGTH_BITS | len(word)``,
    so that one pass over a window finds every dictionary word in it. Built
    once from :func:`zh_lexicon` (about 1.5 s) and kept in the index cache
    (:mod:`gtcode.cache`), from which it loads in a few hundredths of a
    second: the rule engine then needs no jieba dictionary at all.
    """
    from gtcode.cache import cache_key, cached

    return cached("jieba-words", cache_key("jieba-words", zh_lexicon_fingerprint()),
                  _build_words)


def _build_words() -> tuple[Any, float]:
    import ahocorasick

    words = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for word, frequency in zh_lexicon().items():
        if frequency > 0 and len(word) < 1 << WORD_LENGTH_BITS:
            words.add_word(word, frequency << WORD_LENGTH_BITS | len(word))
    words.make_automaton()
    return words, zh_lexicon_total()


@lru_cache(maxsize=1)
def zh_word_tags() -> Mapping[str, str]:
    """The part of speech jieba's dictionary gives each word (``i`` idiom, ``l`` fixed
    expression, ``m`` numeral, ``ns`` place, ``u`` particle ...).

    Read from the dictionary file :func:`zh_lexicon` comes from (about 0.4 s),
    kept in the index cache, from which it loads in about 0.1 s. In-vivo
    extraction uses it to tell function words, numbers and places from the
    words a phrase can begin or end with.
    """
    from gtcode.cache import cache_key, cached

    return cached("jieba-tags", cache_key("jieba-tags", zh_lexicon_fingerprint()),
                  _read_tags)


def _read_tags() -> dict[str, str]:
    jieba = _jieba_module()
    name = jieba.dt.dictionary or os.path.join(os.path.dirname(jieba.__file__),
                                               jieba.DEFAULT_DICT_NAME)
    tags: dict[str, str] = {}
    with open(name, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3:
                tags[parts[0]] = parts[2]
    return tags


def zh_hmm_cut(text: str) -> list[str]:
    """jieba's HMM (``finalseg``) on a run of characters, as ``jieba.cut`` applies it."""
    from jieba import finalseg

    _jieba_module()
    return list(finalseg.cut(text))


def zh_lexicon_total() -> float:
    """The sum of the dictionary's frequencies (jieba's route uses it to score)."""
    return _jieba().dt.total


@lru_cache(maxsize=1)
def zh_nlp() -> Any:
    """A blank Chinese spaCy pipeline with the jieba segmenter and a sentencizer."""
    _jieba()
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def en_nlp() -> Any:
    """A blank English spaCy pipeline with a sentencizer."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def detect_language(text: str) -> str:
    """``"zh"`` when CJK characters make up at least :data:`ZH_SHARE` of the letters.

    Text without letters counts as Chinese (gtcode is Chinese first).
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk + latin == 0:
        return "zh"
    return "zh" if cjk / (cjk + latin) >= ZH_SHARE else "en"


def _resolve(text: str, lang: str | None) -> str:
    if lang in (None, "auto"):
        return detect_language(text)
    if lang not in LANGUAGES:
        raise GtcodeError("E112", f"unknown language {lang!r}.",
                          hint="use one of: auto, " + ", ".join(LANGUAGES))
    return lang


def tokenize(text: str, lang: str | None = "zh") -> list[tuple[str, int, int]]:
    """Words of ``text`` as ``(token, start, end)`` code-point offsets, whitespace dropped.

    Args:
        text: any text; a short window around a term hit is the common case.
        lang: ``"zh"``, ``"en"``, or ``"auto"``/``None`` to detect.

    Returns:
        Tokens in order; ``text[start:end] == token`` for each.
    """
    lang = _resolve(text, lang)
    if lang == "zh":
        return [token for token in _zh_tokens(text) if not token[0].isspace()]
    doc = en_nlp().make_doc(text)
    return [(t.text, t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]


#: jieba's ``re_han_default``: it cuts each run of these characters on its own.
_HAN_RUN = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+")
#: What rjieba cuts differently from jieba inside such a run.
_NOT_HAN = re.compile("[a-zA-Z0-9+#&\\._%\\-]")
#: Characters rjieba takes for Chinese and jieba does not (rare CJK blocks, which jieba
#: yields one by one).
_RJIEBA_ONLY = re.compile("[\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1F]")


@lru_cache(maxsize=1)
def _rjieba() -> Any:
    try:
        import rjieba
    except ImportError:  # no wheel for this platform: jieba does it all
        return None
    return rjieba


def _zh_tokens(text: str) -> list[tuple[str, int, int]]:
    """``jieba.tokenize(text)``: rjieba for runs of Chinese characters, jieba for the rest."""
    fast = _rjieba()
    if fast is None:
        return list(_jieba().tokenize(text))
    if not _NOT_HAN.search(text) and not _RJIEBA_ONLY.search(text):
        return fast.tokenize(text)
    tokens: list[tuple[str, int, int]] = []
    done = 0
    for run in _HAN_RUN.finditer(text):
        start, end = run.span()
        tokens += [(text[i], i, i + 1) for i in range(done, start)]  # as jieba: one by one
        cut = _jieba().tokenize(run.group()) if _NOT_HAN.search(run.group()) \
            else fast.tokenize(run.group())
        tokens += [(word, a + start, b + start) for word, a, b in cut]
        done = end
    tokens += [(text[i], i, i + 1) for i in range(done, len(text))]
    return tokens


def sentences(text: str, lang: str | None = "zh") -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, trimmed of surrounding whitespace.

    Args:
        text: a paragraph or a turn.
        lang: ``"zh"``, ``"en"``, or ``"auto"``/``None`` to detect.
    """
    lang = _resolve(text, lang)
    nlp = zh_nlp() if lang == "zh" else en_nlp()
    spans = []
    for sent in nlp(text).sents:
        start, end = sent.start_char, sent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def zh_pos_words(text: str) -> list[tuple[str, str, int]]:
    """jieba's words with their part-of-speech tags: ``[(word, tag, start)]``.

    Tags are jieba's (``nr`` person, ``ns`` place, ``nt`` organisation, ``n``
    noun, ...). About 35,000 characters a second: the pseudonymisation
    detector reads it, nothing on the coding path does.
    """
    from jieba import posseg

    _jieba()
    words: list[tuple[str, str, int]] = []
    at = 0
    for pair in posseg.cut(text):
        words.append((pair.word, pair.flag, at))
        at += len(pair.word)
    return words


def zh_word_tag(word: str) -> str | None:
    """jieba's dictionary part-of-speech tag of ``word`` (None when not in the dictionary)."""
    from jieba import posseg

    _jieba()
    return posseg.dt.word_tag_tab.get(word)
