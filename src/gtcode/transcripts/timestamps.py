"""The timestamp a transcript shows for a turn (``[00:12:31] 答：``), for citing quotes."""

from __future__ import annotations

import re

from gtcode.transcripts.segment import _ONLY_TS, _TS

_CLOCK = re.compile(r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?")
_ANY_TS = re.compile(_TS)


def turn_time(before: str) -> str | None:
    """The timestamp a transcript shows for a turn, from the text before its utterance.

    ``before`` is the text of the source up to where the utterance starts; its
    last line holds the label (``[00:12:31] 答：``, ``答（12:31）：``), or the
    line before it holds only a timestamp. Returns ``00:12:31``, or None.
    """
    lines = before.split("\n")
    candidates = [lines[-1]] + ([lines[-2]] if len(lines) > 1 and _ONLY_TS.match(lines[-2])
                                else [])
    for text in candidates:
        stamp = _ANY_TS.search(text)
        if stamp:
            clock = _CLOCK.search(stamp.group(0))
            return clock.group(0) if clock else None
    return None
