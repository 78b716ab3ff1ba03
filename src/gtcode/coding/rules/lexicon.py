"""jieba's segmenter and dictionary, as the rule engine uses them by default.

The engine asks for them only when a codebook has aligned Chinese terms, so
these import :mod:`gtcode.transcripts.nlp` (and with it spaCy and jieba) when
called, not when the engine's modules are imported: a codebook with English
terms alone never loads jieba.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gtcode.coding.rules.text import Tokenizer


def default_tokenizer() -> Tokenizer:
    """spaCy's ``zh`` jieba segmenter (and its ``en`` tokenizer), via nlp.py."""
    from gtcode.transcripts.nlp import tokenize

    return tokenize


def default_lexicon() -> Mapping[str, int] | None:
    """jieba's prefix dictionary (word -> frequency, 0 for mere prefixes), via nlp.py."""
    from gtcode.transcripts.nlp import zh_lexicon

    return zh_lexicon()


def default_word_frequency() -> Callable[[str], int]:
    """How often jieba's dictionary has a word (0 for no word), from its cached automaton."""
    from gtcode.transcripts.nlp import WORD_LENGTH_BITS, zh_words

    get = zh_words()[0].get
    return lambda word: get(word, 0) >> WORD_LENGTH_BITS


def default_lexicon_fingerprint() -> str:
    """What identifies jieba's dictionary in cache keys (version, file, size)."""
    from gtcode.transcripts.nlp import zh_lexicon_fingerprint

    return zh_lexicon_fingerprint()
