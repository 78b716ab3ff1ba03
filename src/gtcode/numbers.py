"""How gtcode writes a share as a percentage: never rounded up to 100 % or down to 0 %.

A figure of 0.997 written as "100%" tells a reviewer there was no
disagreement at all; :func:`percent` writes "99.7%". Every percentage that
gtcode prints, writes into a report or a table comes from here.
"""

from __future__ import annotations

import math

#: The most decimals :func:`percent` adds to keep a value off 100 % or 0 %.
MAX_DECIMALS = 3


def percent(value: float | None, decimals: int = 0, *, missing: str = "—") -> str:
    """``value`` (a share, 0-1) as a percentage with ``decimals`` decimals.

    A value below 1 is never shown as 100 % and a value above 0 never as 0 %:
    decimals are added (up to :data:`MAX_DECIMALS`) until it is not, and
    beyond that the figure is cut, not rounded (``99.999%``, ``0.001%``).

    >>> percent(0.997), percent(0.5), percent(1.0), percent(0.99996, 1)
    ('99.7%', '50%', '100%', '99.996%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    scaled = value * 100
    digits = decimals
    while True:
        text = f"{scaled:.{digits}f}"
        shown = float(text)
        off = (value < 1 and shown >= 100) or (value > 0 and shown <= 0)
        if not off:
            return f"{text}%"
        if digits >= MAX_DECIMALS:
            break
        digits += 1
    step = 10 ** -digits
    cut = math.floor(scaled / step) * step if value < 1 and shown >= 100 else step
    return f"{cut:.{digits}f}%"
