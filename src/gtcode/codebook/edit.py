"""Editing a codebook YAML in place: add, rename and merge codes, comments kept.

Every function works on a :class:`~gtcode.codebook.yaml_io.CodebookDocument`
(ruamel's round-trip tree), so the researcher's comments, key order and
quoting survive; the caller validates the result and writes it atomically.
Codes written as a flat list (``parent:``) and as a tree (``children:``) are
both handled: a new code goes where a person would put it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from gtcode.codebook.yaml_io import CodebookDocument, Loc
from gtcode.errors import GtcodeError

_SPACE = re.compile(r"\s+")


def _located(doc: CodebookDocument, code_id: str) -> tuple[Loc, Any]:
    for loc, mapping in doc.code_maps():
        if mapping.get("id") == code_id:
            return loc, mapping
    raise GtcodeError("E306", f"no code {code_id!r} in the codebook.",
                      hint="see the ids with `gtcode codebook show STUDY`")


def _holder(doc: CodebookDocument, loc: Loc) -> CommentedSeq:
    """The list that holds the code at ``loc``."""
    node: Any = doc.data
    for part in loc[:-1]:
        node = node[part]
    return node


def example_text(text: str, limit: int = 200) -> str:
    """A passage as one line of at most ``limit`` characters (an example quote)."""
    line = _SPACE.sub(" ", text).strip()
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def insert_concept(doc: CodebookDocument, fields: dict[str, Any], descendants: Iterable[str]
                   ) -> None:
    """Put a new code under its parent (``fields["parent"]``), after the parent's own codes.

    Under a parent written with ``children:`` it is appended there (without
    ``parent:``); in a flat list it goes after the last code that belongs to the
    parent (``descendants``: the ids below it), so the file keeps its order.
    """
    entry = CommentedMap((k, _value(v)) for k, v in fields.items() if v not in (None, "", []))
    loc, parent = _located(doc, fields["parent"])
    if isinstance(parent.get("children"), list):
        del entry["parent"]
        parent["children"].append(entry)
        return
    holder, at = _holder(doc, loc), loc[-1] + 1
    below = set(descendants)
    while at < len(holder) and isinstance(holder[at], dict) and holder[at].get("id") in below:
        at += 1
    holder.insert(at, entry)


_ORDER = ("id", "name", "name_en", "level", "parent", "definition")


def _put(mapping: Any, key: str, value: Any) -> None:
    """Set ``key``; a new key goes where gtcode's layout puts it (after ``name``...)."""
    if key in mapping:
        mapping[key] = value
        return
    before = _ORDER[:_ORDER.index(key)]
    at = max((i + 1 for i, k in enumerate(mapping) if k in before), default=0)
    mapping.insert(at, key, value)


def _value(value: Any) -> Any:
    return CommentedSeq(value) if isinstance(value, list) else value


def rename_code(doc: CodebookDocument, old: str, new: str, *, name: str | None = None,
                name_en: str | None = None) -> None:
    """Give code ``old`` the id ``new`` (its sub-codes follow), and new names if given."""
    _, mapping = _located(doc, old)
    mapping["id"] = new
    if name:
        mapping["name"] = name
    if name_en:
        _put(mapping, "name_en", name_en)
    for _, other in doc.code_maps():
        if other.get("parent") == old:
            other["parent"] = new


def merge_code(doc: CodebookDocument, source: str, into: str) -> list[str]:
    """Remove code ``source``; its terms, near rules, regexes and examples join ``into``.

    Returns what could not be carried over (its ``not`` terms, which would veto
    ``into``'s own hits, and its definition), for the caller to say.
    """
    loc, mapping = _located(doc, source)
    _, target = _located(doc, into)
    left = [key for key in ("definition", "include", "exclude", "memo") if mapping.get(key)]
    rules = mapping.get("rules")
    if isinstance(rules, dict):
        if rules.get("not"):
            left.append("rules.not")
        _merge_rules(target, rules)
    for example in mapping.get("examples") or []:
        examples = target.setdefault("examples", CommentedSeq())
        if example not in examples:
            examples.append(example)
    del _holder(doc, loc)[loc[-1]]
    return left


def _merge_rules(target: Any, rules: Any) -> None:
    own = target.get("rules")
    if not isinstance(own, dict):
        own = target["rules"] = CommentedMap()
    terms = rules.get("terms") or {}
    if terms:
        tables = own.setdefault("terms", CommentedMap())
        for lang, items in terms.items():
            have = tables.get(lang)
            if have is None:
                have = tables[lang] = _flow([])
            have.extend(t for t in items if t not in have)
    for key in ("near", "regex"):
        for item in rules.get(key) or []:
            seq = own.setdefault(key, CommentedSeq())
            if item not in seq:
                seq.append(item)


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
