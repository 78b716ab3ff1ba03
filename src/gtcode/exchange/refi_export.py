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
  PlainTextSelection of its own (one selection per coding, as NVivo writes).
- ``Notes``: memos as Notes with PlainTextContent, plus gtcode's own Notes:
  the study's codebook YAML (so a gtcode import restores ids, levels, rules
  and paradigm roles) and the study state (:mod:`gtcode.exchange.refi_state`).
- Dates and users on every element whose schema type has them
  (:mod:`gtcode.exchange.refi_snapshot`).
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

import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gtcode._version import __version__
from gtcode.errors import GtcodeError
from gtcode.exchange.positions import EXPORT_UNITS, UnitCounter, unit, units_agree
from gtcode.exchange.refi_common import (
    CODEBOOK_NOTE_NAME,
    CODEBOOK_NS,
    PROJECT_NS,
    SOURCES_DIR,
    STATE_NOTE_NAME,
    check_schema,
    make_guid,
)
from gtcode.exchange.refi_snapshot import (
    GTCODE_USER,
    Snapshot,
    sub,
    text,
    write_cases,
    write_codes,
    write_sets,
)
from gtcode.exchange.refi_state import state_text
from gtcode.files import atomic_output, atomic_write_bytes
from gtcode.store import refi as rdb
from gtcode.store.project import Study
from gtcode.workspace import study_codebook

ORIGIN = f"gtcode {__version__}"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LABELS = {"nvivo": "UTF-16 code units (as NVivo does)",
           "codepoints": "Unicode code points (the REFI-QDA 1.5 unit)"}


@dataclass
class ExportReport:
    """What an export wrote."""

    path: Path
    positions: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


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


def _plan_memos(snap: Snapshot) -> _MemoPlan:
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


def _segment(snap: Snapshot, target: str) -> tuple[str, int, int] | None:
    """A segment memo's target ``SOURCE#IDX`` as (source, start, end)."""
    source, _, idx = target.rpartition("#")
    span = rdb.segment_span(snap.study.conn, source, int(idx)) if idx.isdigit() else None
    return (source, *span) if span else None


def _own_note(notes: etree._Element, snap: Snapshot, name: str, description: str,
              content: str) -> str:
    """One of gtcode's own Notes (codebook, study state); its GUID."""
    guid = make_guid("note", "gtcode-codebook" if name == CODEBOOK_NOTE_NAME else name)
    user = snap.user_guid(GTCODE_USER)
    note = sub(notes, "Note", guid=guid, name=name, creatingUser=user,
               creationDateTime=snap.created, modifyingUser=user,
               modifiedDateTime=snap.created)
    sub(note, "Description", description)
    sub(note, "PlainTextContent", content)
    return guid


def _write_notes(root: etree._Element, snap: Snapshot, plan: _MemoPlan,
                 codebook_yaml: str | None, state: str) -> None:
    notes = sub(root, "Notes")
    for guid, memo in sorted(plan.notes.items(), key=lambda item: (item[1].id, item[0])):
        user = snap.user_guid(memo.author)
        note = sub(notes, "Note", guid=guid, name=memo.title or f"Memo {memo.id}",
                   creatingUser=user, creationDateTime=snap.time(memo.created_at),
                   modifyingUser=user,
                   modifiedDateTime=snap.time(memo.updated_at or memo.created_at))
        sub(note, "PlainTextContent", memo.text)
    if codebook_yaml is not None:
        plan.project.append(_own_note(
            notes, snap, CODEBOOK_NOTE_NAME, "The gtcode codebook of this study (ids, levels, "
            "rules, paradigm roles); gtcode reads it back on import.", codebook_yaml))
    plan.project.append(_own_note(
        notes, snap, STATE_NOTE_NAME, "gtcode's record of what REFI-QDA cannot say "
        "(segments, rule suggestions, rejections, the decision log, proposed concepts, the "
        "storyline and chosen quotes); gtcode reads it back on import.", state))


