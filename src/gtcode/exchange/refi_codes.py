"""From a REFI-QDA code tree to a gtcode codebook YAML.

An imported project has no gtcode codebook, so one is made from its codes:

- ids are slugs of the names (``THEME - Affordances`` → ``theme_affordances``);
  a name with Chinese (or other non-Latin) letters gets a stable hash slug
  such as ``code_3fa2c1``; clashes get ``_2``, ``_3`` in tree order;
- levels follow the place in the tree, as gtcode's codebook requires
  (core > category > subcategory > concept): a top-level code is a category,
  its children subcategories (or concepts when they are leaves), theirs
  concepts. A code nested deeper than a concept is listed as a concept of the
  nearest subcategory or category; its real parent is kept for re-export;
- the description becomes the ``definition``; ``#RGB`` colours are widened.

A project written by gtcode carries its codebook YAML in a Note. When every
code of the tree is found in it (by GUID, else by name path) and the tree is
unchanged, that YAML is restored as it was: ids, levels, rules and all. When
the tree was edited in another program, matched codes keep their ids and
fields and new codes are added as above.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gtcode.codebook import load_codebook
from gtcode.codebook.export import code_description
from gtcode.coding.proposals import PROPOSED_PREFIX
from gtcode.errors import GtcodeError
from gtcode.exchange.refi_common import make_guid, norm_guid

MAX_EMBEDDED_YAML = 5 * 1024 ** 2
_CJK = re.compile(r"[^\x00-\x7f\u00c0-\u024f]")
_TOP_LEVELS = ("core", "category")
_ALLOWED_PARENTS = {"core": (None,), "category": ("core", None),
                    "subcategory": ("category",), "concept": ("subcategory", "category")}
_CARRY = ("name_en", "definition", "include", "exclude", "examples", "paradigm", "memo",
          "rules")


@dataclass
class TreeCode:
    """A code as read from a REFI-QDA file (``children`` in document order)."""

    guid: str
    name: str
    codable: bool
    color: str | None = None
    description: str | None = None
    children: list[TreeCode] = field(default_factory=list)


@dataclass
class CodePlan:
    """The codebook made for an import and how REFI codes map onto it."""

    yaml_text: str
    ids: dict[str, str]  # normalised REFI GUID -> code id
    guids: dict[str, str]  # code id -> REFI GUID as written
    real_parents: dict[str, str] = field(default_factory=dict)  # flattened codes only
    codable: dict[str, bool] = field(default_factory=dict)
    restored: bool = False


def slugify(name: str) -> str:
    """An id-shaped slug of a code name; hash-based for non-Latin names."""
    if _CJK.search(name):
        return "code_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:48].rstrip("_")
    if not slug:
        return "code_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    return slug if slug[0].isalpha() else f"c_{slug}"


def _unique(slug: str, used: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in used:
        candidate, number = f"{slug}_{number}", number + 1
    used.add(candidate)
    return candidate


def _color(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value.upper()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:]).upper()
    return None


def walk(roots: list[TreeCode]) -> list[tuple[TreeCode, TreeCode | None]]:
    """Every code with its REFI parent, depth first in document order."""
    found: list[tuple[TreeCode, TreeCode | None]] = []
    stack: list[tuple[TreeCode, TreeCode | None]] = [(c, None) for c in reversed(roots)]
    while stack:
        code, parent = stack.pop()
        found.append((code, parent))
        stack.extend((c, code) for c in reversed(code.children))
    return found


# -- the embedded gtcode codebook -------------------------------------------------------

#: Most codes an embedded codebook may hold (a guard against alias bombs and loops).
MAX_EMBEDDED_CODES = 200_000


def embedded_codes(yaml_text: str | None) -> list[dict[str, Any]] | None:
    """The codes of an embedded codebook YAML, flat with ``parent``; None if unusable.

    YAML aliases are allowed (the built-in codebooks share ``not`` lists and
    rules through them). They are loaded as shared references, never copied;
    the walk below visits each code entry once, refuses a loop of ``children``
    and stops past :data:`MAX_EMBEDDED_CODES` entries, so no alias trick can
    make it run away.
    """
    if not yaml_text or len(yaml_text) > MAX_EMBEDDED_YAML:
        return None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(yaml_text)
    except (YAMLError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        return None
    flat: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = [(c, None) for c in reversed(data["codes"])]
    while stack:
        entry, parent = stack.pop()
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            return None
        if id(entry) in seen or len(flat) >= MAX_EMBEDDED_CODES:
            return None  # a code reached twice (an alias loop) or too many codes
        seen.add(id(entry))
        flat.append({**{k: v for k, v in entry.items() if k != "children"},
                     "parent": entry.get("parent", parent)})
        children = entry.get("children") or []
        if not isinstance(children, list):
            return None
        stack.extend((c, entry["id"]) for c in reversed(children))
    return flat


def _match(pairs: list[tuple[TreeCode, TreeCode | None]],
           embedded: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """REFI GUID -> embedded code, by gtcode's GUID of the id, else by name path."""
    by_guid = {make_guid("code", e["id"]): e for e in embedded}
    by_id = {e["id"]: e for e in embedded}

    def path_of(entry: dict[str, Any]) -> tuple[str, ...]:
        names, seen = [], set()
        while entry is not None and entry["id"] not in seen:
            seen.add(entry["id"])
            names.append(str(entry.get("name")))
            entry = by_id.get(entry.get("parent"))
        return tuple(reversed(names))

    by_path: dict[tuple[str, ...], dict[str, Any]] = {}
    for entry in embedded:
        by_path.setdefault(path_of(entry), entry)
    refi_paths: dict[str, tuple[str, ...]] = {}
    matched: dict[str, dict[str, Any]] = {}
    for code, parent in pairs:
        refi_paths[code.guid] = (*(refi_paths[parent.guid] if parent else ()), code.name)
        entry = by_guid.get(norm_guid(code.guid)) or by_path.get(refi_paths[code.guid])
        if entry is not None and entry["id"] not in {e["id"] for e in matched.values()}:
            matched[code.guid] = entry
    return matched


