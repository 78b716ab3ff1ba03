"""What a REFI-QDA export reads from a study, and the elements that need no layout choice.

:class:`Snapshot` reads everything once (codes, codings that count, sources,
cases, memos, sets, coders) with the GUID each item is written under. The
helpers write the code tree, Variables and Cases, and Sets in the schema's
element order.

Dates and users: REFI-QDA makes them optional, but real readers assume them
(QualCoder's note parser stops on a Note without a date). Every element whose
schema type has them (the Project, TextSource, PlainTextSelection, Coding and
Note) is written with a creating and modifying user and both dates; a time
the study does not hold falls back to the study's creation time, a user to
the program itself (the User ``gtcode``). Codes, Cases, Variables and Users
have no such attributes in Project-mrt2019.xsd; they always carry a name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from lxml import etree

from gtcode.coding.proposals import (
    PROPOSED_EN,
    PROPOSED_PREFIX,
    PROPOSED_ZH,
    Proposal,
    study_proposals,
)
from gtcode.exchange.refi_common import make_guid
from gtcode.store import refi as rdb
from gtcode.store.codes import CodeRow, list_codes
from gtcode.store.open_coding import RULE_CODER
from gtcode.store.project import Study
from gtcode.store.sources import attribute_types, list_cases, list_sources

#: The User that stands for gtcode itself (it imported the sources, wrote its own Notes).
GTCODE_USER = "gtcode"
#: When a study holds no time at all (never in practice): the epoch REFI tools accept.
FALLBACK_TIME = "1970-01-01T00:00:00Z"
_VARIABLE_TYPES = {"text": "Text", "integer": "Integer", "float": "Float",
                   "boolean": "Boolean", "date": "Date"}
_BAD_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_RGB = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
PROPOSED_NOTE = ("Concepts coders proposed that the codebook does not hold yet "
                 "(gtcode codebook adopt). 编码者提出、尚未纳入编码手册的概念。")


def proposed_guid(name: str | None = None) -> str:
    """The GUID of a proposed concept's code (``name``) or of their group (None)."""
    return make_guid("code", PROPOSED_PREFIX + (name or ""))


class Snapshot:
    """Everything an export reads from the study, with the GUID of each item."""

    def __init__(self, study: Study) -> None:
        conn = study.conn
        self.study = study
        self.meta = rdb.refi_meta(conn)
        self.codes = list_codes(conn)
        self.codings = rdb.export_codings(conn)
        self.sources = list_sources(conn)
        self.cases = rdb.list_case_rows(conn)
        self.case_values = dict(list_cases(conn))
        self.variables = attribute_types(conn)
        self.memos = rdb.list_memos(conn)
        self.sets = rdb.list_sets(conn)
        self.coders = {name: guid for name, _kind, guid in rdb.list_coders(conn)}
        self.created = stamp(study.meta("created_at")) or FALLBACK_TIME
        self.warnings: list[str] = []
        self._add_unknown_codes()
        self._add_proposed_codes(study_proposals(study))

    def guid(self, kind: str, key: str, stored: str | None = None) -> str:
        if stored:
            return stored
        kept = self.meta.get(kind, {}).get(key)
        return kept or make_guid(kind, key)

    def code_guid(self, code: CodeRow) -> str:
        return self.guid("code", code.id, code.guid)

    def user_guid(self, name: str | None) -> str:
        return self.guid("user", name or GTCODE_USER, self.coders.get(name or GTCODE_USER))

    def time(self, value: str | None) -> str:
        """A stored time as xsd:dateTime, or the study's creation time."""
        return stamp(value) or self.created

    def _add_unknown_codes(self) -> None:
        known = {c.id for c in self.codes}
        missing = sorted({c.code_id for c in self.codings} - known)
        for position, code_id in enumerate(missing, start=len(self.codes) + 1):
            self.codes.append(CodeRow(code_id, None, None, code_id, None, None,
                                      "Not in the study's codebook.", None, position, "export"))
        if missing:
            self.warnings.append(f"{len(missing)} code(s) used by codings are not in the "
                                 "codebook; exported as top-level codes: " + ", ".join(missing))

    def _add_proposed_codes(self, proposals: list[Proposal]) -> None:
        """Proposed concepts as codes: under their parent, else in a 建议概念 group.

        They carry no codings (the study holds those as proposals, restored from
        gtcode's own Note); their GUIDs (:func:`proposed_guid`) let an import of
        this file leave them out of the codebook.
        """
        if not proposals:
            return
        known = {c.id for c in self.codes}
        position = max((c.position for c in self.codes), default=0)
        if any(p.parent not in known for p in proposals):
            self.codes.append(CodeRow(PROPOSED_PREFIX, None, "category",
                                      f"{PROPOSED_ZH} ({PROPOSED_EN})", None, None,
                                      PROPOSED_NOTE, None, position + 1, "proposed"))
        for i, item in enumerate(proposals, start=position + 2):
            where = ", ".join(p.ref for p in item.places)
            about = f"{PROPOSED_ZH} / {PROPOSED_EN}: {', '.join(item.by)}" + (
                f"; {where}" if where else "")
            self.codes.append(CodeRow(
                item.key, item.parent if item.parent in known else PROPOSED_PREFIX, "concept",
                item.name, item.name_en, None,
                "\n".join(p for p in (item.definition, about) if p), None, i, "proposed"))

    def parent_of(self, code: CodeRow, known: set[str]) -> str | None:
        kept = self.meta.get("code_parent", {}).get(code.id)
        parent = kept if kept in known else code.parent
        return parent if parent in known else None

    def codable(self, code: CodeRow, coded: set[str]) -> bool:
        kept = self.meta.get("codable", {}).get(code.id)
        if code.id in coded:
            return True
        if kept is not None:
            return bool(kept)
        return code.level in (None, "concept")

    def users(self) -> list[str]:
        names = set(self.coders) | {c.coder for c in self.codings}
        names |= {m.author for m in self.memos} | {RULE_CODER, GTCODE_USER}
        return sorted(names)


