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
        kids = parent["children"]
        kids.append(entry)
        if len(kids) > 1:
            _move_trailing_comment(kids[-2], entry)
        return
    holder, at = _holder(doc, loc), loc[-1] + 1
    below = set(descendants)
    while at < len(holder) and isinstance(holder[at], dict) and holder[at].get("id") in below:
        at += 1
    holder.insert(at, entry)
    _move_trailing_comment(holder[at - 1], entry)


def _tail(node: Any) -> list[tuple[Any, Any, int]]:
    """The last-child chain of a node: (container, key, comment slot) from the top down.

    ruamel keeps the blank lines and comments that follow a code on the last
    value inside it (slot 2 of a mapping key, slot 0 of a list item).
    """
    chain = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        chain.append((node, key, 2 if isinstance(node, CommentedMap) else 0))
        node = node[key]
    return chain


def _detach_tail(node: Any) -> Any:
    """Take away the comment (or blank lines) that follows ``node``; return it."""
    for container, key, slot in reversed(_tail(node)):
        item = container.ca.items.get(key)
        if item and item[slot] is not None:
            token, item[slot] = item[slot], None
            return token
    return None


def _attach_tail(node: Any, token: Any) -> None:
    """Put ``token`` (from :func:`_detach_tail`) after ``node``'s last value."""
    chain = _tail(node)
    if token is not None and chain:
        into, key, slot = chain[-1]
        into.ca.items.setdefault(key, [None, None, None, None])[slot] = token


def _move_trailing_comment(before: Any, entry: Any) -> None:
    """Keep the comment that followed ``before`` (about the next code) after ``entry``."""
    _attach_tail(entry, _detach_tail(before))


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
    after_target = _detach_tail(target)  # the comment about the code after ``into`` stays last
    rules = mapping.get("rules")
    if isinstance(rules, dict):
        if rules.get("not"):
            left.append("rules.not")
        _merge_rules(target, rules)
    for example in mapping.get("examples") or []:
        examples = target.setdefault("examples", CommentedSeq())
        if example not in examples:
            examples.append(example)
    _attach_tail(target, after_target)
    holder, at = _holder(doc, loc), loc[-1]
    after_source = _detach_tail(mapping)  # about the code after ``source``: keep it
    del holder[at]
    if at > 0 and after_source is not None:
        _detach_tail(holder[at - 1])  # what was said about ``source`` goes with it
        _attach_tail(holder[at - 1], after_source)
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
