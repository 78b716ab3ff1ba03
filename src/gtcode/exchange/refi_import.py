"""Importing a REFI-QDA project (.qdpx, or a bare .qde) as a new gtcode study.

Everything is read, checked and converted in memory first; the study is then
built in a temporary folder next to the target and renamed into place at
the very end, so any error leaves nothing behind.

Mapping: Users become coders (kind ``import``); codes become the study's
codebook YAML (see :mod:`gtcode.exchange.refi_codes`), stored with origin
``import`` and their GUIDs; each Coding becomes a coding with origin
``import``, status ``accepted``, coder = the user's name (or GUID), its span
converted to code points and linked to the segment that holds it whole (a
coding no single segment holds counts at its own span, see
:mod:`gtcode.coding.passages`; sources are segmented by speaker turn only when
they are transcripts, else by paragraph, see :mod:`gtcode.transcripts.detect`);
Cases, Variables and values become cases and typed attributes (file variables
of a source outside any case become a case of that source); Notes become memos
on what references them; Sets keep their code and source members. A project
gtcode exported brings back its own records too (:mod:`gtcode.exchange.refi_state`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from gtcode.codebook import load_codebook
from gtcode.codebook.export import code_description
from gtcode.errors import GtcodeError
from gtcode.exchange.refi_codes import CodePlan, plan_codes, without_proposed
from gtcode.exchange.refi_common import (
    CODEBOOK_NOTE_NAME,
    STATE_NOTE_NAME,
    Limits,
    norm_guid,
)
from gtcode.exchange.refi_read import Container, RProject, read_project_xml
from gtcode.exchange.refi_snapshot import GTCODE_USER
from gtcode.exchange.refi_state import Restored, read_state, restore_state, segmentation
from gtcode.exchange.refi_texts import (
    SourceText,
    choose_unit,
    load_texts,
    map_spans,
    note_text,
    unique_name,
)
from gtcode.files import atomic_write_text
from gtcode.importer import content_hash, store_document
from gtcode.store import sources as db
from gtcode.store.codes import CodeRow, sync_codebook_codes
from gtcode.store.codings import PlacementRow, unplaced_codings
from gtcode.store.meta import now_iso
from gtcode.store.project import DB_NAME, Study
from gtcode.store.refi import (
    insert_coders,
    insert_codings,
    insert_memos,
    insert_set,
    segment_spans,
    set_case_description,
    set_refi_meta,
)
from gtcode.transcripts.detect import segment_auto
from gtcode.transcripts.model import Document, Segmentation
from gtcode.transcripts.segment import segment_document

_TYPES = {"text": "text", "integer": "integer", "float": "float", "boolean": "boolean",
          "date": "date", "datetime": "text"}


@dataclass
class ImportReport:
    """What an import brought in, and how positions were read."""

    study: Path
    origin: str
    positions: str
    positions_how: str
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Codings no single segment holds: they count at their own span.
    spanning: list[PlacementRow] = field(default_factory=list)
    #: Codings that cannot be counted anywhere (an empty span).
    unplaced: list[PlacementRow] = field(default_factory=list)


# -- planning: everything in memory before the first write ---------------------------------------

@dataclass
class _Plan:
    file: Path
    project: RProject
    texts: list[SourceText]
    codes: CodePlan
    coders: dict[str, str] = field(default_factory=dict)  # normalised user GUID -> name
    coder_guids: dict[str, str] = field(default_factory=dict)  # name -> GUID as written
    codings: list[tuple] = field(default_factory=list)
    attributes: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> type, guid
    cases: list[tuple] = field(default_factory=list)  # name, description, guid, values, sources
    memos: list[tuple] = field(default_factory=list)
    sets: list[tuple] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unit: str = "codepoints"
    how: str = ""
    state: dict | None = None  # gtcode's own records, from a gtcode export


def _plan_coders(plan: _Plan) -> None:
    used: set[str] = set()
    gtcode = plan.project.origin.lower().startswith("gtcode")
    for guid, name in plan.project.users.items():
        label = unique_name((name or "").strip() or guid, used)
        plan.coders[norm_guid(guid)] = label
        if not (gtcode and label == GTCODE_USER):  # the program itself, not a coder
            plan.coder_guids[label] = guid


def _coder(plan: _Plan, *guids: str | None) -> str:
    for guid in (*guids, plan.project.creating_user):
        if guid:
            return plan.coders.get(norm_guid(guid), guid)
    if len(plan.coders) == 1:
        return next(iter(plan.coders.values()))
    return "unknown"


def _plan_codings(plan: _Plan) -> None:
    for item in plan.texts:
        spans = {guid: (start, end) for start, end, guid in item.spans}
        whole = [(None, 0, len(item.mapped.text), c) for c in item.source.codings]
        coded = [(sel, *spans[sel.guid], c) for sel in item.source.selections
                 for c in sel.codings]
        for sel, start, end, coding in coded + whole:
            code_id = plan.codes.ids.get(norm_guid(coding.code))
            if code_id is None:
                raise GtcodeError("E503", f"a coding refers to the unknown code "
                                  f"{coding.code!r}.", file=plan.file,
                                  where=f"coding {coding.guid}")
            coder = _coder(plan, coding.user, sel.user if sel else None, item.source.user)
            created = coding.created or (sel.created if sel else None)
            plan.codings.append((item.name, start, end, code_id, coder, coding.guid or None,
                                 created))


def _plan_cases(plan: _Plan) -> None:
    sources = {norm_guid(t.source.guid): t.name for t in plan.texts}
    variables: dict[str, str] = {}
    used: set[str] = set()
    for guid, name, kind in plan.project.variables:
        label = unique_name(name.strip() or guid, used)
        variables[norm_guid(guid)] = label
        plan.attributes[label] = (_TYPES.get(kind.lower(), "text"), guid)
    values_of = lambda values: {variables[norm_guid(v.variable)]: v.value  # noqa: E731
                                for v in values if norm_guid(v.variable) in variables}
    names: set[str] = set()
    members: set[str] = set()
    for case in plan.project.cases:
        held = [sources[norm_guid(g)] for g in case.sources if norm_guid(g) in sources]
        held = [s for s in held if s not in members]
        members.update(held)
        plan.cases.append((unique_name((case.name or "").strip() or case.guid, names),
                           case.description, case.guid, values_of(case.values), held))
    for item in plan.texts:
        if item.name in members or not (item.source.values or not plan.project.cases):
            continue
        name = PurePosixPath(item.name).stem or item.name
        plan.cases.append((name, None, None, values_of(item.source.values), [item.name]))


def _note_targets(plan: _Plan) -> dict[str, list[tuple[str, object]]]:
    project = plan.project
    targets: dict[str, list[tuple[str, object]]] = {}
    add = lambda note, target: targets.setdefault(norm_guid(note), []).append(target)  # noqa
    for code_guid, notes in project.code_notes.items():
        for note in notes:
            add(note, ("code", plan.codes.ids.get(norm_guid(code_guid))))
    for item in plan.texts:
        spans = {guid: (start, end) for start, end, guid in item.spans}
        for note in item.source.notes:
            add(note, ("source", item.name))
        for sel in item.source.selections:
            for note in [*sel.notes, *(n for c in sel.codings for n in c.notes)]:
                add(note, ("span", (item.name, *spans[sel.guid])))
    for note in project.project_notes:
        add(note, ("study", None))
    _link_targets(plan, add)
    return targets


def _link_targets(plan: _Plan, add: Callable[[str, tuple[str, object]], None]) -> None:
    cases = {norm_guid(c[2]): c[0] for c in plan.cases if c[2]}
    codes = plan.codes.ids
    sources = {norm_guid(t.source.guid): t.name for t in plan.texts}
    notes = {norm_guid(n.guid) for n in plan.project.notes}
    for origin, target in plan.project.links:
        note, other = (origin, target) if norm_guid(origin) in notes else (target, origin)
        key = norm_guid(other)
        if norm_guid(note) not in notes:
            continue
        if key in cases:
            add(note, ("case", cases[key]))
        elif key in codes:
            add(note, ("code", codes[key]))
        elif key in sources:
            add(note, ("source", sources[key]))


def _plan_memos(plan: _Plan, box: Container) -> None:
    targets = _note_targets(plan)
    gtcode = plan.project.origin.lower().startswith("gtcode")
    for note in plan.project.notes:
        if gtcode and note.name in (CODEBOOK_NOTE_NAME, STATE_NOTE_NAME):
            continue
        title = note.name
        if gtcode and title and re.fullmatch(r"Memo \d+", title):
            title = None  # gtcode names untitled memos "Memo <id>" on export
        text = note_text(note, box, plan.file)
        author = _coder(plan, note.user) if note.user else "import"
        for kind, target in targets.get(norm_guid(note.guid), [("study", None)]):
            if kind == "code" and target is None:
                kind = "study"
            plan.memos.append((kind, target, author, title, text, note.guid,
                               note.created, note.modified))


def _plan_sets(plan: _Plan) -> None:
    sources = {norm_guid(t.source.guid): t.name for t in plan.texts}
    used: set[str] = set()
    dropped = 0
    for row in plan.project.sets:
        members = []
        for kind, guid in row.members:
            key = norm_guid(guid)
            if kind == "code" and key in plan.codes.ids:
                members.append(("code", plan.codes.ids[key]))
            elif kind == "source" and key in sources:
                members.append(("source", sources[key]))
            else:
                dropped += 1
        plan.sets.append((unique_name(row.name.strip() or row.guid, used), row.description,
                          row.guid, members))
    if dropped:
        plan.warnings.append(f"{dropped} set member(s) (notes, or unknown items) left out.")


def _own_note(project: RProject, name: str):
    """One of gtcode's own Notes, in a project gtcode exported."""
    if not project.origin.lower().startswith("gtcode"):
        return None
    return next((n for n in project.notes if n.name == name), None)


