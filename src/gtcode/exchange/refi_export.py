"""Writing a study as a REFI-QDA project (.qdpx) or codebook (.qdc).

What goes where (Project-mrt2019.xsd, in the schema's element order):

- ``Users``: one User per coder (human, imported), per memo author, and the
  rule coder ``gtcode-rules``.
- ``CodeBook``: the study's code hierarchy; ``isCodable`` is true for concepts
  and for any code with codings; colours; the description is the code's
  definition, include and exclude text.
- ``Variables`` / ``Cases``: case attributes as typed Variables; each Case
  holds its VariableValues and a SourceRef per source of that case.
- ``Sources``: one TextSource per source, named, its text in
  ``sources/<guid>.txt`` (UTF-8, no BOM, LF) referenced as
  ``internal://<guid>.txt``. Every coding that counts becomes a Coding in a
  PlainTextSelection, one selection per span and coder.
- ``Notes``: memos as Notes with PlainTextContent, plus one Note holding the
  study's codebook YAML (so a gtcode import restores ids, levels and rules).
- Memo links: a code memo is a NoteRef in its Code, a source memo a NoteRef in
  its TextSource, a segment memo a NoteRef in a PlainTextSelection covering
  the segment, a study memo a project-level NoteRef. Cases cannot hold a
  NoteRef in the schema, so a case memo is a ``Link`` from the Note to the Case.
- ``Sets``: the study's sets with their code and source members (sets of
  cases cannot be expressed and are reported).

GUIDs are uuid5 of stable keys (or the GUIDs an import kept), times are the
ones stored in the study, entries are sorted and dated 1980-01-01: two
exports of one study are byte-identical. Every XML document is validated
against the shipped XSD before anything is written.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from gtcode._version import __version__
from gtcode.errors import GtcodeError
from gtcode.exchange.positions import EXPORT_UNITS, UnitCounter, unit
from gtcode.exchange.refi_common import (
    CODEBOOK_NOTE_NAME,
    CODEBOOK_NS,
    PROJECT_NS,
    SOURCES_DIR,
    check_schema,
    make_guid,
)
from gtcode.files import atomic_output, atomic_write_bytes
from gtcode.store import refi as rdb
from gtcode.store.codes import CodeRow, list_codes
from gtcode.store.open_coding import RULE_CODER
from gtcode.store.project import Study
from gtcode.store.sources import attribute_types, list_cases, list_sources
from gtcode.workspace import study_codebook

ORIGIN = f"gtcode {__version__}"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_VARIABLE_TYPES = {"text": "Text", "integer": "Integer", "float": "Float",
                   "boolean": "Boolean", "date": "Date"}
_BAD_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_RGB = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_LABELS = {"nvivo": "UTF-16 code units (as NVivo does)",
           "codepoints": "Unicode code points (the REFI-QDA 1.5 unit)"}


@dataclass
class ExportReport:
    """What an export wrote."""

    path: Path
    positions: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class _Snapshot:
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
        self.warnings: list[str] = []
        self._add_unknown_codes()

    def guid(self, kind: str, key: str, stored: str | None = None) -> str:
        if stored:
            return stored
        kept = self.meta.get(kind, {}).get(key)
        return kept or make_guid(kind, key)

    def code_guid(self, code: CodeRow) -> str:
        return self.guid("code", code.id, code.guid)

    def user_guid(self, name: str) -> str:
        return self.guid("user", name, self.coders.get(name))

    def _add_unknown_codes(self) -> None:
        known = {c.id for c in self.codes}
        missing = sorted({c.code_id for c in self.codings} - known)
        for position, code_id in enumerate(missing, start=len(self.codes) + 1):
            self.codes.append(CodeRow(code_id, None, None, code_id, None, None,
                                      "Not in the study's codebook.", None, position, "export"))
        if missing:
            self.warnings.append(f"{len(missing)} code(s) used by codings are not in the "
                                 "codebook; exported as top-level codes: " + ", ".join(missing))

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
        names |= {m.author for m in self.memos} | {RULE_CODER}
        return sorted(names)


def _text(value: str | None) -> str:
    return _BAD_XML.sub("", value or "")


def _sub(parent: etree._Element, tag: str, text: str | None = None, /,
         **attrs: str | None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{parent.nsmap[None]}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            element.set(key, _text(value))
    if text is not None:
        element.text = _text(text)
    return element


def _stamp(value: str | None) -> str | None:
    return value if value and _DATETIME.match(value) else None


# -- the code tree ------------------------------------------------------------------

def _code_tree(snap: _Snapshot) -> tuple[list[CodeRow], dict[str, list[CodeRow]]]:
    known = {c.id for c in snap.codes}
    kids: dict[str | None, list[CodeRow]] = defaultdict(list)
    for code in sorted(snap.codes, key=lambda c: (c.position, c.id)):
        kids[snap.parent_of(code, known)].append(code)
    return kids.get(None, []), kids


def _write_codes(parent: etree._Element, snap: _Snapshot, *, with_notes: bool,
                 note_refs: dict[str, list[str]]) -> None:
    roots, kids = _code_tree(snap)
    coded = {c.code_id for c in snap.codings}
    codes_el = _sub(parent, "Codes")
    stack: list[tuple[etree._Element, CodeRow]] = [(codes_el, c) for c in reversed(roots)]
    seen: set[str] = set()
    while stack:
        holder, code = stack.pop()
        if code.id in seen:
            continue
        seen.add(code.id)
        color = code.color if code.color and _RGB.match(code.color) else None
        element = _sub(holder, "Code", guid=snap.code_guid(code), name=code.name,
                       isCodable="true" if snap.codable(code, coded) else "false", color=color)
        if code.description:
            _sub(element, "Description", code.description)
        if with_notes:
            for guid in note_refs.get(code.id, []):
                _sub(element, "NoteRef", targetGUID=guid)
        stack.extend((element, c) for c in reversed(kids.get(code.id, [])))


# -- variables and cases ---------------------------------------------------------------

def _typed_value(kind: str, value: str) -> tuple[str, str]:
    """The VariableValue element and lexical form for a stored attribute value."""
    text = value.strip()
    if kind == "integer" and re.fullmatch(r"[+-]?\d+", text):
        return "IntegerValue", text
    if kind == "float":
        try:
            number = Decimal(text)
            if number.is_finite():
                return "FloatValue", text if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text) \
                    else format(number, "f")
        except InvalidOperation:
            pass
    if kind == "boolean" and text.lower() in ("true", "false", "1", "0"):
        return "BooleanValue", text.lower()
    if kind == "date" and re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return "DateValue", text
    return "TextValue", value


def _write_cases(root: etree._Element, snap: _Snapshot) -> None:
    if snap.variables:
        variables = _sub(root, "Variables")
        for name, kind in snap.variables.items():
            _sub(variables, "Variable", guid=snap.guid("variable", name), name=name,
                 typeOfVariable=_VARIABLE_TYPES.get(kind, "Text"))
    if not snap.cases:
        return
    cases = _sub(root, "Cases")
    for case in snap.cases:
        element = _sub(cases, "Case", guid=snap.guid("case", case.name), name=case.name)
        if case.description:
            _sub(element, "Description", case.description)
        for name, value in snap.case_values.get(case.name, {}).items():
            if value is None or name not in snap.variables:
                continue
            tag, lexical = _typed_value(snap.variables[name], value)
            holder = _sub(element, "VariableValue")
            _sub(holder, "VariableRef", targetGUID=snap.guid("variable", name))
            _sub(holder, tag, lexical)
        for source in case.sources:
            _sub(element, "SourceRef", targetGUID=snap.guid("source", source))


# -- memos -------------------------------------------------------------------------------

@dataclass
class _MemoPlan:
    """Where each memo's Note is referenced from."""

    notes: dict[str, rdb.MemoRow] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    spans: dict[str, list[tuple[int, int, str]]] = field(default_factory=lambda: defaultdict(list))
    cases: list[tuple[str, str]] = field(default_factory=list)
    project: list[str] = field(default_factory=list)


