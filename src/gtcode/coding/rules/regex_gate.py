"""When a rule regex cannot match a text, told from the pattern alone.

A ``rules.regex`` pattern runs over every source text, which costs as much
as the rest of the engine once a codebook has a score of patterns. Two exact
tests, from the pattern's parse tree (Python's own ``re`` parser), let the
engine skip a pattern on a text (:meth:`RuleEngine._run`):

* :func:`starts_with_latin_letter`: every match begins with an ASCII letter,
  so an English pattern (``(only|just) [0-9]+ yuan``) is skipped on a
  Chinese transcript whose segments hold no Latin letter. Under
  ``re.IGNORECASE`` such a letter also matches ``İ ı ſ`` and the Kelvin sign,
  all of which the engine's Latin test counts (a test checks both claims over
  every code point).
* :func:`required_literals`: a few strings one of which every match
  contains (``(一个|个)(正科|副科)`` needs 正科 or 副科), so the pattern is
  skipped on a text that contains none of them.

A pattern whose form is not understood is never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

try:  # the parser re itself uses; private, so anything unexpected means "cannot tell"
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - other Python versions
    _c = _parser = None

_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def starts_with_latin_letter(pattern: str, flags: int = re.IGNORECASE) -> bool:
    """True when every match of ``pattern`` must begin with an ASCII letter (any case).

    False when it need not, or when the pattern's form is not understood.
    """
    if _parser is None:
        return False
    try:
        first, nullable = _first(list(_parser.parse(pattern, flags)))
    except Exception:
        return False
    return (first is not None and not nullable and bool(first)
            and all(chr(point).isascii() and chr(point).isalpha() for point in first))


def required_literals(pattern: str, flags: int = re.IGNORECASE, most: int = 64,
                      frequency: Callable[[str], float] | None = None
                      ) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, or None.

    They are the expansions of a run of literal parts the pattern cannot do
    without (``(两|三)个点`` gives 两个点 and 三个点; an optional part doubles
    them: ``出了?事`` gives 出事 and 出了事); a string that contains another of
    the run is dropped (``(工资)?太低`` gives 太低). Of the pattern's runs, the
    one whose strings are rarest in text counts: by ``frequency`` (e.g.
    jieba's word frequencies; a string that is no word counts as rare) when
    given, then the run whose shortest string is longest, then the fewest
    strings. At most ``most`` strings, each of two characters or more, and
    only characters without case (so that ``re.IGNORECASE`` cannot match
    them otherwise).
    """
    if _parser is None:
        return None
    try:
        items = list(_parser.parse(pattern, flags))
    except Exception:
        return None
    runs: list[list[str]] = []
    run = [""]
    for op, value in items:
        strings = _strings(str(op), value, most)
        if strings is not None and len(run) * len(strings) <= most:
            run = [a + b for a in run for b in strings]
            continue
        runs.append(run)
        run = [""] if strings is None else strings
    runs.append(run)
    usable = [_minimal(run) for run in runs
              if run != [""] and not any(c.lower() != c.upper() for c in "".join(run))]
    usable = [run for run in usable if min(map(len, run)) >= 2]
    if not usable:
        return None

    def rank(run: list[str]) -> tuple:
        by_length = (-min(map(len, run)), len(run))
        return (sum(frequency(s) for s in run), *by_length) if frequency else by_length

    return tuple(sorted(min(usable, key=rank)))


def _minimal(run: list[str]) -> list[str]:
    """The strings of ``run`` that contain no other string of it (one of those is always there)."""
    unique = sorted(set(run), key=len)
    kept: list[str] = []
    for string in unique:
        if not any(shorter in string for shorter in kept):
            kept.append(string)
    return kept


def _strings(name: str, value, most: int) -> list[str] | None:
    """Every string one part matches, when it matches only finitely many (<= most)."""
    if name == "LITERAL":
        return [chr(value)]
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, sub = value
        return None if add_flags or del_flags else _sequence(list(sub), most)
    if name == "IN":  # a class of single characters, as the parser writes (a|b)
        chars = [chr(v) for op, v in value if str(op) == "LITERAL"]
        return chars if len(chars) == len(value) and len(chars) <= most else None
    if name == "BRANCH":
        found: list[str] = []
        for alternative in value[1]:
            strings = _sequence(list(alternative), most)
            if strings is None or len(found) + len(strings) > most:
                return None
            found += strings
        return found
    if name in _REPEATS and value[0] == 0 and value[1] == 1:  # an optional part: x?
        strings = _sequence(list(value[2]), most)
        if strings is None or len(strings) + 1 > most or any(
                c.lower() != c.upper() for c in "".join(strings)):
            return None  # (a part with case would make the whole run unusable)
        return ["", *strings]
    return None


def _sequence(items: list, most: int) -> list[str] | None:
    found = [""]
    for op, value in items:
        strings = _strings(str(op), value, most)
        if strings is None or len(found) * len(strings) > most:
            return None
        found = [a + b for a in found for b in strings]
    return found


def _first(items: list) -> tuple[set[int] | None, bool]:
    """(code points a match of ``items`` can begin with, whether it can be empty)."""
    found: set[int] = set()
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            return found | {value}, False
        if name == "IN":
            chars = _in_set(value)
            return (None, False) if chars is None else (found | chars, False)
        if name in _ZERO_WIDTH:
            continue
        part, nullable = _part(name, value)
        if part is None:
            return None, False
        found |= part
        if not nullable:
            return found, False
    return found, True


def _part(name: str, value) -> tuple[set[int] | None, bool]:
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, sub = value
        return (None, False) if add_flags or del_flags else _first(list(sub))
    if name == "BRANCH":
        found: set[int] = set()
        nullable = False
        for alternative in value[1]:
            part, empty = _first(list(alternative))
            if part is None:
                return None, False
            found |= part
            nullable = nullable or empty
        return found, nullable
    if name in _REPEATS:
        low, _high, sub = value
        part, nullable = _first(list(sub))
        return part, nullable or low == 0
    return None, False


def _in_set(items: list) -> set[int] | None:
    chars: set[int] = set()
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(value)
        elif name == "RANGE" and value[1] - value[0] < 256:
            chars.update(range(value[0], value[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range: anything may begin
            return None
    return chars