def _unchanged(pairs: list[tuple[TreeCode, TreeCode | None]], embedded: list[dict[str, Any]],
               matched: dict[str, dict[str, Any]]) -> bool:
    if len(matched) != len(pairs) or len(pairs) != len(embedded):
        return False
    for code, parent in pairs:
        entry = matched[code.guid]
        parent_id = matched[parent.guid]["id"] if parent else None
        if entry.get("name") != code.name or entry.get("parent") != parent_id:
            return False
    return True


# -- building the codebook ------------------------------------------------------------------

class _Builder:
    """Assigns ids, levels and codebook parents to a REFI code tree."""

    def __init__(self, matched: dict[str, dict[str, Any]], use_levels: bool) -> None:
        self.matched = matched
        self.use_levels = use_levels
        self.used = {e["id"] for e in matched.values()}
        self.entries: list[dict[str, Any]] = []
        self.plan = CodePlan("", {}, {})
        self.cores = 0
        self.core_guid: str | None = None

    def run(self, roots: list[TreeCode]) -> None:
        # (code, codebook parent id, its level, REFI parent id)
        stack: list[tuple[TreeCode, str | None, str | None, str | None]] = [
            (c, None, None, None) for c in reversed(roots)]
        self.core_guid = roots[0].guid if _core_shaped(roots) else None
        while stack:
            code, parent_id, parent_level, real_parent = stack.pop()
            entry = self._entry(code, parent_id, parent_level)
            if real_parent is not None and real_parent != parent_id:
                self.plan.real_parents[entry["id"]] = real_parent
            if entry["level"] == "concept":  # nothing may sit under a concept
                below = (parent_id, parent_level)
            else:
                below = (entry["id"], entry["level"])
            stack.extend((c, *below, entry["id"]) for c in reversed(code.children))

    def _entry(self, code: TreeCode, parent_id: str | None, parent_level: str | None
               ) -> dict[str, Any]:
        known = self.matched.get(code.guid)
        code_id = known["id"] if known else _unique(slugify(code.name), self.used)
        level = self._level(code, known, parent_level)
        entry: dict[str, Any] = {"id": code_id, "name": code.name.strip() or code_id,
                                 "level": level}
        if parent_id is not None:
            entry["parent"] = parent_id
        entry.update(_fields(code, known))
        color = _color(code.color)
        if color:
            entry["color"] = color
        self.entries.append(entry)
        self.plan.ids[norm_guid(code.guid)] = code_id
        self.plan.guids[code_id] = code.guid
        self.plan.codable[code_id] = code.codable
        return entry

    def _level(self, code: TreeCode, known: dict[str, Any] | None,
               parent_level: str | None) -> str:
        wanted = known.get("level") if (known and self.use_levels) else None
        if wanted is None and code.guid == self.core_guid:
            wanted = "core"
        if wanted in _ALLOWED_PARENTS and parent_level in _ALLOWED_PARENTS[wanted]:
            if wanted != "core" or self.cores == 0:
                self.cores += wanted == "core"
                return wanted
        if parent_level in (None, "core"):
            return "category"
        if parent_level == "category" and code.children:
            return "subcategory"
        return "concept"


def _core_shaped(roots: list[TreeCode]) -> bool:
    """One non-codable root over at least three levels: the core category."""
    if len(roots) != 1 or roots[0].codable:
        return False
    depth, level = 0, list(roots)
    while level:
        depth, level = depth + 1, [c for code in level for c in code.children]
    return depth >= 4