def _plan_memos(snap: _Snapshot) -> _MemoPlan:
    plan = _MemoPlan()
    codes = {c.id for c in snap.codes}
    sources = {s.name for s in snap.sources}
    cases = {c.name for c in snap.cases}
    for memo in snap.memos:
        guid = memo.guid or make_guid("memo", memo.id, memo.target_type, memo.target)
        plan.notes.setdefault(guid, memo)
        target, kind = memo.target or "", memo.target_type
        if kind == "code" and target in codes:
            plan.codes[target].append(guid)
        elif kind == "source" and target in sources:
            plan.sources[target].append(guid)
        elif kind == "case" and target in cases:
            plan.cases.append((guid, target))
        elif kind == "segment" and _segment(snap, target):
            source, start, end = _segment(snap, target)
            plan.spans[source].append((start, end, guid))
        else:
            if kind != "study":
                snap.warnings.append(f"memo {memo.id} points to an unknown {kind} "
                                     f"{target!r}; exported as a project memo.")
            plan.project.append(guid)
    return plan


def _segment(snap: _Snapshot, target: str) -> tuple[str, int, int] | None:
    """A segment memo's target ``SOURCE#IDX`` as (source, start, end)."""
    source, _, idx = target.rpartition("#")
    span = rdb.segment_span(snap.study.conn, source, int(idx)) if idx.isdigit() else None
    return (source, *span) if span else None


