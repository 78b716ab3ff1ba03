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

from collections.abc import Callable, Iterable, Mapping

from gtcode.cache import cache_key, cached

#: Longest dictionary word considered.
MAX_WORD = 8

#: For one side of one term: character next to the term -> the outside parts that
#: have it there, shortest first.
Side = dict[str, tuple[str, ...]]
_NONE: Side = {}


class EdgeWords:
    """The heads and tails of dictionary words crossing each term's edges.

    Args:
        terms: the (normalised) Chinese terms whose hits are checked.
        lexicon: word -> frequency (jieba's dictionary; 0 marks a mere prefix).
    """

    def __init__(self, terms: Iterable[str], lexicon: Mapping[str, int]) -> None:
        self.left, self.right = _index(terms, lexicon)

    @classmethod
    def from_sides(cls, left: dict[str, Side], right: dict[str, Side]) -> EdgeWords:
        """An index from its two tables (as :func:`edge_words` keeps them on disk)."""
        edges = cls.__new__(cls)
        edges.left, edges.right = left, right
        return edges

    def touching(self, term: str) -> tuple[Side, Side]:
        """What may cross the edges of a hit of ``term``, by the character next to the edge.

        Returns:
            (left, right): neighbouring character -> the heads (left) or tails
            (right) of crossing dictionary words that have that character next
            to the term, shortest first. A hit whose neighbours are in neither
            needs no segmentation.
        """
        return self.left.get(term, _NONE), self.right.get(term, _NONE)

    def crosses(self, term: str, text: str, start: int, end: int, *, left: bool = True,
                right: bool = True, lo: int = 0, hi: int | None = None) -> bool:
        """True when a dictionary word crosses the left or right edge of the hit.

        ``left``/``right`` say which edges to look at (an edge next to a
        non-CJK character needs no look); ``lo``/``hi`` bound the segment.
        """
        hi = len(text) if hi is None else hi
        if left and start > lo:
            for head in self.left.get(term, _NONE).get(text[start - 1], ()):
                if len(head) > start - lo:
                    break
                if text.startswith(head, start - len(head)):
                    return True
        if right and end < hi:
            for tail in self.right.get(term, _NONE).get(text[end], ()):
                if len(tail) > hi - end:
                    break
                if text.startswith(tail, end):
                    return True
        return False


def _index(terms: Iterable[str], lexicon: Mapping[str, int]
           ) -> tuple[dict[str, Side], dict[str, Side]]:
    """The left and right tables of :class:`EdgeWords`."""
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
    shared: dict[tuple[str, ...], Side] = {}  # terms with the same prefixes share a side
    left: dict[str, Side] = {}
    right: dict[str, Side] = {}
    for term in terms:
        left[term] = _side(heads, tuple(term[:k] for k in range(1, len(term))), -1, shared)
        right[term] = _side(tails, tuple(term[k:] for k in range(1, len(term))), 0, shared)
    return left, right


def _side(parts: dict[str, set[str]], keys: tuple[str, ...], edge: int,
          shared: dict[tuple[str, ...], Side]) -> Side:
    """The outside parts of all ``keys`` by their character next to the term."""
    found = shared.get((str(edge), *keys))
    if found is None:
        groups: dict[str, list[str]] = {}
        union = set().union(*(parts.get(key, ()) for key in keys))
        for part in sorted(union, key=lambda p: (len(p), p)):
            groups.setdefault(part[edge], []).append(part)
        found = shared[(str(edge), *keys)] = {char: tuple(group)
                                             for char, group in groups.items()}
    return found


_CACHE: dict[tuple[frozenset[str], int], EdgeWords] = {}


def edge_words(terms: Iterable[str], lexicon: Mapping[str, int] | Callable[[], Mapping[str, int]],
               *, fingerprint: str | None = None) -> EdgeWords:
    """:class:`EdgeWords` for these terms, built once per process and lexicon.

    With ``fingerprint`` (a string that changes whenever the lexicon does,
    e.g. jieba's version and dictionary file) the index is also kept on disk
    (:mod:`gtcode.cache`), so later runs load it instead of building it;
    ``lexicon`` may then be a function that loads the lexicon, called only
    when the index has to be built.
    """
    key = (frozenset(terms), fingerprint or id(lexicon))
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        load = lexicon if callable(lexicon) else lambda: lexicon
        if fingerprint is None:
            found = EdgeWords(key[0], load())
        else:
            disk_key = cache_key("edge-words", str(MAX_WORD), fingerprint, *sorted(key[0]))
            found = EdgeWords.from_sides(*cached(
                "edges", disk_key, lambda: _index(key[0], load())))
        _CACHE[key] = found
    return found