def _fields(code: TreeCode, known: dict[str, Any] | None) -> dict[str, Any]:
    """Definition and the other gtcode fields of a code (kept when it is known)."""

    description = (code.description or "").strip()
    fields: dict[str, Any] = {}
    if known is not None:
        carried = {k: known[k] for k in _CARRY if known.get(k) not in (None, "", [], {})}
        same = description == code_description(SimpleNamespace(
            definition=known.get("definition"), include=known.get("include"),
            exclude=known.get("exclude"))).strip()
        if not same:
            for key in ("definition", "include", "exclude"):
                carried.pop(key, None)
            carried.update(split_description(description))
        return carried
    fields.update(split_description(description))
    return fields


_INCLUDE, _EXCLUDE = "Include / 适用: ", "Exclude / 不适用: "


def split_description(text: str) -> dict[str, str]:
    """Definition, include and exclude from a description gtcode wrote (else all definition)."""
    fields: dict[str, str] = {}
    parts = re.split(f"(?m)^({re.escape(_INCLUDE)}|{re.escape(_EXCLUDE)})", text.strip())
    if parts[0].strip():
        fields["definition"] = parts[0].strip()
    for marker, body in zip(parts[1::2], parts[2::2]):
        key = "include" if marker == _INCLUDE else "exclude"
        if body.strip() and key not in fields:
            fields[key] = body.strip()
    return fields


def _dump(meta: dict[str, Any], entries: list[dict[str, Any]]) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    from ruamel.yaml.scalarstring import LiteralScalarString

    for entry in entries:
        for key, value in entry.items():
            if isinstance(value, str) and "\n" in value:
                entry[key] = LiteralScalarString(value)
    stream = io.StringIO()
    yaml.dump({**meta, "codes": entries}, stream)
    return stream.getvalue()


def validate_yaml(text: str, file: str) -> Any:
    """Load YAML text with gtcode's codebook loader (E201/E202 when invalid)."""

    with tempfile.TemporaryDirectory(prefix="gtcode-codebook-") as folder:
        path = Path(folder) / file
        path.write_text(text, encoding="utf-8")
        return load_codebook(path)


def without_proposed(roots: list[TreeCode], sources: list[Any]) -> list[TreeCode]:
    """The tree without the proposed concepts (and their group) a gtcode export wrote.

    Their GUIDs say what they are (``refi_snapshot.proposed_guid``): the study
    keeps them as proposals (restored from gtcode's Note), not as codes. A code
    some coding of ``sources`` (read sources) uses stays.
    """
    coded = {norm_guid(c.code) for item in sources
             for c in [*item.codings, *(c for sel in item.selections for c in sel.codings)]}

    def proposed(code: TreeCode, name: str) -> bool:
        return norm_guid(code.guid) == make_guid("code", PROPOSED_PREFIX + name) and \
            norm_guid(code.guid) not in coded

    def keep(codes: list[TreeCode]) -> list[TreeCode]:
        kept = []
        for code in codes:
            if proposed(code, code.name) or (proposed(code, "") and not any(
                    not proposed(c, c.name) for c in code.children)):
                continue
            kept.append(TreeCode(code.guid, code.name, code.codable, code.color,
                                 code.description, keep(code.children)))
        return kept
    return keep(roots)


def plan_codes(roots: list[TreeCode], *, name: str, description: str,
               embedded_yaml: str | None = None) -> CodePlan:
    """The codebook YAML for an imported code tree, validated.

    Args:
        roots: the top-level codes.
        name: the codebook's name (the project's).
        description: one line saying where it came from.
        embedded_yaml: the codebook Note of a gtcode export, if any.
    """
    pairs = walk(roots)
    embedded = embedded_codes(embedded_yaml) or []
    matched = _match(pairs, embedded) if embedded else {}
    if embedded and _unchanged(pairs, embedded, matched):
        try:
            validate_yaml(embedded_yaml, "codebook.yaml")
            return _restored(pairs, matched, embedded_yaml)
        except GtcodeError:
            pass  # not a valid codebook after all: build one from the tree
    for use_levels in (True, False):
        builder = _Builder(matched, use_levels)
        builder.run(roots)
        language = "zh" if any(_CJK.search(c.name) for c, _ in pairs) else "en"
        meta = {"name": name.strip() or "imported", "version": "1", "language": language,
                "description": description}
        builder.plan.yaml_text = _dump(meta, builder.entries)
        try:
            validate_yaml(builder.plan.yaml_text, "codebook.yaml")
        except GtcodeError:
            if use_levels and matched:
                continue
            raise
        return builder.plan
    raise AssertionError("unreachable")


def _restored(pairs: list[tuple[TreeCode, TreeCode | None]],
              matched: dict[str, dict[str, Any]], yaml_text: str) -> CodePlan:
    plan = CodePlan(yaml_text, {}, {}, restored=True)
    for code, _parent in pairs:
        code_id = matched[code.guid]["id"]
        plan.ids[norm_guid(code.guid)] = code_id
        plan.guids[code_id] = code.guid
        plan.codable[code_id] = code.codable
    return plan
