"""Character positions for REFI-QDA: gtcode's code points and the units other programs use.

Inside gtcode a position is a Python ``str`` index (a code point) into the
normalised source text (NFC, LF line ends), end exclusive. REFI-QDA files
count in other units, named here:

``codepoints``
    The REFI-QDA 1.5 standard (§10.2): Unicode code points from 0, CRLF
    counted as two characters (both are code points of the file).
``nvivo``
    NVivo for Windows 12.6 as measured on a real export: UTF-16 code units,
    CRLF counted as 2, the BOM not counted, end exclusive. A character above
    U+FFFF (emoji, CJK Extension B+) counts 2.
``atlas``
    ATLAS.ti: code points with CRLF counted as one character.

Chinese characters in the BMP count one in every unit; the units differ only
for characters above U+FFFF and for CRLF line ends. gtcode writes sources as
LF text, so on export only the astral characters matter.

:class:`MappedText` normalises a source read from a REFI-QDA file and maps
positions of any unit in the *file's* text to code points of the normalised
text. Boundaries that fall inside a character (half of a surrogate pair,
between CR and LF) are snapped outward and counted as misaligned.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from gtcode.errors import GtcodeError


@dataclass(frozen=True)
class Unit:
    """How a program counts positions: UTF-16 units or code points; CRLF as 1 or 2."""

    name: str
    utf16: bool
    crlf: int
    label: str


UNITS: dict[str, Unit] = {
    "nvivo": Unit("nvivo", True, 2, "UTF-16 code units, CRLF counted as 2 (NVivo)"),
    "codepoints": Unit("codepoints", False, 2, "Unicode code points (REFI-QDA 1.5 standard)"),
    "atlas": Unit("atlas", False, 1, "Unicode code points, CRLF counted as 1 (ATLAS.ti)"),
    "utf16-crlf1": Unit("utf16-crlf1", True, 1, "UTF-16 code units, CRLF counted as 1"),
}
#: Units ``gtcode export --positions`` can write (sources are LF text, so CRLF is moot).
EXPORT_UNITS = ("nvivo", "codepoints")
#: Units ``--positions`` may force on import (``auto`` decides from origin and content).
IMPORT_UNITS = ("auto", "nvivo", "codepoints", "atlas")

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_DROP = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {"\x7f"}
_DROP_OR_CR = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def unit(name: str) -> Unit:
    """The unit called ``name`` (E112 listing the valid names otherwise)."""
    if name not in UNITS:
        raise GtcodeError("E112", f"unknown position unit {name!r}.",
                          hint="use one of: " + ", ".join(UNITS))
    return UNITS[name]


def units_agree(texts: Iterable[str]) -> bool:
    """Whether every export unit counts alike in all ``texts`` (LF text with no character
    above U+FFFF: code points and UTF-16 units are then the same numbers)."""
    return not any(_ASTRAL.search(text) for text in texts)


class UnitCounter:
    """Code point → unit offsets in an LF text gtcode wrote (export side)."""

    def __init__(self, text: str, which: Unit) -> None:
        self.length = len(text)
        self.astral = [m.start() for m in _ASTRAL.finditer(text)] if which.utf16 else []
        self.cr_lf = ([m.start() for m in re.finditer("\r\n", text)]
                      if which.crlf == 1 else [])

    def __call__(self, index: int) -> int:
        """Unit offset of code point ``index`` (0 ≤ index ≤ len(text))."""
        return index + bisect_left(self.astral, index) - bisect_left(self.cr_lf, index)


class MappedText:
    """A source text from a REFI-QDA file, normalised, with position mapping.

    ``raw`` is the decoded file text (BOM already removed). ``text`` is the
    gtcode form: CRLF and lone CR become LF, control characters other than
    tab and LF are dropped, and the result is NFC. :meth:`to_index` turns a
    position in any :class:`Unit` of the raw text into an index of ``text``.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        text, starts = _normalise(raw)
        self.text = text
        # starts[i]: raw index where the material of text[i] begins; starts[-1] = len(raw)
        self._starts = starts
        self._cache: dict[tuple[bool, int], np.ndarray] = {}
        self.has_astral = _ASTRAL.search(raw) is not None
        self.has_crlf = "\r\n" in raw

    def differs(self, a: Unit, b: Unit) -> bool:
        """Whether units ``a`` and ``b`` can give different results on this text."""
        return ((a.utf16 != b.utf16 and self.has_astral)
                or (a.crlf != b.crlf and self.has_crlf))

    def length(self, which: Unit) -> int:
        """The text's length in ``which`` units."""
        return int(self._offsets(which)[-1])

    def to_index(self, position: int, which: Unit, *, is_end: bool) -> tuple[int, bool] | None:
        """Map a unit ``position`` to an index of :attr:`text`.

        Returns ``(index, aligned)``; ``aligned`` is False when the position
        fell inside a character and was snapped outward (start down, end up).
        None when the position lies outside the text.
        """
        offsets = self._offsets(which)
        if position < 0 or position > offsets[-1]:
            return None
        i = int(np.searchsorted(offsets, position, side="left"))
        if offsets[i] == position:
            return i, True
        return (i - 1 if not is_end else i), False

    def _offsets(self, which: Unit) -> np.ndarray:
        key = (which.utf16, which.crlf)
        if key not in self._cache:
            self._cache[key] = _unit_prefix(self.raw, which)[self._starts]
        return self._cache[key]


