"""Which dictionary words can cross the edges of a codebook term.

A Chinese hit can only be cut across by the segmenter if some dictionary
word starts before the hit and ends inside it (老人 for 人情 in 老人情绪), or
starts inside it and ends after it. :class:`EdgeWords` indexes, once per
codebook, the outside parts of all such words for every term: the *heads*
``X`` with ``X + term[:k]`` a word, and the *tails* ``Y`` with
``term[k:] + Y`` a word. A hit whose neighbouring characters match no head
and no tail cannot straddle a word boundary, and needs no segmentation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Longest dictionary word considered.
MAX_WORD = 8

#: For one side of one term: the outside parts, their lengths (ascending), and the
#: characters they have next to the term (a quick first test).
Side = tuple[frozenset[str], tuple[int, ...], frozenset[str]]
_NONE: Side = (frozenset(), (), frozenset())


class EdgeWords:
    """The heads and tails of dictionary words crossing each term's edges.

    Args:
        terms: the (normalised) Chinese terms whose hits are checked.
        lexicon: word -> frequency (jieba's dictionary; 0 marks a mere prefix).
    """

    def __init__(self, terms: Iterable[str], lexicon: Mapping[str, int]) -> None:
        terms = {t for t in terms if len(t) > 1}
        prefixes = {t[:k] for t in terms for k in range(1, len(t))}
        suffixes = {t[k:] for t in terms for k in range(1, len(t))}
        heads: dict[str, set[str]] = {}
        tails: dict[str, set[str]] = {}
        for word, frequency in lexicon.items():
            if frequency <= 0 or not 1 < len(word) <= MAX_WORD:
                continue
            for j in range(1, len(word)):
                head, tail = word[:j], word[j:]
                if tail in prefixes:
                    heads.setdefault(tail, set()).add(head)
                if head in suffixes:
                    tails.setdefault(head, set()).add(tail)
        self.left: dict[str, Side] = {}
        self.right: dict[str, Side] = {}
        for term in terms:
            self.left[term] = _side(heads, [term[:k] for k in range(1, len(term))], -1)
            self.right[term] = _side(tails, [term[k:] for k in range(1, len(term))], 0)

    def touching(self, term: str) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """What may cross the edges of a hit of ``term``, by the character next to the edge.

        Returns:
            (left, right): neighbouring character -> the heads (left) or tails
            (right) of crossing dictionary words that have that character next
            to the term, shortest first. A hit whose neighbours are in neither
            needs no segmentation.
        """
        return (_by_char(self.left.get(term, _NONE)[0], -1),
                _by_char(self.right.get(term, _NONE)[0], 0))

    def crosses(self, term: str, text: str, start: int, end: int, *, left: bool = True,
                right: bool = True, lo: int = 0, hi: int | None = None) -> bool:
        """True when a dictionary word crosses the left or right edge of the hit.

        ``left``/``right`` say which edges to look at (an edge next to a
        non-CJK character needs no look); ``lo``/``hi`` bound the segment.
        """
        if left and start > lo:
            outside, lengths, touching = self.left.get(term, _NONE)
            for j in lengths if text[start - 1] in touching else ():
                if j > start - lo:
                    break
                if text[start - j:start] in outside:
                    return True
        if right:
            hi = len(text) if hi is None else hi
            outside, lengths, touching = self.right.get(term, _NONE)
            for j in lengths if end < hi and text[end] in touching else ():
                if j > hi - end:
                    break
                if text[end:end + j] in outside:
                    return True
        return False


def _side(parts: dict[str, set[str]], keys: list[str], edge: int) -> Side:
    union: set[str] = set()
    for key in keys:
        union |= parts.get(key, set())
    return (frozenset(union), tuple(sorted({len(p) for p in union})),
            frozenset(p[edge] for p in union))


def _by_char(parts: frozenset[str], edge: int) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for part in sorted(parts, key=lambda p: (len(p), p)):
        found.setdefault(part[edge], []).append(part)
    return {char: tuple(group) for char, group in found.items()}


_CACHE: dict[tuple[frozenset[str], int], EdgeWords] = {}


def edge_words(terms: Iterable[str], lexicon: Mapping[str, int]) -> EdgeWords:
    """:class:`EdgeWords` for these terms, built once per process and lexicon."""
    key = (frozenset(terms), id(lexicon))
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        found = _CACHE[key] = EdgeWords(key[0], lexicon)
    return found
