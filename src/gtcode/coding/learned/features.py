"""What the learned coder sees of a respondent turn: hashed character n-grams, rule hits, embeddings.

Character n-grams (1-3 by default) are counted on the turn's text folded for
matching (lower case, full-width ASCII folded, runs of white space as one
space) and hashed into ``2**BITS`` columns by numpy arithmetic on the code
points, with no vocabulary: the same text gives the same columns in every
version of gtcode, numpy and scikit-learn, and the whole corpus is counted in
a few vectorised passes. TF-IDF follows scikit-learn's smooth, sublinear
form, with idf 0 for every column the training turns never had (an unseen
n-gram carries no evidence and must not shrink the turn's norm).

Rule hits are one column per label: 1 when the rule engine coded the turn with
that code or with a code beneath it. Sentence embeddings
(:mod:`gtcode.coding.learned.embed`) are appended as dense columns when used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from gtcode.coding.rules.text import normalise_for_matching

#: Hashed n-gram columns: 2**18 = 262,144.
BITS = 18
NGRAMS = (1, 2, 3)
_SPACE = re.compile(r"\s+")
_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_SALT = {n: np.uint64((n * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) for n in range(1, 9)}


def fold(text: str) -> str:
    """The text as n-grams are counted on: folded for matching, white space runs as one space."""
    return _SPACE.sub(" ", normalise_for_matching(text)).strip()


def _hashes(points: np.ndarray, n: int, mask: np.uint64) -> np.ndarray:
    """Column of every n-gram of ``points`` (code points as uint64), in text order."""
    count = len(points) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    value = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):  # multiplication modulo 2**64 is the hash
        for k in range(n):
            value = value * _PRIME + points[k:k + count]
        value ^= _SALT[n]
        value *= _MIX
        value ^= value >> np.uint64(33)
    return (value & mask).astype(np.int64)


class Grams:
    """Every n-gram of a batch of turns, found in one vectorised pass over their joined text.

    ``rows``, ``columns`` and ``positions`` hold, for each n-gram occurrence,
    its turn, its hashed column and where it starts in the joined folded text
    (turns joined by NUL, which no n-gram crosses). ``where`` False leaves the
    positions out (:meth:`text` cannot name n-grams then), which counts faster.
    """

    def __init__(self, texts: Sequence[str], *, ngrams: Iterable[int] = NGRAMS,
                 bits: int = BITS, where: bool = True) -> None:
        self.count, self.bits, self.where = len(texts), bits, where
        self.joined = "\0".join(fold(text).replace("\0", " ") for text in texts)
        points = np.frombuffer(self.joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        breaks = points == 0
        before = np.concatenate([[0], np.cumsum(breaks)])  # separators before each position
        mask = np.uint64((1 << bits) - 1)
        rows, columns, positions, sizes = [], [], [], []
        for n in ngrams:
            hashes = _hashes(points, n, mask)
            starts = np.arange(len(hashes))
            clean = before[starts + n] == before[starts]
            rows.append(before[starts[clean]])
            columns.append(hashes[clean])
            if where:  # only :meth:`text` reads them
                positions.append(starts[clean])
                sizes.append(np.full(int(clean.sum()), n, dtype=np.int64))
        self.rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
        self.columns = np.concatenate(columns) if columns else np.empty(0, np.int64)
        self.positions = np.concatenate(positions) if positions else np.empty(0, np.int64)
        self.sizes = np.concatenate(sizes) if sizes else np.empty(0, np.int64)

    def counts(self) -> sp.csr_matrix:
        """Turns × hashed n-gram columns, holding how often each n-gram occurs."""
        if not self.where:
            # scipy sorts each turn's few columns and adds up their repeats: about twice
            # as fast as sorting all the (turn, column) keys together, and the same matrix
            found = sp.csr_matrix((np.ones(len(self.rows), dtype=np.float32),
                                   (self.rows, self.columns)), shape=(self.count, 1 << self.bits))
            found.sum_duplicates()
            return found
        # the first occurrence of each, for :meth:`text` (a slower, stable sort)
        keys, self._first, counts = np.unique((self.rows << self.bits) | self.columns,
                                              return_index=True, return_counts=True)
        self._keys = keys
        turns = keys >> self.bits
        indptr = np.searchsorted(turns, np.arange(self.count + 1))
        return sp.csr_matrix((counts.astype(np.float32), keys & ((1 << self.bits) - 1), indptr),
                             shape=(self.count, 1 << self.bits))

    def text(self, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """The n-gram behind each wanted (turn, column): its first occurrence in the turn
        (only when made with ``where``)."""
        if not self.where:
            raise ValueError("these grams were counted without where they are")
        if not hasattr(self, "_keys"):
            self.counts()
        pairs = list(wanted)
        keys = np.fromiter(((row << self.bits) | column for row, column in pairs),
                           dtype=np.int64, count=len(pairs))
        place = np.searchsorted(self._keys, keys)
        inside = place < len(self._keys)
        inside[inside] = self._keys[place[inside]] == keys[inside]
        occurrence = self._first[place[inside]]
        starts = self.positions[occurrence].tolist()
        sizes = self.sizes[occurrence].tolist()
        return {pair: self.joined[start:start + size] for pair, start, size in
                zip((p for p, found in zip(pairs, inside.tolist()) if found), starts, sizes)}


def ngram_counts(texts: Sequence[str], *, ngrams: Iterable[int] = NGRAMS,
                 bits: int = BITS) -> sp.csr_matrix:
    """Turns × hashed n-gram columns, holding how often each n-gram occurs."""
    return Grams(texts, ngrams=ngrams, bits=bits, where=False).counts()


def fit_idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smooth idf of each column over the training turns; 0 for a column none of them has."""
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + counts.shape[0]) / (1 + frequency)) + 1).astype(np.float32)
    idf[frequency == 0] = 0
    return idf


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF rows, each scaled to unit length (an empty row stays zero)."""
    weighted = counts.copy().astype(np.float32)
    weighted.data = (1 + np.log(weighted.data)) * idf[weighted.indices]
    weighted.eliminate_zeros()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ weighted)


def rule_columns(hits: Sequence[Iterable[str]], labels: Sequence[str],
                 rolls: Mapping[str, Iterable[str]]) -> np.ndarray:
    """Turns × labels: 1 where a rule hit of the turn is the label or a code beneath it.

    ``rolls`` maps a hit code to every code it rolls up to (itself included).
    """
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(hits), len(labels)), dtype=np.float32)
    for row, codes in enumerate(hits):
        for code in codes:
            for target in rolls.get(code, (code,)):
                column = index.get(target)
                if column is not None:
                    matrix[row, column] = 1
    return matrix


def combine(parts: Sequence[sp.spmatrix | np.ndarray]) -> sp.csr_matrix:
    """The feature blocks side by side, as one sparse matrix."""
    blocks = [part if sp.issparse(part) else sp.csr_matrix(part) for part in parts]
    return sp.hstack(blocks, format="csr", dtype=np.float32)