def read_plan(path: Path, box: Container, positions: str) -> _Plan:
    """Read, check and convert a whole project without writing anything."""
    project = read_project_xml(box.project_root(), path)
    warnings: list[str] = [f"{s} skipped (only text sources are imported)."
                           for s in project.skipped_sources]
    texts = load_texts(project, box, path, warnings)
    which, how = choose_unit(texts, project, positions)
    map_spans(texts, which, path, warnings)
    embedded = _own_note(project, CODEBOOK_NOTE_NAME)
    codes = plan_codes(without_proposed(project.codes, project.sources), name=project.name,
                       description=f"Imported from {path.name} ({project.origin or 'unknown'})",
                       embedded_yaml=note_text(embedded, box, path) if embedded else None)
    plan = _Plan(path, project, texts, codes, warnings=warnings, unit=which.name, how=how)
    state = _own_note(project, STATE_NOTE_NAME)
    plan.state = read_state(note_text(state, box, path)) if state else None
    for step in (_plan_coders, _plan_codings, _plan_cases):
        step(plan)
    _plan_memos(plan, box)
    _plan_sets(plan)
    return plan


# -- writing the study -----------------------------------------------------------------------------

def _segment(item: SourceText, file: Path, state: dict | None
             ) -> tuple[Document, Segmentation, bool]:
    """The source as a document, its segments, and whether they came from gtcode's Note.

    A gtcode export whose source text is unchanged keeps its segments; any
    other source is read as speaker turns only when it is a transcript
    (:func:`gtcode.transcripts.detect.looks_like_transcript`), else by paragraph.
    """
    doc = Document(item.name, Path(file.name), "txt", item.mapped.text, "utf-8", item.raw_hash)
    if not item.mapped.text.strip():
        return doc, Segmentation(()), False
    kept = segmentation(state, item.name, content_hash(item.mapped.text))
    if kept is not None:
        return doc, kept, True
    try:
        return doc, segment_auto(doc), False
    except GtcodeError as error:
        if error.code != "E108":
            raise
        return doc, segment_document(doc, mode="paragraph"), False