def text(value: str | None) -> str:
    """Text with the characters XML cannot hold removed."""
    return _BAD_XML.sub("", value or "")


def sub(parent: etree._Element, tag: str, content: str | None = None, /,
        **attrs: str | None) -> etree._Element:
    """A child element in the parent's namespace; attributes that are None are left out."""
    element = etree.SubElement(parent, f"{{{parent.nsmap[None]}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            element.set(key, text(value))
    if content is not None:
        element.text = text(content)
    return element


def stamp(value: str | None) -> str | None:
    """``value`` if it is an xsd:dateTime, else None."""
    return value if value and _DATETIME.match(value) else None


# -- the code tree ------------------------------------------------------------------

def _code_tree(snap: Snapshot) -> tuple[list[CodeRow], dict[str, list[CodeRow]]]:
    known = {c.id for c in snap.codes}
    kids: dict[str | None, list[CodeRow]] = defaultdict(list)
    for code in sorted(snap.codes, key=lambda c: (c.position, c.id)):
        kids[snap.parent_of(code, known)].append(code)
    return kids.get(None, []), kids


def write_codes(parent: etree._Element, snap: Snapshot, *, with_notes: bool,
                note_refs: dict[str, list[str]]) -> None:
    """The ``Codes`` element: the code tree, nested, in codebook order."""
    roots, kids = _code_tree(snap)
    coded = {c.code_id for c in snap.codings}
    codes_el = sub(parent, "Codes")
    stack: list[tuple[etree._Element, CodeRow]] = [(codes_el, c) for c in reversed(roots)]
    seen: set[str] = set()
    while stack:
        holder, code = stack.pop()
        if code.id in seen:
            continue
        seen.add(code.id)
        color = code.color if code.color and _RGB.match(code.color) else None
        element = sub(holder, "Code", guid=snap.code_guid(code), name=code.name,
                      isCodable="true" if snap.codable(code, coded) else "false", color=color)
        if code.description:
            sub(element, "Description", code.description)
        if with_notes:
            for guid in note_refs.get(code.id, []):
                sub(element, "NoteRef", targetGUID=guid)
        stack.extend((element, c) for c in reversed(kids.get(code.id, [])))


# -- variables and cases ---------------------------------------------------------------

def typed_value(kind: str, value: str) -> tuple[str, str]:
    """The VariableValue element and lexical form for a stored attribute value."""
    stripped = value.strip()
    if kind == "integer" and re.fullmatch(r"[+-]?\d+", stripped):
        return "IntegerValue", stripped
    if kind == "float":
        try:
            number = Decimal(stripped)
            if number.is_finite():
                return "FloatValue", stripped if re.fullmatch(
                    r"[+-]?(\d+\.?\d*|\.\d+)", stripped) else format(number, "f")
        except InvalidOperation:
            pass
    if kind == "boolean" and stripped.lower() in ("true", "false", "1", "0"):
        return "BooleanValue", stripped.lower()
    if kind == "date" and re.fullmatch(r"\d{4}-\d\d-\d\d", stripped):
        return "DateValue", stripped
    return "TextValue", value


def write_cases(root: etree._Element, snap: Snapshot) -> None:
    """``Variables`` (typed) and ``Cases`` with their values and sources."""
    if snap.variables:
        variables = sub(root, "Variables")
        for name, kind in snap.variables.items():
            sub(variables, "Variable", guid=snap.guid("variable", name), name=name,
                typeOfVariable=_VARIABLE_TYPES.get(kind, "Text"))
    if not snap.cases:
        return
    cases = sub(root, "Cases")
    for case in snap.cases:
        element = sub(cases, "Case", guid=snap.guid("case", case.name), name=case.name)
        if case.description:
            sub(element, "Description", case.description)
        for name, value in snap.case_values.get(case.name, {}).items():
            if value is None or name not in snap.variables:
                continue
            tag, lexical = typed_value(snap.variables[name], value)
            holder = sub(element, "VariableValue")
            sub(holder, "VariableRef", targetGUID=snap.guid("variable", name))
            sub(holder, tag, lexical)
        for source in case.sources:
            sub(element, "SourceRef", targetGUID=snap.guid("source", source))


def write_sets(root: etree._Element, snap: Snapshot) -> None:
    """``Sets`` with their code and source members (case members cannot be written)."""
    if not snap.sets:
        return
    sets = sub(root, "Sets")
    codes = {c.id: snap.code_guid(c) for c in snap.codes}
    for row in snap.sets:
        element = sub(sets, "Set", guid=snap.guid("set", row.name, row.guid), name=row.name)
        if row.description:
            sub(element, "Description", row.description)
        dropped = [m for kind, m in row.members if kind == "case"]
        for kind, member in row.members:
            if kind == "code" and member in codes:
                sub(element, "MemberCode", targetGUID=codes[member])
        for kind, member in row.members:
            if kind == "source":
                sub(element, "MemberSource", targetGUID=snap.guid("source", member))
        if dropped:
            snap.warnings.append(f"set {row.name!r}: {len(dropped)} case member(s) left out "
                                 "(REFI-QDA sets hold codes, sources and notes only).")
