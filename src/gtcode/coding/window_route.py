"""Deciding a boundary window from jieba's route, without a full segmentation.

A Chinese hit whose edge a dictionary word could cross is checked by
segmenting a small window around it (:meth:`RuleEngine._decide`). jieba
segments a block of Chinese text in two steps: a dynamic programme over its
dictionary picks the most probable route of words (``get_DAG`` and
``calc``), then runs of single characters on that route that are not a
dictionary word themselves go to an HMM (``finalseg``), which may join them
into new words. :class:`RouteDecider` runs the first step exactly as jieba's
``get_DAG`` and ``calc`` do (same dictionary, same floating-point sums in
the same order, same tie-break), with one dictionary look-up per fragment
instead of three, and reads the verdict off the route:

* a word of two or more characters on the route that crosses an edge of the
  hit: jieba yields it, so the hit straddles a word boundary (False);
* no such word, and no run of single characters on both sides of an edge
  that the HMM could join: no word crosses an edge (True);
* otherwise the HMM decides: ``None``, and the caller segments the window.

This is the same verdict as segmenting the window with jieba (HMM on), at
about a third of the cost; tests check that the route equals jieba's and
that the verdicts agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from math import log

#: How many single characters :meth:`RouteDecider.route` keeps frequencies of.
_CHARS_KEPT = 50_000
#: jieba's ``re_han_default``: a window of only these characters is one block to it.
_HAN_BLOCK = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+")


class RouteDecider:
    """The verdict on a window from jieba's route (see the module docstring).

    Args:
        freq: jieba's ``Tokenizer.FREQ`` (word -> frequency, 0 for a mere prefix).
        total: jieba's ``Tokenizer.total`` (the sum its word probabilities use).

    The dictionary must not change while the decider is in use (single-character
    frequencies are kept).
    """

    def __init__(self, freq: Mapping[str, int], total: float) -> None:
        self.freq, self.log_total = freq, log(total)
        self._chars: dict[str, int | None] = {}

    def route(self, window: str) -> list[int]:
        """For each position, the end (exclusive) of the word jieba's route takes there.

        ``get_DAG`` and ``calc`` of jieba in one pass from the right: at each
        position, over the dictionary words starting there (shortest first),
        the best ``log(frequency) - log(total) + best score after the word``,
        a tie going to the longer word; a position starting no word takes
        its character with frequency 1. Single characters are looked up in
        a small table of their own (hot in the cache, unlike the dictionary).
        """
        get, chars, log_total, size = self.freq.get, self._chars, self.log_total, len(window)
        score, ends = [0.0] * (size + 1), [0] * size
        score[size] = 0
        for k in range(size - 1, -1, -1):
            char = window[k]
            frequency = chars.get(char, -1)
            if frequency == -1:
                frequency = get(char)
                if len(chars) < _CHARS_KEPT:
                    chars[char] = frequency
            best, best_x, i = None, k, k + 1
            if frequency is not None:
                if frequency:
                    best = log(frequency) - log_total + score[k + 1]
                while i < size:
                    frequency = get(window[k:i + 1])
                    if frequency is None:
                        break
                    if frequency:
                        value = log(frequency) - log_total + score[i + 1]
                        if best is None or value >= best:
                            best, best_x = value, i
                    i += 1
            score[k] = log(1) - log_total + score[k + 1] if best is None else best
            ends[k] = best_x + 1
        return ends

    def __call__(self, window: str, start: int, end: int) -> bool | None:
        """False when a word crosses an edge of ``window[start:end]``, True when none
        does, None when only jieba's HMM can tell."""
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
        return None if unsure else True

    def _hmm_may_cross(self, window: str, first: int, last: int, start: int,
                       end: int) -> bool:
        """Whether jieba hands the run ``window[first:last]`` to its HMM across an edge."""
        if last - first < 2 or self.freq.get(window[first:last]):
            return False  # yielded as one character, or character by character
        return first < start < last or first < end < last


def default_route_decider() -> RouteDecider | None:
    """A decider on the jieba that :func:`gtcode.transcripts.nlp.tokenize` uses, if reachable."""
    from gtcode.transcripts.nlp import zh_lexicon, zh_lexicon_total

    return RouteDecider(zh_lexicon(), zh_lexicon_total())
