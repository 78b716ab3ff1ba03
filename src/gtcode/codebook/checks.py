"""Checking codes against each other: ids, parents, levels, the core, doubtful terms.

The second pass of validation (:mod:`gtcode.codebook.validate` runs the first,
each code alone), also run by :class:`gtcode.codebook.model.Codebook` on every
codebook built in Python, so no codebook with a cycle or an unknown parent
exists. Problems carry their YAML path; the caller adds lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gtcode.codebook.yaml_io import Loc, format_path

if TYPE_CHECKING:  # the model calls these checks; they only read its fields
    from gtcode.codebook.model import Code

#: Which levels a code of each level may have as its parent.
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    "core": (),
    "category": ("core",),
    "subcategory": ("category",),
    "concept": ("subcategory", "category"),
}
_PARENT_WORDS = {"core": "the core has no parent",
                 "category": "a category's parent must be the core",
                 "subcategory": "a subcategory's parent must be a category",
                 "concept": "a concept's parent must be a subcategory or category"}


@dataclass(frozen=True)
class Problem:
    """One finding: where it is, what it is, and whether it stops loading."""

    path: Loc
    message: str
    kind: str
    severity: str = "error"
    related: Loc | None = None
    line: int | None = None
    related_line: int | None = None

    def render(self, file: str | None = None) -> str:
        """``file:line path: message`` (parts that are unknown are left out)."""
        place = ":".join(str(p) for p in (file, self.line) if p is not None)
        where = format_path(self.path)
        message = self.message
        if self.related_line is not None:
            message += f" (see line {self.related_line})"
        elif self.related is not None and self.line is None:
            message += f" (see {format_path(self.related)})"
        head = " ".join(part for part in (place, where) if part)
        return f"{head}: {message}" if head else message


def cross_check(entries: Sequence[tuple[Loc, Code]],
                ids: Sequence[tuple[Loc, str]] | None = None
                ) -> tuple[list[Problem], list[Problem]]:
    """Check codes against each other.

    Args:
        entries: ``(path, code)`` pairs in document order, ``parent`` resolved.
        ids: ``(path, id)`` of every code written, valid or not (default: the
            entries'); duplicates are found among them, and a parent naming
            a code that failed its own checks is not reported again.

    Returns:
        ``(problems, warnings)``, each a list of :class:`Problem`.
    """
    if ids is None:
        ids = [(loc, code.id) for loc, code in entries]
    problems = _duplicate_ids(ids)
    codes = {code.id: code for _, code in reversed(entries)}
    in_cycle = _cycles(entries, codes, problems)
    known = {code_id for _, code_id in ids}
    problems.extend(_parent_problems(entries, codes, known, in_cycle))
    problems.extend(_core_problems(entries))
    return problems, _warnings(entries)


def _duplicate_ids(ids: Sequence[tuple[Loc, str]]) -> list[Problem]:
    problems = []
    first: dict[str, Loc] = {}
    for loc, code_id in ids:
        if code_id in first:
            problems.append(Problem((*loc, "id"), f"duplicate id '{code_id}'", "duplicate-id",
                                    related=(*first[code_id], "id")))
        else:
            first[code_id] = loc
    return problems


def _cycles(entries: Sequence[tuple[Loc, Code]], codes: dict[str, Code],
            problems: list[Problem]) -> set[str]:
    members: set[str] = set()
    for loc, code in entries:
        chain = [code.id]
        current = code.parent
        while current in codes and current not in chain:
            chain.append(current)
            current = codes[current].parent
        if current == code.id and code.id not in members:
            members.update(chain)
            loop = " -> ".join([*chain, code.id])
            problems.append(Problem((*loc, "parent"), f"cycle in parents: {loop}", "cycle"))
    return members


def _parent_problems(entries: Sequence[tuple[Loc, Code]], codes: dict[str, Code],
                     known: set[str], in_cycle: set[str]) -> list[Problem]:
    problems = []
    core = next((c for _, c in entries if c.level == "core"), None)
    has_categories = any(c.level == "category" for _, c in entries)
    for loc, code in entries:
        if code.id in in_cycle:
            continue
        if code.parent is None:
            message = _missing_parent(code, core, has_categories)
            if message:
                problems.append(Problem((*loc, "level"), message, "level-order"))
        elif code.parent not in codes:
            if code.parent not in known:
                close = difflib.get_close_matches(code.parent, list(codes), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(Problem((*loc, "parent"), f"unknown parent '{code.parent}'"
                                        + hint, "unknown-parent"))
        elif codes[code.parent].level not in ALLOWED_PARENTS[code.level]:
            parent = codes[code.parent]
            problems.append(Problem((*loc, "level"), f"{_PARENT_WORDS[code.level]}, but "
                                    f"'{parent.id}' is a {parent.level}", "level-order"))
    return problems


def _missing_parent(code: Code, core: Code | None, has_categories: bool) -> str | None:
    if code.level == "category" and core is not None:
        return f"a category's parent must be the core '{core.id}'"
    if code.level == "subcategory" and has_categories:
        return "a subcategory needs a parent category"
    if code.level == "concept" and has_categories:
        return "a concept needs a parent (a subcategory or category)"
    return None


def _core_problems(entries: Sequence[tuple[Loc, Code]]) -> list[Problem]:
    cores = [(loc, code) for loc, code in entries if code.level == "core"]
    return [Problem((*loc, "level"), f"a codebook has at most one core; '{cores[0][1].id}' "
                    "is the core already", "two-cores", related=(*cores[0][0], "level"))
            for loc, _ in cores[1:]]


def _warnings(entries: Sequence[tuple[Loc, Code]]) -> list[Problem]:
    found: list[Problem] = []
    seen: dict[tuple[str, str], tuple[str, Loc]] = {}
    for loc, code in entries:
        if code.paradigm and code.level in ("core", "concept"):
            found.append(Problem((*loc, "paradigm"), "paradigm roles belong to categories and "
                                 "subcategories", "paradigm-level", "warning"))
        if code.rules is not None:
            found.extend(_rule_warnings(loc, code, seen))
    found.extend(_sibling_names(entries))
    return found


def _rule_warnings(loc: Loc, code: Code, seen: dict[tuple[str, str], tuple[str, Loc]]
                   ) -> list[Problem]:
    rules = code.rules
    found = []
    if not rules.all_terms() and not rules.regex and not rules.near:
        found.append(Problem((*loc, "rules"), "rules have no terms and no regex: they match "
                             "nothing", "empty-rules", "warning"))
    tables = [(("rules", "terms"), rules.terms)]
    tables += [(("rules", "near", number, "terms"), near.terms)
               for number, near in enumerate(rules.near)]
    for place, table in tables:
        found.extend(_term_warnings(loc, code, place, table, seen))
    return found


def _term_warnings(loc: Loc, code: Code, place: Loc, table: dict[str, list[str]],
                   seen: dict[tuple[str, str], tuple[str, Loc]]) -> list[Problem]:
    """Vetoed and duplicate terms among one table of terms (``terms`` or a near rule's)."""
    rules, found = code.rules, []
    for lang, terms in table.items():
        vetoes = {t.casefold() for t in rules.not_.get(lang, [])}
        for index, term in enumerate(terms):
            here = (*loc, *place, lang, index)
            norm = (lang, term.casefold())
            if term.casefold() in vetoes:
                found.append(Problem(here, f"term '{term}' is also a not-term of this code, so "
                                     "it never matches", "vetoed-term", "warning"))
            if norm in seen:
                other, other_loc = seen[norm]
                where = "repeated in this code" if other == code.id else \
                    f"also a term of '{other}'"
                found.append(Problem(here, f"term '{term}' is {where}", "duplicate-term",
                                     "warning", related=other_loc))
            else:
                seen[norm] = (code.id, here)
    return found


def _sibling_names(entries: Sequence[tuple[Loc, Code]]) -> list[Problem]:
    found = []
    names: dict[tuple[str | None, str], Loc] = {}
    for loc, code in entries:
        key = (code.parent, code.name)
        if key in names:
            found.append(Problem((*loc, "name"), f"another code under the same parent is also "
                                 f"named '{code.name}'", "duplicate-name", "warning",
                                 related=(*names[key], "name")))
        else:
            names[key] = loc
    return found