def _unit_prefix(raw: str, which: Unit) -> np.ndarray:
    """Cumulative unit count before each raw index (length ``len(raw) + 1``)."""
    points = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32)
    cost = np.ones(len(points), dtype=np.int64)
    if which.utf16:
        cost += points > 0xFFFF
    if which.crlf == 1 and len(points) > 1:
        cost[:-1] -= (points[:-1] == 13) & (points[1:] == 10)
    prefix = np.zeros(len(points) + 1, dtype=np.int64)
    np.cumsum(cost, out=prefix[1:])
    return prefix


def _normalise(raw: str) -> tuple[str, np.ndarray]:
    """gtcode's text form of ``raw`` and, per output character, its raw start."""
    if _DROP_OR_CR.search(raw) is None and unicodedata.is_normalized("NFC", raw):
        return raw, np.arange(len(raw) + 1, dtype=np.int64)
    chars, starts = _clean_lines(raw)
    text = "".join(chars)
    if not unicodedata.is_normalized("NFC", text):
        chars, starts = _nfc_chunks(chars, starts)
        text = "".join(chars)
    return text, np.asarray([*starts, len(raw)], dtype=np.int64)


def _clean_lines(raw: str) -> tuple[list[str], list[int]]:
    """CRLF/CR to LF, control characters dropped; dropped material joins the next char."""
    chars: list[str] = []
    starts: list[int] = []
    pending: int | None = None
    for i, char in enumerate(raw):
        if char == "\r":
            if raw[i + 1:i + 2] == "\n":
                pending = i if pending is None else pending
                continue
            char = "\n"
        elif char in _DROP:
            pending = i if pending is None else pending
            continue
        starts.append(i if pending is None else pending)
        pending = None
        chars.append(char)
    return chars, starts


def _nfc_chunks(chars: list[str], starts: list[int]) -> tuple[list[str], list[int]]:
    """NFC per chunk (a starter and the combining marks after it), keeping boundaries."""
    out_chars: list[str] = []
    out_starts: list[int] = []
    i = 0
    while i < len(chars):
        j = i + 1
        while j < len(chars) and unicodedata.combining(chars[j]):
            j += 1
        composed = unicodedata.normalize("NFC", "".join(chars[i:j]))
        for k, char in enumerate(composed):
            out_chars.append(char)
            out_starts.append(starts[i + k] if len(composed) == j - i else starts[i])
        i = j
    return out_chars, out_starts