def _write_notes(root: etree._Element, snap: _Snapshot, plan: _MemoPlan,
                 codebook_yaml: str | None) -> None:
    if not plan.notes and codebook_yaml is None:
        return
    notes = _sub(root, "Notes")
    for guid, memo in sorted(plan.notes.items(), key=lambda item: (item[1].id, item[0])):
        note = _sub(notes, "Note", guid=guid, name=memo.title or f"Memo {memo.id}",
                    creatingUser=snap.user_guid(memo.author),
                    creationDateTime=_stamp(memo.created_at),
                    modifiedDateTime=_stamp(memo.updated_at))
        _sub(note, "PlainTextContent", memo.text)
    if codebook_yaml is not None:
        note = _sub(notes, "Note", guid=make_guid("note", "gtcode-codebook"),
                    name=CODEBOOK_NOTE_NAME)
        _sub(note, "Description", "The gtcode codebook of this study (ids, levels, rules); "
             "gtcode reads it back on import.")
        _sub(note, "PlainTextContent", codebook_yaml)
        plan.project.append(make_guid("note", "gtcode-codebook"))


def _write_links(root: etree._Element, snap: _Snapshot, plan: _MemoPlan) -> None:
    if not plan.cases:
        return
    links = _sub(root, "Links")
    for guid, case in plan.cases:
        _sub(links, "Link", guid=make_guid("link", guid, case), name="memo",
             direction="OneWay", originGUID=guid, targetGUID=snap.guid("case", case))


# -- sources and codings -------------------------------------------------------------------

def _write_sources(root: etree._Element, snap: _Snapshot, plan: _MemoPlan, which: str
                   ) -> tuple[dict[str, bytes], int]:
    files: dict[str, bytes] = {}
    by_source: dict[str, list[rdb.ExportCoding]] = defaultdict(list)
    for coding in snap.codings:
        by_source[coding.source].append(coding)
    selections = 0
    sources = _sub(root, "Sources") if snap.sources else None
    code_guids = {c.id: snap.code_guid(c) for c in snap.codes}
    for source in snap.sources:
        guid = snap.guid("source", source.name)
        files[f"{SOURCES_DIR}/{guid}.txt"] = source.text.encode("utf-8")
        element = _sub(sources, "TextSource", guid=guid, name=source.name,
                       plainTextPath=f"internal://{guid}.txt",
                       creationDateTime=_stamp(source.imported_at))
        count = UnitCounter(source.text, unit(which))
        selections += _write_selections(element, snap, by_source[source.name], count,
                                        code_guids)
        for start, end, note in sorted(plan.spans.get(source.name, [])):
            selection = _sub(element, "PlainTextSelection", guid=make_guid("memo-span", note),
                             startPosition=str(count(start)), endPosition=str(count(end)))
            _sub(selection, "NoteRef", targetGUID=note)
        for note in plan.sources.get(source.name, []):
            _sub(element, "NoteRef", targetGUID=note)
    return files, selections


def _write_selections(element: etree._Element, snap: _Snapshot,
                      codings: list[rdb.ExportCoding], count: UnitCounter,
                      code_guids: dict[str, str]) -> int:
    spans: dict[tuple[int, int, str], list[rdb.ExportCoding]] = defaultdict(list)
    for coding in codings:
        spans[(coding.start, coding.end, coding.coder)].append(coding)
    for (start, end, coder), group in sorted(spans.items()):
        user = snap.user_guid(coder)
        first = min((_stamp(c.created_at) or "" for c in group), default="") or None
        selection = _sub(element, "PlainTextSelection",
                         guid=make_guid("selection", group[0].source, start, end, coder),
                         startPosition=str(count(start)), endPosition=str(count(end)),
                         creatingUser=user, creationDateTime=first)
        for coding in group:
            guid = coding.guid or make_guid("coding", coding.source, start, end,
                                            coding.code_id, coder)
            holder = _sub(selection, "Coding", guid=guid, creatingUser=user,
                          creationDateTime=_stamp(coding.created_at))
            _sub(holder, "CodeRef", targetGUID=code_guids[coding.code_id])
    return len(spans)


def _write_sets(root: etree._Element, snap: _Snapshot) -> None:
    if not snap.sets:
        return
    sets = _sub(root, "Sets")
    codes = {c.id: snap.code_guid(c) for c in snap.codes}
    for row in snap.sets:
        element = _sub(sets, "Set", guid=snap.guid("set", row.name, row.guid), name=row.name)
        if row.description:
            _sub(element, "Description", row.description)
        dropped = [m for kind, m in row.members if kind == "case"]
        for kind, member in row.members:
            if kind == "code" and member in codes:
                _sub(element, "MemberCode", targetGUID=codes[member])
        for kind, member in row.members:
            if kind == "source":
                _sub(element, "MemberSource", targetGUID=snap.guid("source", member))
        if dropped:
            snap.warnings.append(f"set {row.name!r}: {len(dropped)} case member(s) left out "
                                 "(REFI-QDA sets hold codes, sources and notes only).")


