"""English word forms for rule matching: lemmas when installed, else suffix stripping.

Terms and transcript words are compared on the same form, so ``bribe`` in a
codebook matches ``bribes``, ``bribed`` and ``bribing`` in a transcript.
"""

from __future__ import annotations

import json

#: Bound on the word-form cache: past it, new words are looked up but not kept.
CACHE_SIZE = 200_000


def suffix_stem(word: str) -> str:
    """The fallback word form when no lemma table is installed.

    Applied alike to codebook terms and to transcript words, so that both
    meet in the middle. One suffix is stripped: ``-ies``/``-ied`` (to
    ``-y``), ``-ing``, ``-ed``, ``-er``, ``-es`` after s/x/z/ch/sh, or a plain
    ``-s`` (not ``-ss``/``-us``/``-is``); a doubled final consonant left
    behind is undoubled (``stopped`` -> ``stop``) and a final ``-e`` is
    dropped (``bribe``, ``bribes``, ``bribed``, ``bribing``, ``briber`` all
    give ``brib``). Words of three letters or fewer are left alone. It errs
    toward matching: ``leader`` and ``leading`` share ``lead``.
    """
    w = word.lower()
    if len(w) <= 3:
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) > 4:
        w = _undouble(w[:-2])
    elif w.endswith("er") and len(w) > 4:
        w = _undouble(w[:-2])
    elif w.endswith("es") and len(w) > 4 and (w[-3] in "sxz" or w[-4:-2] in ("ch", "sh")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        return stem[:-1]
    return stem


def load_lemma_table() -> dict[str, str] | None:
    """English word -> lemma from ``spacy-lookups-data``, or None when not installed."""
    try:
        import spacy_lookups_data  # optional extra: gtcode[lemmas]
    except ImportError:
        return None
    import gzip
    from pathlib import Path

    path = Path(str(spacy_lookups_data.en["lemma_lookup"]))
    if not path.is_file():  # 1.0.x ships the tables gzipped
        path = path.with_name(path.name + ".gz")
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    table = json.loads(data.decode("utf-8"))
    return {k.lower(): v.lower() for k, v in table.items()}


class WordForms:
    """Maps English words to the form terms and text are compared on (cached)."""

    def __init__(self, lemmas: dict[str, str] | None) -> None:
        self.lemmas = lemmas
        self.mode = "lemmas" if lemmas is not None else "suffix-stripping"
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        form = self._cache.get(word)
        if form is None:
            low = word.lower().replace("\u2019", "'")
            form = self.lemmas.get(low, low) if self.lemmas is not None else suffix_stem(low)
            if len(self._cache) < CACHE_SIZE:
                self._cache[word] = form
        return form

