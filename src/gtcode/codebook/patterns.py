"""Checking a codebook regex before it runs: it compiles, and it cannot backtrack wildly.

A pattern such as ``(a+)+$`` or ``(\\w+\\s?)+$`` takes time exponential in the
length of a text it almost matches (catastrophic backtracking): one such rule
would hang ``gtcode open``. :func:`nested_repetition` finds the usual cause, a
repetition inside a repetition where either may repeat without bound, from
Python's own parse of the pattern. Repetition that cannot give back what it
took, a possessive quantifier (``a++``) or an atomic group (``(?>a+)``), is
safe and allowed. What this check cannot see (overlapping alternatives such
as ``(a|aa)+``) is stopped at run time by the rule engine's time budget.
"""

from __future__ import annotations

import re

try:  # the parser re itself uses; private, so anything unexpected means "cannot tell"
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - other Python versions
    _c = _parser = None

_REPEATS = ("MAX_REPEAT", "MIN_REPEAT")


def compile_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or None: it must compile in Python's ``re``
    and in the ``regex`` module the rule engine runs it with."""
    import regex

    try:
        re.compile(pattern)
        regex.compile(pattern, regex.IGNORECASE | regex.V0)
    except (re.error, regex.error) as exc:
        return f"regex does not compile: {exc}"
    return None


def nested_repetition(pattern: str) -> str | None:
    """The repeated part of ``pattern`` that repeats a repetition without bound, or None."""
    if _parser is None:
        return None
    try:
        tree = _parser.parse(pattern)
    except Exception:
        return None
    return _walk(list(tree), pattern, outer=None)


def _unbounded(high: int) -> bool:
    return _c is not None and high == _c.MAXREPEAT


def _walk(items: list, pattern: str, outer: tuple[int, int] | None) -> str | None:
    for op, value in items:
        name = str(op)
        if name in _REPEATS:
            low, high, sub = value
            if outer is not None and high > 1 and (_unbounded(high) or _unbounded(outer[1])):
                return "a repetition inside a repetition"
            inner = (low, high) if high > 1 else outer
            found = _walk(list(sub), pattern, inner)
            if found:
                return found
        elif name == "SUBPATTERN":
            found = _walk(list(value[-1]), pattern, outer)
            if found:
                return found
        elif name == "BRANCH":
            for alternative in value[1]:
                found = _walk(list(alternative), pattern, outer)
                if found:
                    return found
        elif name in ("ASSERT", "ASSERT_NOT"):
            found = _walk(list(value[1]), pattern, outer)
            if found:
                return found
        # POSSESSIVE_REPEAT and ATOMIC_GROUP never give back: nothing inside can blow up
    return None