def _write_links(root: etree._Element, snap: Snapshot, plan: _MemoPlan) -> None:
    if not plan.cases:
        return
    links = sub(root, "Links")
    for guid, case in plan.cases:
        sub(links, "Link", guid=make_guid("link", guid, case), name="memo",
            direction="OneWay", originGUID=guid, targetGUID=snap.guid("case", case))


# -- sources and codings -------------------------------------------------------------------

def coding_guid(coding: rdb.ExportCoding) -> str:
    """The GUID a coding is written under (kept from an import, else derived)."""
    return coding.guid or make_guid("coding", coding.source, coding.start, coding.end,
                                    coding.code_id, coding.coder)


def _write_sources(root: etree._Element, snap: Snapshot, plan: _MemoPlan, which: str
                   ) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    by_source: dict[str, list[rdb.ExportCoding]] = defaultdict(list)
    for coding in snap.codings:
        by_source[coding.source].append(coding)
    sources = sub(root, "Sources") if snap.sources else None
    code_guids = {c.id: snap.code_guid(c) for c in snap.codes}
    user = snap.user_guid(GTCODE_USER)
    for source in snap.sources:
        guid = snap.guid("source", source.name)
        files[f"{SOURCES_DIR}/{guid}.txt"] = source.text.encode("utf-8")
        when = snap.time(source.imported_at)
        element = sub(sources, "TextSource", guid=guid, name=source.name,
                      plainTextPath=f"internal://{guid}.txt", creatingUser=user,
                      creationDateTime=when, modifyingUser=user, modifiedDateTime=when)
        count = UnitCounter(source.text, unit(which))
        _write_selections(element, snap, by_source[source.name], count, code_guids)
        for start, end, note in sorted(plan.spans.get(source.name, [])):
            selection = sub(element, "PlainTextSelection", guid=make_guid("memo-span", note),
                            startPosition=str(count(start)), endPosition=str(count(end)),
                            creatingUser=user, creationDateTime=when, modifyingUser=user,
                            modifiedDateTime=when)
            sub(selection, "NoteRef", targetGUID=note)
        for note in plan.sources.get(source.name, []):
            sub(element, "NoteRef", targetGUID=note)
    return files


def _write_selections(element: etree._Element, snap: Snapshot,
                      codings: list[rdb.ExportCoding], count: UnitCounter,
                      code_guids: dict[str, str]) -> None:
    """One PlainTextSelection per coding, as NVivo writes (simpler readers see one code each)."""
    for coding in sorted(codings, key=lambda c: (c.start, c.end, c.coder, c.code_id)):
        user = snap.user_guid(coding.coder)
        created = snap.time(coding.created_at)
        modified = snap.time(coding.updated_at or coding.created_at)
        guid = coding_guid(coding)
        selection = sub(element, "PlainTextSelection", guid=make_guid("selection", guid),
                        startPosition=str(count(coding.start)),
                        endPosition=str(count(coding.end)), creatingUser=user,
                        creationDateTime=created, modifyingUser=user,
                        modifiedDateTime=modified)
        holder = sub(selection, "Coding", guid=guid, creatingUser=user,
                     creationDateTime=created)
        sub(holder, "CodeRef", targetGUID=code_guids[coding.code_id])


# -- the documents ---------------------------------------------------------------------------

def _codebook_text(study: Study) -> str | None:
    path = study.codebook_path
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _project_root(study: Study, snap: Snapshot) -> etree._Element:
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", text(Path(study.path).resolve().name) or "gtcode study")
    root.set("origin", ORIGIN)
    user = snap.user_guid(GTCODE_USER)
    root.set("creatingUserGUID", user)
    root.set("creationDateTime", snap.created)
    root.set("modifyingUserGUID", user)
    root.set("modifiedDateTime", snap.created)
    return root


@dataclass
class _Project:
    """A built project.qde tree; only its Description says the position unit."""

    root: etree._Element
    description: etree._Element
    files: dict[str, bytes]
    counts: dict[str, int]
    warnings: list[str]


def project_document(study: Study, *, positions: str = "nvivo"
                     ) -> tuple[bytes, dict[str, bytes], ExportReport]:
    """The project.qde bytes, the source files by archive name, and the report.

    Inside :meth:`~gtcode.store.project.Study.remembering` the tree is built once
    for both position units when no source holds a character above U+FFFF (then
    UTF-16 units and code points count alike and only the Description differs).
    """
    project, report = _project_tree(study, positions)
    return _serialise(project.root), project.files, report


