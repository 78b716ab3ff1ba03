"""In-vivo phrases of one text: the words, the runs between breaks, the n-grams on
content-word edges, the whole clauses and what stands in quotation marks.

See :mod:`gtcode.coding.invivo` for the method; the kinds of words are
:mod:`gtcode.coding.invivo_words`'s.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from gtcode.coding.invivo_words import (
    BREAK,
    CONTENT,
    EDGE,
    en_filler_pair,
    en_kind,
    en_may_end,
    en_possessive,
    en_words,
    zh_kind,
)
from gtcode.coding.rules.text import CJK, Tokenizer

#: Longest phrase: Chinese words and characters, English words; shortest Chinese phrase of
#: several words; longest English clause.
ZH_WORDS, ZH_CHARS, EN_WORDS, ZH_SHORTEST, EN_CLAUSE = 4, 8, 5, 3, 7



def segment_phrases(text: str, tokenize: Tokenizer, *,
                    parts: dict[str, tuple[str, ...]] | None = None,
                    tags: Mapping[str, str] | None = None) -> Counter[str]:
    """Count the candidate phrases in ``text`` (see the module's docstring).

    ``parts``, when given, collects the words each phrase is made of;
    ``tags``: jieba's part-of-speech tags by word (``nlp.zh_word_tags``).
    """
    counts: Counter[str] = Counter()
    text_phrases(text, tokenize, tags, counts, {} if parts is None else parts)
    return counts


def phrase_language(phrase: str) -> str:
    """``zh`` for a phrase with Chinese characters, else ``en``."""
    return "zh" if CJK.search(phrase) else "en"


def text_phrases(text: str, tokenize: Tokenizer, tags: Mapping[str, str] | None,
             counts: Counter[str], parts: dict[str, tuple[str, ...]],
             whole: dict[str, bool] | None = None) -> int:
    """Count ``text``'s phrases into ``counts``; return how many words it has.

    ``whole`` collects the phrases that are a whole clause (a run of words between
    breaks, less its edge words), each with whether it stands in quotation marks.
    """
    zh = CJK.search(text) is not None
    clauses: dict[str, tuple[str, ...]] | None = None if whole is None else {}
    if zh:
        words = [token.strip().lower() for token, _start, _end in tokenize(text, "zh")]
        known = _kinds_of(tags)
        kinds = [known[word] if word in known else known.setdefault(word, zh_kind(word, tags))
                 for word in words]
    else:
        words = en_words(text)
        kinds = [en_kind(word) for word in words]
    run: list[int] = []
    for i, kind in enumerate(kinds):
        if kind == BREAK:
            _count_run(words, kinds, run, zh, tags, counts, parts, clauses)
            run = []
        else:
            run.append(i)
    _count_run(words, kinds, run, zh, tags, counts, parts, clauses)
    if whole is not None and clauses:
        quoted = _quoted(text, zh)
        for phrase in clauses:
            whole[phrase] = whole.get(phrase, False) or phrase in quoted
    return sum(kind != BREAK for kind in kinds)


_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’\n]{2,60})[”\"」』’]")


#: The kinds of the Chinese words seen so far, for one mapping of tags (kept alive here, so
#: that it is never mistaken for another).
_KINDS: list = [None, {}]


def _kinds_of(tags: Mapping[str, str] | None) -> dict[str, int]:
    """The cache of :func:`zh_kind` for ``tags`` (a new one when the tags change)."""
    if _KINDS[0] is not tags:
        _KINDS[0], _KINDS[1] = tags, {}
    return _KINDS[1]


def _quoted(text: str, zh: bool) -> set[str]:
    """What ``text`` holds in quotation marks, as phrases are spelled (lower case; Chinese
    without spaces)."""
    found = set()
    for quote in _QUOTED.findall(text):
        quote = quote.strip().lower()
        found.add(quote.replace(" ", "") if zh else " ".join(en_words(quote)))
    return found


def _count_run(words: list[str], kinds: list[int], run: list[int], zh: bool,
               tags: Mapping[str, str] | None, counts: Counter[str],
               parts: dict[str, tuple[str, ...]],
               clauses: dict[str, tuple[str, ...]] | None = None) -> None:
    """Count the phrases of one run of words (indexes into ``words``)."""
    if clauses is not None:
        _clause(words, kinds, run, zh, counts, parts, clauses)
    longest = ZH_WORDS if zh else EN_WORDS
    for a, first in enumerate(run):
        if kinds[first] == EDGE:
            continue
        content = False
        for b in range(a, min(a + longest, len(run))):
            last = run[b]
            content = content or kinds[last] == CONTENT
            if not content:
                continue
            if kinds[last] != CONTENT and (zh or not en_may_end(words[last])) \
                    or not zh and en_possessive(words[last]):
                continue
            span = tuple(words[first:last + 1])
            if zh:
                phrase = "".join(span)
                if len(phrase) > ZH_CHARS:
                    break
                if len(span) == 1 and not _zh_single(phrase, tags) \
                        or len(span) > 1 and len(phrase) < ZH_SHORTEST:
                    continue
            else:
                if len(span) == 1 and not _en_single(span[0]):
                    continue
                phrase = " ".join(span)
                if en_filler_pair(span):
                    break
            counts[phrase] += 1
            if phrase not in parts:
                parts[phrase] = span


def _clause(words: list[str], kinds: list[int], run: list[int], zh: bool,
            counts: Counter[str], parts: dict[str, tuple[str, ...]],
            clauses: dict[str, tuple[str, ...]]) -> None:
    """Note the run as a whole clause when, less its edge words, it is a phrase's length
    (counted too when it is longer than the n-grams :func:`_count_run` counts)."""
    first = next((i for i in run if kinds[i] != EDGE), None)
    last = next((i for i in reversed(run)
                 if kinds[i] == CONTENT or not zh and en_may_end(words[i])), None)
    if first is None or last is None or last <= first:
        return
    span = tuple(words[first:last + 1])
    if not any(kinds[i] == CONTENT for i in range(first, last + 1)):
        return
    if zh:
        phrase = "".join(span)
        if not ZH_SHORTEST <= len(phrase) <= ZH_CHARS:
            return
    else:
        phrase = " ".join(span)
        if len(span) > EN_CLAUSE or en_filler_pair(span) or en_possessive(span[-1]):
            return
    clauses[phrase] = span
    if len(span) > (ZH_WORDS if zh else EN_WORDS):
        counts[phrase] += 1
        parts.setdefault(phrase, span)


def _zh_single(word: str, tags: Mapping[str, str] | None) -> bool:
    """A Chinese word alone is a phrase when it has two characters or more."""
    return len(word) >= 2


def _en_single(word: str) -> bool:
    """A single English word is no phrase (a word alone is seldom a participant's own)."""
    return False


def example_context(text: str, phrase: str, width: int = 12) -> str:
    """``phrase`` in ``text`` with up to ``width`` characters either side (English:
    three times as many), on one line; ``""`` when it is not found."""
    lang = phrase_language(phrase)
    folded = text.lower().replace("\u2019", "'")
    start = folded.find(phrase)
    if start < 0 and lang == "en":
        start = _en_find(folded, phrase)
    if start < 0:
        return ""
    width = width if lang == "zh" else 3 * width
    end = start + len(phrase)
    left, right = max(0, start - width), min(len(text), end + width)
    snippet = " ".join(text[left:right].split())
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def _en_find(folded: str, phrase: str) -> int:
    found = re.search(r"\W+".join(re.escape(w) for w in phrase.split()), folded)
    return found.start() if found else -1