def _store_codes(study, book, plan: _Plan) -> None:
    rows = [CodeRow(c.id, c.parent, c.level, c.name, c.name_en, c.color, code_description(c),
                    c.paradigm, i, "import", plan.codes.guids.get(c.id))
            for i, c in enumerate(book.codes, start=1)]
    sync_codebook_codes(study.conn, rows, codebook_hash=book.hash, name=book.name,
                        version=str(book.version) if book.version is not None else None,
                        path=study.codebook_path.name)
    study.set_meta("codebook_hash", book.hash)
    study.set_meta("codebook_origin", f"import:{plan.file.name}")


def _store_sources(conn, plan: _Plan, parsed: list) -> dict[str, tuple[int, list]]:
    stored: dict[str, tuple[int, list]] = {}
    for item, (doc, seg, _kept) in zip(plan.texts, parsed):
        source_id = store_document(conn, doc, seg)
        rows = segment_spans(conn, source_id)
        stored[item.name] = (source_id, ([r[2] for r in rows], rows))
    return stored


def _segment_at(spans: tuple[list, list], start: int, end: int) -> tuple[int, int] | None:
    """(id, idx) of the segment holding ``[start, end)``; ``spans``: (starts, rows)."""
    starts, rows = spans
    i = bisect_right(starts, start) - 1
    if i >= 0 and rows[i][3] >= end:
        return rows[i][0], rows[i][1]
    return None


