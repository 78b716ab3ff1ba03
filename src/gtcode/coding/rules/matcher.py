"""A faster front end to pyahocorasick for large alphabets (Chinese).

pyahocorasick keeps the children of a trie node in a plain array and finds a
character by a linear search through it. With a codebook of about two
thousand Chinese terms the root has several hundred children, and nearly
every character of the text is looked up there: that search, not the Python
around it, is what a bare scan of Chinese text spends its time on.

:class:`Matcher` gives exactly the same hits, in the same order, about twice
as fast, by changing what the automaton reads (never what it finds):

1. Folding: every character that occurs in no key is replaced by one
   stand-in, :data:`OTHER` (a Unicode noncharacter), through a numpy look-up
   table. Such a character can take part in no match, so none is lost or
   added.
2. Two levels: each character ``c`` is read as the pair ``(bucket(c), c)``,
   where the :data:`BUCKETS` buckets (noncharacters too) share out the key
   alphabet by frequency. The keys are rewritten the same way, so the root
   has a handful of children, and each bucket node a few dozen. A match
   ends at an odd index ``i`` of the paired text, which is character
   ``i // 2`` of the original: offsets map back exactly.
3. Order: before the keys, dummy keys ending in :data:`_STOP` (which no
   folded text contains) give every bucket and every character a child
   entry, commonest first, so most linear searches end within a few steps.

The speed relies on how pyahocorasick stores children (in insertion order);
a version that stores them otherwise may lose it, never a match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

import ahocorasick
import numpy as np

#: The stand-in for every character that occurs in no key (a noncharacter).
OTHER = "\ufdd0"
#: Ends the dummy keys; folded text never contains it (a noncharacter).
_STOP = "\ufdd1"
#: Number of buckets sharing out the key alphabet (the root's fan-out).
BUCKETS = 16
#: The bucket characters: one per bucket, then the bucket of :data:`OTHER`.
_BUCKET = [chr(0xFDD2 + number) for number in range(BUCKETS + 1)]
_RESERVED = {OTHER, _STOP, *_BUCKET}


class Matcher:
    """Every occurrence of a set of keys in a text, as pyahocorasick's ``iter`` gives them.

    Args:
        keys: the patterns, each with its value, in a fixed order.
        frequency: how common a character is in running text (higher is
            commoner); decides the order of the automaton's entries only,
            never the hits.
        variants: for a key character, other characters that stand for it
            (its upper-case and full-width forms, say): the fold maps them to
            it, so that text can be matched without normalising it first.

    Attributes:
        shift: ``end >> shift`` turns an end index from :meth:`iter` into an
            end index (inclusive) of the original text.
    """

    def __init__(self, keys: Iterable[tuple[str, object]],
                 frequency: Callable[[str], float] | None = None,
                 variants: Mapping[str, Iterable[str]] | None = None) -> None:
        keys = [(key, value) for key, value in keys if key]
        alphabet = {char for key, _value in keys for char in key}
        self.size = len(keys)
        self.shift = 0
        self.automaton = ahocorasick.Automaton()
        self._chars: np.ndarray | None = None
        self._buckets: np.ndarray | None = None
        pair = str
        #: Whether :attr:`variants` were folded in (else text must come normalised).
        self.folds_variants = False
        if keys and not alphabet & _RESERVED:
            rank = frequency or (lambda _char: 0)
            ranked = sorted(alphabet, key=lambda c: (-rank(c), c))
            bucket = {char: _BUCKET[number % BUCKETS] for number, char in enumerate(ranked)}
            self._chars, self._buckets = _fold_tables(bucket, variants or {})
            self.folds_variants = variants is not None
            self.shift = 1
            self.automaton.add_word(_BUCKET[BUCKETS] + OTHER + _STOP, None)
            for char in [*_BUCKET[:BUCKETS], *(bucket[c] + c for c in ranked)]:
                self.automaton.add_word(char + _STOP, None)
            pair = lambda key: "".join(bucket[c] + c for c in key)  # noqa: E731
        for key, value in keys:
            self.automaton.add_word(pair(key), value)
        if keys:
            self.automaton.make_automaton()

    def fold(self, text: str, codes: np.ndarray | None = None) -> str:
        """The text the automaton reads: each character as (bucket, character), folded.

        ``codes`` may give :func:`code_points` of ``text`` when the caller has them.
        """
        if self._chars is None or not text:
            return text
        chars = self._chars.take(code_points(text) if codes is None else codes, mode="clip")
        return self._paired(chars)

    def _paired(self, chars: np.ndarray) -> str:
        paired = np.empty(2 * len(chars), dtype=np.uint32)
        paired[0::2] = self._buckets.take(chars, mode="clip")
        paired[1::2] = chars
        return paired.tobytes().decode("utf-32-le")

    def iter(self, text: str, codes: np.ndarray | None = None) -> Iterator[tuple[int, object]]:
        """(end index, value) of every occurrence, in order of the end (see :attr:`shift`)."""
        if not self.size:
            return iter(())
        return self.automaton.iter(self.fold(text, codes))

    def iter_codes(self, codes: np.ndarray) -> Iterator[tuple[int, object]]:
        """:meth:`iter` over a text given as its :func:`code_points` (folded mode only)."""
        if not self.size or not len(codes):
            return iter(())
        return self.automaton.iter(self._paired(self._chars.take(codes, mode="clip")))

    def find(self, text: str) -> list[tuple[int, object]]:
        """(end index inclusive, value) of every occurrence in ``text``, in original offsets."""
        return [(end >> self.shift, value) for end, value in self.iter(text)]


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a numpy array (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _fold_tables(bucket: dict[str, str], variants: Mapping[str, Iterable[str]]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Code point -> its alphabet character (itself, or what it is a variant of), else
    OTHER; and alphabet character -> its bucket.

    Both tables end with an entry for everything beyond them (``take`` clips).
    """
    forms = {ord(char): ord(char) for char in bucket}
    for char in bucket:
        forms.update((ord(variant), ord(char)) for variant in variants.get(char, ()))
    top = max(max(forms), ord(OTHER)) + 1
    chars = np.full(top + 1, ord(OTHER), dtype=np.uint32)
    buckets = np.full(top + 1, ord(_BUCKET[BUCKETS]), dtype=np.uint32)
    chars[list(forms)] = list(forms.values())
    for char, home in bucket.items():
        buckets[ord(char)] = ord(home)
    return chars, buckets
