"""Roll-up: a code counts for its subcategory, its main category and the core.

Only the applied code (usually a concept) is stored; everything here is
computed from the codebook when codings are read.
"""

from __future__ import annotations

from collections.abc import Iterable


def roll_up(codebook, code_id: str) -> list[str]:
    """The code followed by its ancestors, nearest first.

    For a concept that is ``[concept, subcategory, category, core]``; for a
    category ``[category, core]``. A code the codebook does not know rolls
    up to nothing but itself.

    Example:
        >>> roll_up(book, "renqing_wanglai")  # doctest: +SKIP
        ['renqing_wanglai', 'favour_exchange', 'social_favour', 'core']
    """
    if codebook.get(code_id) is None:
        return [code_id]
    chain = [code_id]
    for ancestor in codebook.ancestors(code_id):
        ancestor_id = getattr(ancestor, "id", ancestor)
        if ancestor_id in chain:
            break
        chain.append(ancestor_id)
    return chain


def main_category(codebook, code_id: str) -> str | None:
    """The main category (level ``category``) a code rolls up to, or None."""
    for code in roll_up(codebook, code_id):
        found = codebook.get(code)
        if found is not None and found.level == "category":
            return code
    return None


def main_categories(codebook) -> list[str]:
    """The ids of the codebook's main categories, in codebook order."""
    return [c.id for c in codebook.codes if c.level == "category"]


def rolled_up_set(codebook, code_ids: Iterable[str]) -> set[str]:
    """Every code the given codes imply (the codes themselves included)."""
    result: set[str] = set()
    for code_id in code_ids:
        result.update(roll_up(codebook, code_id))
    return result