def _project_tree(study: Study, positions: str) -> tuple[_Project, ExportReport]:
    """:func:`project_document`'s tree (shared: serialise it before building another)."""
    if positions not in EXPORT_UNITS:
        raise GtcodeError("E112", f"unknown position unit {positions!r}.",
                          hint="use --positions " + " or ".join(EXPORT_UNITS))
    same = study.remember("refi units agree",
                          lambda: units_agree(rdb.source_texts(study.conn)))
    project = study.remember(("refi project", "any" if same else positions),
                             lambda: _project(study, positions))
    project.description.text = (
        f"Exported by {ORIGIN}. Selection positions count {_LABELS[positions]} in the "
        f"sources' LF text (positions={positions}).")
    report = ExportReport(Path(), positions, dict(project.counts), list(project.warnings))
    return project, report


def _project(study: Study, positions: str) -> _Project:
    snap = Snapshot(study)
    plan = _plan_memos(snap)
    root = _project_root(study, snap)
    users = sub(root, "Users")
    for name in snap.users():
        sub(users, "User", guid=snap.user_guid(name), name=name)
    if snap.codes:
        write_codes(sub(root, "CodeBook"), snap, with_notes=True, note_refs=plan.codes)
    write_cases(root, snap)
    files = _write_sources(root, snap, plan, positions)
    # the same for both position units: `gtcode run` writes both projects from one
    state = study.remember("refi state", lambda: state_text(
        study, {c.id: coding_guid(c) for c in snap.codings}))
    _write_notes(root, snap, plan, _codebook_text(study), state)
    _write_links(root, snap, plan)
    write_sets(root, snap)
    description = sub(root, "Description", "")
    for guid in plan.project:
        sub(root, "NoteRef", targetGUID=guid)
    counts = {"sources": len(snap.sources), "codes": len(snap.codes),
              "codings": len(snap.codings), "selections": len(snap.codings),
              "cases": len(snap.cases), "variables": len(snap.variables),
              "memos": len(snap.memos), "sets": len(snap.sets), "users": len(snap.users())}
    return _Project(root, description, files, counts, snap.warnings)


def codebook_document(study: Study) -> tuple[bytes, ExportReport]:
    """The .qdc bytes (codes and code sets) and the report."""
    snap = Snapshot(study)
    snap.codings = []  # a codebook has no codings: isCodable follows the levels
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", ORIGIN)
    if not snap.codes:
        raise GtcodeError("E601", "the study has no codes to export.",
                          hint="a REFI-QDA codebook needs at least one code")
    write_codes(root, snap, with_notes=False, note_refs={})
    code_sets = [s for s in snap.sets if any(kind == "code" for kind, _ in s.members)]
    if code_sets:
        sets = sub(root, "Sets")
        guids = {c.id: snap.code_guid(c) for c in snap.codes}
        for row in code_sets:
            element = sub(sets, "Set", guid=snap.guid("set", row.name, row.guid),
                          name=row.name)
            if row.description:
                sub(element, "Description", row.description)
            for kind, member in row.members:
                if kind == "code" and member in guids:
                    sub(element, "MemberCode", guid=guids[member])
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
    project, report = _project_tree(study, positions=positions)
    check_schema(project.root, "project", path)  # the tree as built: never parsed again
    entries = [("project.qde", _serialise(project.root)), *sorted(project.files.items())]
    with atomic_output(Path(path)) as tmp:
        _write_archive(tmp, entries)
    report.path = Path(path)
    return report


def _write_archive(path: Path, entries: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)


def export_qdc(study: Study, path: Path) -> ExportReport:
    """Write the study's codes as a REFI-QDA codebook (.qdc), validated."""
    _sync_codebook(study)
    data, report = codebook_document(study)
    check_schema(data, "codebook", path)
    atomic_write_bytes(Path(path), data)
    report.path = Path(path)
    return report
