"""A faster front end to pyahocorasick for large alphabets (Chinese).

pyahocorasick keeps the children of a trie node in a plain array and looks a
character up by a linear search through it. With a codebook of about two
thousand Chinese terms the root has several hundred children, and every
character of the text that starts no term (most of them) costs a search
through all of them: that search, not the Python around it, is what a bare
scan of Chinese text spends its time on.

:class:`Matcher` gives the same hits at about twice the speed, in two steps:

1. Folding: every character that occurs in no pattern is replaced by one
   stand-in character (:data:`OTHER`, a Unicode noncharacter) through a
   numpy look-up table. Offsets do not move (one character for one), and no
   match is lost or added, since the replaced characters can take part in no
   pattern.
2. Root order: :data:`OTHER` and then every pattern character, most frequent
   first, get a root entry before the real patterns are added (as dummy
   patterns ending in :data:`_STOP`, which no folded text contains), so the
   linear search at the root ends after a few steps for common characters.

Step 2 relies on how pyahocorasick stores children (in insertion order); a
version that stores them otherwise loses the speed, never a match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import ahocorasick
import numpy as np

#: The stand-in for every character that occurs in no pattern (a noncharacter).
OTHER = "\ufdd0"
#: Ends the dummy patterns; folded text never contains it (another noncharacter).
_STOP = "\ufdd1"


class Matcher:
    """Every occurrence of a set of keys in a text, as pyahocorasick's ``iter`` gives them.

    Args:
        keys: the patterns, each with its value (an int), in a fixed order.
        frequency: how common a character is in running text (higher is
            commoner); decides the root order only, never the hits.
    """

    def __init__(self, keys: Iterable[tuple[str, int]],
                 frequency: Callable[[str], float] | None = None) -> None:
        keys = [(key, value) for key, value in keys if key]
        alphabet = {char for key, _value in keys for char in key}
        self.size = len(keys)
        self.automaton = ahocorasick.Automaton()
        self._table: np.ndarray | None = None
        if OTHER not in alphabet and _STOP not in alphabet and keys:
            self._table = _fold_table(alphabet)
            rank = frequency or (lambda _char: 0)
            for char in [OTHER, *sorted(alphabet, key=lambda c: (-rank(c), c))]:
                self.automaton.add_word(char + _STOP, -1)
        for key, value in keys:
            self.automaton.add_word(key, value)
        if keys:
            self.automaton.make_automaton()

    def fold(self, text: str) -> str:
        """``text`` with every character outside the keys' alphabet replaced by :data:`OTHER`."""
        if self._table is None or not text:
            return text
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        folded = self._table.take(codes, mode="clip")
        return folded.tobytes().decode("utf-32-le", "surrogatepass")

    def iter(self, text: str) -> Iterator[tuple[int, int]]:
        """(end index inclusive, value) of every occurrence, in order of the end."""
        if not self.size:
            return iter(())
        return self.automaton.iter(self.fold(text))


def _fold_table(alphabet: set[str]) -> np.ndarray:
    """Code point -> itself inside the alphabet, else OTHER (the last entry, for clipping)."""
    top = max(ord(char) for char in alphabet) + 1
    table = np.full(top + 1, ord(OTHER), dtype=np.uint32)
    for char in alphabet:
        table[ord(char)] = ord(char)
    return table
