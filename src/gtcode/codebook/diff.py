"""What changed between two codebooks: added, removed, renamed, moved, redefined codes.

Codes are matched by id. A code whose id changed but whose level and name
stayed is reported once as renamed (``id a -> b``), not as removed + added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gtcode.codebook.model import Code, Codebook

#: Kinds of change, in the order they are listed.
KINDS: tuple[str, ...] = ("added", "removed", "renamed", "moved", "relevelled", "redefined",
                          "rules", "edited")
_DEFINITION_FIELDS = ("definition", "include", "exclude")
_OTHER_FIELDS = ("examples", "paradigm", "color", "memo")


@dataclass(frozen=True)
class Change:
    """One change to one code.

    Attributes:
        kind: one of :data:`KINDS`.
        code_id: the code's id (in the newer codebook, except for ``removed``).
        detail: a short description, e.g. ``"parent resource -> economic"``.
    """

    kind: str
    code_id: str
    detail: str = ""


@dataclass(frozen=True)
class CodebookDiff:
    """All changes from codebook ``a`` to codebook ``b``."""

    changes: list[Change] = field(default_factory=list)
    hash_a: str = ""
    hash_b: str = ""

    def of_kind(self, kind: str) -> list[Change]:
        """The changes of one kind."""
        return [c for c in self.changes if c.kind == kind]

    @property
    def empty(self) -> bool:
        """True when no code changed (metadata may still differ)."""
        return not self.changes

    def counts(self) -> dict[str, int]:
        """Number of changes per kind (kinds with none left out)."""
        return {k: n for k in KINDS if (n := len(self.of_kind(k)))}

    def to_dict(self) -> dict:
        """A JSON-ready form."""
        return {"a": self.hash_a, "b": self.hash_b,
                "changes": [asdict(change) for change in self.changes]}


def diff_codebooks(a: Codebook, b: Codebook) -> CodebookDiff:
    """Compare two codebooks code by code.

    Args:
        a: the older codebook.
        b: the newer codebook.

    Returns:
        A :class:`CodebookDiff`, changes sorted by kind, then file order.
    """
    old, new = a.by_id, b.by_id
    added = [c for c in b.codes if c.id not in old]
    removed = [c for c in a.codes if c.id not in new]
    renamed_ids = _id_renames(removed, added)
    changes = [Change("added", c.id, c.name) for c in added if c.id not in renamed_ids.values()]
    changes += [Change("removed", c.id, c.name) for c in removed if c.id not in renamed_ids]
    changes += [Change("renamed", new_id, f"id {old_id} -> {new_id}")
                for old_id, new_id in renamed_ids.items()]
    for code in b.codes:
        before = old.get(code.id)
        if before is None and code.id in renamed_ids.values():
            before = old[next(k for k, v in renamed_ids.items() if v == code.id)]
        if before is not None:
            changes += _compare(before, code)
    order = {kind: i for i, kind in enumerate(KINDS)}
    position = {c.id: i for i, c in enumerate([*b.codes, *a.codes])}
    changes.sort(key=lambda c: (order[c.kind], position.get(c.code_id, 0)))
    return CodebookDiff(changes, a.hash, b.hash)


def _id_renames(removed: list[Code], added: list[Code]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    free = list(added)
    for gone in removed:
        match = next((c for c in free if c.level == gone.level and c.name == gone.name), None)
        if match is not None:
            pairs[gone.id] = match.id
            free.remove(match)
    return pairs


def _compare(before: Code, after: Code) -> list[Change]:
    changes = []
    if (before.name, before.name_en) != (after.name, after.name_en):
        names = [f"{k} {getattr(before, k)!s} -> {getattr(after, k)!s}"
                 for k in ("name", "name_en") if getattr(before, k) != getattr(after, k)]
        changes.append(Change("renamed", after.id, "; ".join(names)))
    if before.parent != after.parent:
        changes.append(Change("moved", after.id, f"parent {before.parent} -> {after.parent}"))
    if before.level != after.level:
        changes.append(Change("relevelled", after.id, f"level {before.level} -> {after.level}"))
    fields = [k for k in _DEFINITION_FIELDS if getattr(before, k) != getattr(after, k)]
    if fields:
        changes.append(Change("redefined", after.id, ", ".join(fields)))
    if before.rules != after.rules:
        changes.append(Change("rules", after.id, _rules_detail(before, after)))
    fields = [k for k in _OTHER_FIELDS if getattr(before, k) != getattr(after, k)]
    if fields:
        changes.append(Change("edited", after.id, ", ".join(fields)))
    return changes


def _rules_detail(before: Code, after: Code) -> str:
    parts = []
    for label, terms in (("terms", _plain_terms), ("near terms", _near_terms)):
        old, new = terms(before), terms(after)
        if new - old:
            parts.append(f"+{len(new - old)} {label}")
        if old - new:
            parts.append(f"-{len(old - new)} {label}")
    return ", ".join(parts) or "not-terms, context words, scopes, boundary or regex"


def _plain_terms(code: Code) -> set[tuple[str, str]]:
    return set(code.rules.all_terms()) if code.rules else set()


def _near_terms(code: Code) -> set[tuple[str, str]]:
    return {pair for rule in code.rules.near for pair in rule.all_terms()} if code.rules \
        else set()
