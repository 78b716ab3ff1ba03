"""Where a code sits: its subcategory, its main category, found by one walk up its parents.

Only the applied code (usually a concept) is stored with a coding; its
subcategory, main category and core are computed from the codebook when
codings are read. This is the one place that walk is written. It works on a
plain table of links (code id -> (parent id, level)), so codes a study holds
beyond its codebook (codes from an imported project) roll up the same way.

Example:
    >>> links = code_links([Code("c", None, "core"), Code("x", "c", "category")])  # doctest: +SKIP
    >>> level_up("x", "category", links)  # doctest: +SKIP
    'x'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

#: code id -> (parent id, level)
Links = Mapping[str, tuple[str | None, str | None]]


class Linked(Protocol):
    """Anything with an id, a parent and a level: a codebook code or a stored code row."""

    id: str
    parent: str | None
    level: str | None


def code_links(*code_lists: Iterable[Linked]) -> dict[str, tuple[str | None, str | None]]:
    """The links of every code given; a code listed again later does not replace the first."""
    links: dict[str, tuple[str | None, str | None]] = {}
    for codes in code_lists:
        for code in codes:
            links.setdefault(code.id, (code.parent, code.level))
    return links


def ancestors(code_id: str, links: Links) -> list[str]:
    """The parent's id first, up to the top; empty for an unknown code; a loop stops it."""
    chain: list[str] = []
    current = links.get(code_id, (None, None))[0]
    while current is not None and current in links and current not in chain \
            and current != code_id:
        chain.append(current)
        current = links[current][0]
    return chain


def level_up(code_id: str, level: str, links: Links) -> str | None:
    """The id of the ancestor-or-self of ``code_id`` at ``level``, or None.

    None for a code the links do not hold, or one with no such ancestor (a
    category has no subcategory; the core has no main category).
    """
    if code_id not in links:
        return None
    for candidate in (code_id, *ancestors(code_id, links)):
        if links[candidate][1] == level:
            return candidate
    return None


def main_category(code_id: str, links: Links) -> str | None:
    """The main category (level ``category``) a code rolls up to, or None."""
    return level_up(code_id, "category", links)