# -- the documents ---------------------------------------------------------------------------

def _codebook_text(study: Study) -> str | None:
    path = study.codebook_path
    return path.read_text(encoding="utf-8") if path.is_file() else None


def project_document(study: Study, *, positions: str = "nvivo"
                     ) -> tuple[bytes, dict[str, bytes], ExportReport]:
    """The project.qde bytes, the source files by archive name, and the report."""
    if positions not in EXPORT_UNITS:
        raise GtcodeError("E112", f"unknown position unit {positions!r}.",
                          hint="use --positions " + " or ".join(EXPORT_UNITS))
    snap = _Snapshot(study)
    plan = _plan_memos(snap)
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", _text(Path(study.path).resolve().name) or "gtcode study")
    root.set("origin", ORIGIN)
    created = _stamp(study.meta("created_at"))
    if created:
        root.set("creationDateTime", created)
    users = _sub(root, "Users")
    for name in snap.users():
        _sub(users, "User", guid=snap.user_guid(name), name=name)
    if snap.codes:
        _write_codes(_sub(root, "CodeBook"), snap, with_notes=True, note_refs=plan.codes)
    _write_cases(root, snap)
    files, selections = _write_sources(root, snap, plan, positions)
    _write_notes(root, snap, plan, _codebook_text(study))
    _write_links(root, snap, plan)
    _write_sets(root, snap)
    _sub(root, "Description", f"Exported by {ORIGIN}. Selection positions count "
         f"{_LABELS[positions]} in the sources' LF text (positions={positions}).")
    for guid in plan.project:
        _sub(root, "NoteRef", targetGUID=guid)
    report = ExportReport(Path(), positions, {
        "sources": len(snap.sources), "codes": len(snap.codes), "codings": len(snap.codings),
        "selections": selections, "cases": len(snap.cases), "variables": len(snap.variables),
        "memos": len(snap.memos), "sets": len(snap.sets), "users": len(snap.users())},
        snap.warnings)
    return _serialise(root), files, report


def codebook_document(study: Study) -> tuple[bytes, ExportReport]:
    """The .qdc bytes (codes and code sets) and the report."""
    snap = _Snapshot(study)
    snap.codings = []  # a codebook has no codings: isCodable follows the levels
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", ORIGIN)
    if not snap.codes:
        raise GtcodeError("E601", "the study has no codes to export.",
                          hint="a REFI-QDA codebook needs at least one code")
    _write_codes(root, snap, with_notes=False, note_refs={})
    code_sets = [s for s in snap.sets if any(kind == "code" for kind, _ in s.members)]
    if code_sets:
        sets = _sub(root, "Sets")
        guids = {c.id: snap.code_guid(c) for c in snap.codes}
        for row in code_sets:
            element = _sub(sets, "Set", guid=snap.guid("set", row.name, row.guid),
                           name=row.name)
            if row.description:
                _sub(element, "Description", row.description)
            for kind, member in row.members:
                if kind == "code" and member in guids:
                    _sub(element, "MemberCode", guid=guids[member])
    report = ExportReport(Path(), None, {"codes": len(snap.codes), "sets": len(code_sets)},
                          snap.warnings)
    return _serialise(root), report


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sync_codebook(study: Study) -> None:
    """Bring the study's code snapshot up to date with its codebook YAML."""
    if study.codebook_path.is_file():

        study_codebook(study)


def export_qdpx(study: Study, path: Path, *, positions: str = "nvivo") -> ExportReport:
    """Write the study as a REFI-QDA project archive (validated, deterministic).

    Args:
        study: the open study.
        path: the .qdpx to write (temp file, then rename).
        positions: ``"nvivo"`` (UTF-16 code units, the default) or ``"codepoints"``.
    """
    _sync_codebook(study)
    qde, files, report = project_document(study, positions=positions)
    check_schema(qde, "project", path)
    entries = [("project.qde", qde), *sorted(files.items())]
    with atomic_output(Path(path)) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)
    report.path = Path(path)
    return report


def export_qdc(study: Study, path: Path) -> ExportReport:
    """Write the study's codes as a REFI-QDA codebook (.qdc), validated."""
    _sync_codebook(study)
    data, report = codebook_document(study)
    check_schema(data, "codebook", path)
    atomic_write_bytes(Path(path), data)
    report.path = Path(path)
    return report