def _store_codings(conn, plan: _Plan, stored: dict, skip: set[str]) -> int:
    now = now_iso()
    rows = []
    for name, start, end, code_id, coder, guid, created in plan.codings:
        if guid in skip:
            continue  # restored from gtcode's Note with its origin, status and coder
        source_id, spans = stored[name]
        segment = _segment_at(spans, start, end) if end > start else None  # empty: no text
        rows.append((source_id, segment[0] if segment else None, start, end, code_id, "import",
                     coder, "accepted", guid, created or now, created or now))
    return insert_codings(conn, rows)


def _store_cases(conn, plan: _Plan, stored: dict) -> None:
    ids = db.set_attribute_types(conn, {n: t for n, (t, _g) in plan.attributes.items()})
    for name, description, _guid, values, sources in plan.cases:
        case_id = db.ensure_case(conn, name)
        if description:
            set_case_description(conn, case_id, description)
        for attribute, value in values.items():
            db.set_case_attribute(conn, case_id, ids[attribute], value)
        for source in sources:
            db.assign_case(conn, stored[source][0], case_id)


def _store_memos_sets(conn, plan: _Plan, stored: dict) -> None:
    now = now_iso()
    rows = []
    for kind, target, author, title, text, guid, created, modified in plan.memos:
        if kind == "span":
            name, start, end = target
            segment = _segment_at(stored[name][1], start, end)
            kind, target = ("segment", f"{name}#{segment[1]}") if segment else ("source", name)
        rows.append((kind, target, author, title, text, "import", guid, created or now,
                     modified or created or now))
    insert_memos(conn, rows)
    for name, description, guid, members in plan.sets:
        insert_set(conn, name, description, guid, members)


def _refi_meta(plan: _Plan) -> dict:
    return {"origin": plan.project.origin, "file": plan.file.name, "positions": plan.unit,
            "source": {t.name: t.source.guid for t in plan.texts},
            "case": {c[0]: c[2] for c in plan.cases if c[2]},
            "variable": {n: g for n, (_t, g) in plan.attributes.items()},
            "user": dict(plan.coder_guids),
            "code_parent": plan.codes.real_parents, "codable": plan.codes.codable}


def _write_study(plan: _Plan, folder: Path) -> tuple[int, list[PlacementRow]]:
    """Create the study in ``folder`` (a fresh temporary one).

    Returns the codings stored and those no single segment holds.
    """
    parsed = [_segment(item, plan.file, plan.state) for item in plan.texts]
    study = Study.create(folder)
    try:
        atomic_write_text(study.codebook_path, plan.codes.yaml_text, owner=True)
        book = load_codebook(study.codebook_path)
        with study.write() as conn:
            _store_codes(study, book, plan)
            stored = _store_sources(conn, plan, parsed)
            coders = {c[4] for c in plan.codings} | set(plan.coder_guids)
            insert_coders(conn, [(n, "import", plan.coder_guids.get(n)) for n in sorted(coders)])
            restored = _restore(conn, plan, parsed, {c.id for c in book.codes})
            count = _store_codings(conn, plan, stored, restored.consumed)
            count += len(restored.consumed)
            _store_cases(conn, plan, stored)
            _store_memos_sets(conn, plan, stored)
            set_refi_meta(conn, _refi_meta(plan))
            placement = unplaced_codings(conn)
    finally:
        study.close()
    return count, placement


