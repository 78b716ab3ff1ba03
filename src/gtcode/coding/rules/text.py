"""Text helpers of the rule engine: scripts, matching normalisation, evidence, results.

These hold no state of an engine: what a CJK character is, how text is folded
for matching without moving an offset, which characters fold to which, what a
hit and a code's match are, and how evidence is written as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from gtcode.coding.rules.scan import RawHit, Run
from gtcode.coding.rules.wordforms import CACHE_SIZE

CJK = re.compile(r"[\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f"
                  r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
CJK_PAIR = re.compile(CJK.pattern * 2)
CJK_RUN = re.compile(CJK.pattern + "*")
CJK_RUN_TO_END = re.compile(CJK.pattern + "*\\Z")
_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FOLD = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                 *range(0xFF41, 0xFF5B))}
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\u2019][A-Za-z]+)*")


#: ``tokenize(text, lang) -> [(token, start, end)]``: the segmenter of boundary windows.
Tokenizer = Callable[[str, str], list[tuple[str, int, int]]]


@dataclass(frozen=True)
class Hit:
    """One piece of evidence: which term matched where (offsets in the segment)."""

    term: str
    start: int
    end: int
    lang: str


@dataclass
class EngineStats:
    """Counters for reports and benchmarks."""

    hits: int = 0
    boundary_rejected: int = 0
    vetoed: int = 0
    window_checks: int = 0
    tokenizer_calls: int = 0
    route_decisions: int = 0


def normalise_for_matching(text: str) -> str:
    """Lower-case and fold full-width ASCII, keeping every offset in place.

    Full-width letters and digits are folded first, then the text is
    lower-cased; a character whose lower case is longer (``İ``) is kept.
    """
    if _FULLWIDTH_ALNUM.search(text):
        text = text.translate(_FOLD)
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def fold_variants(alphabet: set[str]) -> dict[str, list[str]] | None:
    """The characters that :func:`normalise_for_matching` turns into each alphabet character.

    Such a character is the alphabet character itself, or (for an ASCII
    letter or digit) its upper-case and full-width forms and, for ``k``, the
    Kelvin sign. That this is all holds for an alphabet of ASCII lower-case
    letters and digits and of characters without an upper case (CJK,
    punctuation); a test checks it over every code point. For other alphabets
    (Greek, accented Latin: case mappings with exceptions) None: the text is
    normalised first.
    """
    variants: dict[str, list[str]] = {}
    for char in alphabet:
        if char.isascii() and (char.isdigit() or char.islower()):
            forms = [chr(ord(char) + 0xFEE0)] + ([char.upper()] if char.isalpha() else [])
            if char.isalpha():
                forms.append(chr(ord(char.upper()) + 0xFEE0))
            variants[char] = forms + (["\u212a"] if char == "k" else [])
        elif char.isascii() and char.isalpha() or char.upper() != char:
            return None
    return variants


#: Code-point ranges holding every character that normalises to a Latin letter of
#: :data:`LATIN_WORD` (a test checks it): the gate for the English word scan.
LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF), (0x2100, 0x214F),
                 (0x2C60, 0x2C7F), (0xA720, 0xA7FF), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))


def latin_inside(codes: np.ndarray, run: Run) -> bool:
    """Whether a character that normalises to a Latin letter lies inside a span of the run.

    ``codes`` are the code points of the text, normalised or not. A text
    without one needs no English word scan. (Unsigned arithmetic:
    ``c - a < n`` is ``a <= c < a + n``.)
    """
    mask = (codes | 32) - 0x61 < 26  # the two ASCII ranges
    for first, last in LATIN_RANGES[2:]:
        mask |= codes - first <= last - first
    latin = np.flatnonzero(mask)
    if len(latin) > 64:
        bounds = np.asarray(run.spans, dtype=np.int64)
        home = np.searchsorted(bounds[:, 0], latin, side="right") - 1
        return bool(((home >= 0) & (latin < bounds[home.clip(0), 1])).any())
    return any(run.locate(int(position), int(position) + 1) >= 0 for position in latin)


WORD_CHAR = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")


def latin_key(norm: str) -> bool:
    """Whether a normalised term is matched as English words (as :meth:`_add_term` does)."""
    return CJK.search(norm) is None and LATIN_WORD.search(norm) is not None


def asks_a_not_b(text: str, start: int, end: int, hi: int) -> bool:
    """Whether 不 and a repeat of the hit's last one to three characters follow it."""
    if end >= hi or text[end] != "不":
        return False
    return any(text.startswith(text[end - size:end], end + 1) and end + 1 + size <= hi
               for size in range(1, min(3, end - start) + 1))


@dataclass(frozen=True)
class CodeMatch:
    """The hits of one code in one segment (what a rule coding stores as evidence)."""

    code_id: str
    hits: tuple[Hit, ...]


#: (term, lang) -> the JSON of an evidence item before its start and after its end.
_PARTS: dict[tuple[str, str], tuple[str, str]] = {}


def _parts(term: str, lang: str) -> tuple[str, str]:
    parts = _PARTS.get((term, lang))
    if parts is None:
        parts = (f'{{"term": {json.dumps(term, ensure_ascii=False)}, "start": ',
                 f', "lang": {json.dumps(lang, ensure_ascii=False)}}}')
        if len(_PARTS) < CACHE_SIZE:
            _PARTS[(term, lang)] = parts
    return parts


def evidence_json(hits: Iterable[RawHit], offset: int = 0) -> str:
    """The ``evidence`` column: a JSON list of ``{term, start, end, lang}``.

    ``offset`` shifts segment-relative offsets to source offsets.
    """
    if type(hits) is list and len(hits) == 1:  # nearly every coding
        term, start, end, lang = hits[0]
        head, tail = _PARTS.get((term, lang)) or _parts(term, lang)
        return f'[{head}{start + offset}, "end": {end + offset}{tail}]'
    items = []
    for term, start, end, lang in hits:
        head, tail = _PARTS.get((term, lang)) or _parts(term, lang)
        items.append(f'{head}{start + offset}, "end": {end + offset}{tail}')
    return "[" + ", ".join(items) + "]"
