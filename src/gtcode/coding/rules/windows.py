"""Deciding a boundary window from jieba's route, without a full segmentation.

A Chinese hit whose edge a dictionary word could cross is checked by
segmenting a small window around it (:meth:`RuleEngine._decide`). jieba
segments a block of Chinese text in two steps: a dynamic programme over its
dictionary picks the most probable route of words (``get_DAG`` and
``calc``), then runs of single characters on that route that are not a
dictionary word themselves go to an HMM (``finalseg``), which may join them
into new words. :class:`RouteDecider` runs the first step exactly as jieba's
``get_DAG`` and ``calc`` do (same dictionary, same floating-point sums in
the same order, same tie-break), finding the window's dictionary words with
one pass of an Aho-Corasick automaton of jieba's dictionary (kept in the
index cache, so jieba's own dictionary is never loaded), and reads the
verdict off the route:

* a word of two or more characters on the route that crosses an edge of the
  hit: jieba yields it, so the hit straddles a word boundary (False);
* no such word, and no run of single characters on both sides of an edge
  that the HMM could join: no word crosses an edge (True);
* otherwise the HMM decides: the run goes to jieba's ``finalseg`` exactly as
  ``jieba.cut`` would send it, and the verdict is read off the words.

This is the same verdict as segmenting the window with jieba (HMM on); tests
check that the route equals jieba's and that the verdicts agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from math import log

#: How a :func:`gtcode.transcripts.nlp.zh_words` value packs frequency and length.
_LENGTH_BITS = 5
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1
#: jieba's ``re_han_default``: a window of only these characters is one block to it.
_HAN_BLOCK = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+")


class RouteDecider:
    """The verdict on a window from jieba's route (see the module docstring).

    Args:
        words: jieba's dictionary as an automaton (:func:`gtcode.transcripts.nlp.zh_words`:
            each word with a frequency maps to ``frequency << 5 | length``).
        total: jieba's ``Tokenizer.total`` (the sum its word probabilities use).
        hmm: jieba's HMM on a run of characters (``finalseg.cut``); with it,
            a window whose verdict hangs on the HMM is decided here too.
    """

    def __init__(self, words, total: float,
                 hmm: Callable[[str], list[str]] | None = None) -> None:
        self.words, self.log_total, self.hmm = words, log(total), hmm

    def route(self, window: str) -> list[int]:
        """For each position, the end (exclusive) of the word jieba's route takes there.

        ``get_DAG`` and ``calc`` of jieba: the dictionary words of the window
        come from one pass of the automaton; then, from the right, at each
        position over the words starting there (shortest first) the best
        ``log(frequency) - log(total) + best score after the word``, a tie
        going to the longer word; a position starting no word takes its
        character with frequency 1.
        """
        size, log_total = len(window), self.log_total
        starting: list[list[tuple[int, int]]] = [[] for _ in range(size)]
        for last, value in self.words.iter(window):  # by end: shortest first at each start
            length = value & _LENGTH_MASK
            starting[last + 1 - length].append((last + 1, value >> _LENGTH_BITS))
        score, ends = [0.0] * (size + 1), [0] * size
        for k in range(size - 1, -1, -1):
            best, best_end = None, k + 1
            for end, frequency in starting[k]:
                value = log(frequency) - log_total + score[end]
                if best is None or value >= best:
                    best, best_end = value, end
            score[k] = log(1) - log_total + score[k + 1] if best is None else best
            ends[k] = best_end
        return ends

    def __call__(self, window: str, start: int, end: int) -> bool | None:
        """False when a word crosses an edge of ``window[start:end]``, True when none
        does, None when only jieba's HMM can tell and no HMM was given (or the
        window is not one jieba block)."""
        if not _HAN_BLOCK.fullmatch(window):
            return None
        ends = self.route(window)
        size, x, run, unsure = len(window), 0, -1, False
        while x < size:
            y = ends[x]
            if y - x == 1:
                run = x if run < 0 else run
                x = y
                continue
            if run >= 0:
                unsure = unsure or self._hmm_may_cross(window, run, x, start, end)
                run = -1
            if x < start < y < end or start < x < end < y:
                return False
            x = y
        if run >= 0:
            unsure = unsure or self._hmm_may_cross(window, run, size, start, end)
        if not unsure:
            return True
        if self.hmm is None:
            return None
        return not any(a < start < b < end or start < a < end < b
                       for a, b in self._tokens(window, ends))

    def _is_word(self, text: str) -> bool:
        return self.words.get(text, 0) != 0

    def _hmm_may_cross(self, window: str, first: int, last: int, start: int,
                       end: int) -> bool:
        """Whether jieba hands the run ``window[first:last]`` to its HMM across an edge."""
        if last - first < 2 or self._is_word(window[first:last]):
            return False  # yielded as one character, or character by character
        return first < start < last or first < end < last

    def _tokens(self, window: str, ends: list[int]) -> list[tuple[int, int]]:
        """The words of ``jieba.cut(window)`` as spans: its ``__cut_DAG`` on the route."""
        spans: list[tuple[int, int]] = []

        def flush(first: int, last: int) -> None:
            if last - first == 1 or self._is_word(window[first:last]):
                spans.extend((i, i + 1) for i in range(first, last))
                return
            position = first
            for token in self.hmm(window[first:last]):
                spans.append((position, position + len(token)))
                position += len(token)

        x, run, size = 0, -1, len(window)
        while x < size:
            y = ends[x]
            if y - x == 1:
                run = x if run < 0 else run
            else:
                if run >= 0:
                    flush(run, x)
                    run = -1
                spans.append((x, y))
            x = y
        if run >= 0:
            flush(run, size)
        return spans


def default_route_decider() -> RouteDecider | None:
    """A decider on the jieba that :func:`gtcode.transcripts.nlp.tokenize` uses, if reachable."""
    from gtcode.transcripts.nlp import zh_hmm_cut, zh_words

    words, total = zh_words()
    return RouteDecider(words, total, hmm=zh_hmm_cut)