def _restore(conn, plan: _Plan, parsed: list, codes: set[str]):
    """Bring back gtcode's own records (segments were restored with the sources)."""
    if plan.state is None:
        return Restored()
    kept = {item.name for item, (_d, _s, restored) in zip(plan.texts, parsed) if restored}
    xml = {c[5]: (c[0], c[1], c[2], c[3]) for c in plan.codings if c[5]}
    done = restore_state(conn, plan.state, kept, xml, codes)
    if done.dropped:
        plan.warnings.append(f"{done.dropped} coding(s) recorded by gtcode were deleted in "
                             "another program; they stay deleted.")
    if len(kept) < len(plan.texts):
        plan.warnings.append(f"{len(plan.texts) - len(kept)} source(s) changed since gtcode "
                             "exported them; they were segmented afresh.")
    return done


def _check_target(target: Path) -> None:
    if (target / DB_NAME).exists() or (target.exists() and (
            not target.is_dir() or any(target.iterdir()))):
        raise GtcodeError("E302", "the study folder already exists and is not empty.",
                          file=target, hint="import into a new folder")


def import_project(path: Path, study_dir: Path, *, positions: str = "auto",
                   limits: Limits = Limits()) -> ImportReport:
    """Create the study ``study_dir`` from a REFI-QDA project.

    Args:
        path: a .qdpx (any suffix, e.g. .zip) or a bare .qde with its
            ``sources``/``Sources`` folder beside it.
        study_dir: the new study folder (must not exist, or be empty).
        positions: ``auto`` (from the origin, else detected), ``nvivo``,
            ``codepoints`` or ``atlas``.
        limits: bounds on the archive (entries, sizes, compression ratio).

    Raises:
        GtcodeError: E101 (unreadable), E302 (target exists), E501 (not a
            REFI-QDA file), E502 (unsafe), E503 (inconsistent); nothing is
            written on any error.
    """
    path, target = Path(path), Path(study_dir)
    _check_target(target)
    if not path.is_file():
        raise GtcodeError("E101", "file not found.", file=path)
    if path.suffix.lower() == ".qdc":
        raise GtcodeError("E501", "a .qdc is a codebook, not a project.", file=path,
                          hint="turn it into a codebook with `gtcode codebook import`")
    box = Container(path, limits)
    try:
        plan = read_plan(path, box, positions)
    finally:
        box.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = target.parent / f".{target.name}.gtcode-import-{secrets.token_hex(4)}"
    try:
        stored, placement = _write_study(plan, folder)
        _move(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    report = _report(plan, target, stored)
    report.spanning = [p for p in placement if p.placeable]
    report.unplaced = [p for p in placement if not p.placeable]
    return report


def _move(folder: Path, target: Path) -> None:
    """Rename the finished study into place (the target must still be absent or empty)."""
    try:
        if target.exists():
            target.rmdir()
        os.rename(folder, target)
    except OSError as exc:
        raise GtcodeError("E302", f"the study folder could not be put in place "
                          f"({exc.strerror}); nothing was written.", file=target,
                          hint="import into a new folder") from None


def _report(plan: _Plan, target: Path, stored: int) -> ImportReport:
    warnings = list(plan.warnings)
    if stored < len(plan.codings):
        warnings.append(f"{len(plan.codings) - stored} duplicate coding(s) (same span, code "
                        "and coder) were stored once.")
    counts = {"sources": len(plan.texts), "codes": len(plan.codes.ids),
              "selections": sum(len(t.source.selections) for t in plan.texts),
              "codings": stored, "cases": len(plan.cases), "variables": len(plan.attributes),
              "memos": len(plan.memos), "sets": len(plan.sets), "coders": len(plan.coder_guids)}
    return ImportReport(target, plan.project.origin, plan.unit, plan.how, counts, warnings)
